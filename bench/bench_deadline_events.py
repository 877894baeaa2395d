"""Deadline events: the periodic job claims each due deadline in its own short transaction
before sending its event (exactly once, runs may overlap). This measures a run over N due
deadlines against one set-based UPDATE of the same rows (no events), in the same process.

    .venv/bin/python bench/bench_deadline_events.py [--database-url postgresql://...] [--sizes 2000]
"""

from __future__ import annotations

import time

from common import arguments, office, populate


def main() -> None:
    args = arguments(__doc__)
    config, overrides = office(args.database_url)
    from server import clock, create_app
    from server.models import Deadline, Record, database
    from server.services.records.deadline_escalation import announce_deadlines

    create_app(str(config), overrides)
    database.connect(reuse_if_open=True)
    size = int(args.sizes.split(",")[0])
    populate(size)
    today = clock.today()
    ids = [r.id for r in Record.select(Record.id).limit(size)]

    def fresh() -> None:
        Deadline.delete().execute()
        rows = [
            {"record": rid, "state": "eingereicht", "label": "Bescheid fällig", "due_on": today}
            for rid in ids
        ]
        with database.atomic():
            for start in range(0, len(rows), 500):
                Deadline.insert_many(rows[start : start + 500]).execute()

    fresh()
    t0 = time.perf_counter()
    sent = announce_deadlines(today)
    claimed = time.perf_counter() - t0
    fresh()
    t0 = time.perf_counter()
    Deadline.update(announced="due").where(Deadline.due_on <= today).execute()
    bare = time.perf_counter() - t0
    print(f"\n{sent} deadlines due ({'PostgreSQL' if args.database_url else 'SQLite'})")
    print(f"  announce_deadlines (claim + event each)   {claimed * 1000:9.1f} ms")
    print(f"  one set-based UPDATE, no events           {bare * 1000:9.1f} ms")
    print(f"  per deadline                              {claimed / max(sent, 1) * 1000:9.3f} ms")


if __name__ == "__main__":
    main()
