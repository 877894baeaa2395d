"""One installation at run time: its settings and its current definitions.

The web app, the worker and the CLI each build one :class:`Runtime`. Job functions, which
RQ calls with ids only, find it through :func:`get_runtime`.
"""

from __future__ import annotations

import logging
import threading
import time

from .config import Settings, load_settings
from .models import database, open_database
from .schema import build_definitions
from .schema.definitions import Definitions, Problem
from .services.configuration.store import latest_revision_id, live_sources

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

    def reload(self) -> list[Problem]:
        """Read the definitions again; returns the problems found."""
        with self._lock:
            return self._load_locked()

    def open_database(self) -> None:
        open_database(self.settings.database_url)
        self.use_database = True


_current: Runtime | None = None


def set_runtime(runtime: Runtime) -> Runtime:
    global _current
    _current = runtime
    return runtime


def get_runtime() -> Runtime:
    """The runtime of this process; built from ``VERBUND_CONFIG`` when none was set."""
    global _current
    if _current is None:
        runtime = Runtime(load_settings())
        if database.obj is None:
            runtime.open_database()
        runtime.use_database = True
        _current = runtime
    return _current
