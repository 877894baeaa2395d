"""Every read of a case is an audit entry: who, which organisation, what, when, from where.

One ``after_request`` hook covers every screen and API route, present and future: a
successful GET whose URL names a record (``record_id``) or something that belongs to one
(``request_id`` of a document, ``upload_id`` of a file) writes ``record.read`` with the
route's endpoint as ``detail.view`` (and the form, for a form's history); so does a screen
POST that fails and answers with the record page again (409, 422). Routes whose
service already wrote an entry about the record in this request (a download writes
``document.download``) get no second one. Lists are audited as ``record.list`` with their
filters; a search term is kept only as a keyed hash, so the DPO can check whether somebody
searched for a given name without the log holding names.

A read never fails because of its audit entry: when the database does not take the entry
within a short wait (another process holds SQLite's write lock), it is spooled to a file and
moved into the log moments later (:mod:`server.services.audit_spool`); never lost.

The document page polls a document's status every second while it is being produced; such
status reads are written once per person and document in :data:`POLL_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import peewee
from flask import Flask, g, request

from ...models import DocumentRequest, Upload
from ...runtime import current_runtime
from ...services.audit_spool import audit_or_spool, flush_due, flush_spool
from ...services.privacy.pseudonyms import pseudonym_key
from ...services.privacy.subject_access import search_hash

POLL_SECONDS = 600
POLLED = {"documents.status", "api.get_document"}
LISTS = {"records.list_records", "api.list_records"}


def _document_record(request_id: int) -> int | None:
    return (
        DocumentRequest.select(DocumentRequest.record)
        .where(DocumentRequest.id == request_id)
        .scalar()
    )


def _upload_record(upload_id: int) -> int | None:
    return Upload.select(Upload.record).where(Upload.id == upload_id).scalar()


# URL argument -> (object type, how to find the record it belongs to)
RESOLVERS: dict[str, tuple[str, Callable[[int], int | None]]] = {
    "record_id": ("record", lambda value: value),
    "request_id": ("document", _document_record),
    "upload_id": ("file", _upload_record),
}

_recent: dict[tuple, float] = {}
_recent_lock = threading.Lock()


def _polled_recently(key: tuple) -> bool:
    now = time.monotonic()
    with _recent_lock:
        if len(_recent) > 10000:
            _recent.clear()
        last = _recent.get(key)
        if last is not None and now - last < POLL_SECONDS:
            return True
        _recent[key] = now
    return False


def _is_read(response) -> bool:
    return request.method == "GET" and 200 <= response.status_code < 300


def _shown_again(response) -> bool:
    """A screen POST that failed (invalid, stale) answers with the whole page again."""
    return (
        request.method == "POST"
        and response.status_code in (409, 422)
        and response.mimetype == "text/html"
    )


def _audit_read(response) -> None:
    user = g.get("user")
    endpoint = request.endpoint or ""
    if user is None or not (_is_read(response) or _shown_again(response)):
        return
    if endpoint in LISTS:
        _audit_list(user, endpoint)
        return
    args = request.view_args or {}
    for name, (kind, resolve) in RESOLVERS.items():
        if name not in args:
            continue
        try:
            value = int(args[name])
        except (TypeError, ValueError):
            return
        record_id = resolve(value)
        if record_id is None or record_id in g.get("audited_records", set()):
            return
        if endpoint in POLLED and _polled_recently((user.id, endpoint, value)):
            return
        detail = {"view": endpoint}
        if "form_id" in args:
            detail["form"] = str(args["form_id"])[:64]
        audit_or_spool(
            _instance_dir(),
            "record.read",
            user,
            record_id=record_id,
            object_type=kind,
            object_id=value,
            detail=detail,
        )
        return


def _audit_list(user, endpoint: str) -> None:
    detail: dict = {"view": endpoint}
    for key in ("workflow", "state", "owner", "organisation", "due", "sort", "page"):
        if request.args.get(key):
            detail[key] = request.args[key][:64]
    if request.view_args and request.view_args.get("workflow_id"):
        detail["workflow"] = str(request.view_args["workflow_id"])[:64]
    term = (request.args.get("search") or "").strip()
    if term:
        detail["search_hash"] = search_hash(term, pseudonym_key(current_runtime().settings))
    audit_or_spool(_instance_dir(), "record.list", user, object_type="list", detail=detail)


def _instance_dir():
    return current_runtime().settings.instance_dir


def init_read_audit(app: Flask) -> None:
    """Install the read audit on ``app`` (screens and API alike)."""
    with _recent_lock:
        _recent.clear()  # ids of another database must not silence this one's polls
    instance_dir = current_runtime(app).settings.instance_dir
    try:
        flush_spool(instance_dir)  # what a process that died had spooled
    except (peewee.DatabaseError, OSError):  # busy, or not yet initialised: requests retry
        pass

    @app.before_request
    def _flush_spooled_reads():
        flush_due(instance_dir)

    @app.after_request
    def _read_audit(response):
        # the connection of server/web/database.py; after a refusal by the input guard there
        # is none, and peewee connects on the first query (autoconnect)
        _audit_read(response)
        return response
