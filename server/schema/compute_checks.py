"""``verbund check`` for calculated fields and for conditions inside tables.

Called by :func:`server.schema.forms.parse_form` once every field was read. A ``compute``
must name fields of the form, have a number as its result, be stored in a number field,
not depend on itself through other computed fields, and its field takes no input keys
(``required``, ``default``, limits): nobody types into it. A column's ``show_if`` and
``required_if`` read the other columns of the same row, by bare name, in the subset the
browser evaluates too (:mod:`.show_if`).
"""

from __future__ import annotations

from typing import Any

from .checking import Collector
from .compute import RESULT_TYPES, ComputeError, compute_cycle, compute_fields, compute_tree
from .definitions import FieldDef
from .expressions import ExpressionError, referenced_names
from .show_if import form_prefix, show_if_cycle, show_if_fields, show_if_problem
from .toml_lines import KeyPath

# keys that describe what a person enters; a calculated field has none of them
INPUT_KEYS = ("required", "default", "min", "max", "min_length", "max_length", "pattern")


def check_computed(
    c: Collector, form_id: str, raw_fields: list[dict], fields: list[FieldDef]
) -> None:
    """Every ``compute`` of the form's fields (``raw_fields``: the TOML tables, for lines)."""
    index_of: dict[Any, int] = {}
    for i, t in enumerate(raw_fields):
        if isinstance(t, dict):
            index_of.setdefault(t.get("name"), i)
    names = {f.name for f in fields}
    prefix = form_prefix(form_id, names)
    trees: dict[str, dict[str, Any]] = {}
    for field in fields:
        if not field.compute:
            continue
        at: KeyPath = ("fields", index_of[field.name], "compute")
        where = f"Feld „{field.name}“: "
        table = raw_fields[index_of[field.name]]
        for key in INPUT_KEYS:
            if key in table:
                c.add(
                    ("fields", index_of[field.name], key),
                    f"{where}„{key}“ passt nicht zu „compute“: ein berechnetes Feld füllt "
                    "niemand aus",
                )
        if field.type not in RESULT_TYPES:
            c.add(
                at,
                f"{where}„compute“ geht nur bei Typ {', '.join(RESULT_TYPES)}, "
                f"nicht bei „{field.type}“",
            )
            continue
        try:
            trees[field.name] = compute_tree(field.compute, prefix, fields)
        except ComputeError as exc:
            c.add(at, f"{where}„compute“: {exc.message}")
            continue
        if field.name in compute_fields(trees[field.name]):
            c.add(at, f"{where}„compute“ darf sich nicht auf das Feld selbst beziehen")
            del trees[field.name]
    cycle = compute_cycle(trees)
    if cycle:
        c.add(
            ("fields", index_of[cycle[0]], "compute"),
            f"Feld „{cycle[0]}“: berechnete Felder hängen im Kreis voneinander ab: "
            + " → ".join(cycle),
        )
    _show_if_reads_no_computed(c, prefix, raw_fields, fields, index_of)


def _show_if_reads_no_computed(c, prefix, raw_fields, fields, index_of) -> None:
    """A ``show_if`` is decided before the values are computed (hidden fields count as
    empty for a computation), so it cannot read a computed field."""
    computed = {f.name for f in fields if f.compute}
    if not computed:
        return
    names = {f.name for f in fields}
    for field in fields:
        if not field.show_if:
            continue
        try:
            read = show_if_fields(field.show_if, prefix, names) & computed
        except ExpressionError:
            continue  # reported by the show_if check
        if read:
            c.add(
                ("fields", index_of[field.name], "show_if"),
                f"Feld „{field.name}“: „show_if“ kann das berechnete Feld „{sorted(read)[0]}“ "
                "nicht lesen (Bedingungen werden vor dem Berechnen entschieden)",
            )


def check_column_conditions(
    c: Collector, table: dict, keypath: KeyPath, columns: tuple[FieldDef, ...]
) -> None:
    """``show_if``/``required_if`` of a table's columns: names of the same row's columns."""
    names = {column.name for column in columns}
    raw = table.get("columns") if isinstance(table.get("columns"), list) else []
    index_of: dict[Any, int] = {}
    for i, t in enumerate(raw):  # the first of two columns of one name is the one kept
        if isinstance(t, dict):
            index_of.setdefault(t.get("name"), i)
    owner = table.get("name")
    before = len(c.problems)
    for column in columns:
        for key in ("show_if", "required_if"):
            source = getattr(column, key)
            if not source:
                continue
            at = keypath + ("columns", index_of[column.name], key)
            where = f"Spalte „{column.name}“ von Feld „{owner}“: „{key}“"
            try:
                read = referenced_names(source)
            except ExpressionError as exc:
                c.add(at, f"{where}: {exc.message}")
                continue
            problem = None
            for name, _ in sorted(read, key=lambda n: (n[0], n[1] or "")):
                if name == column.name and key == "show_if":
                    problem = "darf sich nicht auf die Spalte selbst beziehen"
                elif name not in names:
                    problem = (
                        f"nennt „{name}“, das keine Spalte dieser Tabelle ist "
                        "(erlaubt: Spaltennamen derselben Zeile)"
                    )
                if problem:
                    break
            problem = problem or show_if_problem(source, "")
            if problem:
                c.add(at, f"{where}: {problem}")
    if len(c.problems) > before:
        return  # a self-reference would be reported again as a cycle
    conditions = {col.name: col.show_if for col in columns if col.show_if}
    try:
        cycle = show_if_cycle("", conditions, names)
    except ExpressionError:
        return
    if cycle:
        c.add(
            keypath + ("columns", index_of[cycle[0]], "show_if"),
            f"Spalte „{cycle[0]}“ von Feld „{owner}“: „show_if“-Bedingungen hängen im Kreis "
            "voneinander ab: " + " → ".join(cycle),
        )
