"""The ``[[deadlines]]`` tables of a workflow file (docs/configuration.md, "Fristen").

```toml
[[deadlines]]                   # N days after entering a state (the classic form)
state = "requested"
days = 10
label = "Beratungstermin vereinbaren"

[[deadlines]]                   # from a date of the record, weeks before it
state = "counselling"
from_field = "abh_counselling.status_until"
offset_days = -42
label = "Aufenthaltstitel läuft ab: Verlängerung vorbereiten"
escalate_after_days = 7         # overdue a week: to the team lead of the record's organisation
escalate_to = "team_lead"

[[deadlines]]                   # recurring while in the state, completed by a logged contact
state = "monitoring"
days = 28
every_days = 28
done_field = "monitoring.contacts.date"
label = "Monitoring-Gespräch fällig"
```

:func:`parse_deadlines` checks what the workflow file alone can tell; whether the fields
and roles exist is checked by :func:`deadline_link_problems`, which sees every file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .checking import Collector, kind
from .definitions import DeadlineDef, FieldDef, FormDef, StateDef

DEADLINE_KEYS = (
    "state",
    "label",
    "days",
    "from_field",
    "offset_days",
    "days_field",
    "days_by_choice",
    "every_days",
    "done_field",
    "escalate_after_days",
    "escalate_to",
    "escalate_scope",
)
ESCALATE_SCOPES = ("organisation", "all")
# a period longer than this is a typing error, not a plan (ten years)
MAX_DAYS = 3660


def parse_deadlines(
    c: Collector, data: dict[str, Any], states: dict[str, StateDef]
) -> list[DeadlineDef]:
    """Every ``[[deadlines]]`` table; problems go to ``c`` with their line."""
    deadlines: list[DeadlineDef] = []
    seen: set[tuple[str, str]] = set()
    for index, table in enumerate(c.tables(data, "deadlines", ())):
        at = ("deadlines", index)
        where = f"Frist Nr. {index + 1}: "
        errors = c.errors
        c.unknown_keys(table, DEADLINE_KEYS, at, where)
        state = c.text(table, "state", at, where, required=True)
        label = c.text(table, "label", at, where, required=True)
        _check_state(c, at, where, state, states)
        if (state, label) in seen:
            # state and label name a deadline when it is re-planned: they must be unique
            c.add(at + ("label",), f"{where}Frist „{label}“ gibt es im Zustand „{state}“ doppelt")
        seen.add((state, label))
        deadline = _timing(c, table, at, where)
        if deadline is not None and c.errors == errors:
            deadlines.append(
                DeadlineDef(state=state, label=label, line=c.lines.line(*at), **deadline)
            )
    return deadlines


def _check_state(
    c: Collector, at: tuple, where: str, state: str, states: dict[str, StateDef]
) -> None:
    if state and states and state not in states:
        c.add(at + ("state",), f"{where}Zustand „{state}“ gibt es nicht")
    elif state in states and states[state].final:
        c.add(
            at + ("state",),
            f"{where}Zustand „{state}“ ist final; die Frist würde nie erledigt",
            warning=True,
        )


def _timing(c: Collector, table: dict[str, Any], at: tuple, where: str) -> dict[str, Any] | None:
    """When the deadline is due, recurs and escalates; None when it cannot be planned."""
    days = c.count(table, "days", at, where, least=1)
    from_field = _path(c, table, "from_field", at, where)
    if "days" in table and "from_field" in table:
        c.add(at + ("from_field",), f"{where}„days“ und „from_field“ schließen sich aus")
    elif "days" not in table and "from_field" not in table:
        c.add(at, f"{where}„days“ fehlt (Tage seit Eintritt in den Zustand) oder „from_field“")
    offset = _whole(c, table, "offset_days", at, where, least=-MAX_DAYS)
    if "offset_days" in table and "from_field" not in table:
        c.add(at + ("offset_days",), f"{where}„offset_days“ gilt nur mit „from_field“")
    every = _whole(c, table, "every_days", at, where, least=1)
    done_field = _path(c, table, "done_field", at, where)
    if "every_days" in table and "done_field" not in table:
        c.add(
            at + ("every_days",),
            f"{where}„every_days“ braucht „done_field“ (woran erkennt man, dass die Frist "
            "erledigt ist, z. B. das Datum eines Kontakts)",
        )
    if "done_field" in table and "every_days" not in table:
        c.add(at + ("done_field",), f"{where}„done_field“ gilt nur mit „every_days“")
    if "every_days" in table and "from_field" in table:
        c.add(at + ("every_days",), f"{where}„every_days“ und „from_field“ schließen sich aus")
    days_field, by_choice = _days_by_choice(c, table, at, where)
    escalation = _escalation(c, table, at, where)
    if days is None and not from_field:
        return None
    return {
        "days": days or 0,
        "from_field": from_field,
        "offset_days": offset or 0,
        "days_field": days_field,
        "days_by_choice": by_choice,
        "every_days": every or 0,
        "done_field": done_field,
        **escalation,
    }


def _whole(
    c: Collector, table: dict[str, Any], key: str, at: tuple, where: str, least: int
) -> int | None:
    """A whole number between ``least`` and :data:`MAX_DAYS` (negative allowed if asked)."""
    if key not in table:
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        c.add(at + (key,), f"{where}„{key}“ muss eine ganze Zahl sein, nicht {kind(value)}")
        return None
    if value < least:
        reason = "darf nicht negativ oder 0 sein" if least == 1 else f"muss mindestens {least} sein"
        c.add(at + (key,), f"{where}„{key}“ {reason} (ist {value})")
        return None
    if value > MAX_DAYS:
        c.add(at + (key,), f"{where}„{key}“ darf höchstens {MAX_DAYS} sein (ist {value})")
        return None
    return value


def _path(c: Collector, table: dict[str, Any], key: str, at: tuple, where: str) -> str:
    """``<form>.<field>`` or ``<form>.<table>.<column>``."""
    value = c.text(table, key, at, where)
    parts = value.split(".") if value else []
    if value and (len(parts) not in (2, 3) or "" in parts):
        c.add(
            at + (key,),
            f"{where}„{key}“ muss „<formular>.<feld>“ oder „<formular>.<tabelle>.<spalte>“ "
            f"sein, nicht „{value}“",
        )
        return ""
    return value


def _days_by_choice(
    c: Collector, table: dict[str, Any], at: tuple, where: str
) -> tuple[str, tuple[tuple[str, int], ...]]:
    days_field = _path(c, table, "days_field", at, where)
    if days_field and days_field.count(".") != 1:
        c.add(at + ("days_field",), f"{where}„days_field“ muss „<formular>.<feld>“ sein")
    raw = table.get("days_by_choice")
    if ("days_field" in table) != (raw is not None):
        c.add(at, f"{where}„days_field“ und „days_by_choice“ gehören zusammen")
    if "days_field" in table and "days" not in table:
        c.add(at + ("days_field",), f"{where}„days_field“ braucht „days“ (für leere Auswahl)")
    if raw is None:
        return days_field, ()
    if not isinstance(raw, dict):
        c.add(
            at + ("days_by_choice",),
            f"{where}„days_by_choice“ muss eine Tabelle sein, z. B. "
            f"{{ jaehrlich = 335 }}, nicht {kind(raw)}",
        )
        return days_field, ()
    pairs = []
    for value in raw:
        number = _whole(c, raw, value, at + ("days_by_choice",), f"{where}days_by_choice: ", 1)
        if number is not None:
            pairs.append((value, number))
    return days_field, tuple(pairs)


def _escalation(c: Collector, table: dict[str, Any], at: tuple, where: str) -> dict[str, Any]:
    after = _whole(c, table, "escalate_after_days", at, where, least=0)
    to = c.text(table, "escalate_to", at, where)
    scope = c.text(table, "escalate_scope", at, where) or "organisation"
    if ("escalate_after_days" in table) != ("escalate_to" in table):
        c.add(at, f"{where}„escalate_after_days“ und „escalate_to“ gehören zusammen")
    if scope not in ESCALATE_SCOPES:
        c.add(
            at + ("escalate_scope",),
            f"{where}„escalate_scope“ muss eines von {', '.join(ESCALATE_SCOPES)} sein, "
            f"nicht „{scope}“",
        )
    return {"escalate_after_days": after, "escalate_to": to, "escalate_scope": scope}


def deadline_link_problems(
    c: Collector,
    form_ids: tuple[str, ...],
    forms: Mapping[str, FormDef],
    deadlines: tuple[DeadlineDef, ...],
    role_problem: Callable[[str], str | None],
) -> None:
    """Fields of the deadlines must be date (or select) fields of the workflow's forms, and
    the escalation role must exist; reported at the key's line in ``c``."""
    for index, d in enumerate(deadlines):
        at = ("deadlines", index)
        where = f"Frist „{d.label}“: "
        for key in ("from_field", "done_field", "days_field"):
            path = getattr(d, key)
            if not path:
                continue
            wanted = "select" if key == "days_field" else "date"
            field, message = _field_at(form_ids, forms, path)
            if field is not None and field.type != wanted:
                what = "kein Auswahlfeld (select)" if wanted == "select" else "kein Datumsfeld"
                message = f"„{path}“ ist {what}, sondern vom Typ „{field.type}“"
            if message:
                c.add(at + (key,), f"{where}„{key}“: {message}")
            elif key == "days_field" and field is not None:
                _check_choices(c, at, where, d, field)
        if d.escalate_to and (message := role_problem(d.escalate_to)):
            c.add(at + ("escalate_to",), f"{where}„escalate_to“: {message}")


def _field_at(
    form_ids: tuple[str, ...], forms: Mapping[str, FormDef], path: str
) -> tuple[FieldDef | None, str | None]:
    form_id, *names = path.split(".")
    if form_id not in form_ids:
        return None, f"Formular „{form_id}“ gehört zu keinem Zustand dieses Ablaufs"
    form = forms.get(form_id)
    if form is None:
        return None, None  # the form itself is broken and reported
    field = form.field(names[0])
    if field is None:
        return None, f"Formular „{form_id}“ hat kein Feld „{names[0]}“"
    if len(names) == 1:
        return field, None
    if field.type != "table":
        return None, f"„{form_id}.{names[0]}“ ist keine Tabelle, hat also keine Spalten"
    column = next((col for col in field.columns if col.name == names[1]), None)
    if column is None:
        return None, f"Tabelle „{form_id}.{names[0]}“ hat keine Spalte „{names[1]}“"
    return column, None


def _check_choices(c: Collector, at: tuple, where: str, d: DeadlineDef, field: FieldDef) -> None:
    values = [choice.value for choice in field.choices]
    for value, _days in d.days_by_choice:
        if value not in values:
            c.add(
                at + ("days_by_choice", value),
                f"{where}„days_by_choice“: „{value}“ ist keine Auswahl von „{d.days_field}“ "
                f"(vorhanden: {', '.join(map(str, values))})",
            )
    missing = [v for v in values if v not in dict(d.days_by_choice)]
    if missing:
        c.add(
            at + ("days_by_choice",),
            f"{where}„days_by_choice“: für {', '.join(map(str, missing))} gilt „days“ "
            f"({d.days} Tage)",
            warning=True,
        )
