"""The audit log is append-only in the database itself, not only in the application.

A trigger refuses every UPDATE and DELETE on ``audit_entry`` (and TRUNCATE on PostgreSQL).
The one exception is the audit purge (:func:`server.services.privacy.audit_lock.purge_audit`), which
writes a row to ``audit_purge_permit`` inside its transaction; the trigger lets a DELETE
through only for entries older than that row says. The triggers are table DDL, so they live
with the models and are installed by the baseline migration (``migrations/m0001_baseline``).

This protects against mistakes and against anybody who reaches the database through
Verbund. Whoever owns the database can drop a trigger; for that, PostgreSQL deployments
give the application a role without ``TRIGGER`` rights (docs/datenschutz.md).
"""

from __future__ import annotations

from .base import database, is_sqlite

REFUSAL = "Das Protokoll kann nicht geändert oder gelöscht werden."

_SQLITE = (
    f"""CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_entry
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON audit_entry
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit p WHERE OLD."at" < p."before")
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
)

_POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION verbund_audit_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND EXISTS (
          SELECT 1 FROM audit_purge_permit p WHERE OLD."at" < p."before") THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '{REFUSAL}';
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION verbund_audit_append_only()""",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry",
    """CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION verbund_audit_append_only()""",
)


_INSTALLED = """SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_entry'::regclass
    AND tgname IN ('audit_entry_append_only', 'audit_entry_no_truncate')"""
_ADVISORY_KEY = 0x7665726275  # any constant: serialises installers across processes


def lock_audit_table() -> None:
    """Install the triggers (idempotent; run by the baseline migration, in its transaction).

    On PostgreSQL, processes starting together would deadlock on the DDL: the first one
    takes an advisory lock for the transaction, the others then find the triggers in place.
    """
    if is_sqlite():
        for statement in _SQLITE:
            database.execute_sql(statement)
        return
    database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_KEY,))
    if database.execute_sql(_INSTALLED).fetchone()[0] == 2:
        return
    for statement in _POSTGRES:
        database.execute_sql(statement)
