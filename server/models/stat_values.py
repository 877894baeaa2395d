"""Derived data for statistics (issue 21, migration m0009): each record's raw value of every
non-personal choice dimension, one narrow row per record and dimension (per table row for
table columns), so that counting and crossing reads an index instead of every record's JSON.

``record_dimension`` says which dimensions are kept (written by the services from the
definitions: only non-personal choice fields and columns); ``record_value`` holds the values.
Database triggers on ``record`` (created by m0009) keep ``record_value`` exactly current in
the statement that writes the record – saves, transitions, hand-overs, anonymisation,
deletion, imports, copies, whoever writes – so in the same transaction.
"""

from __future__ import annotations

import peewee

from .base import BaseModel

# row_index of a record-level field's value (table columns: the row's index in the list)
RECORD_ROW = -1
# a value's JSON text longer than this (bytes) is stored as TOO_LONG (migration m0015): the
# counting index holds at most about 2.7 KB per row on PostgreSQL
VALUE_LIMIT = 1000
TOO_LONG = "(zu lang)"


class RecordDimension(BaseModel):
    """One dimension whose values ``record_value`` keeps for one workflow's records.

    ``dimension`` is the statistics key (``form.field`` or ``form.table.column``); the value
    read is ``data[form_id][field]`` or, with ``column_name``, ``[column_name]`` of every
    object in the list ``data[form_id][field]``."""

    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    form_id = peewee.CharField(max_length=64)
    field = peewee.CharField(max_length=64)
    column_name = peewee.CharField(max_length=64, default="")
    # NULL: complete; a number: the background fill has done every record up to this id
    # (migration m0015; records written since the dimension was declared: the triggers)
    fill_after = peewee.IntegerField(null=True)

    class Meta:
        table_name = "record_dimension"
        primary_key = peewee.CompositeKey("workflow", "dimension")


class RecordValue(BaseModel):
    """The raw stored JSON text of one dimension of one record (or table row); NULL where
    the value is missing. State, organisation and creation time are copied from the record
    so that a count by them needs no join."""

    record_id = peewee.IntegerField()
    dimension = peewee.CharField(max_length=200)
    row_index = peewee.IntegerField(default=RECORD_ROW)
    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(null=True)
    created_at = peewee.DateTimeField(null=True)
    value = peewee.TextField(null=True)

    class Meta:
        table_name = "record_value"
        primary_key = peewee.CompositeKey("record_id", "dimension", "row_index")


# the order of record_id within one dimension lets two dimensions be joined by merging;
# value, state and organisation make it covering (counts read the index only). Named: the
# generated name is longer than PostgreSQL's 63 characters.
RecordValue.add_index(
    RecordValue.index(
        RecordValue.workflow,
        RecordValue.dimension,
        RecordValue.record_id,
        RecordValue.row_index,
        RecordValue.value,
        RecordValue.state,
        RecordValue.organisation_id,
        name="record_value_counting",
    )
)

# a report's period (issue 17, migration 0014): a dimension's values created in a period in
# one range of the index, counted from it alone; the record id to join a second dimension
RecordValue.add_index(
    RecordValue.index(
        RecordValue.workflow,
        RecordValue.dimension,
        RecordValue.created_at,
        RecordValue.row_index,
        RecordValue.value,
        RecordValue.state,
        RecordValue.organisation_id,
        RecordValue.record_id,
        name="record_value_period",
    )
)
