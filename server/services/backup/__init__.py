"""``verbund backup`` and ``verbund restore``: one file with everything an installation holds.

What is in it: the database (records, saves, transitions, uploads and their bytes, document
requests and rendered documents, template and config revisions, accounts, audit log — all
of these live in the database) and from ``instance/`` the instance keys (``secret_key``,
``pseudonym_key``) and the audit spool. Not in it: config.toml, forms/, workflows/, exports/
(the configuration, kept in version control by whoever runs Verbund) and runtime files
(the embedded Redis, the SQLite file itself, which the database copy replaces).

Social data leaves the server only encrypted: without ``VERBUND_BACKUP_KEY`` a backup is
refused unless the caller asks for an unencrypted one explicitly.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ... import clock
from ...config import Settings
from ...version import __version__
from .archive import KEY_VARIABLE, BackupError, new_key, read_archive, write_archive
from .databases import (
    dump_postgres,
    is_sqlite_url,
    model_schema,
    postgres_counts,
    restore_postgres,
    restore_sqlite,
    snapshot_sqlite,
    sqlite_counts,
)
from .journal import note_backup, note_restore
from .summary import BackupSummary

__all__ = [
    "KEY_VARIABLE",
    "BackupError",
    "BackupSummary",
    "make_backup",
    "new_key",
    "note_backup",
    "note_restore",
    "restore",
]

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
INSTANCE_PREFIX = "instance/"
# runtime files under instance/ that a backup leaves out: the embedded Redis and its
# address, half-written temporary files
_RUNTIME_NAMES = {"redis.json", "redis.db", "redis.db.settings"}
_RUNTIME_SUFFIXES = (".tmp", ".sock", ".pid", "-wal", "-shm", "-journal")


def _instance_files(settings: Settings) -> dict[str, Path]:
    """Instance keys and the audit spool: every file under instance/ but the runtime ones."""
    root = settings.instance_dir
    database_file = (
        Path(settings.database_url[len("sqlite:///") :]).resolve()
        if is_sqlite_url(settings.database_url)
        else None
    )
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        name = path.name
        if name in _RUNTIME_NAMES or name.endswith(_RUNTIME_SUFFIXES):
            continue
        if database_file is not None and path.resolve() == database_file:
            continue
        found[INSTANCE_PREFIX + path.relative_to(root).as_posix()] = path
    return found


def make_backup(
    settings: Settings, target: Path, key: str | None, unencrypted: bool = False
) -> BackupSummary:
    """Write a consistent backup of the running installation to ``target``.

    ``key``: the Fernet key from ``VERBUND_BACKUP_KEY``; without it ``unencrypted`` must be
    given, or the backup is refused (social data). ``unencrypted`` wins over a key.
    """
    key = None if unencrypted else key
    if not key and not unencrypted:
        raise BackupError(
            f"Kein Schlüssel: Bitte {KEY_VARIABLE} setzen (neuer Schlüssel: „verbund "
            "backup-key“) oder ausdrücklich --unencrypted angeben. Eine Sicherung "
            "enthält Sozialdaten."
        )
    url = settings.database_url
    with tempfile.TemporaryDirectory(prefix="verbund-backup-") as work:
        if is_sqlite_url(url):
            member, kind = SQLITE_MEMBER, "sqlite"
            counts = snapshot_sqlite(url, Path(work) / member)
        else:
            member, kind = POSTGRES_MEMBER, "postgresql"
            counts = dump_postgres(url, Path(work) / member)
        manifest: dict[str, Any] = {
            "app": "verbund",
            "app_version": __version__,
            "created_at": clock.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            "database": kind,
            "counts": counts,
            "schema": model_schema(),
        }
        members = {member: Path(work) / member, **_instance_files(settings)}
        write_archive(Path(target), manifest, members, key)
    return BackupSummary(Path(target), counts, Path(target).stat().st_size, bool(key))


def _current_counts(settings: Settings) -> dict[str, int]:
    url = settings.database_url
    return sqlite_counts(url) if is_sqlite_url(url) else postgres_counts(url)


def restore(settings: Settings, source: Path, key: str | None) -> BackupSummary:
    """Restore the backup ``source`` into this installation, whose database must be empty.

    Checks every member's checksum first, restores the database and the instance files,
    then compares the row counts with the manifest. The caller opens the database
    afterwards (``create_tables``: columns of a newer version, the audit triggers).
    """
    filled = {name: n for name, n in _current_counts(settings).items() if n}
    if filled:
        shown = ", ".join(f"{name} ({n})" for name, n in sorted(filled.items())[:5])
        raise BackupError(
            "Die Datenbank ist nicht leer; wiederhergestellt wird nur in eine leere "
            f"Installation. Enthalten: {shown}."
        )
    with tempfile.TemporaryDirectory(prefix="verbund-restore-") as work:
        unpacked = Path(work)
        manifest = read_archive(Path(source), key, unpacked)
        kind = manifest.get("database")
        wanted = "sqlite" if is_sqlite_url(settings.database_url) else "postgresql"
        if kind != wanted:
            raise BackupError(
                f"Die Sicherung enthält eine {kind}-Datenbank, diese Installation verwendet "
                f"{wanted}. Bitte in eine Installation mit derselben Datenbankart "
                "wiederherstellen."
            )
        if kind == "sqlite":
            restore_sqlite(unpacked / SQLITE_MEMBER, settings.database_url)
        else:
            restore_postgres(unpacked / POSTGRES_MEMBER, settings.database_url)
        _restore_instance_files(settings, unpacked, manifest)
    counts = _current_counts(settings)
    expected = manifest["counts"]
    differing = [n for n in expected if counts.get(n) != expected[n]]
    if differing:
        raise BackupError(
            "Nach der Wiederherstellung stimmen die Zeilenzahlen nicht mit der Sicherung "
            f"überein: {', '.join(differing)}."
        )
    return BackupSummary(
        Path(source), counts, Path(source).stat().st_size, bool(manifest.get("encrypted"))
    )


def _restore_instance_files(settings: Settings, unpacked: Path, manifest: dict) -> None:
    """Put the instance keys and spool in place (the keys of the empty installation, made
    at its first start and protecting nothing yet, are replaced)."""
    for name in manifest["files"]:
        if not name.startswith(INSTANCE_PREFIX):
            continue
        relative = name[len(INSTANCE_PREFIX) :]
        target = settings.instance_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(unpacked / name, target)
        target.chmod(0o600)
