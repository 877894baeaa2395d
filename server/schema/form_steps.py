"""``[[steps]]`` of a form: one screen per step instead of one long page.

A step names its fields with ``fields = [...]`` and/or whole sections with ``sections =
[...]`` (the headings of ``section = "…"``); it shows them in the form's order. When a form
has steps, every field is in exactly one of them, so nothing can be left out of the screens.
A ``show_if`` reads only fields of its own step: the browser evaluates it from the inputs of
the screen it is on, and a value from another screen is not there.
"""

from __future__ import annotations

from typing import Any

from .checking import Collector, kind
from .definitions import FieldDef, StepDef
from .expressions import ExpressionError
from .show_if import form_prefix, show_if_fields
from .toml_lines import KeyPath

STEP_KEYS = ("title", "fields", "sections")


def section_members(fields: list[FieldDef]) -> dict[str, list[str]]:
    """Each section heading with the names of the fields under it (see ``form_sections``)."""
    members: dict[str, list[str]] = {}
    current: list[str] | None = None
    for field in fields:
        if field.section:
            current = members.setdefault(field.section, [])
        if current is not None:
            current.append(field.name)
    return members


def parse_steps(
    c: Collector, data: dict[str, Any], form_id: str, fields: list[FieldDef], raw_fields: list
) -> tuple[StepDef, ...]:
    """The form's ``[[steps]]``, checked against its fields (problems go to ``c``)."""
    if "steps" not in data:
        return ()
    tables = c.tables(data, "steps", ())
    if not tables:
        if data.get("steps") == []:
            c.add(("steps",), "„steps“ ist leer: Schritte weglassen oder mit [[steps]] angeben")
        return ()
    names = [f.name for f in fields]
    sections = section_members(fields)
    placed: dict[str, int] = {}  # field -> index of its step
    steps: list[StepDef] = []
    for index, table in enumerate(tables):
        at: KeyPath = ("steps", index)
        title = table.get("title")
        named = isinstance(title, str) and title
        where = f"Schritt „{title}“: " if named else f"Schritt {index + 1}: "
        c.unknown_keys(table, STEP_KEYS, at, where)
        title = c.text(table, "title", at, where, required=True)
        wanted = _step_fields(c, table, at, where, names, sections)
        if "fields" not in table and "sections" not in table:
            c.add(at, f"{where}braucht „fields“ (Feldnamen) oder „sections“ (Abschnitte)")
        for name, key_at in wanted:
            if name in placed:
                first = placed[name]
                c.add(
                    key_at,
                    f"{where}Feld „{name}“ steht schon in Schritt {first + 1} "
                    f"(„{steps[first].title if first < len(steps) else ''}“, Zeile "
                    f"{c.lines.line('steps', first)}); jedes Feld gehört zu genau einem Schritt",
                )
            else:
                placed[name] = index
        mine = {name for name, _ in wanted}
        steps.append(
            StepDef(
                title=title,
                fields=tuple(n for n in names if placed.get(n) == index and n in mine),
                line=c.lines.line(*at),
            )
        )
    by_name = {t.get("name"): i for i, t in enumerate(raw_fields)}
    for name in names:
        if name not in placed:
            c.add(
                ("fields", by_name.get(name, 0), "name"),
                f"Feld „{name}“ steht in keinem Schritt: in „fields“ oder „sections“ eines "
                "[[steps]] aufnehmen",
            )
    _check_show_if_steps(c, form_id, fields, placed, by_name)
    return tuple(steps)


def _step_fields(
    c: Collector,
    table: dict[str, Any],
    at: KeyPath,
    where: str,
    names: list[str],
    sections: dict[str, list[str]],
) -> list[tuple[str, KeyPath]]:
    """The field names a step asks for, with where each was named (for messages)."""
    out: list[tuple[str, KeyPath]] = []
    for key, known, what in (("fields", names, "Feld"), ("sections", sections, "Abschnitt")):
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, list):
            c.add(at + (key,), f"{where}„{key}“ muss eine Liste sein, nicht {kind(value)}")
            continue
        for position, item in enumerate(value):
            item_at = at + (key, position)
            if not isinstance(item, str) or item not in known:
                shown = f"„{item}“" if isinstance(item, str) else kind(item)
                choices = ", ".join(known) or "keine"
                c.add(
                    item_at,
                    f"{where}{what} {shown} gibt es in diesem Formular nicht "
                    f"(vorhanden: {choices})",
                )
            elif key == "fields":
                out.append((item, item_at))
            else:
                out.extend((name, item_at) for name in sections[item])
    return out


def _check_show_if_steps(
    c: Collector,
    form_id: str,
    fields: list[FieldDef],
    placed: dict[str, int],
    by_name: dict[Any, int],
) -> None:
    names = {f.name for f in fields}
    for field in fields:
        if not field.show_if or field.name not in placed:
            continue
        try:
            read = show_if_fields(field.show_if, form_prefix(form_id, names), names)
        except ExpressionError:
            continue  # reported with the field itself
        for other in sorted(read):
            if other in placed and placed[other] != placed[field.name]:
                c.add(
                    ("fields", by_name.get(field.name, 0), "show_if"),
                    f"Feld „{field.name}“: „show_if“ liest „{other}“ aus Schritt "
                    f"{placed[other] + 1}, das Feld steht in Schritt {placed[field.name] + 1}; "
                    "eine Bedingung darf nur Felder ihres eigenen Schritts lesen",
                )
