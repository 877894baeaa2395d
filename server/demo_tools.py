"""Helpers for the demo data: records made through the staff services, at dates in the past.

Every demo record is created, filled in and moved on with the same services staff use
(validation, guards, audit), so the demo shows nothing the application would refuse. The
clock is set back while a record is made, so histories, ages and deadlines look like a few
months of real work (some deadlines overdue, as in real life).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from . import clock
from .models import Record, User
from .schema.definitions import Definitions
from .services.records import apply_transition, create_record, save_form


@contextmanager
def clock_at(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Let Verbund's clock stand at ``hour`` o'clock (Berlin) on ``day``, then restore it."""
    before = clock.frozen_at()
    moment = dt.datetime.combine(day, dt.time(hour), clock.LOCAL_ZONE)
    clock.freeze(moment.astimezone(dt.UTC))
    try:
        yield
    finally:
        clock.freeze(before)


class RecordMaker:
    """One record of ``workflow_id`` made by ``user``; ``save`` and ``move`` update it."""

    def __init__(self, defs: Definitions, user: User, workflow_id: str, day: dt.date):
        self.defs, self.user, self.day = defs, user, day
        with clock_at(day, 9):
            self.record: Record = create_record(defs, user, workflow_id)

    @classmethod
    def existing(cls, defs: Definitions, user: User, record_id: int) -> RecordMaker:
        """Go on with a record made earlier, from the day it was last changed."""
        maker = cls.__new__(cls)
        maker.defs, maker.user = defs, user
        maker.record = Record.get_by_id(record_id)
        changed = maker.record.updated_at.replace(tzinfo=dt.UTC).astimezone(clock.LOCAL_ZONE)
        maker.day = changed.date()
        return maker

    @property
    def id(self) -> int:
        return self.record.id

    def on(self, day: dt.date) -> RecordMaker:
        """Later steps happen on ``day`` (never before the previous step, never after today)."""
        self.day = min(max(day, self.day), clock.today())
        return self

    def save(self, form_id: str, data: dict) -> RecordMaker:
        with clock_at(self.day, 11):
            self.record = save_form(
                self.defs, self.user, self.record.id, form_id, data, self.record.version
            )
        return self

    def move(self, *states: str) -> RecordMaker:
        for state in states:
            with clock_at(self.day, 14):
                self.record = apply_transition(
                    self.defs, self.user, self.record.id, state, self.record.version
                )
        return self

    def reload(self) -> RecordMaker:
        self.record = Record.get_by_id(self.record.id)
        return self
