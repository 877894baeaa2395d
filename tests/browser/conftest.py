"""Real browser journeys against a real ``verbund serve`` with the KIM configuration.

``kim_site`` copies the KIM configuration of the repository into a temporary directory, runs
``verbund init --demo`` and ``verbund serve`` there as subprocesses (web server, worker and
embedded Redis, exactly as ``make run``), and yields the address. With
``VERBUND_TEST_DATABASE_URL`` the site runs on that PostgreSQL database (emptied first).
The browser fixtures come from tests/browser_support.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser_support import chromium, new_page, shots  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
# base URL -> (site directory, environment) of each running site: lets a test change the
# site's database with `verbund`'s own code in a subprocess (tests/browser/test_screens_a11y.py)
SITES: dict[str, tuple[Path, dict[str, str]]] = {}


def run_on_site(base: str, script: str) -> str:
    """Run the Python ``script`` against the running site at ``base`` (its directory,
    configuration and database, Verbund's own models); its standard output."""
    site, env = SITES[base]
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _verbund() -> list[str]:
    return [sys.executable, "-c", "from server.cli import main; main()"]


def _empty_postgres(url: str) -> None:
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


def _copy_site(site: Path) -> dict[str, str]:
    """The KIM configuration of the repository in ``site``; the environment to run it with."""
    shutil.copy(ROOT / "config.toml", site / "config.toml")
    for folder in ("forms", "workflows", "exports", "demo"):
        shutil.copytree(ROOT / folder, site / folder)
    # the site's own settings only: no VERBUND_* of the test run leaks in
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBUND_")}
    env["VERBUND_CONFIG"] = str(site / "config.toml")
    env["VERBUND_ADMIN_PASSWORD"] = "Admin-Passwort-2026x"
    env["PYTHONPATH"] = str(ROOT)
    return env


def _init_demo(site: Path, env: dict[str, str]) -> None:
    init = subprocess.run(
        [*_verbund(), "init", "--demo"], cwd=site, env=env, capture_output=True, text=True
    )
    assert init.returncode == 0, init.stdout + init.stderr


@pytest.fixture(scope="session")
def kim_demo_database(tmp_path_factory) -> Path | None:
    """On SQLite: the database ``verbund init --demo`` makes, made once per test session and
    copied for each site (the init is ~7 s of CPU, mostly the demo people's password hashes;
    a copy gives every module the same fresh start). None on PostgreSQL, where each site's
    init runs in the emptied test database."""
    if os.environ.get("VERBUND_TEST_DATABASE_URL", ""):
        return None
    site = tmp_path_factory.mktemp("kim-demo")
    _init_demo(site, _copy_site(site))
    return site / "instance" / "verbund.db"


@pytest.fixture(scope="module")
def kim_site(tmp_path_factory, kim_demo_database):
    """A running KIM installation with demo data; yields its base URL."""
    site = tmp_path_factory.mktemp("kim-site")
    env = _copy_site(site)
    database = os.environ.get("VERBUND_TEST_DATABASE_URL", "")
    if database:
        _empty_postgres(database)
        env["VERBUND_DATABASE_URL"] = database
        _init_demo(site, env)
    else:
        (site / "instance").mkdir()
        shutil.copy(kim_demo_database, site / "instance" / "verbund.db")
    port = _free_port()
    log = (site / "serve.log").open("w")
    process = subprocess.Popen(
        [*_verbund(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=site,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/auth/login", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("verbund serve did not start:\n" + (site / "serve.log").read_text())
        time.sleep(0.3)
    SITES[url] = (site, env)
    yield url
    SITES.pop(url, None)
    process.send_signal(signal.SIGTERM)  # serve stops gunicorn, the worker and Redis
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()
