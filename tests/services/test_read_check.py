"""``read_check`` (the scope worked out once, for the register's many meetings) decides like
``can_read`` for every role's scope: own, organisation, all, none – and for a record of
another workflow."""

from __future__ import annotations

from server.models import Organisation, Record
from server.runtime import current_runtime
from server.services.records.access import can_read, read_check, read_scope_key


def test_read_check_decides_like_can_read_for_every_scope(app, make_user):
    defs = current_runtime(app).definitions
    people = [
        make_user("verein_a", ["applicant"], "club-a"),  # own
        make_user("leitung_a", ["head"], "club-a"),  # organisation
        make_user("amt", ["clerk"], "amt"),  # all
        make_user("technik", ["admin"], "amt"),  # none
        make_user("verein_b", ["applicant"], "club-b"),
    ]
    club_a, club_b = (Organisation.get(Organisation.name == n) for n in ("club-a", "club-b"))
    records = [
        Record.create(workflow="foerderung", state="entwurf", owner=people[0], organisation=club_a),
        Record.create(workflow="foerderung", state="entwurf", owner=people[1], organisation=club_a),
        Record.create(workflow="foerderung", state="entwurf", owner=None, organisation=club_b),
        Record.create(workflow="foerderung", state="entwurf", owner=None, organisation=None),
        Record.create(workflow="anderer", state="entwurf", owner=people[0], organisation=club_a),
    ]
    decided = {}
    for user in people:
        check = read_check(defs, user, "foerderung")
        for record in records:
            assert check(record) == can_read(defs, user, record), (user.username, record.id)
        decided[user.username] = [check(r) for r in records]
    # the scopes really differ (the comparison above is not four times "nothing")
    assert decided["verein_a"] == [True, False, False, False, False]
    assert decided["leitung_a"] == [True, True, False, False, False]
    assert decided["amt"] == [True, True, True, True, False]
    assert decided["technik"] == [False] * 5
    assert decided["verein_b"] == [False] * 5


def test_the_same_scope_key_means_the_same_records_read(app, make_user):
    """``read_scope_key`` (what the register's start-page figures are shared by): two
    people with the same key read the same records, and people who read different records
    have different keys."""
    defs = current_runtime(app).definitions
    people = [
        make_user("verein_a", ["applicant"], "club-a"),
        make_user("verein_a2", ["applicant"], "club-a"),  # own: not the same as verein_a
        make_user("leitung_a", ["head"], "club-a"),
        make_user("leitung_a2", ["head"], "club-a"),  # organisation: the same as leitung_a
        make_user("leitung_b", ["head"], "club-b"),
        make_user("amt", ["clerk"], "amt"),
        make_user("amt2", ["clerk"], "club-b"),  # all: the same as amt
        make_user("technik", ["admin"], "amt"),
    ]
    orgs = {o.name: o for o in Organisation.select()}
    records = [
        Record.create(workflow="foerderung", state="entwurf", owner=p, organisation=org)
        for p in people
        for org in (orgs["club-a"], orgs["club-b"], None)
    ]
    read = {
        p.username: tuple(read_check(defs, p, "foerderung")(r) for r in records) for p in people
    }
    key = {p.username: read_scope_key(defs, p, "foerderung") for p in people}
    for a in people:
        for b in people:
            same_key = key[a.username] == key[b.username]
            assert same_key == (read[a.username] == read[b.username]), (a.username, b.username)
    assert key["leitung_a"] == key["leitung_a2"] and key["amt"] == key["amt2"]
