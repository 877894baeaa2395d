"""Parsing and checking one form file, ``forms/<id>.toml`` (design §4).

Sections: a field with ``section = "Heading"`` *starts* a section; it and the fields after it
belong to that section until the next field with a ``section``. Fields before the first one
form an untitled section. The heading is kept on the starting field only (``FieldDef.section``),
which is what a screen needs to print it; :func:`form_sections` gives the grouping.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .checking import Collector, id_problem, kind
from .compute_checks import check_column_conditions, check_computed
from .definitions import FieldDef, FormDef, Problem
from .dynamic_defaults import dynamic_default, previous_problems, read_dynamic_default
from .expressions import ExpressionError, referenced_names
from .fieldtypes import field_type, type_names
from .form_copy import read_copy
from .form_steps import parse_steps
from .show_if import form_prefix, show_if_cycle, show_if_problem
from .toml_lines import KeyPath, parse_toml

FORM_KEYS = ("title", "description", "fields", "steps")
COMMON_KEYS = (
    "name",
    "type",
    "label",
    "required",
    "help",
    "default",
    "show_if",
    "section",
    "personal",
    "compute",
    "required_if",
)
# the keys of a FieldDef a type's ``read_keys`` may fill; any other key becomes an option
_FIELD_ATTRIBUTES = frozenset(f.name for f in dataclasses.fields(FieldDef))


def _key_homes() -> dict[str, str]:
    """For "Schlüssel „choices“ ist hier nicht erlaubt (nur bei Typ select, multiselect)"."""
    homes: dict[str, list[str]] = {}
    for name in type_names():
        for key in field_type(name).keys:
            homes.setdefault(key, []).append(name)
    return {key: "nur bei Typ " + ", ".join(names) for key, names in homes.items()}


def parse_form(form_id: str, text: str, path: str) -> tuple[FormDef | None, list[Problem]]:
    """Parse the TOML ``text`` of form ``form_id``; ``path`` is used in the problems.

    Returns the form and every problem found; the form is None when any problem is an error.
    """
    data, lines, syntax = parse_toml(text)
    c = Collector(path, lines)
    if data is None:
        assert syntax is not None
        c.problems.append(Problem(path, syntax[0], syntax[1]))
        return None, c.problems
    if problem := id_problem(form_id, "Formular-Id"):
        c.add((), problem)
    elif form_id in ("record", "history", "now", "loop"):
        c.add((), f"Formular-Id „{form_id}“ ist reserviert (Name in Ausdrücken und Vorlagen)")

    c.unknown_keys(data, FORM_KEYS, (), "")
    title = c.text(data, "title", (), "", required=True)
    description = c.text(data, "description", (), "")
    fields: list[FieldDef] = []
    raw_fields = c.tables(data, "fields", ())
    if data.get("fields", []) == []:
        c.add((), "Das Formular hat keine Felder ([[fields]])")
    unique = _duplicates(c, raw_fields, ("fields",), "", "Feldname")
    for index, table in enumerate(raw_fields):
        field = _parse_field(c, table, ("fields", index), column_of=None)
        if field is not None and index in unique:
            fields.append(field)

    # every name that was written counts, so a broken field does not also break its show_ifs
    written = {t["name"] for t in raw_fields if isinstance(t.get("name"), str)}
    for index, table in enumerate(raw_fields):
        _check_show_if(c, form_id, table, ("fields", index), written)
    if not c.errors:
        _check_show_if_cycle(c, form_id, raw_fields, written)
    if not c.errors:
        check_computed(c, form_id, raw_fields, fields)
    by_name = {t.get("name"): i for i, t in enumerate(raw_fields)}
    for field, message in previous_problems(fields):
        c.add(("fields", by_name.get(field.name, 0), "default"), f"Feld „{field.name}“: {message}")
    steps = parse_steps(c, data, form_id, fields, raw_fields)

    c.problems.sort(key=lambda p: p.line)
    if c.errors:
        return None, c.problems
    form = FormDef(
        id=form_id,
        title=title,
        fields=tuple(fields),
        description=description,
        path=path,
        steps=steps,
    )
    return form, c.problems


def form_sections(form: FormDef) -> list[tuple[str, tuple[FieldDef, ...]]]:
    """The form's fields grouped by section: [(heading, fields), ...] in order.

    Fields before the first ``section`` come first under the heading "" (only when there are
    any), so every field is in exactly one group.
    """
    groups: list[tuple[str, list[FieldDef]]] = []
    for field in form.fields:
        if field.section or not groups:
            groups.append((field.section, []))
        groups[-1][1].append(field)
    return [(heading, tuple(items)) for heading, items in groups]


def _where(table: dict[str, Any], column_of: str | None, keypath: KeyPath) -> str:
    name = table.get("name")
    label = f"„{name}“" if isinstance(name, str) and name else f"Nr. {keypath[-1] + 1}"
    if column_of is not None:
        return f"Spalte {label} von Feld „{column_of}“: "
    return f"Feld {label}: "


def _parse_field(
    c: Collector, table: dict[str, Any], keypath: KeyPath, column_of: str | None
) -> FieldDef | None:
    """One ``[[fields]]`` (or ``[[fields.columns]]``) table; None when it cannot be built."""
    where = _where(table, column_of, keypath)
    name = table.get("name")
    if "name" not in table:
        c.add(keypath, f"{where}„name“ fehlt")
        name = None
    elif not c.identifier(name, keypath + ("name",), where, "Feldname"):
        name = None

    ftype = table.get("type")
    names = type_names()
    kind_ = field_type(ftype) if isinstance(ftype, str) and ftype in names else None
    if "type" not in table:
        c.add(keypath, f"{where}„type“ fehlt (erlaubt: {', '.join(names)})")
    elif kind_ is None:
        shown = f"„{ftype}“" if isinstance(ftype, str) else f"({kind(ftype)})"
        c.add(
            keypath + ("type",),
            f"{where}unbekannter Feldtyp {shown} (erlaubt: {', '.join(names)})",
        )
    elif column_of is not None and not kind_.in_columns:
        c.add(keypath + ("type",), f"{where}eine Tabellenspalte kann nicht vom Typ „{ftype}“ sein")

    homes = _key_homes()
    allowed = list(COMMON_KEYS) + list(kind_.keys if kind_ is not None else homes)
    elsewhere = dict(homes)
    if kind_ is not None and "columns" in kind_.keys and column_of is None:
        allowed.append("copy")  # [fields.copy]: rows from another form (schema/form_copy.py)
    else:
        elsewhere["copy"] = "nur bei Tabellenfeldern"
    # a column's conditions are per row; a computed value is one per form
    in_column = column_of is not None
    for key in ("section", "compute") if in_column else ("required_if",):
        allowed.remove(key)
        elsewhere[key] = "nicht in Tabellenspalten" if in_column else "nur in Tabellenspalten"
    c.unknown_keys(table, allowed, keypath, where, elsewhere)

    label = c.text(table, "label", keypath, where, required=True)
    values: dict[str, Any] = {
        "required": c.flag(table, "required", keypath, where),
        "personal": c.flag(table, "personal", keypath, where),
        "help": c.text(table, "help", keypath, where),
        "section": c.text(table, "section", keypath, where).strip(),
        "show_if": c.text(table, "show_if", keypath, where) or None,
        "compute": c.text(table, "compute", keypath, where) or None,
        "required_if": c.text(table, "required_if", keypath, where) or None,
    }
    if "section" in table and not values["section"] and isinstance(table["section"], str):
        c.add(keypath + ("section",), f"{where}„section“ braucht eine Überschrift")
    if kind_ is None:
        return None
    # the type reads and checks its own keys (server/schema/fieldtypes/)
    own = kind_.read_keys(c, table, keypath, where)
    if "columns" in kind_.keys:
        own["columns"] = _columns(c, table, keypath, where, name)
        check_column_conditions(c, table, keypath, own["columns"])
    if "copy" in table and "copy" in allowed:
        columns = own.get("columns", ())
        own["copy"] = read_copy(c, table["copy"], keypath + ("copy",), where, columns)
    if "default" in table:
        at = keypath + ("default",)
        if column_of is not None and dynamic_default(table["default"]):
            c.add(at, f"{where}„user.*“ und „previous.*“ gibt es nur für Felder, nicht Spalten")
        elif kind_.takes_default and dynamic_default(table["default"]):
            # looked up when the form is first shown (schema/dynamic_defaults.py)
            read_dynamic_default(c, table["default"], at, where, ftype, table)
            own["default"] = table["default"]
        elif kind_.takes_default:
            own["default"] = kind_.read_default(c, table["default"], at, where, own)
        else:
            c.add(at, f"{where}ein Feld vom Typ „{ftype}“ kann keinen „default“ haben")
    values.update({k: v for k, v in own.items() if k in _FIELD_ATTRIBUTES})
    values["options"] = tuple(sorted((k, v) for k, v in own.items() if k not in _FIELD_ATTRIBUTES))

    if name is None:
        return None
    return FieldDef(name=name, type=ftype, label=label, line=c.lines.line(*keypath), **values)


def _columns(
    c: Collector, table: dict, keypath: KeyPath, where: str, name: str | None
) -> tuple[FieldDef, ...]:
    """The ``[[fields.columns]]`` of a table field, each parsed as a field."""
    if "columns" not in table:
        c.add(keypath, f"{where}eine Tabelle braucht Spalten ([[fields.columns]])")
        return ()
    raw = table["columns"]
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        c.add(
            keypath + ("columns",),
            f"{where}„columns“ muss eine Folge von Tabellen sein, "
            "geschrieben als [[fields.columns]]",
        )
        return ()
    columns: list[FieldDef] = []
    unique = _duplicates(c, raw, keypath + ("columns",), where, "Spaltenname")
    for index, column_table in enumerate(raw):
        column = _parse_field(
            c, column_table, keypath + ("columns", index), column_of=name or str(table.get("name"))
        )
        if column is not None and index in unique:
            columns.append(column)
    return tuple(columns)


def _duplicates(c: Collector, tables: list[dict], at: KeyPath, where: str, what: str) -> set[int]:
    """Report names used twice; returns the indexes of the tables to keep (first uses).

    Checked on the raw tables, so a repeated name is found even if one of the two fields has
    other problems too. A table without a name is kept here; the field reports it itself.
    """
    first: dict[str, int] = {}
    keep: set[int] = set()
    for index, table in enumerate(tables):
        name = table.get("name")
        if not isinstance(name, str):
            keep.add(index)
        elif name in first:
            line = c.lines.line(*at, first[name])
            c.add(
                at + (index, "name"),
                f"{where}{what} „{name}“ ist doppelt vergeben (zuerst in Zeile {line})",
            )
        else:
            first[name] = index
            keep.add(index)
    return keep


def _check_show_if(
    c: Collector, form_id: str, table: dict, keypath: KeyPath, field_names: set[str]
) -> None:
    """``show_if`` compiles and names only other fields of this form (bare or ``<form>.x``)."""
    source = table.get("show_if")
    if not isinstance(source, str) or not source:
        return
    where = _where(table, None, keypath)
    at = keypath + ("show_if",)
    own = table.get("name")
    try:
        names = referenced_names(source)
    except ExpressionError as exc:
        c.add(at, f"{where}„show_if“: {exc.message}")
        return
    before = len(c.problems)
    for name, attribute in sorted(names, key=lambda n: (n[0], n[1] or "")):
        if name == form_id and name in field_names:
            # a bare name is always a field: here ``goals`` is the field, not the form
            if attribute is not None and attribute in field_names:
                c.add(
                    at,
                    f"{where}„show_if“: „{name}“ ist hier das gleichnamige Feld; "
                    f"Felder dieses Formulars ohne „{form_id}.“ nennen",
                )
                continue
            referenced, shown = name, name
        elif name == form_id:
            if attribute is None:
                continue
            referenced, shown = attribute, f"{name}.{attribute}"
        else:
            # ``x.year`` reads inside the value of field x: only x is a name to check
            referenced, shown = name, name
        if referenced == own:
            c.add(at, f"{where}„show_if“ darf sich nicht auf das Feld selbst beziehen")
        elif referenced not in field_names:
            c.add(
                at,
                f"{where}„show_if“ nennt „{shown}“, das kein Feld dieses Formulars ist "
                f"(erlaubt: Feldnamen oder „{form_id}.<feld>“)",
            )
    prefix = form_prefix(form_id, field_names)
    if len(c.problems) == before and (problem := show_if_problem(source, prefix)):
        # the names are right, but the browser could not evaluate it the same way
        c.add(at, f"{where}„show_if“: {problem}")


def _check_show_if_cycle(c: Collector, form_id: str, raw_fields: list[dict], names: set[str]):
    """Conditions that depend on each other in a circle cannot decide what is shown."""
    conditions = {
        t["name"]: t["show_if"]
        for t in raw_fields
        if isinstance(t.get("name"), str) and isinstance(t.get("show_if"), str) and t["show_if"]
    }
    cycle = show_if_cycle(form_prefix(form_id, names), conditions, names)
    if cycle:
        index = next(i for i, t in enumerate(raw_fields) if t.get("name") == cycle[0])
        c.add(
            ("fields", index, "show_if"),
            f"Feld „{cycle[0]}“: „show_if“-Bedingungen hängen im Kreis voneinander ab: "
            + " → ".join(cycle),
        )
