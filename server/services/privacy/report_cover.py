"""The report's Word file on the office's letterhead: ``[[reports]] template``.

An office's reports go out on its own paper: logo and address in the header, a footer, a
cover page naming the body it is for. ``template`` names a Word template administered like
every other (upload, revisions, check at upload and in ``verbund check``). It is rendered
with docxtpl in the same sandbox and under the same limits as a document job – it is an
administrator's upload – with five plain texts: ``title``, ``period``, ``description``,
``workflow`` and ``now`` (no figure, no person: the figures follow the cover). The report is
then written after the cover into the same document, so its header, footer, page size and
styles carry the whole report.

A template made in Word usually lacks the styles the report uses (Word writes a heading style
into the file only once it is used); those are taken over from python-docx's own template, so
a bare letterhead works and a designed one keeps its own.
"""

from __future__ import annotations

import copy
from typing import Any

from ...config import Settings
from ...documents.lint import Shape
from ...documents.render import TemplateFailed
from ...documents.sandbox_process import RendererUnavailable, render_limited
from ...documents.store import current_content
from ...documents.xml_text import xml_text
from ...german import local_time
from ...models import utcnow
from ...report_settings import Report, read_reports

NAMES = ("title", "period", "description", "workflow", "now")
# the styles the report's content uses (report_files.py)
USED_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Table Grid", "List Bullet")


def report_special(settings: Settings) -> dict[str, tuple[dict[str, Shape], str]]:
    """The report templates' data model, for the template check (name -> shapes, hint)."""
    names = {n: Shape("value", n) for n in NAMES}
    hint = f"gibt es in einer Berichtsvorlage nicht (verfügbar: {', '.join(NAMES)})"
    reports = read_reports(settings.raw.get("reports") or [])
    return {r.template: (names, hint) for r in reports if r.template}


def cover(settings: Settings, report: Report, period: str, workflow: str) -> bytes | None:
    """The rendered letterhead and cover of ``report`` (None: the report has no template).

    Raises TemplateFailed with a German reason when the template is missing or broken."""
    if not report.template:
        return None
    context: dict[str, Any] = {
        "title": xml_text(report.title),
        "period": xml_text(period),
        "description": xml_text(report.description),
        "workflow": xml_text(workflow),
        "now": local_time(utcnow()),
    }
    content, _number = current_content(settings, report.template)
    try:
        return render_limited(settings, content, report.template, context)
    except RendererUnavailable:
        raise TemplateFailed(
            "Die Word-Ausgabe ist gerade nicht möglich; bitte später erneut versuchen."
        ) from None


def add_missing_styles(document) -> None:
    """Give ``document`` the report's styles it lacks, as python-docx's template has them."""
    import docx
    from docx.oxml.ns import qn

    present = {s.name for s in document.styles}
    missing = [name for name in USED_STYLES if name not in present]
    if not missing:
        return
    source = docx.Document().styles
    for name in missing:
        style = source[name]
        document.styles.element.append(copy.deepcopy(style.element))
        # a heading's character style twin (w:link), which Word pairs with it
        link = style.element.find(qn("w:link"))
        twin = _by_id(source, link.get(qn("w:val"))) if link is not None else None
        if twin is not None and _by_id(document.styles, twin.style_id) is None:
            document.styles.element.append(copy.deepcopy(twin.element))


def _by_id(styles, style_id: str):
    return next((s for s in styles if s.style_id == style_id), None)
