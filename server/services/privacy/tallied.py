"""The statistics' groups read from the tallies where they can answer (issue 21).

:func:`.grouped.grouped_units` asks here first; None means "the tallies cannot answer this",
and the grouped statement over ``record``/``record_value`` counts as before. Answered here:

- phase and/or organisation, all time: ``record_tally``;
- phase and/or organisation by period of the day of creation: ``record_period_tally``,
  when every period's bounds fall on a bucket's start (Berlin midnight always does);
- one choice field or table column, alone or with phase and/or organisation, all time:
  ``value_tally`` (the raw stored value, so a multi-select's whole list, a table column's
  rows – exactly the units ``record_value`` has);
- two choice fields, or two columns of one table (a crosstab, or rows with a ``where``
  flag such as barriers by category where „Systemebene“), all time: ``pair_tally``, the
  pair declared and counted from ``record_value`` the first time it is asked for.

Not answered (the grouped statement): a field with a table column, two choice dimensions
with phase or organisation, a choice dimension by period, a period by a date field. The
groups come back as the same ``(record, row, count)`` stand-ins, so labels and suppression
are applied by the same code either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ...models import PairTally, RecordPeriodTally, RecordTally, TallyPair, ValueTally
from ..records import period_rollup
from ..records.tallies import declare_pair, summed
from ..records.tally_fold import bucket_value
from .periods import CountingDate, Period

RECORD_KEYS = ("state", "organisation")
_ALIGNED = (dt.time(0), dt.time(22), dt.time(23))  # where a creation bucket starts


def _record_key(model, key: str):
    return model.state if key == "state" else model.organisation_id


def _key_values(keys: Sequence[str], values: tuple) -> list:
    # organisation 0 in the tally is a record without one (NULL in the record)
    return [(v or None) if k == "organisation" else v for k, v in zip(keys, values, strict=True)]


def tallied_units(
    workflow: str, keys: Sequence[str], kinds: Sequence, stand_ins
) -> list[tuple[Any, dict | None, int]] | None:
    """The groups of ``keys`` from a tally, or None when no tally answers them."""
    json_keys = [k for k in keys if k not in RECORD_KEYS]
    if len(json_keys) == 2 and len(keys) == 2 and _aligned(*json_keys):
        return _pair_units(workflow, keys, kinds, stand_ins)
    if len(json_keys) > 1:
        return None
    everyone = "organisation" not in keys  # read from the total rows
    if not json_keys:
        fields = [_record_key(RecordTally, k) for k in keys]
        query = RecordTally.select().where(RecordTally.workflow == workflow)
        counts = summed("record_tally", query, fields, [workflow], every_organisation=everyone)
    else:
        fields = [
            ValueTally.value if k == json_keys[0] else _record_key(ValueTally, k) for k in keys
        ]
        query = ValueTally.select().where(
            (ValueTally.workflow == workflow) & (ValueTally.dimension == json_keys[0])
        )
        counts = summed("value_tally", query, fields, [workflow], every_organisation=everyone)
    out = []
    for key, n in counts.items():
        values = _key_values(keys, key if isinstance(key, tuple) else (key,))
        # the tally keeps a missing value as '' (a key column is never NULL)
        pairs = zip(keys, values, strict=True)
        values = [None if v == "" and k in json_keys else v for k, v in pairs]
        out.append(stand_ins(kinds, [*values, n]))
    return out


MOST_PAIRS = 10  # declared pairs per workflow (the KIM configuration's widgets use two)


def _aligned(first: str, second: str) -> bool:
    """Two fields, or two columns of one table: their values share record and row."""
    a, b = first.split("."), second.split(".")
    return len(a) == len(b) and (len(a) == 2 or a[:2] == b[:2])


def _pair_units(workflow: str, keys: Sequence[str], kinds: Sequence, stand_ins) -> list | None:
    first, second = sorted(keys)
    declared = TallyPair.get_or_none(
        (TallyPair.workflow == workflow)
        & (TallyPair.dimension == first)
        & (TallyPair.other == second)
    )
    if declared is None:  # the first count of this pair counts it from record_value, once
        # every declared pair adds trigger work to each save from then on: a person trying
        # crosstab after crosstab on /statistik/ must not slow everyone's saves without end,
        # so past MOST_PAIRS a new pair is counted the old way (GROUP BY), not declared
        if TallyPair.select().where(TallyPair.workflow == workflow).count() >= MOST_PAIRS:
            return None
        declare_pair(workflow, first, second)
    query = PairTally.select().where(
        (PairTally.workflow == workflow)
        & (PairTally.dimension == first)
        & (PairTally.other == second)
    )
    counts = summed("pair_tally", query, [PairTally.value, PairTally.other_value], [workflow])
    out = []
    for (value, other_value), n in counts.items():
        by_key = {first: value or None, second: other_value or None}
        out.append(stand_ins(kinds, [by_key[keys[0]], by_key[keys[1]], n]))
    return out


def tallied_by_period(
    workflow: str,
    keys: Sequence[str],
    date: CountingDate,
    periods: Sequence[Period],
    kinds: Sequence,
    stand_ins,
) -> list[list[tuple[Any, dict | None, int]]] | None:
    """Per period the groups of the record columns ``keys`` by the day of creation, from
    ``record_period_tally``; None when it cannot answer (see the module's doc)."""
    if date.key != "created" or any(k not in RECORD_KEYS for k in keys):
        return None
    bounds = [p.bounds() for p in periods]
    if any(m.time() not in _ALIGNED for pair in bounds for m in pair):
        return None  # a zone whose midnight is no bucket start: the records are counted
    if _inside_a_folded_month(workflow, [m for pair in bounds for m in pair]):
        return None  # the day is no longer told apart there: the records are counted
    out: list[list[tuple[Any, dict | None, int]]] = []
    model = RecordPeriodTally
    fields = [_record_key(model, k) for k in keys]
    for low, high in bounds:
        query = model.select().where(
            (model.workflow == workflow)
            & (model.bucket >= bucket_value(low))
            & (model.bucket < bucket_value(high))
        )
        counts = summed(
            "record_period_tally",
            query,
            fields or [model.workflow],
            [workflow],
            every_organisation="organisation" not in keys,
        )
        groups = []
        for key, n in counts.items():
            values = _key_values(keys, key if isinstance(key, tuple) else (key,)) if keys else []
            groups.append(stand_ins(kinds, [*values, n]))
        out.append(groups)
    return out


def _inside_a_folded_month(workflow: str, bounds: Sequence[dt.datetime]) -> bool:
    """Whether a bound that is no month's start lies in a month folded into one row
    (:mod:`..records.period_rollup`): one index lookup for all of them."""
    marks = [period_rollup.month_mark(m) for m in bounds if not period_rollup.is_month_start(m)]
    if not marks:
        return False
    model = RecordPeriodTally
    present = (
        model.select(model.bucket)
        .where((model.workflow == workflow) & model.bucket.in_([bucket_value(m) for m in marks]))
        .limit(1)
        .tuples()
    )
    return bool(list(present))
