"""What a change to a workflow or form does to existing records — counted, never shown.

Administrators see how many records a change strands (in a state that no longer exists, with
data in a form or field that is dropped, with a value a changed field no longer accepts: a
new type, a choice taken away, a table column removed, a tighter limit) so they can decide
knowingly; they never see which records or what is in them. A value the new version refuses
is not lost: it stays stored, and the next save of that form names the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import peewee

from ...forms.types import FieldError, field_type, is_empty
from ...models import Record
from ...schema.definitions import Choice, Definitions, FieldDef, FormDef, WorkflowDef


@dataclass
class Impact:
    """Counts of records a change affects; ``total`` counts each record once."""

    removed_states: dict[str, int] = field(default_factory=dict)
    dropped_forms: dict[str, int] = field(default_factory=dict)
    dropped_fields: dict[str, int] = field(default_factory=dict)
    unfit_values: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def needs_confirmation(self) -> bool:
        return self.total > 0

    def as_json(self) -> dict[str, Any]:
        return {
            "records_in_removed_states": self.removed_states,
            "records_with_dropped_forms": self.dropped_forms,
            "records_with_dropped_fields": self.dropped_fields,
            "records_with_unfit_values": self.unfit_values,
            "records_affected": self.total,
        }

    def lines(self) -> list[str]:
        """The counts as German sentences for the screen."""
        out = []
        for state, n in self.removed_states.items():
            out.append(f"{n} Datensatz/-sätze im Zustand „{state}“, den es danach nicht mehr gibt")
        for form, n in self.dropped_forms.items():
            out.append(f"{n} Datensatz/-sätze mit Daten im Formular „{form}“, das entfällt")
        for name, n in self.dropped_fields.items():
            out.append(f"{n} Datensatz/-sätze mit einem Wert im Feld „{name}“, das entfällt")
        for name, n in self.unfit_values.items():
            out.append(
                f"{n} Datensatz/-sätze mit einem Wert im Feld „{name}“, den die neue Fassung "
                "nicht mehr annimmt (er bleibt gespeichert; beim nächsten Speichern wird er "
                "als Fehler gezeigt)"
            )
        return out


def _has_value(value: Any) -> bool:
    return value not in (None, "", [], {})


def _records_with_form_data(
    workflow_ids: set[str] | None, form_id: str, field_name=None, keep=None
) -> set[int]:
    """Ids of records (of ``workflow_ids``, or all) holding data in a form (or one field);
    with ``keep``, only those whose value of the field ``keep(value)`` is true for."""
    query = Record.select(Record.id, Record.data)
    if workflow_ids is not None:
        if not workflow_ids:
            return set()
        query = query.where(Record.workflow.in_(sorted(workflow_ids)))
    # a cheap text filter first; the exact test is done on the decoded data below
    # (ILIKE: LIKE on SQLite; Value without converter, else the JSON field would quote it)
    pattern = peewee.Value(f'%"{field_name or form_id}":%', converter=False)
    query = query.where(Record.data**pattern)
    found = set()
    for record in query.iterator():
        values = (record.data or {}).get(form_id)
        if not isinstance(values, dict):
            continue
        if field_name is None:
            if any(_has_value(v) for v in values.values()):
                found.add(record.id)
        elif _has_value(values.get(field_name)):
            if keep is None or keep(values.get(field_name)):
                found.add(record.id)
    return found


def _rules(f: FieldDef) -> FieldDef:
    """``f`` without what cannot make a stored value unfit (wording, place, line, visibility,
    ``required`` – only records holding a value are looked at), so that editing a label or
    inserting a field above does not make every later field look changed and be scanned."""
    return replace(
        f,
        label="",
        help="",
        default=None,
        show_if=None,
        required_if=None,  # per row, like required: only stored values are looked at
        compute=None,  # recomputed on the next save, never refused
        section="",
        personal=False,
        line=0,
        required=False,
        choices=tuple(Choice(c.value, "") for c in f.choices),
        columns=tuple(_rules(c) for c in f.columns),
    )


def _refuses(new_field: FieldDef):
    """A test whether ``new_field`` refuses a stored value (its cleaning or its limits)."""
    ftype = field_type(new_field.type)

    def refuses(value: Any) -> bool:
        try:
            cleaned = ftype.clean(new_field, value)
        except FieldError:
            return True
        if new_field.type == "table" or is_empty(cleaned):
            return False  # a table's cells are checked by its cleaning
        return bool(ftype.constraints(new_field, cleaned))

    return refuses


def workflow_impact(workflow_id: str, old: WorkflowDef | None, new: WorkflowDef | None) -> Impact:
    """Records of ``workflow_id`` that ``new`` strands compared with ``old``."""
    impact = Impact()
    if new is None:
        return impact
    affected: set[int] = set()
    new_states = {s.id for s in new.states}
    if old is not None:
        removed = [s.id for s in old.states if s.id not in new_states]
        states_query = Record.workflow == workflow_id
        if removed:
            states_query &= Record.state.in_(removed)
        else:
            states_query = None
    else:  # the old text did not parse: every state the new one lacks counts
        states_query = (Record.workflow == workflow_id) & Record.state.not_in(sorted(new_states))
    if states_query is not None:
        for record in Record.select(Record.id, Record.state).where(states_query):
            impact.removed_states[record.state] = impact.removed_states.get(record.state, 0) + 1
            affected.add(record.id)
    if old is not None:
        for form_id in old.form_ids:
            if form_id in new.form_ids:
                continue
            ids = _records_with_form_data({workflow_id}, form_id)
            if ids:
                impact.dropped_forms[form_id] = len(ids)
                affected |= ids
    impact.total = len(affected)
    return impact


def form_impact(
    form_id: str, old: FormDef | None, new: FormDef | None, defs: Definitions
) -> Impact:
    """Records holding values in fields of ``form_id`` that ``new`` no longer has."""
    impact = Impact()
    if old is None or new is None:
        return impact
    workflows = {wf.id for wf in defs.workflows.values() if form_id in wf.form_ids}
    affected: set[int] = set()
    for name in old.field_names:
        new_field = new.field(name)
        if new_field is None:
            ids = _records_with_form_data(workflows or None, form_id, name)
            if ids:
                impact.dropped_fields[f"{form_id}.{name}"] = len(ids)
                affected |= ids
            continue
        if _rules(new_field) == _rules(old.field(name)):
            continue  # same rules: every stored value passed them when it was saved
        ids = _records_with_form_data(workflows or None, form_id, name, _refuses(new_field))
        if ids:
            impact.unfit_values[f"{form_id}.{name}"] = len(ids)
            affected |= ids
    impact.total = len(affected)
    return impact
