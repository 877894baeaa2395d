"""Records, every saved version of their forms, their transitions and their documents."""

from __future__ import annotations

import peewee

from .accounts import Organisation, User
from .base import BaseModel, JSONField, utcnow

# the search index over ``Record.search_text`` is not a model index: it differs by database
# (migration m0008: an FTS5 table ``record_search`` with triggers on SQLite, this GIN index
# with pg_trgm on PostgreSQL); the services search it in server/services/records/search.py
SEARCH_INDEX_NAMES = frozenset({"record_search_text_trgm"})


class Record(BaseModel):
    """One case, meeting, proposal …: an instance of a workflow.

    ``data`` holds the current values of every form ({form id: {field: value}}) so that a
    record page and a document need one row; every save is also kept in :class:`FormSave`.
    ``version`` grows with every change and guards against lost updates.
    """

    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    version = peewee.IntegerField(default=1)
    title = peewee.CharField(max_length=300, default="")
    owner = peewee.ForeignKeyField(User, null=True, backref="records")
    organisation = peewee.ForeignKeyField(Organisation, null=True, backref="records")
    created_by = peewee.ForeignKeyField(User, null=True, backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    data = JSONField(default=dict)
    workflow_revision = peewee.CharField(max_length=64, default="")
    # lower-case title and displayed form values, for search (personal data: same protection
    # as ``data``, blanked with it)
    search_text = peewee.TextField(default="")

    class Meta:
        # one index per way lists are read (scope x state filter), each ending in the sort
        # column, so counting and the newest 50 come from the index at any table size
        indexes = (
            (("workflow", "updated_at"), False),
            (("workflow", "state", "updated_at"), False),
            (("workflow", "organisation", "updated_at"), False),
            (("workflow", "organisation", "state", "updated_at"), False),
            (("workflow", "owner", "updated_at"), False),
            # counts by person and state within an organisation (team lead), index only
            (("workflow", "organisation", "owner", "state"), False),
            # counts over a period (issue 17): the period's records, by phase or organisation
            (("workflow", "created_at", "state", "organisation"), False),
        )


class FormSave(BaseModel):
    """One save of one form of a record: the values as saved, who saved them, and when."""

    record = peewee.ForeignKeyField(Record, backref="saves", on_delete="CASCADE")
    form = peewee.CharField(max_length=64)
    record_version = peewee.IntegerField()
    data = JSONField(default=dict)
    author = peewee.ForeignKeyField(User, null=True, backref="+")
    saved_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("record", "form"), False),)


class TransitionLog(BaseModel):
    """A record moved from one state to another."""

    record = peewee.ForeignKeyField(Record, backref="transitions", on_delete="CASCADE")
    from_state = peewee.CharField(max_length=64, null=True)
    to_state = peewee.CharField(max_length=64)
    label = peewee.CharField(max_length=200, default="")
    user = peewee.ForeignKeyField(User, null=True, backref="+")
    at = peewee.DateTimeField(default=utcnow)
    record_version = peewee.IntegerField()

    class Meta:
        # durations over a period (issue 17): a first entry into a phase, stays ended in it
        indexes = (
            (("to_state", "record", "at"), False),
            (("at", "record"), False),
            # who entered a phase in a period, in one range; a record's stays in order from
            # the index alone (migration 0014)
            (("to_state", "at", "record"), False),
            (("record", "at", "to_state"), False),
        )


class HandOver(BaseModel):
    """A record passed to another person and/or organisation (``own`` follows the owner)."""

    record = peewee.ForeignKeyField(Record, backref="handovers", on_delete="CASCADE")
    from_owner = peewee.ForeignKeyField(User, null=True, backref="+")
    to_owner = peewee.ForeignKeyField(User, null=True, backref="+")
    from_organisation = peewee.ForeignKeyField(Organisation, null=True, backref="+")
    to_organisation = peewee.ForeignKeyField(Organisation, null=True, backref="+")
    user = peewee.ForeignKeyField(User, null=True, backref="+")
    note = peewee.TextField(default="")
    at = peewee.DateTimeField(default=utcnow)
    record_version = peewee.IntegerField()


DOCUMENT_STATUSES = ("queued", "started", "finished", "failed")


class DocumentRequest(BaseModel):
    """A request for a Word document; the database row, not Redis, is the truth about it."""

    record = peewee.ForeignKeyField(Record, backref="documents", on_delete="CASCADE")
    document = peewee.CharField(max_length=64)
    label = peewee.CharField(max_length=200, default="")
    template = peewee.CharField(max_length=200)
    status = peewee.CharField(max_length=16, default="queued", index=True)
    requested_by = peewee.ForeignKeyField(User, null=True, backref="+")
    requested_at = peewee.DateTimeField(default=utcnow)
    started_at = peewee.DateTimeField(null=True)
    finished_at = peewee.DateTimeField(null=True, index=True)  # /metrics: the last hour
    error = peewee.TextField(default="")
    filename = peewee.CharField(max_length=255, default="")
    size = peewee.IntegerField(default=0)
    job_id = peewee.CharField(max_length=64, default="")
    attempts = peewee.IntegerField(default=0)
    # the template revision the finished document was made from (0: the file in exports/;
    # NULL: not made yet), so a document can be traced back to the wording it used
    template_revision = peewee.IntegerField(null=True)
    # the files promised when it was requested ("docx" or "docx,pdf"; see [[documents]] formats)
    formats = peewee.CharField(max_length=32, default="docx")


class DocumentFile(BaseModel):
    """The bytes of a finished document, apart from its request so lists stay light."""

    request = peewee.ForeignKeyField(
        DocumentRequest, unique=True, backref="files", on_delete="CASCADE"
    )
    content = peewee.BlobField()
    pdf = peewee.BlobField(null=True)  # the PDF/A-2b made from ``content``, when asked for
    created_at = peewee.DateTimeField(default=utcnow)
