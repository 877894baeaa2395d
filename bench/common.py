"""Shared set-up for benchmarks: a temporary office with many records, timing helpers.

Benchmarks compare Verbund against a baseline in the same process and print both; they are
not tests and assert nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT / "tests" / "fixtures" / "foerderung"
STATES = ["entwurf", "eingereicht", "bewilligt", "abgelehnt"]
PASSWORD = "Benchmark-Passwort-1"


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sizes", default="1000,100000", help="record counts, comma-separated")
    return parser.parse_args()


def office(database_url: str = "") -> tuple[Path, dict]:
    """A temporary copy of the fixture office; returns (config path, overrides)."""
    target = Path(tempfile.mkdtemp(prefix="verbund-bench-")) / "office"
    shutil.copytree(FIXTURE, target)
    overrides = {"database": {"url": database_url}} if database_url else {}
    if database_url.startswith("postgresql"):
        import psycopg2

        with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        conn.close()
    return target / "config.toml", overrides


def populate(records: int, organisations: int = 20, people: int = 200, seed: int = 7) -> dict:
    """Organisations, people and ``records`` grant applications, inserted in bulk."""
    from server.models import Organisation, Record, User, database
    from server.services.accounts.people import hash_password

    rng = random.Random(seed)
    password = hash_password(PASSWORD)
    with database.atomic():
        orgs = [
            Organisation.create(name=f"org{i}", label=f"Verein {i}") for i in range(organisations)
        ]
        users = []
        for i in range(people):
            users.append(
                User.create(
                    username=f"user{i}",
                    display_name=f"Person {i}",
                    password_hash=password,
                    roles=["applicant"],
                    organisation=orgs[i % organisations],
                )
            )
        User.create(
            username="head",
            display_name="Leitung",
            password_hash=password,
            roles=["head"],
            organisation=orgs[3],
        )
        User.create(
            username="clerk",
            display_name="Sachbearbeitung",
            password_hash=password,
            roles=["clerk"],
            organisation=orgs[0],
        )
    start = dt.datetime(2026, 1, 1)
    batch = []
    for n in range(records):
        owner = users[rng.randrange(people)]
        title = f"Verein {n} e.V."
        data = {"antrag": {"verein": title, "zweck": f"Zweck {n}", "betrag": str(n % 5000)}}
        when = start + dt.timedelta(minutes=n)
        batch.append(
            {
                "workflow": "foerderung",
                "state": rng.choice(STATES),
                "version": 1,
                "title": title,
                "owner": owner.id,
                "organisation": owner.organisation_id,
                "created_by": owner.id,
                "created_at": when,
                "updated_at": when,
                "data": json.dumps(data),
                "search_text": f"{title} zweck {n}".lower(),
                "workflow_revision": "",
            }
        )
        if len(batch) == 2000:
            with database.atomic():
                Record.insert_many(batch).execute()
            batch.clear()
    if batch:
        with database.atomic():
            Record.insert_many(batch).execute()
    return {"organisations": orgs, "users": users}


def timed(fn, repeat: int) -> float:
    """Median seconds of ``fn()`` over ``repeat`` runs (after two warm-up runs)."""
    for _ in range(2):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def report(title: str, rows: list[tuple[str, float]]) -> None:
    print(f"\n{title}")
    for name, seconds in rows:
        print(f"  {name:<48} {seconds * 1000:8.2f} ms   {1 / seconds:9.1f} /s")
