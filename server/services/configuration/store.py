"""Where the live forms and workflows come from: the files on disk, overridden by revisions.

A form or workflow without a revision is its file. Once it has revisions, the newest one wins:
its text replaces the file, and a deletion hides it. Every process compares the newest
revision id with the one it loaded (:func:`latest_revision_id`, one indexed query) to notice
publications made by other processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import peewee

from ...config import Settings
from ...models import ConfigRevision, database
from ...schema import read_sources
from ...schema.definitions import Problem

log = logging.getLogger(__name__)

KIND_LABELS = {"form": "Formular", "workflow": "Ablauf"}
Sources = dict[str, tuple[str, str]]


def kind_dir(settings: Settings, kind: str) -> Path:
    return settings.forms_dir if kind == "form" else settings.workflows_dir


def display_path(settings: Settings, kind: str, name: str) -> str:
    """The path messages name, e.g. ``forms/antrag.toml`` (also for texts only in the DB)."""
    return settings.relative(kind_dir(settings, kind) / f"{name}.toml")


def database_ready() -> bool:
    """True when this process has a database to ask (``verbund check`` may run without)."""
    return database.obj is not None


def latest_revision_id() -> int | None:
    """The newest revision id (0 when there is none); None when the database cannot tell."""
    if not database_ready():
        return None
    try:
        return ConfigRevision.select(peewee.fn.MAX(ConfigRevision.id)).scalar() or 0
    except peewee.DatabaseError as exc:  # the caller keeps what it has; the next check retries
        log.warning("configuration revision check failed: %s", exc)
        return None


def newest_revisions(kind: str | None = None) -> dict[tuple[str, str], ConfigRevision]:
    """The newest revision of every form and workflow that has one, by (kind, name)."""
    newest = ConfigRevision.select(peewee.fn.MAX(ConfigRevision.id)).group_by(
        ConfigRevision.kind, ConfigRevision.name
    )
    query = ConfigRevision.select().where(ConfigRevision.id.in_(newest))
    if kind is not None:
        query = query.where(ConfigRevision.kind == kind)
    return {(r.kind, r.name): r for r in query}


def newest_revision(kind: str, name: str) -> ConfigRevision | None:
    return (
        ConfigRevision.select()
        .where((ConfigRevision.kind == kind) & (ConfigRevision.name == name))
        .order_by(ConfigRevision.id.desc())
        .first()
    )


@dataclass
class LiveSources:
    """The texts every process runs: ``{id: (path, text)}`` per kind, and unreadable files."""

    forms: Sources = field(default_factory=dict)
    workflows: Sources = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def of(self, kind: str) -> Sources:
        return self.forms if kind == "form" else self.workflows


def disk_sources(settings: Settings, kind: str) -> tuple[Sources, list[Problem]]:
    return read_sources(kind_dir(settings, kind), settings.base_dir)


def live_sources(settings: Settings, *, with_database: bool = True) -> LiveSources:
    """The files of both directories with the newest revisions laid over them."""
    live = LiveSources()
    for kind in ("form", "workflow"):
        sources, problems = disk_sources(settings, kind)
        live.of(kind).update(sources)
        live.problems += problems
    if with_database and database_ready():
        for (kind, name), revision in newest_revisions().items():
            target = live.of(kind)
            if revision.deleted:
                target.pop(name, None)
            else:
                target[name] = (display_path(settings, kind, name), revision.text)
    return live


def disk_text(settings: Settings, kind: str, name: str) -> str | None:
    """The text of the file on disk (the initial state), or None when there is none."""
    path = kind_dir(settings, kind) / f"{name}.toml"
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class CurrentText:
    """The live text of one form or workflow and where it comes from."""

    text: str
    revision: ConfigRevision | None  # None: the file on disk

    @property
    def revision_id(self) -> int:
        return self.revision.id if self.revision is not None else 0


def current_text(settings: Settings, kind: str, name: str) -> CurrentText | None:
    """The live text of ``kind``/``name``; None when it does not exist (or was deleted)."""
    revision = newest_revision(kind, name) if database_ready() else None
    if revision is not None:
        return None if revision.deleted else CurrentText(revision.text, revision)
    text = disk_text(settings, kind, name)
    return None if text is None else CurrentText(text, None)


def previous_text(settings: Settings, revision: ConfigRevision) -> str | None:
    """What the same form or workflow was before ``revision`` (a revision or the file)."""
    before = (
        ConfigRevision.select()
        .where(
            (ConfigRevision.kind == revision.kind)
            & (ConfigRevision.name == revision.name)
            & (ConfigRevision.id < revision.id)
        )
        .order_by(ConfigRevision.id.desc())
        .first()
    )
    if before is not None:
        return None if before.deleted else before.text
    return disk_text(settings, revision.kind, revision.name)
