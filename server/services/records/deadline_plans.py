"""Planning deadlines from a workflow's ``[[deadlines]]``: on entering a state, after a save.

Three kinds (docs/configuration.md, "Fristen"):

- ``days`` after entering the state (``days_field`` may pick the days by a select's value);
- ``offset_days`` from each date in ``from_field`` (a field, or a table column: one deadline
  per date), re-planned whenever those dates change;
- recurring (``every_days``): the open one is done as soon as a date on or after its start
  is entered in ``done_field`` (a contact logged), and the next is planned ``every_days``
  after that date.

A deadline belongs to its state: leaving the state closes it, entering again plans it anew
(so a jump back re-plans from the record's dates as they are then). Everything here runs
inside the transaction of the change that caused it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ... import clock
from ...models import Deadline, Record, utcnow
from ...models.fast import insert_row
from ...schema.definitions import DeadlineDef, WorkflowDef


def field_dates(data: dict[str, Any], path: str) -> list[dt.date]:
    """The distinct dates at ``path`` (``form.field`` or ``form.table.column``), sorted."""
    form_id, field, *column = path.split(".")
    value = (data.get(form_id) or {}).get(field)
    if column:
        rows = value if isinstance(value, list) else []
        values = [row.get(column[0]) for row in rows if isinstance(row, dict)]
    else:
        values = [value]
    dates = set()
    for item in values:
        if isinstance(item, str) and item:
            try:
                dates.add(dt.date.fromisoformat(item))
            except ValueError:
                continue  # an old save with a broken value: no deadline rather than a 500
    return sorted(dates)


def _choice(data: dict[str, Any], path: str) -> Any:
    form_id, _, field = path.partition(".")
    return (data.get(form_id) or {}).get(field)


def _entry_days(d: DeadlineDef, data: dict[str, Any]) -> int:
    return d.days_for(_choice(data, d.days_field)) if d.days_field else d.days


def _insert(record: Record, d: DeadlineDef, planned_from: dt.date, due_on: dt.date) -> None:
    insert_row(
        Deadline,
        record=record.id,
        state=d.state,
        label=d.label,
        due_on=due_on,
        planned_from=planned_from,
    )


def _last_done(d: DeadlineDef, data: dict[str, Any]) -> dt.date | None:
    dates = field_dates(data, d.done_field)
    return dates[-1] if dates else None


def _plan_one(d: DeadlineDef, record: Record, today: dt.date) -> int:
    data = record.data or {}
    if d.from_field:
        dates = field_dates(data, d.from_field)
        for day in dates:
            _insert(record, d, day, day + dt.timedelta(days=d.offset_days))
        return len(dates)
    if d.every_days and (done := _last_done(d, data)) is not None and done >= today:
        # already done today (a contact logged before a jump back and forth): the next one
        _insert(record, d, done + dt.timedelta(days=1), done + dt.timedelta(days=d.every_days))
        return 1
    _insert(record, d, today, today + dt.timedelta(days=_entry_days(d, data)))
    return 1


def plan_deadlines(workflow: WorkflowDef, record: Record, state_id: str) -> int:
    """Create the due dates of ``state_id`` for a record that has just entered it."""
    today = clock.today()
    return sum(_plan_one(d, record, today) for d in workflow.deadlines if d.state == state_id)


def close_deadlines(record: Record, state_id: str) -> int:
    """Close the open due dates of ``state_id`` for a record that has just left it."""
    return (
        Deadline.update(closed_at=utcnow(), closed_reason="left")
        .where(
            (Deadline.record == record.id)
            & (Deadline.state == state_id)
            & Deadline.closed_at.is_null()
        )
        .execute()
    )


def replan_after_save(workflow: WorkflowDef, record: Record, form_id: str) -> int:
    """Bring the open deadlines of the record's state in line with the form just saved.

    Returns how many deadlines were closed or planned. Only declarations computed from a
    field of ``form_id`` are looked at, so most saves cost no query.
    """
    changed = 0
    for d in workflow.deadlines:
        if d.state != record.state or not any(p.split(".")[0] == form_id for p in d.field_paths()):
            continue
        open_ = list(
            Deadline.select()
            .where(
                (Deadline.record == record.id)
                & (Deadline.state == d.state)
                & (Deadline.label == d.label)
                & Deadline.closed_at.is_null()
            )
            .order_by(Deadline.id)
        )
        changed += _replan(d, record, open_)
    return changed


def _close(deadlines: list[Deadline], reason: str) -> int:
    if not deadlines:
        return 0
    return (
        Deadline.update(closed_at=utcnow(), closed_reason=reason)
        .where(Deadline.id.in_([x.id for x in deadlines]) & Deadline.closed_at.is_null())
        .execute()
    )


def _replan(d: DeadlineDef, record: Record, open_: list[Deadline]) -> int:
    data = record.data or {}
    if d.from_field:
        wanted = {
            day + dt.timedelta(days=d.offset_days): day for day in field_dates(data, d.from_field)
        }
        stale = [x for x in open_ if x.due_on not in wanted]
        kept = {x.due_on for x in open_} - {x.due_on for x in stale}
        changed = _close(stale, "replanned")
        for due_on, day in wanted.items():
            if due_on not in kept:
                _insert(record, d, day, due_on)
                changed += 1
        return changed
    if not open_:
        return 0  # nothing open (done and not recurring): a save does not bring it back
    current = open_[-1]
    start = current.planned_from or clock.local_date(current.created_at)
    if d.every_days:
        done = _last_done(d, data)
        if done is None or done < start:
            return 0
        changed = _close(open_, "done")
        _insert(record, d, done + dt.timedelta(days=1), done + dt.timedelta(days=d.every_days))
        return changed + 1
    if d.days_field:
        due_on = start + dt.timedelta(days=_entry_days(d, data))
        if due_on != current.due_on:
            changed = _close(open_, "replanned")
            _insert(record, d, start, due_on)
            return changed + 1
    return 0
