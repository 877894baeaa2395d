"""Files in the API: upload into a record (multipart), read metadata, download the bytes.

A file field's value is the id of an upload of the same record: upload first
(``POST /records/<id>/files``, answer ``{"id", ...}``), then save the form with
``"<field>": <id>``. The record shows the field as ``{"id", "name", "size", "type"}``, and
that object is also accepted back, so reading, changing and saving a record round-trips.
"""

from __future__ import annotations

from flask import g, jsonify, request

from ..downloads import send_upload
from ..forms.filekinds import KINDS
from ..runtime import current_runtime
from ..services.errors import Invalid
from ..services.records.uploads import file_json, get_upload, store_upload, upload_content
from .blueprint import bp
from .openapi_parts import ERROR, _json, _op, _path_param, _ref


@bp.post("/records/<int:record_id>/files")
def post_file(record_id: int):
    runtime = current_runtime()
    upload_file = request.files.get("file")
    if upload_file is None:
        raise Invalid(
            "Bitte die Datei als multipart/form-data im Feld „file“ senden.",
            {"file": ["Die Datei fehlt."]},
        )
    upload = store_upload(
        runtime.definitions,
        runtime.settings,
        g.user,
        record_id,
        upload_file.filename,
        upload_file.stream,
        form_id=request.form.get("form"),
        field_name=request.form.get("field"),
    )
    response = jsonify(file_json(upload))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/files/{upload.id}"
    return response


@bp.get("/files/<int:upload_id>")
def get_file(upload_id: int):
    return jsonify(file_json(get_upload(current_runtime().definitions, g.user, upload_id)))


@bp.get("/files/<int:upload_id>/content")
def get_file_content(upload_id: int):
    upload, content = upload_content(current_runtime().definitions, g.user, upload_id)
    return send_upload(upload, content)


# every kind an upload can have (server/forms/filekinds.py), as the download sends it
MIMETYPES = sorted({kind.mimetype.split(";")[0] for kind in KINDS.values()})

FILE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "description": "der Wert für das Dateifeld"},
        "name": {"type": "string"},
        "size": {"type": "integer"},
        "type": {"type": "string", "enum": ["pdf", "png", "jpeg", "docx", "xlsx", "txt"]},
        "record": {"type": "integer"},
        "mimetype": {"type": "string"},
        "uploaded_at": {"type": "string"},
    },
}

PATHS = {
    "/records/{record_id}/files": {
        "post": {
            **_op(
                "Datei hochladen (danach die Id im Dateifeld speichern)",
                {
                    "201": _json(_ref("File"), "gespeichert"),
                    "403": _json(ERROR, "Datensatz in diesem Zustand nicht bearbeitbar"),
                    "404": _json(ERROR, "nicht lesbar"),
                    "413": _json(ERROR, "größer als [uploads] max_bytes"),
                    "422": _json(ERROR, "leer, zu groß oder Art nicht erlaubt"),
                },
                params=[_path_param("record_id")],
            ),
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "form": {
                                    "type": "string",
                                    "description": "optional mit field: gleich gegen accept "
                                    "und max_bytes dieses Felds prüfen",
                                },
                                "field": {"type": "string"},
                            },
                        }
                    }
                },
            },
        }
    },
    "/files/{file_id}": {
        "get": _op(
            "Angaben zu einer Datei",
            {"200": _json(_ref("File"), "Datei"), "404": _json(ERROR, "nicht lesbar")},
            params=[_path_param("file_id")],
        )
    },
    "/files/{file_id}/content": {
        "get": _op(
            "Die Datei herunterladen",
            {
                "200": {
                    "description": "Inhalt (Content-Type nach erkannter Art)",
                    "content": {
                        mimetype: {"schema": {"type": "string", "format": "binary"}}
                        for mimetype in MIMETYPES
                    },
                },
                "404": _json(ERROR, "nicht lesbar"),
            },
            params=[_path_param("file_id")],
        )
    },
}
