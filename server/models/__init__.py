"""peewee models. ``MODELS`` lists every table in creation order."""

from .accounts import ApiToken, Organisation, User, UserSession
from .audit import AuditEntry
from .base import BaseModel, JSONField, database, is_sqlite, open_database, transaction, utcnow
from .config import CONFIG_KINDS, ConfigRevision
from .records import (
    DOCUMENT_STATUSES,
    DocumentFile,
    DocumentRequest,
    FormSave,
    Record,
    TransitionLog,
)

MODELS = [
    Organisation,
    User,
    ApiToken,
    UserSession,
    Record,
    FormSave,
    TransitionLog,
    DocumentRequest,
    DocumentFile,
    AuditEntry,
    ConfigRevision,
]


def create_tables() -> None:
    """Create every table that does not exist yet."""
    with database.atomic():
        database.create_tables(MODELS, safe=True)


__all__ = [
    "CONFIG_KINDS",
    "DOCUMENT_STATUSES",
    "MODELS",
    "ApiToken",
    "AuditEntry",
    "BaseModel",
    "ConfigRevision",
    "DocumentFile",
    "DocumentRequest",
    "FormSave",
    "JSONField",
    "Organisation",
    "Record",
    "TransitionLog",
    "User",
    "UserSession",
    "create_tables",
    "database",
    "is_sqlite",
    "open_database",
    "transaction",
    "utcnow",
]
