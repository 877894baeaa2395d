"""The ``schema_version`` table: which migration ran when, with which Verbund version.

Its model is frozen like a migration: it must be readable by every later version, so it
never changes (a new column would need a migration before the table that records
migrations could be read).
"""

from __future__ import annotations

import peewee

from ...version import __version__
from ..base import BaseModel, database, utcnow

VERSION_TABLE = "schema_version"


class SchemaVersion(BaseModel):
    """One applied migration."""

    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=100)
    applied_at = peewee.DateTimeField(default=utcnow)  # naive UTC like every timestamp
    app_version = peewee.CharField(max_length=32, default="")
    # what the migration did, when there is something to say (a baseline adopted, columns added)
    note = peewee.TextField(default="")

    class Meta:
        table_name = VERSION_TABLE


def has_version_table() -> bool:
    return VERSION_TABLE in database.get_tables()


def applied() -> dict[int, SchemaVersion]:
    """Applied migrations by number (none when the table does not exist yet)."""
    if not has_version_table():
        return {}
    return {row.version: row for row in SchemaVersion.select().order_by(SchemaVersion.version)}


def record(version: int, name: str, note: str = "") -> None:
    """Note ``version`` as applied now (inside the migration's transaction)."""
    SchemaVersion.create_table(safe=True)
    SchemaVersion.create(version=version, name=name, app_version=__version__, note=note)
