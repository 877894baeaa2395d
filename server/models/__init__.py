"""peewee models. ``MODELS`` lists every table in creation order."""

from .accounts import ApiToken, Organisation, User, UserSession
from .audit import AuditEntry
from .base import (
    BaseModel,
    JSONField,
    database,
    is_sqlite,
    on_commit,
    open_database,
    short_write,
    transaction,
    unindexed,
    unindexed_on_postgresql,
    utcnow,
)
from .config import CONFIG_KINDS, ConfigRevision
from .deadlines import Deadline, Reminder
from .documents import MeasureStatus, MeasureValue, TemplateRevision
from .jobs import RUN_STATUSES, PeriodicRun
from .migrations import apply_pending, ensure_current
from .notifications import (
    DELIVERY_STATES,
    MAIL_MODES,
    MailDelivery,
    Notification,
    NotificationPreference,
)
from .phase_stays import PhaseStay
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
from .reports import REPORT_FORMATS, ReportDocument
from .stat_values import RecordDimension, RecordValue
from .tallies import PairTally, RecordPeriodTally, RecordTally, TallyPair, ValueTally
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
    MeasureValue,
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
    RecordDimension,
    RecordValue,
    ReportDocument,
    PhaseStay,
    RecordTally,
    RecordPeriodTally,
    ValueTally,
    TallyPair,
    PairTally,
]


def create_tables() -> None:
    """Bring the connected database to this version's schema: every pending migration
    (on an empty database: all tables). What ``verbund migrate`` does, for tests and
    ``verbund restore``; a start only creates an empty database (:func:`check_schema`)."""
    apply_pending(MODELS)


def check_schema() -> None:
    """At start: create an empty database, refuse one with pending migrations
    (:class:`~server.models.migrations.SchemaOutdated`, naming ``verbund migrate``)."""
    ensure_current(MODELS)


__all__ = [
    "CONFIG_KINDS",
    "DELIVERY_STATES",
    "MAIL_MODES",
    "MailDelivery",
    "REPORT_FORMATS",
    "ReportDocument",
    "Notification",
    "NotificationPreference",
    "on_commit",
    "DOCUMENT_STATUSES",
    "MODELS",
    "ApiToken",
    "PeriodicRun",
    "PhaseStay",
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
    "MeasureValue",
    "Organisation",
    "Record",
    "RecordDimension",
    "RecordValue",
    "RecordTally",
    "RecordPeriodTally",
    "ValueTally",
    "TallyPair",
    "PairTally",
    "MeasureStatus",
    "Reminder",
    "TemplateRevision",
    "TransitionLog",
    "Upload",
    "UploadContent",
    "User",
    "UserSession",
    "check_schema",
    "create_tables",
    "database",
    "is_sqlite",
    "open_database",
    "is_anonymised",
    "short_write",
    "transaction",
    "unindexed",
    "unindexed_on_postgresql",
    "utcnow",
]
