"""Files uploaded into a record's file fields, kept in the database like the record itself.

Metadata and bytes are two tables, so listing a record's files never reads the bytes. An
upload belongs to one record and is read behind that record's access check; it goes when
the record goes.
"""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow
from .records import Record


class Upload(BaseModel):
    record = peewee.ForeignKeyField(Record, backref="uploads", on_delete="CASCADE")
    filename = peewee.CharField(max_length=255)
    kind = peewee.CharField(max_length=16)  # recognised from the content: pdf, png, ...
    size = peewee.IntegerField()
    sha256 = peewee.CharField(max_length=64)
    uploaded_by = peewee.ForeignKeyField(User, null=True, backref="+")
    uploaded_at = peewee.DateTimeField(default=utcnow)
    # a save of the record refers to it: never an unused upload (services/unused_uploads.py)
    kept = peewee.BooleanField(default=False)

    def as_value(self) -> dict:
        """The value a file field stores for this upload."""
        return {"id": self.id, "name": self.filename, "size": self.size, "type": self.kind}


class UploadContent(BaseModel):
    upload = peewee.ForeignKeyField(Upload, unique=True, backref="contents", on_delete="CASCADE")
    content = peewee.BlobField()
