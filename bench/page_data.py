"""KIM case records in bulk for ``bench_pages.py``: generated fast, cached per size.

The database starts as ``verbund init --demo`` makes it (the migration runner creates the
schema, the KIM demo gives people, meetings, barriers, the case with the longest history);
then ``size`` case records in all are added in one transaction with generated ids –
``executemany`` on SQLite, ``COPY`` on PostgreSQL – not through the services, which would
take hours at a million. Each bulk case has realistic data: a demo case of the same phase
as template, every choice field drawn anew (the statistics and start pages group by them),
0–3 barriers, a name; it has its intake save, its first transition, a closed intake
deadline and, in a phase with deadlines, an open one (some overdue, some escalated).

A million cases are many offices like the demo's, not the demo's office a thousand times
as busy (generator 2): every case manager holds about ``CASES_PER_MANAGER`` cases at every
size (the demo's ten hold the first thousand), and the case managers a size needs beyond
the demo's work in teams of ``TEAM_SIZE`` in organisations of their own. So a team lead's
team, a case manager's cases and their open deadlines are the same at 1k and at 1M – what
issue 21's goal compares ("where the answer itself does not grow") – while every table
grows. (Generator 1 put 1M cases on 2,000 case managers in the demo's seven organisations:
the team lead's team grew from 3 to 288 people, her open deadlines from 73 to 31,756.)
Meetings with agendas grow with the size (one per 2,000 cases), at least
``MEETINGS_AT_LEAST``, so the decision register's first page is full at every size.

Consistency: ``search_text`` is made by the app's own function; reminders by the app's
periodic job; then :func:`server.models.derived.rebuild_derived_data` rebuilds every
search index or counters table the app keeps (registered there by whoever adds one);
PostgreSQL gets ``VACUUM ANALYZE`` as autovacuum would after such an insert.

Cache: SQLite files ``<cache>/kim-<size>.db`` (cache: ``$VERBUND_BENCH_CACHE``, default
``/tmp/verbund-bench-pages``) with a ``.json`` marker; on PostgreSQL one schema per size in
the one database given (the size in use is ``public``, the others wait renamed as
``bench_<size>``; the marker is the schema's comment), and ``pg_trgm`` in a schema of its
own, ``extensions``, on the database's search path, so it stays when schemas are renamed.
A cached database is migrated to the current schema when opened, as an installation is
(each migration fills what it adds). Bump ``GENERATOR`` when the generated data changes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GENERATOR = 2
CACHE = Path(os.environ.get("VERBUND_BENCH_CACHE", "/tmp/verbund-bench-pages"))
NAME = "qqnameqq"  # placeholder of a case's name in its template's JSON and search text
CASES_PER_MANAGER = 100  # a case manager's cases over the five years the bulk cases span
TEAM_SIZE = 10  # case managers in each organisation the generator adds
CASES_PER_MEETING = 2000
MEETINGS_AT_LEAST = 16  # with the demo's five: more than one register page (50 entries)
VARIANTS_PER_STATE = 40
# the phases of the bulk cases: most cases of a long-running office are closed
STATE_WEIGHTS = {
    "intake": 5,
    "assessment": 5,
    "goals": 4,
    "planning": 4,
    "monitoring": 9,
    "evaluation": 3,
    "closed": 55,
    "not_admitted": 8,
    "withdrawn": 7,
}
FIRST = "Amina Ali Bogdan Chen Darya Elif Emre Fatima Goran Hamid Ilona Jamal Karim Lina Maryam "
FIRST += "Nadia Olena Omar Petra Rami Samir Sara Tariq Yusuf Zeynep Ivan Mehmet Aylin Dmytro Rana"
LAST = "Ahmadi Bondarenko Demir Haddad Hussein Ivanova Kaya Kowalski Kovalenko Mansour Nguyen "
LAST += "Novak Osman Petrov Rahimi Saleh Schmidt Sharif Tesfaye Yilmaz Yusuf Zaman Popescu Celik"
PASSWORD = "Verbund-Demo-2026"  # the KIM demo's, for every person (demo/users.toml)
SEARCH_WORD = "tesfaye"  # one of LAST: the search page looks for it
INSTITUTIONS = ("Jobcenter", "Ausländerbehörde", "Wohnungsamt", "Familienkasse", "Schule")
DESCRIPTIONS = ("Formulare nur auf Deutsch", "Termin erst in drei Monaten", "Keiner zuständig")


@dataclass
class Office:
    """A prepared benchmark database: the config to start the app with and what is in it."""

    config: Path
    overrides: dict
    url: str
    size: int
    generated_seconds: float | None  # None: taken from the cache


def site() -> Path:
    """The KIM configuration of the repository, copied once under the cache directory."""
    from tests.kim_site import copy_kim

    target = CACHE / "site"
    if not (target / "config.toml").exists():
        if target.exists():
            shutil.rmtree(target)
        copy_kim(target)
    return target


def prepare(size: int, database_url: str = "", *, fresh: bool = False) -> Office:
    """The benchmark database with ``size`` case records, from the cache or generated.

    ``fresh``: generate anew into ``public`` (PostgreSQL) or a new file and cache nothing
    (for the test that keeps the benchmark from rotting)."""
    config = site() / "config.toml"
    if database_url:
        url = database_url
        ready = _activate_schema(url, size, fresh)
    else:
        path = CACHE / (f"kim-{size}-fresh.db" if fresh else f"kim-{size}.db")
        url = f"sqlite:///{path}"
        marker = path.with_suffix(".json")
        ready = not fresh and _marker_ok(marker, size)
        if not ready:
            for stale in (path, marker, *path.parent.glob(path.name + "-*")):
                stale.unlink(missing_ok=True)
    overrides = {"database": {"url": url}}
    seconds = None
    if ready:
        _migrate_cached(url)
    else:
        started = time.perf_counter()
        generate(config, overrides, size)
        seconds = time.perf_counter() - started
        if database_url and not fresh:
            _set_schema_marker(url, size)
        elif not database_url and not fresh:
            marker.write_text(json.dumps({"size": size, "generator": GENERATOR}))
    fill_statistics_values(config, overrides)
    fold_tally_months(config, overrides)
    return Office(config, overrides, url, size, seconds)


def fold_tally_months(config: Path, overrides: dict) -> None:
    """What the periodic jobs "tally-months" and "date-indexes" have done in a running
    office: the period tally's past months folded into one row per key (a fresh database has
    them by day), the dates of the start pages indexed."""
    from server import create_app
    from server.models import database
    from server.runtime import current_runtime
    from server.services.records.date_indexes import ensure_date_indexes
    from server.services.records.tally_fold import fold_period_months

    app = create_app(str(config), overrides)
    database.connect(reuse_if_open=True)
    try:
        fold_period_months()
        # and what "date-indexes" has built (PostgreSQL): the upcoming meetings' date
        ensure_date_indexes(current_runtime(app).settings)
    finally:
        database.close()


def fill_statistics_values(config: Path, overrides: dict) -> float:
    """Keep the statistics' dimensions of the configuration in ``record_value`` (what
    publishing does; a database generated or migrated before has none): seconds taken,
    printed when it filled anything, so no measured request pays for it."""
    from server import create_app
    from server.models import database
    from server.runtime import current_runtime
    from server.services.privacy.statistics import sync_stored_dimensions

    app = create_app(str(config), overrides)
    database.connect(reuse_if_open=True)
    try:
        started = time.perf_counter()
        added, removed = sync_stored_dimensions(current_runtime(app).definitions)
        seconds = time.perf_counter() - started
        if added or removed:
            print(f"statistics: {added} dimensions filled, {removed} emptied in {seconds:.1f} s")
            database.execute_sql("ANALYZE")
        return seconds
    finally:
        database.close()


def _marker_ok(marker: Path, size: int) -> bool:
    try:
        found = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return found == {"size": size, "generator": GENERATOR}


def _marker_text(size: int) -> str:
    return f"verbund-bench size={size} generator={GENERATOR}"


def _activate_schema(url: str, size: int, fresh: bool) -> bool:
    """Make the schema of ``size`` the ``public`` one; True if it holds generated data."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            if not fresh:  # only a cached schema is renamed away, taking what lives in it
                _extensions_apart(cur)
            cur.execute("SELECT nspname, obj_description(oid) FROM pg_namespace")
            comments = {name: comment or "" for name, comment in cur.fetchall()}
            current = comments.get("public", "")
            if current == _marker_text(size) and not fresh:
                return True
            if current.startswith("verbund-bench size=") and not fresh:
                other = current.split()[1].split("=")[1]
                cur.execute(f'DROP SCHEMA IF EXISTS "bench_{int(other)}" CASCADE')
                cur.execute(f'ALTER SCHEMA public RENAME TO "bench_{int(other)}"')
            else:
                cur.execute("DROP SCHEMA IF EXISTS public CASCADE")
            waiting = f"bench_{size}"
            if not fresh and comments.get(waiting) == _marker_text(size):
                cur.execute(f'ALTER SCHEMA "{waiting}" RENAME TO public')
                return True
            cur.execute(f'DROP SCHEMA IF EXISTS "{waiting}" CASCADE')
            cur.execute("CREATE SCHEMA public")
            return False
    finally:
        conn.close()


def _extensions_apart(cur) -> None:
    """``pg_trgm`` (migration 0008) in a schema of its own, ``extensions``, on the
    database's search path. In ``public`` it was renamed away with the first size's schema,
    so the next size's migration 0008 found the extension (CREATE … IF NOT EXISTS did
    nothing) but not its operator class, and failed; a cached schema dropped later took the
    extension with it. New connections see the search path; this one's is set too."""
    cur.execute("CREATE SCHEMA IF NOT EXISTS extensions")
    cur.execute(
        "SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n "
        "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    )
    found = cur.fetchone()
    if found is None:
        cur.execute("CREATE EXTENSION pg_trgm SCHEMA extensions")
    elif found[0] != "extensions":
        cur.execute("ALTER EXTENSION pg_trgm SET SCHEMA extensions")
    cur.execute("SELECT current_database()")
    name = cur.fetchone()[0].replace('"', '""')
    cur.execute(f'ALTER DATABASE "{name}" SET search_path = "$user", public, extensions')
    cur.execute('SET search_path = "$user", public, extensions')


def _set_schema_marker(url: str, size: int) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"COMMENT ON SCHEMA public IS '{_marker_text(size)}'")
    finally:
        conn.close()


def _migrate_cached(url: str) -> None:
    """Bring a cached database to this version's schema, as an installation's upgrade
    does: each migration fills what it adds (rebuilding every derived table after any of
    them cost ten minutes at a million cases on PostgreSQL, for an index)."""
    from server.models import MODELS, apply_pending, database, open_database

    open_database(url)
    database.connect(reuse_if_open=True)
    try:
        apply_pending(MODELS)
    finally:
        database.close()


# tables the bulk rows go into; their triggers keep derived data, rebuilt after in bulk
BULK_TABLES = ("record", "form_save", "transition_log", "deadline", "record_value")


@contextmanager
def _derived_triggers_off():
    """Without the triggers that keep derived data while the bulk rows go in.

    Row by row they cost more than the rows themselves (a million records: the values of
    every record extracted, counted, indexed and its stays written, each per row), and
    :func:`rebuild_derived_data` computes all of it again afterwards anyway. SQLite: the
    triggers are dropped and created again from their own SQL; PostgreSQL: the user
    triggers are disabled (foreign keys stay checked). Runs inside the caller's transaction.
    """
    from server.models import database, is_sqlite
    from server.models.derived import sqlite_set_aside

    if is_sqlite():
        with sqlite_set_aside("trigger", BULK_TABLES):
            yield
        return
    for table in BULK_TABLES:
        database.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    yield
    for table in BULK_TABLES:
        database.execute_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def generate(config: Path, overrides: dict, size: int, seed: int = 21) -> None:
    """Demo first (through the services), then the bulk rows in one transaction."""
    from page_rows import Bulk, CaseMaker

    from server import create_app
    from server.demo import load_demo
    from server.models import database, is_sqlite
    from server.models.derived import rebuild_derived_data
    from server.runtime import current_runtime
    from server.services.records.deadlines import create_reminders

    app = create_app(str(config), overrides)
    database.connect(reuse_if_open=True)
    try:
        runtime = current_runtime(app)
        load_demo(runtime)
        maker = CaseMaker(runtime.definitions, random.Random(seed))
        with database.atomic(), _derived_triggers_off():
            bulk = Bulk()
            managers = maker.add_case_managers(size // CASES_PER_MANAGER, TEAM_SIZE)
            maker.add_cases(bulk, size, managers)
            maker.add_meetings(bulk, max(MEETINGS_AT_LEAST, size // CASES_PER_MEETING))
            bulk.finish()
        create_reminders()
        rebuild_derived_data()  # everything the triggers would have kept, set-based
        if not is_sqlite():
            # what autovacuum does shortly after such an insert, at once: statistics, and the
            # visibility map and hint bits – otherwise the first run after loading measured
            # autovacuum's work and the first reads writing those bits (issue 21)
            database.execute_sql("VACUUM ANALYZE")
    finally:
        database.close()
