"""Building blocks of the OpenAPI description, shared by openapi.py and the route modules that
describe their own paths (files.py)."""

from __future__ import annotations


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = _ref("Error")
COMMON = {
    "401": _json(ERROR, "Token fehlt oder ist ungültig"),
}


def _op(summary: str, responses: dict, *, body: dict | None = None, params: list | None = None):
    op = {"summary": summary, "responses": {**responses, **COMMON}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def _path_param(name: str, kind: str = "integer") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def _query(name: str, kind: str = "string", **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind, **schema}}


PAGE_MAX = 10**6


def paging(per_page_max: int, default: int = 50) -> list[dict]:
    """``page`` and ``per_page`` with the bounds the server enforces (else 422)."""
    return [
        _query("page", "integer", minimum=1, maximum=PAGE_MAX, default=1),
        _query("per_page", "integer", minimum=1, maximum=per_page_max, default=default),
    ]
