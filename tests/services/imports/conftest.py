"""`verbund import` runs in-process (click's CliRunner) against a copy of the KIM
configuration and a real database: SQLite in the temporary folder, or the PostgreSQL test
database when VERBUND_TEST_DATABASE_URL is set (emptied first by ``database_overrides``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.models import database
from tests.kim_site import copy_kim

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def kim(tmp_path, database_overrides, monkeypatch) -> Path:
    target = copy_kim(tmp_path / "kim", ("forms", "workflows", "exports", "data"))
    url = database_overrides.get("database", {}).get("url") or f"sqlite:///{target}/verbund.db"
    monkeypatch.setenv("VERBUND_DATABASE_URL", url)
    monkeypatch.setenv("VERBUND_ADMIN_PASSWORD", "Ein-langes-Admin-Passwort-1")
    yield target
    if not database.is_closed():
        database.close()


@pytest.fixture
def verbund(kim):
    """verbund("import", "users", path) -> (exit code, output) of the real command."""

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--config", str(kim / "config.toml"), *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output

    code, output = run("init")
    assert code == 0, output
    return run
