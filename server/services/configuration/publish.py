"""Publishing forms and workflows: check, count the impact, keep a revision, tell everybody.

A change is checked together with every other live file (:func:`check_change`); nothing is
written while it has errors. A change that strands records needs ``confirm``. Publishing is
one short transaction (the revision and its audit entry) under a lock; the checks run before
it, and if anything was published in between they run again, so two publications never
check against each other's half; afterwards this process reloads at once and every other
process within its check interval (see :class:`server.runtime.Runtime`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from peewee import fn

from ...config import Settings
from ...documents.checking import check_templates
from ...models import (
    ConfigRevision,
    Record,
    User,
    database,
    is_sqlite,
    on_commit,
    transaction,
)
from ...queue.dimensions import enqueue_dimension_fill
from ...schema import build_definitions
from ...schema.checking import id_problem
from ...schema.definitions import Definitions, Problem
from ..audit import audit
from ..errors import Conflict, Invalid, NotFound
from ..privacy.record_values import pending_workflows
from ..privacy.statistics import sync_stored_dimensions
from . import store
from .impact import Impact, form_impact, workflow_impact

if TYPE_CHECKING:  # the runtime is passed in; services sit below it (docs/architecture.md)
    from ...runtime import Runtime

MAX_TEXT = 256 * 1024
MAX_MESSAGE = 500
_PUBLISH_LOCK = 727_001  # PostgreSQL advisory lock key: one publication at a time


class ConfigInvalid(Invalid):
    """The text has errors; ``problems`` places each at its line (nothing was applied)."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message, [str(p) for p in problems])
        self.problems = problems


class NeedsConfirmation(Conflict):
    """The change strands records; publish again with ``confirm`` to go ahead."""

    def __init__(self, impact: Impact):
        super().__init__(
            f"Die Änderung betrifft {impact.total} bestehende Datensätze; "
            "bitte die Auswirkungen bestätigen."
        )
        self.impact = impact


@dataclass
class Check:
    """The result of checking one change against all other live files."""

    path: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    before: Definitions | None = None
    after: Definitions | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_text(text: object) -> str:
    """The TOML as stored: a string with ``\\n`` line ends, no byte-order mark."""
    if not isinstance(text, str):
        raise Invalid("„toml“ muss ein Text sein.", ["„toml“ muss ein Text sein."])
    if len(text) > MAX_TEXT:
        raise Invalid(
            "Der Text ist zu lang.", [f"Höchstens {MAX_TEXT // 1024} KB je Datei sind erlaubt."]
        )
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def normalise_message(message: object) -> str:
    if isinstance(message, str) and "\x00" in message:
        raise Invalid("Die Nachricht enthält ein NUL-Zeichen.", ["„message“: NUL-Zeichen"])
    if not isinstance(message, str) or not message.strip():
        raise Invalid(
            "Bitte beschreiben Sie die Änderung in einer Nachricht.",
            ["„message“: eine kurze Beschreibung der Änderung fehlt."],
        )
    return " ".join(message.split())[:MAX_MESSAGE]


def check_name(kind: str, name: object) -> str:
    if kind not in store.KIND_LABELS:
        raise NotFound("Unbekannte Art der Konfiguration.")
    if not isinstance(name, str) or (problem := id_problem(name, "Die Id")):
        raise Invalid("Ungültige Id.", [problem or "Die Id fehlt."])
    return name


def _build(runtime: Runtime, live: store.LiveSources) -> tuple[Definitions, list[Problem]]:
    s = runtime.settings
    try:
        roles_text = s.config_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        roles_text = ""
    return build_definitions(
        live.forms, live.workflows, s.roles, s.relative(s.config_path), roles_text
    )


def check_change(runtime: Runtime, kind: str, name: str, text: str | None) -> Check:
    """Check ``text`` (None: deletion) of ``kind``/``name`` together with every live file.

    Errors are those in the changed file itself and those it causes elsewhere (a problem in
    another file that was not there before); problems other files had already do not block.
    """
    settings = runtime.settings
    path = store.display_path(settings, kind, name)
    live = store.live_sources(settings)
    before, before_problems = _build(runtime, live)
    if text is None:
        live.of(kind).pop(name, None)
    else:
        live.of(kind)[name] = (path, text)
    after, after_problems = _build(runtime, live)
    known = {(p.path, p.message) for p in before_problems}
    check = Check(path=path, before=before, after=after)
    for problem in after_problems:
        if problem.path == path:
            (check.warnings if problem.warning else check.errors).append(problem)
        elif not problem.warning and (problem.path, problem.message) not in known:
            check.errors.append(problem)
    if kind == "workflow" and text is not None and name in after.workflows:
        only = Definitions(
            forms=after.forms, workflows={name: after.workflows[name]}, roles=after.roles
        )
        for problem in check_templates(only, settings.exports_dir, settings.base_dir):
            # a template's own syntax is the template's problem, not this text's
            (check.errors if problem.path == path else check.warnings).append(problem)
    return check


def impact_of(kind: str, name: str, check: Check) -> Impact:
    before, after = check.before, check.after
    if kind == "workflow":
        return workflow_impact(name, before.workflows.get(name), after.workflows.get(name))
    return form_impact(name, before.forms.get(name), after.forms.get(name), before)


def _lock() -> None:
    """Serialise publications (SQLite already holds its write lock: BEGIN IMMEDIATE)."""
    if not is_sqlite():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PUBLISH_LOCK,))


@dataclass
class Published:
    revision: ConfigRevision | None  # None only when unchanged and the file is live
    created: bool = False  # the form or workflow did not exist before
    unchanged: bool = False  # same text as live: nothing new was written
    impact: Impact = field(default_factory=Impact)


def publish(
    runtime: Runtime,
    user: User,
    kind: str,
    name: str,
    text: object,
    message: object,
    *,
    confirm: bool = False,
    base_revision: int | None = None,
    restores: int | None = None,
) -> Published:
    """Publish ``text`` as the new live version of ``kind``/``name``.

    Raises :class:`ConfigInvalid` (422) with the problems, :class:`NeedsConfirmation` (409)
    with the counts when records are affected and ``confirm`` is not set, and
    :class:`Conflict` when ``base_revision`` (what the editor started from) is no longer live.
    Publishing the live text again writes nothing and says so (``unchanged``).
    """
    check_name(kind, name)
    text = normalise_text(text)
    message = normalise_message(message)
    for _attempt in range(_ATTEMPTS):
        # Checking and counting the impact (a scan of the records) run before the write lock:
        # they may take seconds, and nobody's save or read audit should wait for them.
        seen = _newest_id()
        current = store.current_text(runtime.settings, kind, name)
        _check_base(current, base_revision)
        if current is not None and current.text == text:
            return Published(current.revision, unchanged=True)  # None: the file is live
        check = check_change(runtime, kind, name, text)
        if not check.ok:
            raise ConfigInvalid(
                f"{store.KIND_LABELS[kind]} „{name}“ hat Fehler; nichts wurde übernommen.",
                check.errors,
            )
        impact = impact_of(kind, name, check)
        if impact.needs_confirmation and not confirm:
            raise NeedsConfirmation(impact)
        with transaction():
            _lock()
            if _newest_id() != seen:
                continue  # someone published meanwhile: check again against their version
            action = "rollback" if restores is not None else "publish" if current else "create"
            revision = _write(user, kind, name, text, False, action, message, restores)
            _sync_statistics(check, runtime.settings)
            detail = {"revision": revision.id, "action": action, "message": message[:200]}
            if impact.total:
                detail["records_affected"] = impact.total
            audit("config.publish", user, object_type=kind, object_id=name, detail=detail)
        runtime.reload()
        return Published(revision, created=current is None, impact=impact)
    raise Conflict(_BUSY)


_ATTEMPTS = 3
_BUSY = "Gerade wird viel veröffentlicht; bitte in einem Moment erneut versuchen."


def _sync_statistics(check: Check, settings: Settings) -> None:
    # in the publishing transaction: the statistics' stored values follow the new
    # dimensions (removed or now personal ones emptied, new ones declared: the triggers
    # write them from now on) as it becomes live; the records that existed are filled by a
    # background job, enqueued once this has committed (Redis down: the worker's sweep)
    if check.after is None:
        return
    added, _removed = sync_stored_dimensions(check.after)
    if added:
        on_commit(lambda: _enqueue_fills(settings))


def _enqueue_fills(settings: Settings) -> None:
    for workflow in pending_workflows():
        enqueue_dimension_fill(settings, workflow)


def _newest_id() -> int:
    """The id of the newest publication of any file: a change to it means the checks ran
    against texts that are no longer all live."""
    return ConfigRevision.select(fn.MAX(ConfigRevision.id)).scalar() or 0


def _check_base(current: store.CurrentText | None, base_revision: int | None) -> None:
    if base_revision is None:
        return
    live = current.revision_id if current is not None else -1
    if live != base_revision:
        by = ""
        if current is not None and current.revision is not None:
            by = f" (Revision {current.revision.id} von {current.revision.author_name})"
        raise Conflict(
            "Inzwischen wurde eine andere Fassung veröffentlicht"
            f"{by}. Bitte den aktuellen Stand laden und die Änderung erneut vornehmen."
        )


def _write(user, kind, name, text, deleted, action, message, restores) -> ConfigRevision:
    return ConfigRevision.create(
        kind=kind,
        name=name,
        text=text,
        deleted=deleted,
        action=action,
        message=message,
        author=user,
        author_name=user.username if user else "",
        restores=restores,
    )


def usage(runtime: Runtime, kind: str, name: str) -> list[str]:
    """Why ``kind``/``name`` cannot be deleted (German), empty when nothing uses it."""
    defs = runtime.definitions
    reasons = []
    if kind == "form":
        for wf in defs.workflows.values():
            states = [s.label for s in wf.states if name in s.forms]
            if states:
                reasons.append(f"Ablauf „{wf.title}“ nutzt es in: {', '.join(states)}")
    else:
        count = Record.select().where(Record.workflow == name).count()
        if count:
            reasons.append(f"{count} Datensatz/-sätze gehören zu diesem Ablauf")
    return reasons


def delete(
    runtime: Runtime, user: User, kind: str, name: str, message: object, *, restores=None
) -> ConfigRevision:
    """Delete ``kind``/``name`` (as a revision), only when nothing uses it."""
    check_name(kind, name)
    message = normalise_message(message)
    for _attempt in range(_ATTEMPTS):
        seen = _newest_id()
        if store.current_text(runtime.settings, kind, name) is None:
            raise NotFound(f"{store.KIND_LABELS[kind]} „{name}“ gibt es nicht.")
        reasons = usage(runtime, kind, name)
        if reasons:
            raise Conflict(
                f"{store.KIND_LABELS[kind]} „{name}“ wird noch verwendet: " + "; ".join(reasons)
            )
        check = check_change(runtime, kind, name, None)
        if not check.ok:
            raise ConfigInvalid("Ohne diese Datei entstünden Fehler.", check.errors)
        with transaction():
            _lock()
            if _newest_id() != seen:
                continue
            action = "rollback" if restores is not None else "delete"
            revision = _write(user, kind, name, "", True, action, message, restores)
            _sync_statistics(check, runtime.settings)
            audit(
                "config.publish",
                user,
                object_type=kind,
                object_id=name,
                detail={"revision": revision.id, "action": action, "message": message[:200]},
            )
        runtime.reload()
        return revision
    raise Conflict(_BUSY)


def rollback(
    runtime: Runtime,
    user: User,
    kind: str,
    name: str,
    target: int,
    message: str = "",
    *,
    confirm: bool = False,
) -> Published:
    """Make the state of revision ``target`` (0: the file on disk) live again, as a new one."""
    if target == 0:
        text = store.disk_text(runtime.settings, kind, name)
        deleted = text is None
        label = "den Stand der Datei"
    else:
        revision = ConfigRevision.get_or_none(
            (ConfigRevision.id == target)
            & (ConfigRevision.kind == kind)
            & (ConfigRevision.name == name)
        )
        if revision is None:
            raise NotFound("Diese Revision gibt es nicht.")
        text, deleted, label = revision.text, revision.deleted, f"Revision {target}"
    note = f"Zurückgesetzt auf {label}" + (f": {message.strip()}" if message.strip() else "")
    if deleted and store.current_text(runtime.settings, kind, name) is None:
        newest = store.newest_revision(kind, name)
        if newest is not None:  # already deleted: nothing to do
            return Published(newest, unchanged=True)
    if deleted:
        return Published(delete(runtime, user, kind, name, note, restores=target))
    return publish(runtime, user, kind, name, text, note, confirm=confirm, restores=target)
