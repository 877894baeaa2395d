"""/api/v1/config: read and publish forms and workflows, list revisions — admin tokens only.

``PUT`` answers 200 (published; ``"unchanged": true`` when the text was already live), 201
(created), 422 with ``path:line`` errors (nothing applied), 409 with ``impact`` counts when
records are affected and ``"confirm": true`` was not sent, or 409 when ``base_revision`` is
no longer the live one.
"""

from __future__ import annotations

from math import ceil

from flask import g, jsonify, request

from ..forms.error_cap import MAX_ERRORS, cap_errors
from ..models import ConfigRevision
from ..runtime import current_runtime
from ..services.configuration import publish as config_publish
from ..services.configuration import store as config_store
from ..services.errors import Forbidden, Invalid, NotFound
from .blueprint import bp

ADMIN_ROLE = "admin"


def _require_admin() -> None:
    if not g.user.has_role(ADMIN_ROLE):
        raise Forbidden("Nur die Administration darf die Konfiguration lesen und ändern.")
    texts = [v for _, vs in request.args.lists() for v in vs]
    texts += [str(v) for v in (request.view_args or {}).values()]
    if any("\x00" in t for t in texts):
        raise Invalid("Die Anfrage enthält ein NUL-Zeichen.", ["NUL-Zeichen in der Adresse"])


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def revision_json(revision: ConfigRevision, with_text: bool = False) -> dict:
    out = {
        "id": revision.id,
        "kind": revision.kind,
        "name": revision.name,
        "action": revision.action,
        "deleted": revision.deleted,
        "message": revision.message,
        "author": revision.author_name,
        "at": _iso(revision.created_at),
        "restores": revision.restores,
    }
    if with_text:
        out["toml"] = revision.text
    return out


def _get(kind: str, name: str):
    _require_admin()
    current = config_store.current_text(current_runtime().settings, kind, name)
    if current is None:
        raise NotFound(f"{config_store.KIND_LABELS[kind]} „{name[:64]}“ gibt es nicht.")
    return jsonify(
        {
            "id": name,
            "kind": kind,
            "path": config_store.display_path(current_runtime().settings, kind, name),
            "toml": current.text,
            "revision": current.revision.id if current.revision else None,
            "source": "database" if current.revision else "file",
        }
    )


def _put(kind: str, name: str):
    _require_admin()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("Der Inhalt muss ein JSON-Objekt sein.", ["JSON-Objekt erwartet."])
    base = body.get("base_revision")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool)):
        raise Invalid("„base_revision“ muss eine ganze Zahl sein.", ["„base_revision“"])
    try:
        result = config_publish.publish(
            current_runtime(),
            g.user,
            kind,
            name,
            body.get("toml"),
            body.get("message"),
            confirm=body.get("confirm") is True,
            base_revision=base,
        )
    except config_publish.ConfigInvalid as exc:
        # a 256 KB text can hold thousands of mistakes: name the first ones, count the rest
        payload = {
            "error": exc.message,
            "errors": cap_errors(exc.errors),
            "problems": [
                {"path": p.path, "line": p.line, "message": p.message}
                for p in exc.problems[:MAX_ERRORS]
            ],
            "problems_total": len(exc.problems),
        }
        response = jsonify(payload)
        response.status_code = 422
        return response
    except config_publish.NeedsConfirmation as exc:
        response = jsonify({"error": exc.message, "impact": exc.impact.as_json()})
        response.status_code = 409
        return response
    body_out = {
        "revision": revision_json(result.revision) if result.revision is not None else None,
        "unchanged": result.unchanged,
        "impact": result.impact.as_json(),
    }
    response = jsonify(body_out)
    response.status_code = 201 if result.created else 200
    return response


@bp.get("/config/forms/<name>")
def get_config_form(name: str):
    return _get("form", name)


@bp.put("/config/forms/<name>")
def put_config_form(name: str):
    return _put("form", name)


@bp.get("/config/workflows/<name>")
def get_config_workflow(name: str):
    return _get("workflow", name)


@bp.put("/config/workflows/<name>")
def put_config_workflow(name: str):
    return _put("workflow", name)


def _int_arg(name: str, default: int, top: int) -> int:
    raw = request.args.get(name) or ""
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise Invalid(f"„{name}“ muss eine Zahl von 1 bis {top} sein.", {name: ["ungültig"]})
    return int(raw)


@bp.get("/config/revisions")
def list_config_revisions():
    _require_admin()
    query = ConfigRevision.select(
        ConfigRevision.id,
        ConfigRevision.kind,
        ConfigRevision.name,
        ConfigRevision.action,
        ConfigRevision.deleted,
        ConfigRevision.message,
        ConfigRevision.author_name,
        ConfigRevision.created_at,
        ConfigRevision.restores,
    )
    if request.args.get("kind"):
        query = query.where(ConfigRevision.kind == request.args["kind"])
    if request.args.get("name"):
        query = query.where(ConfigRevision.name == request.args["name"])
    page = _int_arg("page", 1, 10**6)
    per_page = _int_arg("per_page", 50, 200)
    total = query.count()
    rows = query.order_by(ConfigRevision.id.desc()).paginate(page, per_page)
    return jsonify(
        {
            "items": [revision_json(r) for r in rows],
            "page": page,
            "pages": max(1, ceil(total / per_page)),
            "total": total,
        }
    )


@bp.get("/config/revisions/<int:revision_id>")
def get_config_revision(revision_id: int):
    _require_admin()
    revision = ConfigRevision.get_or_none(ConfigRevision.id == revision_id)
    if revision is None:
        raise NotFound("Diese Revision gibt es nicht.")
    return jsonify(revision_json(revision, with_text=True))
