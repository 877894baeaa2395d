"""Counters of records and statistic values (issue 21, migration m0017): deltas appended by
database triggers in the statement that changes a record or a ``record_value`` row.

A figure is ``SUM(n)`` per key; ``n`` is +1 or -1 as the triggers append it, or the sum of
many once the services folded them (:mod:`server.services.records.tally_fold`). Organisation
and owner are 0 where there is none (a key column is never NULL, so grouping is plain).
Folding also writes rows over every organisation (migration m0021): organisation
``ALL_ORGANISATIONS``, owner 0, always folded.
"""

from __future__ import annotations

import peewee

from .base import BaseModel

ALL_ORGANISATIONS = -1  # the organisation of a total row: the sum over every organisation


class RecordTally(BaseModel):
    """Records by workflow, state, organisation and owner."""

    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(default=0)
    owner_id = peewee.IntegerField(default=0)
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "record_tally"
        indexes = (
            (("workflow", "state", "organisation_id", "owner_id", "n"), False),
            # an organisation's and a person's figures (migration 0020)
            (("workflow", "organisation_id", "state", "owner_id", "n"), False),
            (("workflow", "owner_id", "state", "n"), False),
            (("workflow", "folded", "state"), False),  # the deltas to fold (migration 0021)
        )


class RecordPeriodTally(BaseModel):
    """Records by workflow, state, organisation and creation bucket: the UTC day, 22:00 and
    23:00 UTC as buckets of their own (Berlin midnight), so a period of Berlin days is a
    whole number of buckets."""

    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(default=0)
    bucket = peewee.DateTimeField(null=True)
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "record_period_tally"
        indexes = (
            (("workflow", "bucket", "state", "organisation_id", "n"), False),
            (("workflow", "folded", "bucket"), False),
            (("workflow", "organisation_id", "bucket", "state", "n"), False),
        )


class ValueTally(BaseModel):
    """``record_value`` rows by workflow, dimension, raw value ('' for NULL), state and
    organisation: records for a field, table rows for a column."""

    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    value = peewee.TextField(default="")
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(default=0)
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "value_tally"
        indexes = (
            (("workflow", "dimension", "organisation_id", "value", "state"), False),
            (("workflow", "folded", "dimension"), False),
        )


class TallyPair(BaseModel):
    """Two choice dimensions of one workflow counted together in ``pair_tally`` (declared
    when first asked for; ``dimension`` sorts before ``other``); both fields, or both
    columns of one table (the members of a pair share record and row)."""

    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    other = peewee.CharField(max_length=200)

    class Meta:
        table_name = "tally_pair"
        primary_key = peewee.CompositeKey("workflow", "dimension", "other")


class PairTally(BaseModel):
    """Records (table rows) by the raw values of a declared pair of dimensions."""

    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    value = peewee.TextField(default="")
    other = peewee.CharField(max_length=200)
    other_value = peewee.TextField(default="")
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "pair_tally"
        indexes = (
            (("workflow", "dimension", "other"), False),
            (("workflow", "folded"), False),
        )
