"""The bare Flask + peewee app of the load run: the same query, the same bytes, nothing else.

gunicorn serves it with the settings ``verbund serve`` uses (``page_load.py`` starts it).
Each route runs the query the Verbund route needs at least and answers with the body
Verbund gave for the same request (captured once before the run, files in
``$BENCH_BODIES``), so the difference in throughput is what Verbund adds around the query:
login session, access rules, audit, validation, rendering. Environment: ``BENCH_DATABASE``
(the database URL), ``BENCH_BODIES``, ``BENCH_ORGANISATION`` (the list's scope).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from flask import Flask, Response, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peewee import JOIN  # noqa: E402

from server.models import FormSave, Organisation, Record, User, database, open_database  # noqa: E402

open_database(os.environ["BENCH_DATABASE"])
BODIES = Path(os.environ["BENCH_BODIES"])
ORGANISATION = int(os.environ["BENCH_ORGANISATION"])
app = Flask("bare")
# the columns the record list reads (server/services/records/listing.py LIST_COLUMNS)
LIST_COLUMNS = (
    "id",
    "workflow",
    "state",
    "version",
    "title",
    "owner",
    "organisation",
    "created_at",
    "updated_at",
)


def _body(name: str, mimetype: str) -> Response:
    return Response((BODIES / name).read_bytes(), mimetype=mimetype)


@app.before_request
def _connect() -> None:
    # the thread keeps its connection, as Verbund does (server/web/database.py): with a new
    # PostgreSQL connection per request the bare app paid ~8 ms Verbund no longer pays, and
    # the run compared connection handling instead of what Verbund adds around the query
    database.connect(reuse_if_open=True)


@app.get("/records/case_management/<int:record_id>")
def record_page(record_id: int):
    record = Record.get_or_none(Record.id == record_id)
    if record is None:
        return Response(status=404)
    return _body("record.html", "text/html")


@app.get("/api/v1/records")
def record_list():
    where = (
        (Record.workflow == request.args["workflow"])
        & (Record.organisation == ORGANISATION)
        & (Record.state == request.args["state"])
    )
    total = Record.select(Record.id).where(where).limit(10_001).count()
    rows = list(
        Record.select(
            *(getattr(Record, c) for c in LIST_COLUMNS),
            User.id,
            User.username,
            User.display_name,
            Organisation.id,
            Organisation.name,
            Organisation.label,
        )
        .join(User, on=(Record.owner == User.id), join_type=JOIN.LEFT_OUTER)
        .switch(Record)
        .join(Organisation, on=(Record.organisation == Organisation.id), join_type=JOIN.LEFT_OUTER)
        .where(where)
        .order_by(Record.updated_at.desc(), Record.id.desc())
        .limit(50)
    )
    assert total >= len(rows)
    return _body("list.json", "application/json")


@app.put("/api/v1/records/<int:record_id>/forms/<form_id>")
def save(record_id: int, form_id: str):
    body = request.get_json()
    with database.atomic():
        record = Record.get_or_none(Record.id == record_id)
        if record is None or record.version != body["version"]:
            return Response(status=409)
        data = dict(record.data or {})
        data[form_id] = body["data"]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        Record.update(data=data, version=record.version + 1, updated_at=now).where(
            (Record.id == record_id) & (Record.version == body["version"])
        ).execute()
        FormSave.create(
            record=record_id,
            form=form_id,
            record_version=record.version + 1,
            data=json.loads(json.dumps(body["data"])),
            saved_at=now,
        )
    return _body("save.json", "application/json")
