"""The OpenAPI part for /config (publishing forms and workflows), merged by :mod:`.openapi`."""

from __future__ import annotations

from .openapi_parts import paging


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _ref("Error")

SCHEMAS = {
    "ConfigText": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "kind": {"type": "string", "enum": ["form", "workflow"]},
            "path": {"type": "string", "description": "z. B. forms/antrag.toml"},
            "toml": {"type": "string"},
            "revision": {"type": ["integer", "null"], "description": "null: Stand der Datei"},
            "source": {"type": "string", "enum": ["database", "file"]},
        },
    },
    "ConfigPublish": {
        "type": "object",
        "required": ["toml", "message"],
        "properties": {
            "toml": {"type": "string"},
            "message": {"type": "string", "description": "Beschreibung der Änderung"},
            "confirm": {
                "type": "boolean",
                "description": "true: trotz betroffener Datensätze veröffentlichen",
            },
            "base_revision": {
                "type": ["integer", "null"],
                "description": "Revision, von der die Änderung ausgeht (0: Datei); "
                "ist inzwischen eine andere live, antwortet die API mit 409",
            },
        },
    },
    "ConfigRevision": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["form", "workflow"]},
            "name": {"type": "string"},
            "action": {"type": "string", "enum": ["create", "publish", "delete", "rollback"]},
            "deleted": {"type": "boolean"},
            "message": {"type": "string"},
            "author": {"type": "string"},
            "at": {"type": "string"},
            "restores": {"type": ["integer", "null"]},
            "toml": {"type": "string", "description": "nur bei GET /config/revisions/{id}"},
        },
    },
    "ConfigImpact": {
        "type": "object",
        "properties": {
            "records_in_removed_states": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
            "records_with_dropped_forms": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
            "records_with_dropped_fields": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
            "records_with_unfit_values": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "Felder, deren gespeicherte Werte die neue Fassung ablehnt",
            },
            "records_affected": {"type": "integer"},
        },
    },
    "ConfigProblems": {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {"type": "string"},
                "description": "pfad:zeile; höchstens 50, dann „… und N weitere Fehler“",
            },
            "problems": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "line": {"type": "integer"},
                        "message": {"type": "string"},
                    },
                },
                "description": "die ersten 50",
            },
            "problems_total": {"type": "integer", "description": "Zahl aller Fehler"},
        },
    },
}


def _text_paths(kind: str, label: str) -> dict:
    # other ids are refused with 422 (JINJA_WORDS such as „and“ too, which a pattern cannot say)
    param = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
    }
    published = {
        "type": "object",
        "properties": {
            "revision": {
                "anyOf": [_ref("ConfigRevision"), {"type": "null"}],
                "description": "null: unverändert, es gilt weiter die Datei",
            },
            "unchanged": {"type": "boolean"},
            "impact": _ref("ConfigImpact"),
        },
    }
    return {
        "get": {
            "summary": f"{label}: aktueller Text (nur Administration)",
            "parameters": [param],
            "responses": {
                "200": _json(_ref("ConfigText"), "Text"),
                "403": _json(ERROR, "keine Administration"),
                "404": _json(ERROR, "unbekannt"),
            },
        },
        "put": {
            "summary": f"{label} veröffentlichen (nur Administration)",
            "parameters": [param],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("ConfigPublish")}},
            },
            "responses": {
                "200": _json(published, "veröffentlicht (oder unverändert)"),
                "201": _json(published, "neu angelegt"),
                "403": _json(ERROR, "keine Administration"),
                "409": _json(
                    {
                        "type": "object",
                        "properties": {"error": {"type": "string"}, "impact": _ref("ConfigImpact")},
                    },
                    "betroffene Datensätze: mit confirm=true erneut senden; "
                    "oder base_revision veraltet",
                ),
                "422": _json(_ref("ConfigProblems"), "Fehler mit pfad:zeile; nichts übernommen"),
            },
        },
    }


def config_paths() -> dict:
    """The /config paths of the API description."""
    page = [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
        for n in ("kind", "name")
    ] + paging(200)
    paths = {
        "/config/forms/{id}": _text_paths("form", "Formular"),
        "/config/workflows/{id}": _text_paths("workflow", "Ablauf"),
        "/config/revisions": {
            "get": {
                "summary": "Alle Veröffentlichungen mit Autor, Zeit und Nachricht",
                "parameters": page,
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "items": {"type": "array", "items": _ref("ConfigRevision")},
                                "page": {"type": "integer"},
                                "pages": {"type": "integer"},
                                "total": {"type": "integer"},
                            },
                        },
                        "Seite",
                    ),
                    "403": _json(ERROR, "keine Administration"),
                },
            }
        },
        "/config/revisions/{revision_id}": {
            "get": {
                "summary": "Eine Veröffentlichung mit vollem Text",
                "parameters": [
                    {
                        "name": "revision_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": _json(_ref("ConfigRevision"), "Revision"),
                    "403": _json(ERROR, "keine Administration"),
                    "404": _json(ERROR, "unbekannt"),
                },
            }
        },
    }
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"]["401"] = _json(ERROR, "Token fehlt oder ist ungültig")
    return paths
