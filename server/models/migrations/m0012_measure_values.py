"""Indicator values of measures (issue 17): dated actual values of a measure's indicator in
the decision register, written on after the minutes are approved.

The table is declared here as it is at this migration, not taken from the models: the models
will move on, and this step must create what it created on the day it was written. ``user``
and ``record`` stand in as bare tables for the foreign keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from ..base import database, utcnow

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Istwerte der Indikatoren von Maßnahmen (1 Tabelle)"


class _Frozen(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class _User(_Frozen):
    class Meta:
        table_name = "user"


class _Record(_Frozen):
    class Meta:
        table_name = "record"


class MeasureValue(_Frozen):
    record = peewee.ForeignKeyField(_Record, backref="+", on_delete="CASCADE")
    row = peewee.IntegerField()
    measured_on = peewee.DateField()
    value = peewee.DecimalField(max_digits=16, decimal_places=4, auto_round=True)
    user = peewee.ForeignKeyField(_User, null=True, backref="+", on_delete="SET NULL")
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "measure_value"
        indexes = ((("record", "row"), False),)


def upgrade(ctx: Context) -> None:
    # safe=False: a table of that name already there is an error, not silently kept
    database.create_tables([MeasureValue], safe=False)
