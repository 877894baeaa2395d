"""What the tally triggers (migration 0017) add to a save: the same writes with and without.

Copies the cached SQLite benchmark database (``page_data.py``, ``VERBUND_BENCH_CACHE``) of
``--size`` case records twice, drops the tally triggers in one copy, and times the writes a
save and a transition make to ``record`` – the form's data rewritten (so ``record_value``
and its triggers run), then the state changed – alternately on both copies, each in its own
transaction. Prints the medians and the ratio. The bare database writes, not a whole
request: the part the triggers add shows undiluted.

Usage: ``.venv/bin/python bench/bench_tally_writes.py --size 1000 --repeat 300``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from page_data import CACHE  # noqa: E402


def _copy(source: Path, target: Path, with_tallies: bool) -> sqlite3.Connection:
    shutil.copyfile(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    if not with_tallies:
        names = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%tally%'"
        ).fetchall()
        for (name,) in names:
            db.execute(f"DROP TRIGGER {name}")
    return db


def _save(db: sqlite3.Connection, record_id: int, states: list[str], rng: random.Random) -> float:
    data = json.loads(db.execute("SELECT data FROM record WHERE id = ?", [record_id]).fetchone()[0])
    intake = data.get("intake") or {}
    intake["interpreter_needed"] = rng.random() < 0.5
    data["intake"] = intake
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "UPDATE record SET data = ?, version = version + 1 WHERE id = ?",
        [
            json.dumps(data),
            record_id,
        ],
    )
    db.execute("UPDATE record SET state = ? WHERE id = ?", [rng.choice(states), record_id])
    db.execute("COMMIT")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    source = CACHE / f"kim-{args.size}.db"
    if not source.exists():
        sys.exit(f"{source} fehlt: zuerst bench/bench_pages.py --sizes {args.size} laufen lassen")
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {
            "mit Zählern": _copy(source, Path(tmp) / "with.db", True),
            "ohne Zähler": _copy(source, Path(tmp) / "without.db", False),
        }
        first = next(iter(dbs.values()))
        ids = [
            r[0] for r in first.execute("SELECT id FROM record WHERE workflow = 'case_management'")
        ]
        states = [r[0] for r in first.execute("SELECT DISTINCT state FROM record")]
        times: dict[str, list[float]] = {name: [] for name in dbs}
        rng = random.Random(21)
        for _ in range(args.repeat):
            record_id = rng.choice(ids)
            for name, db in dbs.items():  # alternately, the same record and change
                times[name].append(_save(db, record_id, states, random.Random(record_id)))
        medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
    for name, ms in medians.items():
        print(f"{name:12} {ms:7.2f} ms je Speichern + Übergang (Median von {args.repeat})")
    print(f"Verhältnis   {medians['mit Zählern'] / medians['ohne Zähler']:.2f}x")


if __name__ == "__main__":
    main()
