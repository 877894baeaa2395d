"""What the schema costs a start: the migration check against the start before migrations.

    .venv/bin/python bench/bench_schema_start.py [--url postgresql://…/empty_db] [--n 7]

Measured, median of ``--n`` runs, on a database of this version:
- check: :func:`server.models.migrations.ensure_current` on a current database (every start
  of serve, worker, web app and command does this);
- baseline: what every start did before versioned migrations, in the same process –
  ``create_tables(MODELS, safe=True)``, reading every table's columns, installing the audit
  triggers, in one transaction;
- new: creating an empty database through all migrations.

``--url`` names an *empty* PostgreSQL database; its schema ``public`` is dropped and made
again between runs. Without it: a SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.models import MODELS, database, open_database  # noqa: E402
from server.models.audit_lock import lock_audit_table  # noqa: E402
from server.models.migrations import ensure_current  # noqa: E402


def start_before_migrations() -> None:
    with database.atomic():
        database.create_tables(MODELS, safe=True)
        for model in MODELS:
            database.get_columns(model._meta.table_name)
        lock_audit_table()


def timed(action, n: int, reset=None) -> float:
    times = []
    for _ in range(n):
        if reset:
            reset()
        started = time.perf_counter()
        with database.connection_context():
            action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="")
    parser.add_argument("--n", type=int, default=7)
    args = parser.parse_args()
    if args.url:
        import psycopg2

        url = args.url

        def reset() -> None:
            conn = psycopg2.connect(url)
            with conn, conn.cursor() as cur:
                cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            conn.close()
    else:
        path = Path(tempfile.mkdtemp(prefix="verbund-bench-")) / "verbund.db"
        url = f"sqlite:///{path}"

        def reset() -> None:
            database.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    open_database(url)
    new = timed(lambda: ensure_current(MODELS), args.n, reset)
    check = timed(lambda: ensure_current(MODELS), args.n)
    before = timed(start_before_migrations, args.n)
    kind = "PostgreSQL" if args.url else "SQLite"
    print(
        f"{kind}: start check {check:.1f} ms, start before migrations {before:.1f} ms "
        f"(ratio {before / check:.0f}x); new database through all migrations {new:.0f} ms"
    )


if __name__ == "__main__":
    main()
