"""Uploads that no save ever took up are removed a day after they were made.

A file goes into the database the moment it is chosen (so the person hears at once if it is
refused), but becomes part of the record only when a form is saved with it. A file whose form
was never saved – the tab closed, another file chosen instead – would otherwise stay for good,
personal data nobody can see or delete. A day after the upload, a file that neither the
record's data nor any earlier save of it refers to is deleted; one that is referred to is marked
``kept`` and never looked at again, so each upload is checked once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from ...models import FormSave, Record, Upload, UploadContent, is_sqlite, transaction, utcnow
from ..audit import audit

UNUSED_AFTER = dt.timedelta(hours=24)


def referred_upload_ids(value: Any) -> set[int]:
    """Ids of every stored file value (``{"id", "name", "size", "type"}``) anywhere in
    ``value``: any form, any table, fields a later form version dropped included."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("id"), int) and {"name", "type"} <= item.keys():
                found.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def remove_unused_uploads(now: dt.datetime | None = None) -> int:
    """Delete uploads older than a day that no save refers to; returns how many went."""
    cutoff = (now or utcnow()) - UNUSED_AFTER
    waiting: dict[int, set[int]] = defaultdict(set)
    query = Upload.select(Upload.id, Upload.record).where(
        (Upload.kept == False) & (Upload.uploaded_at < cutoff)  # noqa: E712 - SQL, not Python
    )
    for upload in query:
        waiting[upload.record_id].add(upload.id)
    removed = 0
    for record_id, ids in waiting.items():
        removed += _settle(record_id, ids)
    return removed


def _settle(record_id: int, ids: set[int]) -> int:
    with transaction():
        # the record's lock: a save that takes up one of these files waits or goes first
        query = Record.select(Record.id, Record.data).where(Record.id == record_id)
        record = (query if is_sqlite() else query.for_update()).first()
        if record is None:
            return 0
        referred = referred_upload_ids(record.data)
        for save in FormSave.select(FormSave.data).where(FormSave.record == record_id):
            referred |= referred_upload_ids(save.data)
        kept, unused = ids & referred, ids - referred
        if kept:
            Upload.update(kept=True).where(Upload.id.in_(sorted(kept))).execute()
        if unused:
            UploadContent.delete().where(UploadContent.upload.in_(sorted(unused))).execute()
            Upload.delete().where(Upload.id.in_(sorted(unused))).execute()
            audit(
                "file.remove_unused",
                None,
                record_id=record_id,
                object_type="file",
                # the ids go into the detail: object_id holds one id, and these may be many
                detail={
                    "count": len(unused),
                    "files": sorted(unused),
                    "reason": "nach 24 Stunden in keinem Formular",
                },
            )
    return len(unused)
