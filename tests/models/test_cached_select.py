"""``cached_select``: a hot query is turned into SQL once and gives the same rows as peewee.

Runs on SQLite and, with VERBUND_TEST_DATABASE_URL, on PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import peewee

from server.models import Organisation, Record, User
from server.models.fast import Slot, cached_select


def _owned(owner, state):
    """Records of ``owner`` in ``state`` with owner and organisation (values or Slots)."""
    return (
        Record.select(Record, User, Organisation)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(Record.owner == User.id))
        .switch(Record)
        .join(Organisation, peewee.JOIN.LEFT_OUTER, on=(Record.organisation == Organisation.id))
        .where((Record.owner == owner) & (Record.state == state))
        .order_by(Record.id)
    )


def test_the_rows_are_those_of_the_query_for_every_value(app, make_user):
    anna, ben = make_user("anna", ["clerk"]), make_user("ben", ["clerk"], org="kulturamt")
    made = {
        (who.id, state): [
            Record.create(
                workflow="foerderung",
                state=state,
                owner=who,
                organisation=who.organisation,
                data={"antrag": {"verein": f"{who.username} {n}", "betrag": n}},
            ).id
            for n in range(2)
        ]
        for who in (anna, ben)
        for state in ("entwurf", "eingereicht")
    }
    built = []

    def build():
        built.append(1)
        return _owned(Slot("owner"), Slot("state"))

    for (owner, state), ids in made.items():
        rows = cached_select("test.owned", build, owner=owner, state=state)
        assert [r.id for r in rows] == ids == [r.id for r in _owned(owner, state)]
        # joined models come along, JSON is read back as peewee reads it
        person = User.get_by_id(owner)
        assert {r.owner.username for r in rows} == {person.username}
        assert rows[0].organisation.name == person.organisation.name
        assert rows[1].data["antrag"]["betrag"] == 1
    assert cached_select("test.owned", build, owner=-1, state="entwurf") == []
    assert len(built) == 1  # built and turned into SQL once for all these calls


def test_later_runs_reuse_the_first_runs_columns_and_still_read_each_row_right(app, make_user):
    """The first run's column resolution serves later ones: a missing joined row stays None,
    a record's own values are its own, and a first run without rows resolves nothing."""
    anna = make_user("anna", ["clerk"])
    owned = Record.create(workflow="foerderung", state="entwurf", owner=anna, data={"a": {"x": 1}})
    orphan = Record.create(workflow="foerderung", state="entwurf", owner=None, data={})

    def build():
        return (
            Record.select(Record, User)
            .join(User, peewee.JOIN.LEFT_OUTER, on=(Record.owner == User.id))
            .where(Record.id == Slot("id"))
        )

    assert cached_select("test.one", build, id=-5) == []  # nothing to learn the columns from
    first = cached_select("test.one", build, id=owned.id)[0]
    second = cached_select("test.one", build, id=orphan.id)[0]
    assert (first.id, first.owner.username, first.data) == (owned.id, "anna", {"a": {"x": 1}})
    assert (second.id, second.owner, second.data) == (orphan.id, None, {})
    assert cached_select("test.one", build, id=owned.id)[0].owner.username == "anna"
