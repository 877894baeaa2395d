"""Migration 0021 on a database that has counted for a while: the rows over every
organisation are written from what was folded, the deltas not yet folded still count, and
a figure over every organisation equals the records counted. SQLite, and PostgreSQL with
VERBUND_TEST_DATABASE_URL."""

from __future__ import annotations

from collections import Counter

from server.models import MODELS, Organisation, Record, RecordTally, User, database, open_database
from server.models.migrations import MIGRATIONS, apply_pending
from server.models.tallies import ALL_ORGANISATIONS
from server.services.records.tallies import summed
from server.services.records.tally_fold import fold
from tests.models.test_upgrade import database_url, fill_old_database, load_old_schema

WORKFLOW = "foerderung"


def _by_state() -> dict[str, int]:
    query = RecordTally.select().where(RecordTally.workflow == WORKFLOW)
    return dict(summed("record_tally", query, [RecordTally.state], [], every_organisation=True))


def _total_rows() -> set[tuple[str, int]]:
    rows = RecordTally.select(RecordTally.state, RecordTally.n).where(
        RecordTally.organisation_id == ALL_ORGANISATIONS
    )
    return set(rows.tuples())


def _counted() -> dict[str, int]:
    rows = Record.select(Record.state).where(Record.workflow == WORKFLOW).tuples()
    return dict(Counter(state for (state,) in rows))


def test_migration_0021_writes_the_totals_of_what_was_counted(config_dir, database_overrides):
    url = database_url(config_dir / "config.toml", database_overrides)
    load_old_schema(url)
    fill_old_database(url)
    open_database(url)
    with database.connection_context():
        apply_pending(MODELS, [m for m in MIGRATIONS if m.number < 21])
        # after 0017 (its fill: folded rows) the office went on: deltas in two organisations
        clerk = User.get()
        other = Organisation.create(name="jugendamt", label="Jugendamt")
        for n, (organisation, state) in enumerate(
            [(clerk.organisation, "entwurf"), (other, "entwurf"), (other, "eingereicht")]
        ):
            Record.create(
                workflow=WORKFLOW,
                state=state,
                title=f"Verein {n}",
                owner=clerk,
                organisation=organisation,
                created_by=clerk,
                data={},
            )
        assert RecordTally.select().where(~RecordTally.folded).count() > 0

        apply_pending(MODELS)

        assert _total_rows() == {("eingereicht", 1)}  # what was folded
        assert _by_state() == _counted() == {"eingereicht": 2, "entwurf": 2}
        # folded now: the totals hold everything, the figures stay
        assert fold("record_tally", WORKFLOW)
        assert RecordTally.select().where(~RecordTally.folded).count() == 0
        assert _total_rows() == {("eingereicht", 2), ("entwurf", 2)}
        assert _by_state() == _counted()
        # by organisation, the totals are not counted twice
        mine = RecordTally.select().where(RecordTally.organisation_id == clerk.organisation_id)
        by_organisation = summed("record_tally", mine, [RecordTally.state], [])
        assert dict(by_organisation) == {"eingereicht": 1, "entwurf": 1}
