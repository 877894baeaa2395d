"""One installation at run time: its settings and its current definitions.

The web app, the worker and the CLI each build one :class:`Runtime`. Job functions, which
RQ calls with ids only, find it through :func:`get_runtime`.
"""

from __future__ import annotations

import logging
import threading

from .config import Settings, load_settings
from .models import database, open_database
from .schema import load_definitions
from .schema.definitions import Definitions, Problem

log = logging.getLogger(__name__)


class ConfigurationInvalid(Exception):
    """The forms/workflows on disk have problems; ``problems`` lists them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Runtime:
    """Settings plus the definitions loaded from the config directory."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._definitions: Definitions | None = None
        self.problems: list[Problem] = []

    def load(self) -> tuple[Definitions, list[Problem]]:
        """Parse every form and workflow from disk (the definitions that parse are kept)."""
        s = self.settings
        defs, problems = load_definitions(
            s.forms_dir,
            s.workflows_dir,
            s.roles,
            roles_path=s.relative(s.config_path),
            base_dir=s.base_dir,
        )
        return defs, problems

    @property
    def definitions(self) -> Definitions:
        if self._definitions is None:
            with self._lock:
                if self._definitions is None:
                    defs, problems = self.load()
                    for problem in problems:
                        log.warning("%s", problem)
                    self.problems = problems
                    self._definitions = defs
        return self._definitions

    def reload(self) -> list[Problem]:
        """Read the definitions again; returns the problems found."""
        defs, problems = self.load()
        with self._lock:
            self._definitions, self.problems = defs, problems
        return problems

    def open_database(self) -> None:
        open_database(self.settings.database_url)


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
        _current = runtime
    return _current
