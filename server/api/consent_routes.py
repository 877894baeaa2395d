"""Consent in the JSON API: ``GET/POST /records/<id>/consents`` and the withdrawal."""

from __future__ import annotations

from flask import g, jsonify, request

from ..runtime import current_runtime
from ..services.errors import Invalid
from ..services.privacy.consent import consent_json, record_consent, withdraw_consent
from ..services.records.changes import get_readable
from .blueprint import bp


def _defs():
    return current_runtime().definitions


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Der Inhalt muss ein JSON-Objekt sein.", {"body": ["JSON-Objekt erwartet."]})
    return data


def _answer(record_id: int, status: int = 200):
    record = get_readable(_defs(), g.user, record_id)
    response = jsonify({"items": consent_json(_defs().workflows[record.workflow], record.id)})
    response.status_code = status
    return response


@bp.get("/records/<int:record_id>/consents")
def get_consents(record_id: int):
    return _answer(record_id)


@bp.post("/records/<int:record_id>/consents")
def post_consent(record_id: int):
    body = _body()
    record_consent(
        _defs(),
        g.user,
        record_id,
        body.get("purpose"),
        body.get("given_at"),
        body.get("text_version"),
    )
    return _answer(record_id, 201)


@bp.post("/records/<int:record_id>/consents/<purpose>/withdrawal")
def post_withdrawal(record_id: int, purpose: str):
    body = _body()
    withdraw_consent(_defs(), g.user, record_id, purpose, body.get("withdrawn_at"))
    return _answer(record_id)


def openapi_paths(op, json_response, error, rid) -> dict:
    """The consent routes for the OpenAPI description (helpers passed in by openapi.py)."""
    items = {"type": "object", "properties": {"items": {"type": "array"}}}
    consent_body = {
        "type": "object",
        "required": ["purpose", "given_at"],
        "properties": {
            "purpose": {"type": "string"},
            "given_at": {"type": "string", "format": "date"},
            "text_version": {"type": "string"},
        },
    }
    withdrawal_body = {
        "type": "object",
        "required": ["withdrawn_at"],
        "properties": {"withdrawn_at": {"type": "string", "format": "date"}},
    }
    purpose = {"name": "purpose", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/records/{record_id}/consents": {
            "get": op(
                "Einwilligungen eines Datensatzes je Zweck",
                {"200": json_response(items, "Zwecke mit Stand"), "404": json_response(error, "")},
                params=[rid],
            ),
            "post": op(
                "Einwilligung erfassen",
                {
                    "201": json_response(items, "erfasst"),
                    "403": json_response(error, "nicht erlaubt"),
                    "404": json_response(error, "nicht lesbar"),
                    "422": json_response(error, "Datum fehlt oder ungültig"),
                },
                body=consent_body,
                params=[rid],
            ),
        },
        "/records/{record_id}/consents/{purpose}/withdrawal": {
            "post": op(
                "Widerruf erfassen",
                {
                    "200": json_response(items, "erfasst"),
                    "404": json_response(error, "nicht lesbar"),
                    "422": json_response(error, "keine Einwilligung oder Datum ungültig"),
                },
                body=withdrawal_body,
                params=[rid, purpose],
            )
        },
    }
