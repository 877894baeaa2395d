"""Consistent copies of the database and their restore: SQLite and PostgreSQL.

SQLite: the online backup API of :mod:`sqlite3` copies the whole file in one step under a
read transaction; in WAL mode writers go on meanwhile and the copy is the state of one
moment. PostgreSQL: a REPEATABLE READ transaction exports its snapshot, counts the tables
in it and lets ``pg_dump --snapshot`` dump exactly that state, so the counts in the
manifest belong to the dump. ``pg_restore`` loads it in one transaction.

Both copies carry the audit log's append-only triggers (server/models/audit_lock.py): the
SQLite file holds them, the PostgreSQL dump holds trigger and function.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from ...models import MODELS
from ...models.migrations import VERSION_TABLE
from .archive import BackupError

SQLITE_PREFIX = "sqlite:///"
WAIT_SECONDS = 30  # for the SQLite read lock while another process commits


def table_names() -> list[str]:
    return [model._meta.table_name for model in MODELS]


def model_schema() -> dict[str, list[str]]:
    """The columns of each table as this version's models define them (for the manifest:
    which version of the schema a backup holds)."""
    return {
        model._meta.table_name: [field.column_name for field in model._meta.sorted_fields]
        for model in MODELS
    }


def is_sqlite_url(url: str) -> bool:
    return url.startswith(SQLITE_PREFIX)


def sqlite_path(url: str) -> Path:
    return Path(url[len(SQLITE_PREFIX) :])


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {
        name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for name in table_names()
        if name in present
    }


def snapshot_sqlite(url: str, target: Path) -> dict[str, int]:
    """Copy the SQLite database to ``target`` while it is in use; the copy's row counts."""
    path = sqlite_path(url)
    if not path.is_file():
        raise BackupError(f"Die Datenbank {path} gibt es nicht.")
    source = sqlite3.connect(path, timeout=WAIT_SECONDS)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one consistent state
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        return _sqlite_counts(copy)
    except sqlite3.Error as exc:
        raise BackupError(f"Die Datenbank {path} ließ sich nicht kopieren: {exc}") from None
    finally:
        copy.close()
        source.close()


def sqlite_counts(url: str) -> dict[str, int]:
    """Rows per Verbund table of the SQLite database (none: no file or no tables)."""
    path = sqlite_path(url)
    if not path.is_file():
        return {}
    conn = sqlite3.connect(path, timeout=WAIT_SECONDS)
    try:
        return _sqlite_counts(conn)
    finally:
        conn.close()


def restore_sqlite(snapshot: Path, url: str) -> None:
    """Copy the unpacked snapshot into the (empty) database of ``url``."""
    source = sqlite3.connect(snapshot)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Die Datenbank in der Sicherung ist beschädigt.")
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(path, timeout=WAIT_SECONDS)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as Verbund opens it
        finally:
            target.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Die Datenbank ließ sich nicht wiederherstellen: {exc}") from None
    finally:
        source.close()


def libpq_environment(url: str) -> dict[str, str]:
    """The connection of ``url`` as libpq variables: the password never on a command line."""
    parts = urlparse(url)
    env = dict(os.environ)
    given = {
        "PGHOST": parts.hostname,
        "PGPORT": str(parts.port) if parts.port else None,
        "PGUSER": unquote(parts.username) if parts.username else None,
        "PGPASSWORD": unquote(parts.password) if parts.password else None,
        "PGDATABASE": unquote(parts.path.lstrip("/")) or None,
        "PGSSLMODE": parse_qs(parts.query).get("sslmode", [None])[0],
    }
    env.update({name: value for name, value in given.items() if value})
    return env


def _connect(url: str):
    import psycopg2

    try:
        return psycopg2.connect(url)
    except psycopg2.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackupError(f"Keine Verbindung zur PostgreSQL-Datenbank: {first}") from None


def _pg_counts(cur) -> dict[str, int]:
    counts = {}
    for name in table_names():
        cur.execute("SELECT to_regclass(%s)", (f"public.{name}",))
        if cur.fetchone()[0] is not None:
            cur.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cur.fetchone()[0]
    return counts


def postgres_counts(url: str) -> dict[str, int]:
    """Rows per Verbund table of the PostgreSQL database (tables that exist)."""
    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            return _pg_counts(cur)
    finally:
        conn.close()


def _run(command: list[str], url: str, what: str) -> None:
    try:
        done = subprocess.run(
            command, env=libpq_environment(url), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} wurde nicht gefunden: Bitte postgresql-client installieren."
        ) from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        detail = lines[-1] if lines else f"Rückgabewert {done.returncode}"
        raise BackupError(f"{what} fehlgeschlagen: {detail}")


def dump_postgres(url: str, target: Path) -> dict[str, int]:
    """``pg_dump`` of one snapshot to ``target``; the row counts of that snapshot."""
    conn = _connect(url)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            counts = _pg_counts(cur)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                ],
                url,
                "pg_dump",
            )
        conn.rollback()
        return counts
    finally:
        conn.close()


def _drop_empty_schema(url: str) -> None:
    """Drop this version's (empty) tables and its ``schema_version`` before a restore.

    ``pg_restore --clean`` replaces only what the dump holds: a dump of an older version
    would leave this version's migration record (and tables it added) standing, and the
    restored database would look migrated when it is not. The caller checked that no
    Verbund table holds a row.
    """
    conn = _connect(url)
    try:
        with conn, conn.cursor() as cur:
            for name in [*table_names(), VERSION_TABLE]:
                cur.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
            # the trigger functions of migrations (audit append-only: 0001; statistics
            # values: 0009; stays in phases: 0018) outlive their tables and would make the
            # migration fail again
            functions = (
                "verbund_audit_append_only",
                "record_value_refresh",
                "phase_stay_refresh",
                "phase_stay_record",
            )
            for function in functions:
                cur.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    finally:
        conn.close()


def restore_postgres(dump: Path, url: str) -> None:
    """Load the dump into the (empty) PostgreSQL database, in one transaction."""
    _drop_empty_schema(url)
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={libpq_environment(url)['PGDATABASE']}",
            str(dump),
        ],
        url,
        "pg_restore",
    )
