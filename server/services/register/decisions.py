"""The decision register: every decision and measure of every meeting, with its status.

Configured in ``config.toml`` ``[register]``: the workflow (``meeting``), the table whose
rows are agenda items (``meeting.agenda``), the meeting date and group fields. A row appears
when it has a decision or a measure; its columns are found by name (``topic``, ``decision``,
``measure``, ``owner``, ``due``, ``indicator``, ``status``, ``escalation``, ``no``).

Who may read the meetings sees the register (same access rule, on every path); nobody else
learns it exists. The status of a measure starts as the row's ``status`` column; once the
minutes are approved (a final state, the agenda frozen), holders of ``status_roles`` write
the status on in :class:`~server.models.MeasureStatus`, every change kept and audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ... import clock
from ...config import Settings
from ...documents.xml_text import xml_text
from ...models import MeasureStatus, MeasureValue, Record, User, transaction
from ...schema.definitions import Definitions, FieldDef
from ..audit import audit
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..records.access import may_see_workflow, read_check, user_roles
from .entry_cache import cached_entries
from .filters import KINDS, OPEN, STATUSES, RegisterFilters, iso_date
from .indicators import indicator_keys, indicator_of, judge, parse_number, values_of
from .settings import (
    ENTRY_KEYS,
    RegisterConfig,
    register_config,
    register_problems,
    register_special,
    register_workflow,
)


def may_see_register(defs: Definitions, settings: Settings, user: User | None) -> bool:
    workflow = register_workflow(defs, register_config(settings))
    return user is not None and workflow is not None and may_see_workflow(user, workflow)


def may_update_status(settings: Settings, user: User) -> bool:
    config = register_config(settings)
    return config is not None and bool(user_roles(user) & set(config.status_roles))


def _labels(field: FieldDef | None, value: Any) -> str:
    if value in (None, ""):
        return ""
    return field.choice_label(value) if field is not None else str(value)


def _text(value: Any) -> str:
    return xml_text(str(value)).strip() if value not in (None, "") else ""


def kept_entries(
    defs: Definitions, config: RegisterConfig
) -> tuple[list[dict[str, Any]], dict[int, Record]]:
    """Every entry and the meetings by id, as this process keeps them (no access applied;
    shared: read only) – see :mod:`.entry_cache`."""
    today = clock.today()
    return cached_entries(
        config.workflow, defs, config, today, lambda: _all_entries(defs, config, today)
    )


def _entries(
    defs: Definitions, config: RegisterConfig, user: User, filters: RegisterFilters | None
) -> list[dict[str, Any]]:
    """The entries of the meetings ``user`` may read that ``filters`` let through (copies:
    the caller may change them)."""
    entries, meetings = kept_entries(defs, config)
    # the same rule as every list of records, applied to the meetings the entries came from
    may_read = read_check(defs, user, config.workflow)
    readable = {i for i, meeting in meetings.items() if may_read(meeting)}
    # no filter is the common case (start pages, the register's first page): not asked
    # per entry, a large register has thousands
    keep = filters.matches if filters is not None and filters.narrows() else None
    return [dict(e) for e in entries if e["record_id"] in readable and (keep is None or keep(e))]


def _all_entries(
    defs: Definitions, config: RegisterConfig, today: dt.date
) -> tuple[list[dict[str, Any]], dict[int, Record]]:
    """Every entry of every meeting, newest meeting first, and the meetings by id (without
    their data: what :func:`can_read` needs). No access applied."""
    workflow = defs.workflows[config.workflow]
    form = defs.forms[config.form]
    table = form.field(config.table)
    columns = {c.name: c for c in table.columns}
    group_field = form.field(config.group_field) if config.group_field else None
    fields = (Record.id, Record.workflow, Record.organisation, Record.owner, Record.title)
    records = list(
        Record.select(*fields, Record.state, Record.data).where(Record.workflow == workflow.id)
    )
    updates: dict[tuple[int, int], MeasureStatus] = {}
    if records:
        for update in (
            MeasureStatus.select()
            .where(MeasureStatus.record.in_([r.id for r in records]))
            .order_by(MeasureStatus.id)
        ):
            updates[(update.record_id, update.row)] = update  # the newest wins
    labels = dict(STATUSES)
    if "status" in columns:
        labels.update({c.value: c.label for c in columns["status"].choices})
    values = values_of([r.id for r in records])
    out = []
    for record in records:
        data = (record.data or {}).get(config.form) or {}
        state = workflow.state(record.state)
        frozen = bool(state and state.final)
        meeting_date = iso_date(data.get(config.date_field))
        for index, row in enumerate(data.get(config.table) or []):
            if not isinstance(row, dict) or not (row.get("decision") or row.get("measure")):
                continue
            status = row.get("status") or ("offen" if row.get("measure") else "")
            note = ""
            update = updates.get((record.id, index))
            if frozen and update is not None:
                status, note = update.status, update.note
            due = iso_date(row.get("due"))
            overdue = bool(row.get("measure") and due and due < today and status in OPEN)
            indicator = indicator_of(row, meeting_date, due) if row.get("measure") else None
            if indicator is not None:
                # values only count for approved minutes: only there the row index is for good
                indicator.values = values.get((record.id, index), []) if frozen else []
                judge(indicator, status)
            out.append(
                {
                    "record_id": record.id,
                    "row": index,
                    "meeting": _text(record.title),
                    "meeting_state": state.label if state else record.state,
                    "group": _labels(group_field, data.get(config.group_field)),
                    "group_value": data.get(config.group_field) or "",
                    "date": meeting_date,
                    "item": _text(row.get("no")) or str(index + 1),
                    "topic": _text(row.get("topic")),
                    "decision": _text(row.get("decision")),
                    "measure": _text(row.get("measure")),
                    "owner": _text(row.get("owner")),
                    "due": due,
                    "indicator": _text(row.get("indicator")),
                    "escalation": bool(row.get("escalation")),
                    "status": status,
                    "status_label": ("überfällig – " if overdue else "")
                    + labels.get(status, status or "–"),
                    "overdue": overdue,
                    "note": _text(note),
                    "frozen": frozen,
                    **indicator_keys(indicator),
                }
            )
    out.sort(key=lambda e: (e["date"] or dt.date.min, e["record_id"], e["row"]), reverse=True)
    for record in records:
        record.data = None  # what the cache keeps of a meeting: id, workflow, holders
    return out, {r.id: r for r in records}


def register_entries(
    defs: Definitions, settings: Settings, user: User, filters: RegisterFilters | None = None
) -> list[dict[str, Any]]:
    """The register as ``user`` may see it, narrowed by ``filters``; NotFound if not at all."""
    config = register_config(settings)
    if register_workflow(defs, config) is None or not may_see_register(defs, settings, user):
        raise NotFound("Diese Seite gibt es nicht.")
    return _entries(defs, config, user, filters)


def group_choices(defs: Definitions, settings: Settings) -> list[tuple[str, str]]:
    config = register_config(settings)
    form = defs.forms.get(config.form) if config else None
    field = form.field(config.group_field) if form and config.group_field else None
    return [(c.value, c.label) for c in field.choices] if field else []


def update_status(
    defs: Definitions,
    settings: Settings,
    user: User,
    record_id: Any,
    row: Any,
    status: Any,
    note: Any = "",
) -> MeasureStatus:
    """Write the status of a measure of approved minutes on (kept, audited)."""
    entry = _writable_measure(defs, settings, user, record_id, row)
    record_id, row = entry["record_id"], entry["row"]
    if status not in dict(STATUSES):
        raise Invalid("Bitte einen gültigen Stand wählen.", errors={"status": ["ungültig"]})
    note = xml_text(str(note or "")).strip()[:1000]
    with transaction():
        update = MeasureStatus.create(
            record=record_id, row=row, status=status, note=note, user=user
        )
        audit(
            "register.status",
            user,
            record_id=record_id,
            object_type="measure",
            object_id=f"{record_id}-{row}",
            detail={"status": status},
        )
    return update


def record_value(
    defs: Definitions,
    settings: Settings,
    user: User,
    record_id: Any,
    row: Any,
    measured_on: Any,
    value: Any,
) -> MeasureValue:
    """Add a dated actual value to the indicator of a measure of approved minutes.

    Same rules as :func:`update_status` (who, which rows); the date is neither before the
    meeting nor in the future, the value a number. Errors name the field (``datum``, ``wert``).
    """
    entry = _writable_measure(defs, settings, user, record_id, row)
    if entry["_indicator"] is None:
        raise Conflict("Diese Maßnahme hat keinen Zielwert; Istwerte brauchen einen Zielwert.")
    day = iso_date(str(measured_on or "").strip()) or _germaniso_date(measured_on)
    if day is None:
        raise Invalid(
            "Datum des Istwerts: bitte ein Datum angeben.", errors={"datum": ["ungültig"]}
        )
    if day > clock.today() or (entry["date"] is not None and day < entry["date"]):
        raise Invalid(
            "Datum des Istwerts: es liegt zwischen der Sitzung und heute.",
            errors={"datum": ["außerhalb"]},
        )
    number = parse_number(value)
    if number is None or abs(number) >= 10**12:
        raise Invalid(
            "Istwert: bitte eine Zahl angeben, z. B. 12,5.", errors={"wert": ["ungültig"]}
        )
    with transaction():
        entry_row = MeasureValue.create(
            record=entry["record_id"], row=entry["row"], measured_on=day, value=number, user=user
        )
        audit(
            "register.value",
            user,
            record_id=entry["record_id"],
            object_type="measure",
            object_id=f"{entry['record_id']}-{entry['row']}",
            detail={"date": day.isoformat(), "value": str(number)},
        )
    return entry_row


def _germaniso_date(value: Any) -> dt.date | None:
    text = str(value or "").strip()
    if text.count(".") != 2:
        return None
    try:
        d, m, y = (int(x) for x in text.split("."))
        return dt.date(y, m, d)
    except ValueError:
        return None


def _writable_measure(
    defs: Definitions, settings: Settings, user: User, record_id: Any, row: Any
) -> dict[str, Any]:
    """The register entry of a measure of approved minutes that ``user`` may write on."""
    entries = register_entries(defs, settings, user)
    if not may_update_status(settings, user):
        raise Forbidden("Den Stand der Maßnahmen schreiben die Gremien-Geschäftsführung fort.")
    try:
        record_id, row = int(record_id), int(row)
    except (TypeError, ValueError):
        raise NotFound("Diesen Eintrag gibt es nicht.") from None
    entry = next((e for e in entries if e["record_id"] == record_id and e["row"] == row), None)
    if entry is None or not entry["measure"]:
        raise NotFound("Diesen Eintrag gibt es nicht.")
    if not entry["frozen"]:
        raise Conflict(
            "Solange das Protokoll nicht genehmigt ist, wird der Stand im Protokoll selbst "
            "(Spalte „Stand“) gepflegt."
        )
    return entry


__all__ = [
    "ENTRY_KEYS",
    "KINDS",
    "STATUSES",
    "RegisterConfig",
    "RegisterFilters",
    "group_choices",
    "may_see_register",
    "may_update_status",
    "register_config",
    "register_entries",
    "register_problems",
    "register_special",
    "record_value",
    "register_workflow",
    "update_status",
]
