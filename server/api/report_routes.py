"""The Lenkungskreis report as a file in the JSON API (issue 17), like a record's documents:
``POST /reports/<id>/files`` queues it (202 with ``Location``), ``GET …/files/<n>`` tells its
status, ``GET …/files/<n>/file`` gives the bytes. Who may: as on the report page."""

from __future__ import annotations

from flask import g, jsonify, request

from ..downloads import DownloadAudit, send_download
from ..runtime import current_runtime
from ..services.errors import Invalid, NotFound
from ..services.privacy.periods import default_period, parse_period
from ..services.privacy.report_requests import (
    MEDIA_TYPES,
    readable_report,
    report_file,
    request_report_file,
    retry_report_file,
)
from .blueprint import bp

PERIOD_KEYS = ("zeitraum", "quartal", "jahr", "von", "bis")


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("Der Inhalt muss ein JSON-Objekt sein.", {"body": ["JSON-Objekt erwartet."]})
    return data


def _file_json(row) -> dict:
    return {
        "id": row.id,
        "report": row.report,
        "format": row.format,
        "status": row.status,
        "error": row.error,
        "period": {
            "from": str(row.period_start) if row.period_start else None,
            "to": str(row.period_end) if row.period_end else None,
        },
        "compare": bool(row.compare),
        "filename": row.filename,
        "size": row.size,
    }


@bp.post("/reports/<report_id>/files")
def post_report_file(report_id: str):
    runtime = current_runtime()
    defs, settings = runtime.definitions, runtime.settings
    report = readable_report(defs, settings, g.user, report_id)
    body = _body()
    # the period as on the page (zeitraum, quartal, jahr, von, bis): text only
    args = {k: body[k] for k in PERIOD_KEYS if k in body}
    for key, value in args.items():
        if not isinstance(value, str):
            raise Invalid("Der Zeitraum ist ungültig.", {key: ["Bitte als Text angeben."]})
    period = parse_period(args, default_period(report.period))
    compare = body.get("compare", True)
    if not isinstance(compare, bool):
        raise Invalid("„compare“ ist ungültig.", {"compare": ["true oder false."]})
    row = request_report_file(
        defs, settings, g.user, report.id, period, compare, str(body.get("format", ""))[:16]
    )
    response = jsonify(_file_json(row))
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/reports/{report.id}/files/{row.id}"
    return response


@bp.get("/reports/<report_id>/files/<int:file_id>")
def get_report_file(report_id: str, file_id: int):
    runtime = current_runtime()
    row = report_file(runtime.definitions, runtime.settings, g.user, report_id, file_id)
    return jsonify(_file_json(row))


@bp.post("/reports/<report_id>/files/<int:file_id>/retry")
def retry_report_file_route(report_id: str, file_id: int):
    """A failed file made again (same row, same period and format): 202 like the request;
    409 when the file did not fail."""
    runtime = current_runtime()
    row = retry_report_file(runtime.definitions, runtime.settings, g.user, report_id, file_id)
    response = jsonify(_file_json(row))
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/reports/{row.report}/files/{row.id}"
    return response


@bp.get("/reports/<report_id>/files/<int:file_id>/file")
def get_report_file_bytes(report_id: str, file_id: int):
    runtime = current_runtime()
    row = report_file(runtime.definitions, runtime.settings, g.user, report_id, file_id)
    if row.status != "finished" or row.content is None:
        raise NotFound("Die Datei ist noch nicht fertig.")
    return send_download(
        bytes(row.content),
        row.filename,
        MEDIA_TYPES[row.format],
        audited=DownloadAudit("report.download", "report_document", row.id),
    )


def openapi_paths(op, json_response, error) -> dict:
    """The report-file paths for the OpenAPI description."""
    status = {"type": "object", "properties": {"id": {"type": "integer"}}}
    report = {"name": "report_id", "in": "path", "required": True, "schema": {"type": "string"}}
    file_id = {"name": "file_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    body = {
        "type": "object",
        "required": ["format"],
        "properties": {
            "format": {"type": "string", "enum": ["docx", "xlsx"]},
            "zeitraum": {"type": "string", "enum": ["", "quartal", "jahr", "frei"]},
            "quartal": {"type": "string"},
            "jahr": {"type": "string"},
            "von": {"type": "string"},
            "bis": {"type": "string"},
            "compare": {"type": "boolean"},
        },
    }
    refused = {
        "403": json_response(error, "keine Statistik-Rolle"),
        "404": json_response(error, "unbekannt oder nicht zugänglich"),
    }
    return {
        "/reports/{report_id}/files": {
            "post": op(
                "Bericht als Word- oder Excel-Datei anfordern",
                {
                    "202": json_response(status, "eingereiht"),
                    "422": json_response(error, "Format oder Zeitraum ungültig"),
                    **refused,
                },
                body=body,
                params=[report],
            )
        },
        "/reports/{report_id}/files/{file_id}": {
            "get": op(
                "Stand einer Berichtsdatei",
                {"200": json_response(status, "Stand"), **refused},
                params=[report, file_id],
            )
        },
        "/reports/{report_id}/files/{file_id}/retry": {
            "post": op(
                "Eine fehlgeschlagene Berichtsdatei erneut erstellen",
                {
                    "202": json_response(status, "wieder eingereiht"),
                    "409": json_response(error, "nicht fehlgeschlagen"),
                    **refused,
                },
                params=[report, file_id],
            )
        },
        "/reports/{report_id}/files/{file_id}/file": {
            "get": op(
                "Die fertige Berichtsdatei",
                {"200": {"description": "die .docx oder .xlsx"}, **refused},
                params=[report, file_id],
            )
        },
    }
