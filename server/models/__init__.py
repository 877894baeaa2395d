"""peewee models. ``MODELS`` lists every table in creation order."""

from .accounts import ApiToken, Organisation, User, UserSession
from .audit import AuditEntry
from .audit_lock import lock_audit_table
from .base import (
    BaseModel,
    JSONField,
    database,
    is_sqlite,
    on_commit,
    open_database,
    short_write,
    transaction,
    utcnow,
)
from .config import CONFIG_KINDS, ConfigRevision
from .deadlines import Deadline, Reminder
from .documents import MeasureStatus, TemplateRevision
from .jobs import RUN_STATUSES, PeriodicRun
from .migrate import add_missing_columns
from .notifications import (
    DELIVERY_STATES,
    MAIL_MODES,
    MailDelivery,
    Notification,
    NotificationPreference,
)
from .privacy import (
    AuditPurgePermit,
    Consent,
    LoginFailure,
    RecordPrivacy,
    RoleGrant,
    SecondFactor,
    is_anonymised,
)
from .records import (
    DOCUMENT_STATUSES,
    DocumentFile,
    DocumentRequest,
    FormSave,
    HandOver,
    Record,
    TransitionLog,
)
from .uploads import Upload, UploadContent

MODELS = [
    Organisation,
    User,
    ApiToken,
    UserSession,
    Record,
    FormSave,
    TransitionLog,
    HandOver,
    DocumentRequest,
    DocumentFile,
    Upload,
    UploadContent,
    Deadline,
    Reminder,
    AuditEntry,
    TemplateRevision,
    MeasureStatus,
    ConfigRevision,
    Consent,
    RecordPrivacy,
    LoginFailure,
    SecondFactor,
    AuditPurgePermit,
    PeriodicRun,
    RoleGrant,
    Notification,
    NotificationPreference,
    MailDelivery,
]


def create_tables() -> None:
    """Create every table that does not exist yet and add columns newer versions brought."""
    with database.atomic():
        database.create_tables(MODELS, safe=True)
        add_missing_columns(MODELS)
        lock_audit_table()


__all__ = [
    "CONFIG_KINDS",
    "DELIVERY_STATES",
    "MAIL_MODES",
    "MailDelivery",
    "Notification",
    "NotificationPreference",
    "on_commit",
    "DOCUMENT_STATUSES",
    "MODELS",
    "ApiToken",
    "PeriodicRun",
    "RUN_STATUSES",
    "AuditEntry",
    "AuditPurgePermit",
    "Consent",
    "LoginFailure",
    "RecordPrivacy",
    "RoleGrant",
    "SecondFactor",
    "BaseModel",
    "ConfigRevision",
    "DocumentFile",
    "DocumentRequest",
    "Deadline",
    "FormSave",
    "HandOver",
    "JSONField",
    "MeasureStatus",
    "Organisation",
    "Record",
    "MeasureStatus",
    "Reminder",
    "TemplateRevision",
    "TransitionLog",
    "Upload",
    "UploadContent",
    "User",
    "UserSession",
    "create_tables",
    "database",
    "is_sqlite",
    "open_database",
    "is_anonymised",
    "short_write",
    "transaction",
    "utcnow",
]
