"""The routes of /api/v1 as listed in the design (§5)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from ..downloads import send_document, send_document_pdf
from ..runtime import current_runtime
from ..services.documents import requests as document_service
from ..services.errors import Invalid, NotFound
from ..services.paging import page_args
from ..services.records import listing as record_list
from ..services.records.access import may_see_workflow
from ..services.records.assignment import hand_over
from ..services.records.changes import apply_transition, create_record, save_form
from ..services.records.deadlines import DEADLINES_API_PAGE, open_deadlines_page
from ..services.records.view import record_view, view_of
from .blueprint import bp
from .serialize import deadline_json, form_json, record_detail, record_summary, workflow_json


def _defs():
    return current_runtime().definitions


def _body() -> dict[str, Any]:
    """The request's JSON object; anything else is a 400 with a German message."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # "[[[[…" nested deeper than the JSON parser goes
        data = None
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
    response = jsonify(record_detail(view_of(_defs(), g.user, record)))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/records/{record.id}"
    return response


@bp.get("/records")
def list_records():
    defs = _defs()
    page = record_list.list_records(defs, g.user, record_list.parse_list_args(request.args))
    return jsonify(
        {
            "items": [record_summary(defs, r) for r in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "total_capped": page.capped,
        }
    )


@bp.get("/records/<int:record_id>")
def get_record(record_id: int):
    return jsonify(record_detail(record_view(_defs(), g.user, record_id)))


@bp.put("/records/<int:record_id>/forms/<form_id>")
def put_form(record_id: int, form_id: str):
    body = _body()
    if "data" not in body:
        raise Invalid("„data“ fehlt.", {"data": ["Die Formulardaten fehlen."]})
    record = save_form(_defs(), g.user, record_id, form_id, body.get("data"), body.get("version"))
    return jsonify(record_detail(view_of(_defs(), g.user, record)))


@bp.post("/records/<int:record_id>/transitions")
def post_transition(record_id: int):
    body = _body()
    record = apply_transition(_defs(), g.user, record_id, body.get("to"), body.get("version"))
    return jsonify(record_detail(view_of(_defs(), g.user, record)))


@bp.post("/records/<int:record_id>/handover")
def post_handover(record_id: int):
    body = _body()
    record = hand_over(
        _defs(),
        g.user,
        record_id,
        owner=body.get("owner"),
        organisation=body.get("organisation"),
        version=body.get("version"),
        note=body.get("note", ""),
    )
    return jsonify(record_detail(view_of(_defs(), g.user, record)))


@bp.get("/deadlines")
def get_deadlines():
    mine = request.args.get("mine") in ("1", "true", "ja")
    overdue = request.args.get("overdue") in ("1", "true", "ja")
    escalated = request.args.get("escalated") in ("1", "true", "ja")
    # paged like /records; without page/per_page the first 500, as before paging existed
    page, per_page = page_args(
        request.args, per_page_default=DEADLINES_API_PAGE, per_page_max=DEADLINES_API_PAGE
    )
    found = open_deadlines_page(
        _defs(), g.user, page, mine=mine, overdue=overdue, escalated=escalated, per_page=per_page
    )
    return jsonify(
        {
            "items": [deadline_json(d) for d in found.items],
            "page": found.page,
            "pages": found.pages,
            "total": found.total,
            "total_capped": found.capped,
        }
    )


@bp.post("/records/<int:record_id>/documents")
def post_document(record_id: int):
    body = _body()
    runtime = current_runtime()
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
    runtime = current_runtime()
    request_ = document_service.retry_document(_defs(), runtime.settings, g.user, request_id)
    response = jsonify(document_service.document_json(request_))
    response.status_code = 202
    return response


@bp.get("/documents/<int:request_id>/file.pdf")
def get_document_pdf(request_id: int):
    """The PDF/A-2b of a finished document whose workflow asks for ``formats = [.., "pdf"]``."""
    request_, content = document_service.document_file(_defs(), g.user, request_id, "pdf")
    return send_document_pdf(request_, content)


@bp.get("/documents/<int:request_id>/file")
def get_document_file(request_id: int):
    request_, content = document_service.document_file(_defs(), g.user, request_id)
    return send_document(request_, content)
