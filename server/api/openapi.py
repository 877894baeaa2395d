"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import jsonify

from ..downloads import DOCX as DOCX_MIME
from ..services.records.deadlines import DEADLINES_API_PAGE
from ..services.records.listing import SORTS as _SORTS
from ..version import __version__
from . import openapi_config
from .blueprint import bp
from .consent_routes import openapi_paths
from .files import FILE
from .files import PATHS as FILE_PATHS
from .openapi_parts import ERROR, _json, _op, _path_param, _query, _ref, paging
from .openapi_schemas import SCHEMAS, field_values
from .report_routes import openapi_paths as report_paths

SORTS = [*_SORTS, *(f"-{name}" for name in _SORTS)]
INVALID = (
    "ungültige Eingabe: Parameter außerhalb der Grenzen, Inhalt kein JSON-Objekt, "
    "NUL-Zeichen in Adresse oder Inhalt; höchstens 50 Fehler, dann „… und N weitere Fehler“"
)


def spec() -> dict:
    """The whole OpenAPI document."""
    record = _ref("Record")
    rid = _path_param("record_id")
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Verbund API",
            "version": __version__,
            "description": "Formulare, Abläufe und Dokumente. Werte: Datum YYYY-MM-DD, "
            "Dezimalzahlen als Zahl oder Text, Mehrfachauswahl als Liste, "
            "Tabellen als Liste von Objekten, Verweise als Datensatz-Id, Dateien als Id "
            "eines Uploads (POST /records/{id}/files), gelesen als {id, name, size, type}; "
            "Uhrzeit HH:MM, Zeitpunkt in UTC (2026-03-02T13:30:00Z), Telefon in E.164, "
            "Geldbetrag als Text mit zwei Nachkommastellen, Skala als Zahl "
            "(alle Typen: components.schemas.FieldValues).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **SCHEMAS,
                "File": FILE,
                "FieldValues": field_values(),
                **openapi_config.SCHEMAS,
            },
        },
        "paths": {
            "/workflows": {"get": _op("Abläufe", {"200": _json({"type": "array"}, "Liste")})},
            "/workflows/{workflow_id}": {
                "get": _op(
                    "Ein Ablauf",
                    {
                        "200": _json({"type": "object"}, "Definition"),
                        "404": _json(ERROR, "unbekannt"),
                    },
                    params=[_path_param("workflow_id", "string")],
                )
            },
            "/forms/{form_id}": {
                "get": _op(
                    "Ein Formular",
                    {
                        "200": _json({"type": "object"}, "Definition"),
                        "404": _json(ERROR, "unbekannt"),
                    },
                    params=[_path_param("form_id", "string")],
                )
            },
            "/records": {
                "get": _op(
                    "Lesbare Datensätze",
                    {
                        "200": _json(_ref("RecordPage"), "Seite"),
                        "422": _json(ERROR, "ungültige Seite"),
                    },
                    params=[
                        _query("workflow"),
                        _query("state"),
                        _query("owner", description="Benutzername, „-“: niemandem zugeteilt"),
                        _query("organisation"),
                        # empty means "not given", as a list screen sends it
                        _query("due", enum=["", "overdue", "week", "open"]),
                        _query("search"),
                        _query("sort", enum=["", *SORTS], default="-updated"),
                        *paging(200),
                    ],
                ),
                "post": _op(
                    "Datensatz anlegen",
                    {
                        "201": _json(record, "angelegt"),
                        "403": _json(ERROR, "keine create_roles"),
                        "404": _json(ERROR, "Ablauf unbekannt"),
                        "422": _json(ERROR, "ungültiger Inhalt"),
                    },
                    body={
                        "type": "object",
                        "required": ["workflow"],
                        "properties": {"workflow": {"type": "string"}},
                    },
                ),
            },
            "/records/{record_id}": {
                "get": _op(
                    "Ein Datensatz",
                    {"200": _json(record, "Datensatz"), "404": _json(ERROR, "nicht lesbar")},
                    params=[rid],
                )
            },
            "/deadlines": {
                "get": _op(
                    "Offene Fristen lesbarer Datensätze, die nächste zuerst",
                    {
                        "200": _json(_ref("DeadlinePage"), "Seite"),
                        "422": _json(ERROR, "ungültige Seite"),
                    },
                    params=[
                        # a flag is on with 1, true or ja; any other value means off
                        _query("mine", description="1/true/ja: nur eigene Datensätze"),
                        _query("overdue", description="1/true/ja: nur überfällige"),
                        _query("escalated", description="1/true/ja: nur eskalierte"),
                        *paging(DEADLINES_API_PAGE, default=DEADLINES_API_PAGE),
                    ],
                )
            },
            "/records/{record_id}/forms/{form_id}": {
                "put": _op(
                    "Formular speichern",
                    {
                        "200": _json(record, "gespeichert"),
                        "403": _json(ERROR, "nicht bearbeitbar"),
                        "404": _json(ERROR, "nicht lesbar"),
                        "409": _json(ERROR, "veraltete Version"),
                        "422": _json(ERROR, "Feldfehler"),
                    },
                    body={
                        "type": "object",
                        "required": ["data", "version"],
                        "properties": {"data": {"type": "object"}, "version": {"type": "integer"}},
                    },
                    params=[rid, _path_param("form_id", "string")],
                )
            },
            "/records/{record_id}/transitions": {
                "post": _op(
                    "Zustand wechseln",
                    {
                        "200": _json(record, "gewechselt"),
                        "403": _json(ERROR, "Rolle fehlt"),
                        "404": _json(ERROR, "nicht lesbar"),
                        "409": _json(ERROR, "nicht erlaubt oder veraltet"),
                        "422": _json(ERROR, "Bedingung nicht erfüllt"),
                    },
                    body={
                        "type": "object",
                        "required": ["to", "version"],
                        "properties": {"to": {"type": "string"}, "version": {"type": "integer"}},
                    },
                    params=[rid],
                )
            },
            "/records/{record_id}/documents": {
                "post": _op(
                    "Dokument anfordern",
                    {
                        "202": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "status": {"type": "string"},
                                },
                            },
                            "angenommen",
                        ),
                        "404": _json(ERROR, "nicht lesbar"),
                        "409": _json(ERROR, "in diesem Zustand nicht verfügbar"),
                        "422": _json(ERROR, "Dokument gibt es in diesem Ablauf nicht"),
                    },
                    body={
                        "type": "object",
                        "required": ["document"],
                        "properties": {"document": {"type": "string"}},
                    },
                    params=[rid],
                )
            },
            "/documents/{document_id}": {
                "get": _op(
                    "Status eines Dokuments",
                    {"200": _json(_ref("Document"), "Status"), "404": _json(ERROR, "nicht lesbar")},
                    params=[_path_param("document_id")],
                )
            },
            "/documents/{document_id}/retry": {
                "post": _op(
                    "Ein fehlgeschlagenes Dokument neu erstellen",
                    {
                        "202": _json(_ref("Document"), "wieder in der Warteschlange"),
                        "404": _json(ERROR, "nicht lesbar"),
                        "409": _json(ERROR, "nicht fehlgeschlagen"),
                    },
                    params=[_path_param("document_id")],
                )
            },
            "/documents/{document_id}/file": {
                "get": _op(
                    "Die .docx-Datei",
                    {
                        "200": {
                            "description": "Word-Dokument",
                            "content": {
                                DOCX_MIME: {"schema": {"type": "string", "format": "binary"}}
                            },
                        },
                        "404": _json(ERROR, "nicht lesbar oder nicht fertig"),
                    },
                    params=[_path_param("document_id")],
                )
            },
            "/documents/{document_id}/file.pdf": {
                "get": _op(
                    'Die PDF/A-2b-Fassung (Dokumente mit formats = ["docx", "pdf"])',
                    {
                        "200": {
                            "description": "PDF/A-2b, getaggt",
                            "content": {
                                "application/pdf": {
                                    "schema": {"type": "string", "format": "binary"}
                                }
                            },
                        },
                        "404": _json(ERROR, "nicht lesbar oder nicht fertig"),
                        "409": _json(ERROR, "ohne PDF-Fassung erstellt"),
                    },
                    params=[_path_param("document_id")],
                )
            },
            **FILE_PATHS,
            **openapi_config.config_paths(),
            "/openapi.json": {
                "get": {
                    "summary": "Diese Beschreibung",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI"}},
                }
            },
        },
    }
    document["paths"].update(openapi_paths(_op, _json, ERROR, rid))
    document["paths"].update(report_paths(_op, _json, ERROR))
    for operations in document["paths"].values():
        for operation in operations.values():
            # the input check refuses a NUL anywhere (and bad bodies) before any route runs
            if "security" not in operation:
                operation["responses"].setdefault("422", _json(ERROR, INVALID))
    return document


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())
