"""One installation at run time: its settings and its current definitions.

Every entry point – the app factory, each ``verbund`` command, the worker – starts its
:class:`Runtime` with :func:`start_runtime`: that opens the database (the one place that
does) and registers the rules on records (data protection's consent guard, see
:mod:`server.services.records.hooks`). Everything finds it again through
:func:`current_runtime`: screens and API routes get their app's, job functions (which RQ
calls with ids only) the process's.
"""

from __future__ import annotations

import logging
import threading
import time

# Flask only to find the runtime of the app serving the current request (current_runtime):
# tests run several apps in one process, each with its own settings
from flask import Flask, current_app, has_app_context

from .config import Settings, load_settings
from .documents.store import seed_from_exports
from .models import check_schema, database, open_database, prepared
from .schema import build_definitions
from .schema.definitions import Definitions, Problem
from .services.configuration.store import latest_revision_id, live_sources
from .services.notifications.listeners import register_notifications
from .services.privacy.record_values import declare_dimensions
from .services.privacy.register import register_privacy
from .services.privacy.statistics import stored_dimensions
from .services.records import hooks

log = logging.getLogger(__name__)


class ConfigurationInvalid(Exception):
    """The forms/workflows on disk have problems; ``problems`` lists them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Runtime:
    """Settings plus the live definitions: the files, with published revisions laid over them.

    Publications by any process (web or worker, on any machine) reach this one without a
    restart: at most once per ``check_seconds`` (``[server] config_check_seconds``, default 1)
    :attr:`definitions` asks the database for the newest revision id, and when it changed the
    definitions are built again from disk plus the revisions.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._definitions: Definitions | None = None
        self.problems: list[Problem] = []
        self.revision: int | None = None  # newest revision id the definitions include
        self.check_seconds = float(settings.section("server").get("config_check_seconds", 1.0))
        self._next_check = 0.0
        # revisions are read once this runtime has a database (``verbund check`` has none)
        self.use_database = False

    def load(self) -> tuple[Definitions, list[Problem]]:
        """Parse every live form and workflow (the definitions that parse are kept)."""
        s = self.settings
        live = live_sources(s, with_database=self.use_database)
        roles_path = s.relative(s.config_path)
        try:
            roles_text = s.config_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            roles_text = ""
        defs, problems = build_definitions(
            live.forms, live.workflows, s.roles, roles_path, roles_text
        )
        return defs, live.problems + problems

    def _load_locked(self) -> list[Problem]:
        # the id first: a publication landing meanwhile is picked up by the next check
        revision = latest_revision_id() if self.use_database else None
        defs, problems = self.load()
        for problem in problems:
            log.warning("%s", problem)
        self._definitions, self.problems, self.revision = defs, problems, revision
        self._next_check = time.monotonic() + self.check_seconds
        return problems

    @property
    def definitions(self) -> Definitions:
        """The current definitions; rebuilt when another process published a revision."""
        if self._definitions is not None and time.monotonic() < self._next_check:
            return self._definitions
        with self._lock:
            if self._definitions is None:
                self._load_locked()
            elif self.use_database and time.monotonic() >= self._next_check:
                self._next_check = time.monotonic() + self.check_seconds
                latest = latest_revision_id()
                if latest is not None and latest != self.revision:
                    log.info("configuration revision %s published; reloading", latest)
                    self._load_locked()
            return self._definitions

    def check_every(self, seconds: float) -> None:
        """Ask for newly published revisions at most every ``seconds`` from now on; the
        next access asks at once (a wait begun under the old interval does not hold)."""
        self.check_seconds = float(seconds)
        self._next_check = 0.0

    def reload(self) -> list[Problem]:
        """Read the definitions again; returns the problems found."""
        with self._lock:
            return self._load_locked()

    def open_database(self) -> None:
        open_database(self.settings.database_url)
        prepared.enable(self.settings.section("database").get("prepared_statements", True))
        self.use_database = True


# where a Flask app keeps its runtime (app.extensions)
APP_KEY = "verbund.runtime"

_process: Runtime | None = None


def start_runtime(settings: Settings, *, schema_check: bool = True) -> Runtime:
    """The runtime of this process for ``settings``, ready for the services.

    Opens the database, checks its schema and registers the rules other parts add to the
    record services (data protection: the consent guard and ``record.consent_given``).
    Every entry point calls this; the record services refuse to work before it ran
    (``HooksNotInstalled``).

    The schema check creates an empty database (a new installation, a test) and raises
    :class:`~server.models.migrations.SchemaOutdated` for one with pending migrations: an
    existing database changes only by ``verbund migrate``, after a backup. Only that command
    (and ``verbund restore``, which migrates what it restored) pass ``schema_check=False``.
    """
    global _process
    runtime = Runtime(settings)
    runtime.open_database()
    if schema_check:
        with database.connection_context():
            check_schema()
    register_privacy()
    register_notifications(_settings_and_definitions)
    hooks.declare_installed()
    _process = runtime
    return runtime


def _settings_and_definitions():
    """For the notification listeners: the runtime in use (a request's app, else this
    process's), found at each event, so several apps in one process (tests) stay apart."""
    runtime = current_runtime()
    return runtime.settings, runtime.definitions


def prepare_database(runtime: Runtime) -> None:
    """The shipped templates become first revisions (the schema was checked at start), and
    the statistics keep no values of a field that left the configuration or became personal
    while the server was down, and declare the dimensions they do not keep yet (an upgrade;
    the worker fills them in the background), as publishing does at run time."""
    with database.connection_context():
        seed_from_exports(runtime.settings)
        declare_dimensions(stored_dimensions(runtime.definitions))


def attach_runtime(app: Flask, runtime: Runtime) -> None:
    """Make ``runtime`` the one :func:`current_runtime` answers within ``app``."""
    app.extensions[APP_KEY] = runtime


def current_runtime(app: Flask | None = None) -> Runtime:
    """The runtime in use: ``app``'s, else the current Flask app's, else this process's.

    Outside any app (a job, a command) it is the one :func:`start_runtime` made; a process
    that started none (``rq worker`` run by hand) starts one from ``VERBUND_CONFIG``.
    """
    if app is None and has_app_context():
        app = current_app
    if app is not None:
        return app.extensions[APP_KEY]
    return _process if _process is not None else start_runtime(load_settings())
