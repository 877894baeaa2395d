"""The schema components of the OpenAPI description (``components.schemas``): the shapes
of errors, records, deadlines and documents, and the value of each field type.

Apart from :mod:`.openapi`, which assembles the paths: a shape is written once here and
referred to (``_ref``) from every path that answers with it.
"""

from __future__ import annotations

from ..schema.fieldtypes import field_type, type_names
from .openapi_parts import _ref

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "errors": {
                "description": "höchstens 50 Einträge; weitere zählt „_weitere“ "
                "(„… und N weitere Fehler“), unbekannte Schlüssel ab dem sechsten „_unbekannt“",
                "oneOf": [
                    {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                    {"type": "array", "items": {"type": "string"}},
                ],
            },
        },
    },
    "RecordSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "workflow": {"type": "string"},
            "title": {"type": "string"},
            "state": {"type": "string"},
            "state_label": {"type": "string"},
            "version": {"type": "integer"},
            "owner": {"type": ["string", "null"]},
            "organisation": {"type": ["string", "null"]},
            "created_at": {"type": "string"},
            "updated_at": {"type": "string"},
        },
    },
    "Record": {
        "allOf": [
            _ref("RecordSummary"),
            {
                "type": "object",
                "properties": {
                    "data": {"type": "object", "description": "{form id: {field: value}}"},
                    "transitions": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"to": {"type": "string"}, "label": {"type": "string"}},
                        },
                    },
                    "editable_forms": {"type": "array", "items": {"type": "string"}},
                    "available_documents": {"type": "array", "items": {"type": "object"}},
                    "unavailable_documents": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "Dokumente, die in diesem Zustand nicht erstellt werden "
                        "können: id, label, reason (deutsch)",
                    },
                    "documents": {"type": "array", "items": _ref("Document")},
                },
            },
        ],
    },
    "RecordPage": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("RecordSummary")},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
            "total_capped": {
                "type": "boolean",
                "description": "true: mehr Treffer als gezählt, total ist eine Untergrenze",
            },
        },
    },
    "Deadline": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "record": {"type": "integer"},
            "title": {"type": "string"},
            "workflow": {"type": "string"},
            "state": {"type": "string"},
            "label": {"type": "string"},
            "due_on": {"type": "string", "format": "date"},
            "overdue": {"type": "boolean"},
            "escalated_to": {
                "type": ["string", "null"],
                "description": "Rolle, an die die Frist eskaliert wurde",
            },
        },
    },
    "DeadlinePage": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref("Deadline")},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
            "total_capped": {
                "type": "boolean",
                "description": "true: mehr offene Fristen als gezählt, total ist eine Untergrenze",
            },
        },
    },
    "Document": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "record": {"type": "integer"},
            "document": {"type": "string"},
            "label": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "started", "finished", "failed"]},
            "error": {"type": ["string", "null"]},
            "filename": {"type": "string"},
            "template_revision": {
                "type": ["integer", "null"],
                "description": "Fassung der Vorlage, aus der das Dokument entstand "
                "(0: Datei in exports/, null: noch nicht erstellt)",
            },
            "formats": {
                "type": "array",
                "items": {"type": "string", "enum": ["docx", "pdf"]},
                "description": "die erstellten Dateien; mit pdf gibt es "
                "/documents/{id}/file.pdf (PDF/A-2b)",
            },
        },
    },
}


def field_values() -> dict:
    """What a value of each field type looks like in ``data`` (read and written), by type
    name; each field type describes its own (``FieldType.api_schema``)."""
    return {
        "type": "object",
        "description": "Werte je Feldtyp (Schlüssel: type eines Felds aus GET /forms/{id}); "
        "ein leeres Feld ist null.",
        "properties": {name: field_type(name).api_schema() for name in type_names()},
    }
