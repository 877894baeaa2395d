"""The routes of /api/v1 as listed in the design (§5)."""

from __future__ import annotations

import io
from math import ceil
from typing import Any

from flask import current_app, g, jsonify, request, send_file
from peewee import JOIN

from ..models import Organisation, Record, User
from ..services import documents as document_service
from ..services.access import may_see_workflow, readable_records
from ..services.errors import Invalid, NotFound
from ..services.records import apply_transition, create_record, get_readable, save_form
from . import bp
from .serialize import form_json, record_detail, record_summary, workflow_json

PAGE_SIZE = 50


def _defs():
    return current_app.config["VERBUND_RUNTIME"].definitions


def _body() -> dict[str, Any]:
    """The request's JSON object; anything else is a 400 with a German message."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Der Inhalt muss ein JSON-Objekt sein.", {"body": ["JSON-Objekt erwartet."]})
    return data


@bp.get("/workflows")
def list_workflows():
    user = g.user
    return jsonify(
        [workflow_json(wf) for wf in _defs().workflows.values() if may_see_workflow(user, wf)]
    )


@bp.get("/workflows/<workflow_id>")
def get_workflow(workflow_id: str):
    workflow = _defs().workflows.get(workflow_id)
    if workflow is None or not may_see_workflow(g.user, workflow):
        raise NotFound("Diesen Ablauf gibt es nicht.")
    return jsonify(workflow_json(workflow))


@bp.get("/forms/<form_id>")
def get_form(form_id: str):
    form = _defs().forms.get(form_id)
    if form is None:
        raise NotFound("Dieses Formular gibt es nicht.")
    return jsonify(form_json(form))


@bp.post("/records")
def post_record():
    body = _body()
    record = create_record(_defs(), g.user, body.get("workflow"))
    response = jsonify(record_detail(_defs(), g.user, record))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/records/{record.id}"
    return response


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(
            f"„{name}“ muss eine ganze Zahl sein.", {name: ["Bitte eine ganze Zahl angeben."]}
        ) from None
    if not 1 <= value <= 10**6:
        raise Invalid(
            f"„{name}“ liegt außerhalb des erlaubten Bereichs.", {name: ["Zwischen 1 und 1000000."]}
        )
    return value


@bp.get("/records")
def list_records():
    defs, user = _defs(), g.user
    query = readable_records(defs, user)
    workflow = request.args.get("workflow")
    if workflow:
        query = query.where(Record.workflow == workflow)
    state = request.args.get("state")
    if state:
        query = query.where(Record.state == state)
    page = _int_arg("page", 1)
    per_page = min(_int_arg("per_page", PAGE_SIZE), 200)
    total = query.count()
    rows = (
        query.select(Record, User, Organisation)
        .join(User, on=(Record.owner == User.id), join_type=JOIN.LEFT_OUTER)
        .switch(Record)
        .join(Organisation, on=(Record.organisation == Organisation.id), join_type=JOIN.LEFT_OUTER)
        .order_by(Record.id.desc())
        .paginate(page, per_page)
    )
    return jsonify(
        {
            "items": [record_summary(defs, r) for r in rows],
            "page": page,
            "pages": max(1, ceil(total / per_page)),
            "total": total,
        }
    )


@bp.get("/records/<int:record_id>")
def get_record(record_id: int):
    record = get_readable(_defs(), g.user, record_id)
    return jsonify(record_detail(_defs(), g.user, record))


@bp.put("/records/<int:record_id>/forms/<form_id>")
def put_form(record_id: int, form_id: str):
    body = _body()
    if "data" not in body:
        raise Invalid("„data“ fehlt.", {"data": ["Die Formulardaten fehlen."]})
    record = save_form(_defs(), g.user, record_id, form_id, body.get("data"), body.get("version"))
    return jsonify(record_detail(_defs(), g.user, record))


@bp.post("/records/<int:record_id>/transitions")
def post_transition(record_id: int):
    body = _body()
    record = apply_transition(_defs(), g.user, record_id, body.get("to"), body.get("version"))
    return jsonify(record_detail(_defs(), g.user, record))


@bp.post("/records/<int:record_id>/documents")
def post_document(record_id: int):
    body = _body()
    runtime = current_app.config["VERBUND_RUNTIME"]
    request_ = document_service.request_document(
        _defs(), runtime.settings, g.user, record_id, body.get("document")
    )
    response = jsonify({"id": request_.id, "status": request_.status})
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/documents/{request_.id}"
    return response


@bp.get("/documents/<int:request_id>")
def get_document(request_id: int):
    request_ = document_service.get_document_request(_defs(), g.user, request_id)
    return jsonify(document_service.document_json(request_))


@bp.post("/documents/<int:request_id>/retry")
def retry_document(request_id: int):
    runtime = current_app.config["VERBUND_RUNTIME"]
    request_ = document_service.retry_document(_defs(), runtime.settings, g.user, request_id)
    response = jsonify(document_service.document_json(request_))
    response.status_code = 202
    return response


@bp.get("/documents/<int:request_id>/file")
def get_document_file(request_id: int):
    request_, content = document_service.document_file(_defs(), g.user, request_id)
    response = send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=request_.filename or f"dokument-{request_.id}.docx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
