"""Word templates as revisions in the database: the current revision renders everywhere.

A template is known by its file name (``hilfeplan.docx``). Its revisions are rows of
:class:`~server.models.TemplateRevision`; the highest number is current. Every web process
and worker, on any machine, reads the bytes from the database, so an upload takes effect
everywhere at once.

The files in ``exports/`` are the initial revisions: :func:`seed_from_exports` (run when the
app or a worker starts) stores a file that has no revision yet. When a deployment ships a
changed file and nobody has uploaded a revision since the last one from ``exports/``, the new
file becomes a new revision; an administrator's upload is never replaced by a file (the
admin screen offers to take the file over instead).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

import peewee

from ..config import Settings
from ..models import TemplateRevision, User, database, transaction
from .render import TemplateFailed

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,150}\.docx")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
LIGHT_FIELDS = (
    TemplateRevision.id,
    TemplateRevision.name,
    TemplateRevision.number,
    TemplateRevision.sha256,
    TemplateRevision.size,
    TemplateRevision.source,
    TemplateRevision.filename,
    TemplateRevision.comment,
    TemplateRevision.author,
    TemplateRevision.created_at,
)

# name -> (sha256, bytes) per process; the digest, not the id, validates an entry, so a
# process that switches databases (tests) never renders another database's template
_cache: dict[str, tuple[str, bytes]] = {}


def valid_name(name: Any) -> bool:
    return isinstance(name, str) and NAME_RE.fullmatch(name) is not None


def max_template_bytes(settings: Settings) -> int:
    """The upload limit for templates: ``[documents] template_max_bytes`` (5 MB), never more
    than ``[uploads] max_bytes``."""
    limit = settings.section("documents").get("template_max_bytes", DEFAULT_MAX_BYTES)
    return min(int(limit), int(settings.section("uploads").get("max_bytes", limit)))


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def latest(name: str) -> TemplateRevision | None:
    """The current revision of ``name`` without its bytes, or None."""
    return (
        TemplateRevision.select(*LIGHT_FIELDS)
        .where(TemplateRevision.name == name)
        .order_by(TemplateRevision.number.desc())
        .first()
    )


def revisions(name: str) -> list[TemplateRevision]:
    """Every revision of ``name``, newest first, without bytes."""
    return list(
        TemplateRevision.select(*LIGHT_FIELDS)
        .where(TemplateRevision.name == name)
        .order_by(TemplateRevision.number.desc())
    )


def revision_content(name: str, number: int | None = None) -> TemplateRevision | None:
    """Revision ``number`` of ``name`` (default: the current one) with its bytes."""
    query = TemplateRevision.select().where(TemplateRevision.name == name)
    if number is not None:
        query = query.where(TemplateRevision.number == number)
    return query.order_by(TemplateRevision.number.desc()).first()


def current_content(settings: Settings, name: str) -> tuple[bytes, int | None]:
    """The bytes of the current revision of ``name`` and its number (None: the file in
    exports/, for a template never stored). Raises TemplateFailed if there is neither."""
    row = (
        TemplateRevision.select(
            TemplateRevision.id, TemplateRevision.number, TemplateRevision.sha256
        )
        .where(TemplateRevision.name == name)
        .order_by(TemplateRevision.number.desc())
        .first()
    )
    if row is not None:
        cached = _cache.get(name)
        if cached is not None and cached[0] == row.sha256:
            return cached[1], row.number
        content = bytes(TemplateRevision.get_by_id(row.id).content)
        _cache[name] = (row.sha256, content)
        return content, row.number
    if not valid_name(name):
        raise TemplateFailed(f"„{name}“ ist kein gültiger Vorlagenname.")
    try:
        return (settings.exports_dir / name).read_bytes(), None
    except OSError:
        raise TemplateFailed(f"Die Vorlage „{name}“ fehlt.") from None


def add_revision(
    name: str,
    content: bytes,
    *,
    source: str,
    user: User | None = None,
    filename: str = "",
    comment: str = "",
) -> TemplateRevision:
    """Store ``content`` as the next revision of ``name`` (it becomes current)."""
    for attempt in range(3):
        try:
            with transaction():
                current = latest(name)
                return TemplateRevision.create(
                    name=name,
                    number=(current.number if current else 0) + 1,
                    content=content,
                    sha256=sha256(content),
                    size=len(content),
                    source=source,
                    filename=filename[:255],
                    comment=comment[:500],
                    author=user,
                )
        except peewee.IntegrityError:
            # another process stored a revision at the same moment: take the next number
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def exports_file(settings: Settings, name: str) -> Path | None:
    path = settings.exports_dir / name
    return path if valid_name(name) and path.is_file() else None


def seed_from_exports(settings: Settings) -> list[str]:
    """Store every template file of exports/ that is new or newly shipped (see module doc).

    Returns the names that got a revision. Safe to run in many processes at once.
    """
    if not settings.exports_dir.is_dir():
        return []
    stored = []
    for path in sorted(settings.exports_dir.glob("*.docx")):
        if not valid_name(path.name):
            continue
        try:
            content = path.read_bytes()
        except OSError:
            continue
        digest = sha256(content)
        current = latest(path.name)
        if current is not None:
            known = (
                TemplateRevision.select(TemplateRevision.id)
                .where((TemplateRevision.name == path.name) & (TemplateRevision.sha256 == digest))
                .exists()
            )
            if current.source != "exports" or known:
                continue
        comment = "Ausgangsfassung aus exports/" if current is None else "Neue Datei in exports/"
        try:
            add_revision(path.name, content, source="exports", filename=path.name, comment=comment)
        except peewee.IntegrityError:
            continue  # another process was faster; its revision is the same file
        stored.append(path.name)
    if stored:
        log.info("templates stored from exports/: %s", ", ".join(stored))
    return stored


def current_revisions() -> dict[str, tuple[bytes, str]]:
    """Every template's current revision, for ``verbund check``: name -> (bytes, shown path)."""
    out: dict[str, tuple[bytes, str]] = {}
    if "template_revision" not in database.get_tables():
        return out
    names = TemplateRevision.select(TemplateRevision.name).distinct()
    for row in names:
        current = revision_content(row.name)
        if current is not None:
            out[row.name] = (bytes(current.content), f"{row.name} (Fassung {current.number})")
    return out
