"""``[fields.copy]`` of a table field: rows taken over from a table of another form.

```toml
[fields.copy]
from = "goals.goals"                          # <form>.<table field> of the same record
label = "Aus Ziele übernehmen"                # the button (optional)
columns = { goal = "goal", due = "target_date" }   # target column = source column
match = ["goal"]                              # optional, default: every target column named
```
:func:`read_copy` checks the table itself when the form is parsed; :func:`copy_problems`
checks it against the other form once every form is known (``verbund check``).
"""

from __future__ import annotations

from typing import Any

from .checking import Collector, kind
from .definitions import CopyDef, FieldDef, FormDef
from .toml_lines import KeyPath

COPY_KEYS = ("from", "label", "columns", "match")
# a source column may fill a target column of the same type, or of one that takes its values
COMPATIBLE = {("textarea", "text"), ("text", "textarea"), ("select", "text")}


def read_copy(
    c: Collector, value: Any, at: KeyPath, where: str, columns: tuple[FieldDef, ...]
) -> CopyDef | None:
    """The ``copy`` table of a table field; its own columns are checked here."""
    if not isinstance(value, dict):
        c.add(at, f"{where}„copy“ muss eine Tabelle sein ([fields.copy]), nicht {kind(value)}")
        return None
    c.unknown_keys(value, COPY_KEYS, at, where + "„copy“: ")
    source = c.text(value, "from", at, where + "„copy“: ", required=True)
    if source and (source.count(".") != 1 or not all(source.split("."))):
        c.add(at + ("from",), f"{where}„copy.from“ muss „<formular>.<tabellenfeld>“ sein")
        source = ""
    label = c.text(value, "label", at, where + "„copy“: ")
    own = {col.name for col in columns}
    mapping: list[tuple[str, str]] = []
    raw_columns = value.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        c.add(
            at + ("columns",) if "columns" in value else at,
            f'{where}„copy.columns“ muss Spalten zuordnen: {{ zielspalte = "quellspalte" }}',
        )
    else:
        for target, origin in raw_columns.items():
            if target not in own:
                c.add(
                    at + ("columns", target),
                    f"{where}„copy.columns“: Spalte „{target}“ gibt es in dieser Tabelle nicht "
                    f"(vorhanden: {', '.join(sorted(own))})",
                )
            elif not isinstance(origin, str) or not origin:
                c.add(
                    at + ("columns", target),
                    f"{where}„copy.columns“: „{target}“ braucht den Namen einer Quellspalte",
                )
            else:
                mapping.append((target, origin))
    match = c.identifiers(value, "match", at, where + "„copy“: ", "Spalten")
    targets = {t for t, _ in mapping}
    for index, name in enumerate(match):
        if name not in targets:
            c.add(
                at + ("match", index),
                f"{where}„copy.match“: „{name}“ ist keine der zugeordneten Spalten "
                f"(„copy.columns“: {', '.join(sorted(targets)) or 'keine'})",
            )
    if not source or not mapping:
        return None
    return CopyDef(
        source=source,
        columns=tuple(mapping),
        match=tuple(match) or tuple(t for t, _ in mapping),
        label=label,
        line=c.lines.line(*at),
    )


def copy_problems(form: FormDef, field: FieldDef, forms: dict[str, FormDef]) -> list[str]:
    """What is wrong with ``field.copy`` given every form (an unknown form, table, column)."""
    copy = field.copy
    if copy is None:
        return []
    source_form = forms.get(copy.form)
    if source_form is None:
        return [f"„copy.from“: Formular „{copy.form}“ gibt es nicht (forms/{copy.form}.toml)"]
    source = source_form.field(copy.field)
    if source is None or source.type != "table":
        return [f"„copy.from“: Formular „{copy.form}“ hat keine Tabelle „{copy.field}“"]
    if source_form.id == form.id and source.name == field.name:
        return ["„copy.from“: eine Tabelle kann nicht aus sich selbst übernehmen"]
    problems = []
    targets = {c.name: c for c in field.columns}
    origins = {c.name: c for c in source.columns}
    for target, origin in copy.columns:
        column = origins.get(origin)
        if column is None:
            problems.append(
                f"„copy.columns“: „{copy.source}“ hat keine Spalte „{origin}“ "
                f"(vorhanden: {', '.join(origins)})"
            )
            continue
        wanted = targets[target].type
        if column.type != wanted and (column.type, wanted) not in COMPATIBLE:
            problems.append(
                f"„copy.columns“: Spalte „{origin}“ ({column.type}) passt nicht in "
                f"„{target}“ ({wanted})"
            )
        elif column.personal and not targets[target].personal:
            problems.append(
                f"„copy.columns“: „{origin}“ ist personenbezogen (personal = true), "
                f"„{target}“ nicht; beide gleich kennzeichnen"
            )
    return problems
