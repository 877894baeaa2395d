"""Making the records of a demo through the services staff use, at dates in the past.

Every demo record is created, filled in and moved on with the same services staff use
(validation, guards, audit), so the demo shows nothing the application would refuse. The
clock is set back while a record is made, so histories, ages and deadlines look like a few
months of real work: a record is created at 9 o'clock on its ``day``, forms are saved at 11,
consents recorded at 12, transitions made at 14. A step's day is never before the step
before it and never after today. Records of workflows the configuration does not have are
skipped (and references to them left empty), so a demo also loads into a trimmed
configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import clock
from ..config import Settings
from ..models import Record, User
from ..schema.definitions import Definitions
from ..services.errors import ServiceError
from ..services.privacy.consent import record_consent, withdraw_consent
from ..services.records.changes import apply_transition, create_record, save_form
from ..services.register.decisions import record_value
from .files import REFERENCE, DemoError, RecordPlan, Step, relative_day

HOURS = {"create": 9, "save": 11, "consent": 12, "withdraw": 12, "move": 14, "indicator": 15}


@contextmanager
def clock_at(day: dt.date, hour: int) -> Iterator[None]:
    """Let Verbund's clock stand at ``hour`` o'clock (Berlin) on ``day``, then restore it."""
    before = clock.frozen_at()
    moment = dt.datetime.combine(day, dt.time(hour), clock.LOCAL_ZONE)
    clock.freeze(moment.astimezone(dt.UTC))
    try:
        yield
    finally:
        clock.freeze(before)


def _error_text(exc: ServiceError) -> str:
    if isinstance(exc.errors, dict):
        return "; ".join(f"{name}: {m}" for name, messages in exc.errors.items() for m in messages)
    return exc.message


class RecordRunner:
    """Makes the records of one demo; ``ids`` maps keys to record ids (None: skipped)."""

    def __init__(self, defs: Definitions, users: dict[str, User], settings: Settings | None = None):
        self.defs, self.users, self.settings = defs, users, settings
        self.today = clock.today()
        self.ids: dict[str, int | None] = {}
        self.created = 0

    def run(self, plans: list[RecordPlan]) -> int:
        """Make every record; returns how many were created."""
        for plan in plans:
            self.one(plan)
        return self.created

    def one(self, plan: RecordPlan) -> None:
        user = self.users[plan.owner]
        if plan.continues:
            record_id = self.ids.get(plan.continues)
            if record_id is None:
                return
            record = Record.get_by_id(record_id)
            changed = record.updated_at.replace(tzinfo=dt.UTC).astimezone(clock.LOCAL_ZONE)
            day = changed.date()
        else:
            if plan.workflow not in self.defs.workflows:
                if plan.key:
                    self.ids[plan.key] = None
                return
            day = self.today + dt.timedelta(days=plan.day)
            with clock_at(day, HOURS["create"]):
                record = self._call(plan.where, create_record, self.defs, user, plan.workflow)
            self.created += 1
            if plan.key:
                self.ids[plan.key] = record.id
        for step in plan.steps:
            if step.day is not None:
                wanted = self.today + dt.timedelta(days=step.day)
                day = min(max(wanted, day), self.today)
            with clock_at(day, HOURS[step.kind]):
                record = self.step(step, user, record, day)

    def step(self, step: Step, user: User, record: Record, day: dt.date) -> Record:
        if step.kind == "save":
            data = self.values(step.data or {})
            return self._call(
                step.where, save_form, self.defs, user, record.id, step.target, data, record.version
            )
        if step.kind == "move":
            return self._call(
                step.where,
                apply_transition,
                self.defs,
                user,
                record.id,
                step.target,
                record.version,
            )
        if step.kind == "indicator":
            if self.settings is not None:
                value = (step.data or {}).get("value")
                self._call(
                    step.where,
                    record_value,
                    self.defs,
                    self.settings,
                    user,
                    record.id,
                    step.target,
                    day.isoformat(),
                    str(value),
                )
            return record
        change = record_consent if step.kind == "consent" else withdraw_consent
        self._call(step.where, change, self.defs, user, record.id, step.target, day)
        return Record.get_by_id(record.id)

    def values(self, value: Any) -> Any:
        """Relative days become dates, ``"@key"`` the id of that record; empty ones are left out."""
        if isinstance(value, dict):
            pairs = ((name, self.values(item)) for name, item in value.items())
            return {name: item for name, item in pairs if item is not None}
        if isinstance(value, list):
            items = [self.values(item) for item in value]
            return [item for item in items if item is not None and item != {}]
        days = relative_day(value)
        if days is not None:
            return (self.today + dt.timedelta(days=days)).isoformat()
        if isinstance(value, str) and (match := REFERENCE.match(value)):
            return self.ids.get(match.group(1))
        return value

    @staticmethod
    def _call(where: str, service, *args):
        try:
            return service(*args)
        except ServiceError as exc:
            raise DemoError([f"{where}: {_error_text(exc)}"]) from None
