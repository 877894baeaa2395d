"""PostgreSQL: the statements built once are prepared once per connection, and give the same
rows, writes and errors as sent as text. Only on the PostgreSQL pass (VERBUND_TEST_DATABASE_URL).
"""

from __future__ import annotations

import os

import peewee
import psycopg2
import pytest

from server.models import AuditEntry, Record, User, database, prepared, short_write
from server.models.fast import Slot, cached_select
from server.services.audit import audit

URL = os.environ.get("VERBUND_TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not URL, reason="prepared statements: PostgreSQL")


def _prepared() -> set[str]:
    """The statements this connection's server session keeps prepared (their SQL)."""
    rows = database.execute_sql("SELECT statement FROM pg_prepared_statements").fetchall()
    return {row[0].partition(" AS ")[2] for row in rows}  # "PREPARE name AS <sql>"


def _by_owner():
    return Record.select(Record.id, Record.title).where(Record.owner == Slot("owner"))


def test_a_statement_is_prepared_once_and_answers_like_the_query(app, make_user):
    anna, ben = make_user("anna", ["clerk"]), make_user("ben", ["clerk"])
    ids = {
        who.id: [
            Record.create(workflow="foerderung", state="entwurf", owner=who, title=f"{n}").id
            for n in range(3)
        ]
        for who in (anna, ben)
    }
    for _ in range(2):
        for owner, expected in ids.items():
            rows = cached_select("test.prepared.owner", _by_owner, owner=owner)
            assert sorted(r.id for r in rows) == expected
    kept = [s for s in _prepared() if 'FROM "record"' in s and '"owner_id" = $1' in s]
    assert len(kept) == 1, _prepared()

    # a new connection (after a restart, say) starts without it: the first use goes as
    # text, the second prepares it again
    database.close()
    database.connect()
    for _ in range(2):
        assert not any('"owner_id" = $1' in s for s in _prepared())
        rows = cached_select("test.prepared.owner", _by_owner, owner=anna.id)
        assert sorted(r.id for r in rows) == ids[anna.id]
    assert any('"owner_id" = $1' in s for s in _prepared())


def test_a_record_page_prepares_its_reads_and_its_audit_entry(app, api):
    clerk = api("clerk1", ["clerk"])
    created = clerk.post("/records", json={"workflow": "foerderung"})
    assert created.status_code == 201, created.get_data(as_text=True)
    record_id = created.get_json()["id"]
    for _ in range(2):
        assert clerk.get(f"/records/{record_id}").status_code == 200
    statements = _prepared()
    assert any(s.startswith('INSERT INTO "audit_entry"') for s in statements)
    assert any('FROM "record"' in s and '"id" = $1' in s for s in statements)
    reads = AuditEntry.select().where(
        (AuditEntry.record_id == record_id) & (AuditEntry.action == "record.read")
    )
    assert reads.count() == 2


def test_a_statement_postgresql_cannot_prepare_runs_as_text_inside_a_transaction(app):
    """A parameter of no knowable type makes PREPARE fail: the statement is sent as text
    from then on, and the transaction around it goes on as if nothing happened."""

    def untyped():
        flag_unset = peewee.NodeList((Slot("flag"), peewee.SQL("IS NULL")))  # "$1 IS NULL"
        return User.select(User.id).where(flag_unset & (User.id == Slot("id")))

    with database.atomic():
        user = User.create(username="u1", display_name="U 1")
        assert [u.id for u in cached_select("test.untyped", untyped, flag=None, id=user.id)] == [
            user.id
        ]
        assert cached_select("test.untyped", untyped, flag=1, id=user.id) == []
        assert not any("IS NULL" in s for s in _prepared())
    assert User.get_by_id(user.id).username == "u1"  # the transaction committed


def test_the_read_audit_waits_its_lock_timeout_even_when_first_prepared(app, make_user):
    """PREPARE takes the table's locks: under a long lock it gives up after the short wait,
    as the INSERT does, instead of waiting for the lock's end."""
    anna = make_user("anna", ["clerk"])
    database.close()
    database.connect()  # a connection that has not prepared the INSERT yet
    with short_write(200, single=True):
        audit("test.first", anna)  # sent as text; the next one prepares
    holder = psycopg2.connect(URL)
    try:
        holder.cursor().execute("LOCK TABLE audit_entry IN EXCLUSIVE MODE")
        with pytest.raises(peewee.OperationalError), short_write(200, single=True):
            audit("test.locked", anna)
    finally:
        holder.rollback()
        holder.close()
    with short_write(200, single=True):
        audit("test.free", anna)
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("test."))]
    assert sorted(actions) == ["test.first", "test.free"]


def test_prepared_statements_can_be_turned_off_for_a_pooler(app, make_user):
    anna = make_user("anna", ["clerk"])
    prepared.enable(False)
    try:
        database.close()
        database.connect()
        rows = cached_select("test.prepared.off", _by_owner, owner=anna.id)
        assert rows == []
        audit("test.off", anna)
        assert _prepared() == set()
    finally:
        prepared.enable(True)


def test_an_id_beyond_the_integer_column_finds_nothing_as_before(app, make_user):
    """The routes take ids up to 2**63 - 1; a prepared ``id = $1`` typed as the column
    (integer) failed on a larger one where the statement as text found no row."""
    anna = make_user("anna", ["clerk"])
    for owner in (anna.id, 2**40, 2**63 - 1):
        rows = cached_select("test.prepared.wide", _by_owner, owner=owner)
        assert rows == []
    assert any("$1" in s and '"owner_id"' in s for s in _prepared())
