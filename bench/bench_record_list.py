"""The record list page (50 rows, organisation scope, state filter) at several sizes,
against a bare Flask + peewee page running the same query in the same process.

Goals: Verbund at least 0.6x the bare page's rate at 100k records; the page at 1M records
at most 1.5x its time at 1k.

    .venv/bin/python bench/bench_record_list.py --sizes 1000,100000,1000000 [--database-url …]
"""

from __future__ import annotations

from common import PASSWORD, arguments, office, populate, report, timed

BARE_PAGE = """<!doctype html><html><head><title>Liste</title></head><body><h1>{{ total }}</h1>
<table>{% for r in rows %}<tr><td>{{ r.id }}</td><td><a href="/r/{{ r.id }}">{{ r.title }}</a>
</td><td>{{ r.state }}</td><td>{{ r.owner.display_name if r.owner_id else '' }}</td>
<td>{{ r.organisation.label if r.organisation_id else '' }}</td><td>{{ r.updated_at }}</td>
</tr>{% endfor %}</table></body></html>"""


def bare_app():
    """A bare Flask + peewee page: the same scoped, filtered, sorted query; no framework."""
    from flask import Flask, render_template_string, request
    from peewee import JOIN

    from server.models import Organisation, Record, User

    app = Flask("bare")

    @app.get("/list")
    def listing():
        org = int(request.args["org"])
        query = Record.select().where(
            (Record.workflow == "foerderung")
            & (Record.organisation == org)
            & (Record.state == request.args["state"])
        )
        total = query.count()
        rows = (
            query.select(Record, User, Organisation)
            .join(User, on=(Record.owner == User.id), join_type=JOIN.LEFT_OUTER)
            .switch(Record)
            .join(
                Organisation, on=(Record.organisation == Organisation.id), join_type=JOIN.LEFT_OUTER
            )
            .order_by(Record.updated_at.desc(), Record.id.desc())
            .paginate(int(request.args.get("page", 1)), 50)
        )
        return render_template_string(BARE_PAGE, rows=list(rows), total=total)

    return app


def measure(size: int, args) -> tuple[float, float]:
    config, overrides = office(args.database_url)
    from server import create_app
    from server.models import User, database
    from tests.helpers import login

    app = create_app(str(config), overrides)
    database.connect(reuse_if_open=True)
    populate(size)
    head = User.get(User.username == "head")
    database.close()
    client = app.test_client()
    login(client, "head", PASSWORD)
    url = "/records/foerderung/?state=eingereicht&page=3"
    assert client.get(url).status_code == 200

    def verbund_page():
        response = client.get(url)
        assert response.status_code == 200

    bare = bare_app().test_client()
    bare_url = f"/list?org={head.organisation_id}&state=eingereicht&page=3"

    def bare_page():
        from server.models import database

        with database.connection_context():
            response = bare.get(bare_url)
        assert response.status_code == 200

    return timed(verbund_page, args.repeat), timed(bare_page, args.repeat)


def main() -> None:
    args = arguments(__doc__)
    sizes = [int(s) for s in args.sizes.split(",")]
    kind = "PostgreSQL" if args.database_url else "SQLite"
    results = {}
    for size in sizes:
        verbund, bare = measure(size, args)
        results[size] = verbund
        report(
            f"Record list, {size:,} records ({kind}, median of {args.repeat})",
            [
                ("Verbund list page (login, scope, filters, menu)", verbund),
                ("bare Flask + peewee page, same query", bare),
            ],
        )
        print(f"  ratio Verbund/bare throughput: {bare / verbund:.2f}x (goal >= 0.60x)")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        print(
            f"\n  page time at {large:,} vs {small:,}: "
            f"{results[large] / results[small]:.2f}x (goal <= 1.5x)"
        )


if __name__ == "__main__":
    main()
