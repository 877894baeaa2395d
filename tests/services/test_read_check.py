"""``read_check`` (the scope worked out once, for the register's many meetings) decides like
``can_read`` for every role's scope: own, organisation, all, none – and for a record of
another workflow."""

from __future__ import annotations

from server.models import Organisation, Record
from server.runtime import current_runtime
from server.services.records.access import can_read, read_check


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
