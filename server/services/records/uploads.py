"""Uploading files into a record and reading them back, behind the record's access checks."""

from __future__ import annotations

import hashlib
from typing import IO, Any

from ...config import Settings
from ...forms.filekinds import KINDS, kinds_label, safe_filename, sniff
from ...forms.links import file_problem, size_label
from ...forms.types import quoted
from ...models import Record, Upload, UploadContent, User, transaction
from ...schema.definitions import Definitions, FieldDef
from ..audit import audit
from ..errors import Forbidden, Invalid, NotFound
from .access import can_edit_state, can_read
from .changes import get_readable, workflow_of
from .hooks import work_refusal

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def upload_limit(settings: Settings) -> int:
    """``[uploads] max_bytes`` of config.toml: the most one file may have."""
    try:
        return max(1, int(settings.section("uploads").get("max_bytes", DEFAULT_MAX_BYTES)))
    except (TypeError, ValueError):
        return DEFAULT_MAX_BYTES


def too_large_message(settings: Settings) -> str:
    """What a request beyond the size limit is told (the limit named, in German)."""
    return (
        "Die gesendeten Daten sind zu groß: eine Datei darf höchstens "
        f"{size_label(upload_limit(settings))} haben, ein Eingabefeld höchstens "
        "100.000 Zeichen."
    )


def _file_field(defs: Definitions, record: Record, form_id: Any, field_name: Any) -> FieldDef:
    """The file field an upload is meant for: a form of the record's current state."""
    workflow = workflow_of(defs, record.workflow)
    state = workflow.state(record.state)
    form = defs.forms.get(form_id) if isinstance(form_id, str) else None
    if form is None or form.id not in (state.forms if state else ()):
        raise Invalid(
            f"Das Formular „{str(form_id)[:64]}“ ist in diesem Zustand nicht zu bearbeiten.",
            {"form": ["Bitte ein Formular des jetzigen Zustands angeben."]},
        )
    field = form.field(field_name) if isinstance(field_name, str) else None
    if field is None or field.type != "file":
        raise Invalid(
            f"„{str(field_name)[:64]}“ ist kein Dateifeld des Formulars „{form.title}“.",
            {"field": ["Bitte den Namen eines Dateifelds angeben."]},
        )
    return field


def store_upload(
    defs: Definitions,
    settings: Settings,
    user: User,
    record_id: Any,
    filename: Any,
    stream: IO[bytes],
    *,
    form_id: Any = None,
    field_name: Any = None,
) -> Upload:
    """Keep an uploaded file with ``record_id``; its kind is recognised from the content.

    With ``form_id``/``field_name`` the file is checked against that field's ``accept`` and
    ``max_bytes`` at once, so the user hears about a wrong file before saving the form.
    Errors are keyed by the field name (or ``file``), like the form's own errors.
    """
    record = get_readable(defs, user, record_id)
    workflow = workflow_of(defs, record.workflow)
    if not can_edit_state(user, workflow, record.state, record):
        raise Forbidden(
            "Sie dürfen diesem Datensatz in seinem jetzigen Zustand keine Dateien hinzufügen."
        )
    field = None
    if form_id is not None or field_name is not None:
        field = _file_field(defs, record, form_id, field_name)
    key = field.name if field else "file"
    who = f"{quoted(field)}: " if field else ""
    limit = upload_limit(settings)
    content = stream.read(limit + 1)
    if not content:
        raise Invalid("Die Datei ist leer.", {key: [f"{who}Die Datei ist leer."]})
    if len(content) > limit:
        message = f"{who}Die Datei ist zu groß (höchstens {size_label(limit)})."
        raise Invalid(message, {key: [message]})
    kind = sniff(content)
    if field is not None:
        problem = file_problem(field, kind, len(content), limit)
    elif kind is None:
        problem = (
            f"Diese Art Datei wird nicht angenommen (erlaubt: {kinds_label(tuple(KINDS))}). "
            "Geprüft wird der Inhalt, nicht der Name."
        )
    else:
        problem = None
    if problem:
        raise Invalid(problem, {key: [problem]})
    with transaction():
        # under the record's lock: anonymisation or a withdrawal may have come in meanwhile
        locked = get_readable(defs, user, record.id, for_update=True)
        if refusal := work_refusal(workflow, locked):
            raise Forbidden(refusal)
        upload = Upload.create(
            record=record.id,
            filename=safe_filename(filename if isinstance(filename, str) else ""),
            kind=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
        )
        UploadContent.create(upload=upload, content=content)
        audit(
            "file.upload",
            user,
            record_id=record.id,
            object_type="file",
            object_id=upload.id,
            detail={"kind": kind, "size": len(content)},
        )
    return upload


def get_upload(defs: Definitions, user: User, upload_id: Any) -> Upload:
    """An upload's metadata if ``user`` may read its record; NotFound otherwise."""
    try:
        upload_id = int(upload_id)
    except (TypeError, ValueError):
        raise NotFound("Datei nicht gefunden.") from None
    if not 0 < upload_id < 2**63:
        raise NotFound("Datei nicht gefunden.")
    upload = (
        Upload.select(Upload, Record)
        .join(Record, on=(Upload.record == Record.id))
        .where(Upload.id == upload_id)
        .first()
    )
    if upload is None or not can_read(defs, user, upload.record):
        raise NotFound("Datei nicht gefunden.")
    return upload


def upload_content(defs: Definitions, user: User, upload_id: Any) -> tuple[Upload, bytes]:
    """An upload and its bytes for download (an audited read of the record)."""
    upload = get_upload(defs, user, upload_id)
    row = UploadContent.get_or_none(UploadContent.upload == upload.id)
    if row is None:
        raise NotFound("Datei nicht gefunden.")
    audit(
        "file.download",
        user,
        record_id=upload.record_id,
        object_type="file",
        object_id=upload.id,
    )
    return upload, bytes(row.content)


def file_json(upload: Upload) -> dict[str, Any]:
    """An upload as the API shows it; ``id`` is what a file field's value names."""
    return {
        **upload.as_value(),
        "record": upload.record_id,
        "mimetype": KINDS[upload.kind].mimetype if upload.kind in KINDS else "",
        "uploaded_at": upload.uploaded_at.isoformat(timespec="seconds") + "Z",
    }
