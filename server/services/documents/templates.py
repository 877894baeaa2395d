"""Administering Word templates: upload, restore an older revision, take over a shipped file.

Only administrators may do any of it. A template is accepted only when it is a real .docx
without macros, within the size limit, and passes the same check as ``verbund check``
against every workflow that uses it; otherwise nothing is stored and the messages say why.
"""

from __future__ import annotations

from typing import Any

from ...config import Settings
from ...documents import store
from ...documents.checking import Special, template_problems
from ...documents.docx_check import docx_problems, template_limits
from ...models import TemplateRevision, User, transaction
from ...report_settings import read_reports
from ...schema.definitions import Definitions
from ..audit import audit
from ..errors import Forbidden, Invalid, NotFound
from ..privacy.report_cover import report_special
from ..register.settings import register_config, register_special

ADMIN_ROLE = "admin"


def _require_admin(user: User) -> None:
    if user is None or not user.active or not user.has_role(ADMIN_ROLE):
        raise Forbidden("Nur die Administration darf Vorlagen verwalten.")


def _check_name(name: Any) -> str:
    if not store.valid_name(name):
        raise Invalid(
            "Der Name einer Vorlage endet auf .docx und besteht aus Buchstaben, Ziffern, "
            "„_“, „.“ und „-“ (z. B. hilfeplan.docx).",
            errors=["Ungültiger Vorlagenname."],
        )
    return name


def special_templates(settings: Settings) -> Special:
    """The templates no workflow names, with their own data model: the register's export
    (``[register] template``) and the reports' letterheads (``[[reports]] template``)."""
    return {**register_special(settings), **report_special(settings)}


def special_uses(settings: Settings) -> dict[str, list[str]]:
    """Who uses each special template, in words for the admin screen."""
    uses: dict[str, list[str]] = {}
    register = register_config(settings)
    if register is not None and register.template:
        uses.setdefault(register.template, []).append("Beschlussregister (Export)")
    for report in read_reports(settings.raw.get("reports") or []):
        if report.template:
            uses.setdefault(report.template, []).append(f"Bericht „{report.title}“ (Word)")
    return uses


def template_names(defs: Definitions, settings: Settings, special: Special | None) -> list[str]:
    """Every template anybody knows of: used by a workflow, shipped in exports/, or stored."""
    names = {d.template for wf in defs.workflows.values() for d in wf.documents}
    names |= set(special or {})
    if settings.exports_dir.is_dir():
        names |= {p.name for p in settings.exports_dir.glob("*.docx")}
    names |= {r.name for r in TemplateRevision.select(TemplateRevision.name).distinct()}
    return sorted(n for n in names if store.valid_name(n))


def template_overview(
    defs: Definitions, settings: Settings, user: User, special: Special | None = None
) -> list[dict[str, Any]]:
    """One entry per template for the admin screen: who uses it, its current revision, and
    whether the file in exports/ differs from it."""
    _require_admin(user)
    out = []
    for name in template_names(defs, settings, special):
        current = store.latest(name)
        file = store.exports_file(settings, name)
        file_state = "none"
        if file is not None:
            try:
                digest = store.sha256(file.read_bytes())
            except OSError:
                digest = ""
            file_state = "same" if current is not None and current.sha256 == digest else "differs"
        used_by = [
            f"{wf.title}: {d.label}"
            for wf in defs.workflows.values()
            for d in wf.documents
            if d.template == name
        ]
        used_by += special_uses(settings).get(name, [])
        out.append({"name": name, "current": current, "file": file_state, "used_by": used_by})
    return out


def _accept(
    defs: Definitions, settings: Settings, name: str, content: bytes, special: Special | None
) -> None:
    limits = template_limits(settings)
    problems = docx_problems(content, store.max_template_bytes(settings), *limits)
    if not problems:
        found = template_problems(defs, name, content, special, unpack_limits=limits)
        problems = [message for _line, message in found]
    if problems:
        raise Invalid("Die Vorlage wurde nicht übernommen.", errors=problems)


def _store(
    user: User, name: str, content: bytes, *, source: str, filename: str, comment: str
) -> TemplateRevision:
    with transaction():
        revision = store.add_revision(
            name, content, source=source, user=user, filename=filename, comment=comment
        )
        audit(
            f"template.{source}",
            user,
            object_type="template",
            object_id=revision.id,
            detail={"name": name, "number": revision.number, "size": revision.size},
        )
    return revision


def upload_template(
    defs: Definitions,
    settings: Settings,
    user: User,
    name: Any,
    content: bytes,
    filename: str = "",
    comment: str = "",
    special: Special | None = None,
) -> TemplateRevision:
    """Store an uploaded file as the new current revision of ``name``."""
    _require_admin(user)
    name = _check_name(name)
    _accept(defs, settings, name, content, special)
    if store.latest(name) is None:
        # keep the shipped file as revision 1, so the history shows what was replaced
        store.seed_from_exports(settings)
    return _store(
        user, name, content, source="upload", filename=filename or name, comment=comment.strip()
    )


def restore_revision(
    defs: Definitions,
    settings: Settings,
    user: User,
    name: Any,
    number: Any,
    special: Special | None = None,
) -> TemplateRevision:
    """Make an older revision current again (as a new revision; history stays complete)."""
    _require_admin(user)
    name = _check_name(name)
    old = revision_file(user, name, number)
    content = bytes(old.content)
    _accept(defs, settings, name, content, special)
    return _store(
        user,
        name,
        content,
        source="restore",
        filename=old.filename,
        comment=f"Fassung {old.number} wiederhergestellt",
    )


def take_exports_file(
    defs: Definitions, settings: Settings, user: User, name: Any, special: Special | None = None
) -> TemplateRevision:
    """Make the file in exports/ the current revision (after a deployment shipped a new one)."""
    _require_admin(user)
    name = _check_name(name)
    file = store.exports_file(settings, name)
    if file is None:
        raise NotFound(f"In exports/ gibt es keine Datei „{name}“.")
    content = file.read_bytes()
    _accept(defs, settings, name, content, special)
    return _store(
        user, name, content, source="exports", filename=name, comment="Datei aus exports/"
    )


def revision_file(user: User, name: Any, number: Any = None) -> TemplateRevision:
    """A revision with its bytes (default: the current one), for downloading."""
    _require_admin(user)
    name = _check_name(name)
    if number is not None:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise NotFound("Diese Fassung gibt es nicht.") from None
    revision = store.revision_content(name, number)
    if revision is None:
        raise NotFound(f"Von „{name}“ gibt es keine gespeicherte Fassung.")
    return revision
