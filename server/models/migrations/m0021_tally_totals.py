"""Tallies over every organisation: rows of their own, and indexes to fold deltas (issue 21).

The tallies count by organisation. A figure over *all* organisations – the coordination's
cases by phase this year, a statistics table without the organisation – summed one row per
organisation: ~95,000 rows for a year at a thousand organisations. From here on the folding
of deltas (:mod:`server.services.records.tally_fold`) also writes one row per key with the
organisation ``ALL_ORGANISATIONS`` (-1; owner 0): a figure over all organisations sums
those and the deltas not yet folded, a figure by organisation every other row.

Indexes: ``(workflow, folded, …)`` on each tally finds a workflow's unfolded deltas (with the
column the figures narrow by next), so a fold costs what it folds (rewriting a workflow's
whole tally took seconds at a million cases); the period tally gets
one leading with the organisation (a year of the totals is one range); the value tally's
``(workflow, dimension)`` becomes ``(workflow, dimension, organisation_id, value, state)``:
the same reads, the totals as one range, and a fold finds a key's row. This step writes the
total rows of the rows folded so far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..tallies import ALL_ORGANISATIONS
from .m0017_tallies import PERIOD_KEY, RECORD_KEY, VALUE_KEY

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Zähler über alle Organisationen (eigene Zeilen) und Indizes zum Zusammenfassen"

KEYS = {"record_tally": RECORD_KEY, "record_period_tally": PERIOD_KEY, "value_tally": VALUE_KEY}

INDEXES = (
    'CREATE INDEX "record_tally_workflow_folded_state" '
    'ON "record_tally" ("workflow", "folded", "state")',
    'CREATE INDEX "record_period_tally_workflow_folded_bucket" '
    'ON "record_period_tally" ("workflow", "folded", "bucket")',
    'CREATE INDEX "record_period_tally_workflow_organisation_id_bucket_state_n" '
    'ON "record_period_tally" ("workflow", "organisation_id", "bucket", "state", "n")',
    'CREATE INDEX "value_tally_workflow_folded_dimension" '
    'ON "value_tally" ("workflow", "folded", "dimension")',
    'CREATE INDEX "value_tally_workflow_dimension_organisation_id_value_state" '
    'ON "value_tally" ("workflow", "dimension", "organisation_id", "value", "state")',
    'CREATE INDEX "pair_tally_workflow_folded" ON "pair_tally" ("workflow", "folded")',
)


def total_key(table: str) -> str:
    """The key columns of ``table`` as a total row has them: every organisation as
    ``ALL_ORGANISATIONS``, no owner (0)."""
    key = KEYS[table].replace("organisation_id", str(ALL_ORGANISATIONS))
    return key.replace("owner_id", "0")


def totals_fill_sql(table: str, where: str = "1 = 1") -> str:
    """The statement that writes the total rows of ``table`` from its folded rows matching
    ``where`` (there are none yet for them)."""
    groups = ", ".join(str(i + 1) for i in range(len(KEYS[table].split(", "))))
    return (
        f"INSERT INTO {table} ({KEYS[table]}, n, folded) SELECT {total_key(table)}, SUM(n), "
        f"TRUE FROM {table} WHERE folded AND organisation_id <> {ALL_ORGANISATIONS} "
        f"AND {where} GROUP BY {groups} HAVING SUM(n) <> 0"
    )


def upgrade(ctx: Context) -> None:
    ctx.execute('DROP INDEX "value_tally_workflow_dimension"')
    for statement in INDEXES:
        ctx.execute(statement)
    for table in KEYS:
        ctx.execute(totals_fill_sql(table))
