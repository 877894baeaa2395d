"""Transitions per second (guard, history, audit, version check) against a bare peewee
UPDATE of the same row, in the same process. Goal: at least 0.3x the bare rate.

    .venv/bin/python bench/bench_transitions.py [--database-url postgresql://...]
"""

from __future__ import annotations

from common import arguments, office, report, timed

from server.runtime import current_runtime


def main() -> None:
    args = arguments(__doc__)
    config, overrides = office(args.database_url)
    from server import create_app
    from server.models import Record, User, database, transaction
    from server.services.records.changes import apply_transition, create_record, save_form

    app = create_app(str(config), overrides)
    defs = current_runtime(app).definitions
    database.connect(reuse_if_open=True)
    from common import populate

    populate(1000)
    clerk = User.get(User.username == "clerk")
    clerk.roles = ["clerk", "applicant"]
    clerk.save()
    record = create_record(defs, clerk, "foerderung")
    record = save_form(
        defs,
        clerk,
        record.id,
        "antrag",
        {
            "verein": "Bench",
            "email": "b@example.org",
            "beginn": "2027-01-01",
            "zweck": "z",
            "betrag": 10,
            "posten": [{"posten": "p", "betrag": 10}],
        },
        record.version,
    )
    state = {"record": record}

    def verbund_transition():
        current = state["record"]
        target = "eingereicht" if current.state == "entwurf" else "entwurf"
        state["record"] = apply_transition(defs, clerk, current.id, target, current.version)

    bare_id = Record.select(Record.id).where(Record.id != record.id).first().id

    def bare_update():
        with transaction():
            row = Record.get_by_id(bare_id)
            target = "eingereicht" if row.state == "entwurf" else "entwurf"
            Record.update(state=target, version=Record.version + 1).where(
                Record.id == bare_id
            ).execute()

    verbund = timed(verbund_transition, args.repeat)
    bare = timed(bare_update, args.repeat)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    report(
        f"Transitions ({kind}, {args.repeat} runs, median)",
        [
            ("Verbund apply_transition (guard+history+audit)", verbund),
            ("bare peewee read + UPDATE in a transaction", bare),
        ],
    )
    print(f"  ratio Verbund/bare throughput: {bare / verbund:.2f}x (goal >= 0.30x)")


if __name__ == "__main__":
    main()
