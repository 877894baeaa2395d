"""The KIM configuration of the repository as a test site, and its demo loaded into an app.

Tests that need the real office (not the fixture office of ``tests/fixtures``) copy it into
their temporary directory, so nothing they publish or upload reaches the repository.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from server import create_app
from server.demo import load_demo
from server.models import database
from server.queue.connection import forget_clients
from server.runtime import current_runtime

ROOT = Path(__file__).resolve().parents[1]
KIM_FOLDERS = ("forms", "workflows", "exports", "demo")


def copy_kim(target: Path, folders: tuple[str, ...] = KIM_FOLDERS) -> Path:
    """config.toml and ``folders`` of the repository copied into ``target`` (made if missing)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config.toml", target / "config.toml")
    for folder in folders:
        shutil.copytree(ROOT / folder, target / folder)
    return target


def empty_postgres(url: str) -> None:
    """Drop everything in the PostgreSQL database ``url``: each test starts from a blank one."""
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


def demo_app(site: Path, redis_server):
    """The KIM configuration with its demo loaded (``verbund init --demo``), on SQLite in
    ``site`` or on the test PostgreSQL database when VERBUND_TEST_DATABASE_URL names one.
    Returns (app, the loader's summary)."""
    copy_kim(site)
    redis_server.flushall()
    overrides: dict = {"queue": {"redis_url": f"unix://{redis_server.socket_file}"}}
    url = os.environ.get("VERBUND_TEST_DATABASE_URL", "")
    if url:
        empty_postgres(url)
        overrides["database"] = {"url": url}
    forget_clients()
    app = create_app(str(site / "config.toml"), overrides)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    summary = load_demo(current_runtime(app))
    assert summary.startswith("Demo-Daten geladen"), summary
    return app, summary
