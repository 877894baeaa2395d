"""The statistics' stored values (``record_value``) equal a recount from the records after
any mix of writes: imports, saves, transitions, hand-overs, copies, moves to another
workflow, anonymisations, deletions, and publishing a configuration that drops and adds
dimensions. A write path that left the stored values behind makes the comparison fail.
On SQLite, and on PostgreSQL when VERBUND_TEST_DATABASE_URL names a database."""

from __future__ import annotations

import json
import random

import pytest

from server.models import Organisation, Record, RecordDimension, RecordValue, database
from server.queue.connection import forget_clients
from server.runtime import current_runtime, prepare_database
from server.services.privacy.anonymise import anonymise_record
from server.services.privacy.record_values import sync_dimensions
from server.services.privacy.statistics import (
    count_table,
    stored_dimensions,
    sync_stored_dimensions,
)
from server.services.records.changes import bump
from tests.kim_site import demo_app
from tests.privacy.test_statistics_in_sql import WORKFLOW, _form_data

STEPS = 400
CHOICES = ("select", "multiselect", "boolean")


def _choices_only(form, data):
    """The generator's data without its placeholder text in date and number fields (which
    a save would refuse and anonymisation could not display): choices and tables of them."""
    if not isinstance(data, dict):
        return data
    out = {}
    for f in form.fields:
        if f.name not in data:
            continue
        if f.type in CHOICES:
            out[f.name] = data[f.name]
        elif f.type == "table" and all(c.type in CHOICES for c in f.columns):
            out[f.name] = data[f.name]
    return out


def _data(rng: random.Random, defs, workflow) -> dict:
    return {
        form_id: _choices_only(defs.forms[form_id], _form_data(rng, defs.forms[form_id]))
        for form_id in workflow.form_ids
        if rng.random() < 0.9
    }


def recount() -> set[tuple]:
    """Every value row as the records say it should be, from the records' JSON in Python."""
    kept: dict[str, list[RecordDimension]] = {}
    for d in RecordDimension.select():
        kept.setdefault(d.workflow, []).append(d)
    expected = set()
    for record in Record.select():
        data = record.data if isinstance(record.data, dict) else {}
        for d in kept.get(record.workflow, []):
            form = data.get(d.form_id)
            value = form.get(d.field) if isinstance(form, dict) else None
            head = (record.id, d.dimension, record.workflow, record.state, record.organisation_id)
            if not d.column_name:
                expected.add((*head, -1, json.dumps(value, sort_keys=True)))
                continue
            for i, row in enumerate(value if isinstance(value, list) else []):
                if isinstance(row, dict):
                    cell = json.dumps(row.get(d.column_name), sort_keys=True)
                    expected.add((*head, i, cell))
    return expected


def stored() -> set[tuple]:
    out = set()
    for v in RecordValue.select():
        value = json.dumps(None if v.value is None else json.loads(v.value), sort_keys=True)
        head = (v.record_id, v.dimension, v.workflow, v.state, v.organisation_id)
        out.add((*head, v.row_index, value))
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_server):
    app, _summary = demo_app(tmp_path_factory.mktemp("kim-record-values"), redis_server)
    defs = current_runtime(app).definitions
    with app.app_context():
        sync_stored_dimensions(defs)
        rng = random.Random(7)
        workflow = defs.workflows[WORKFLOW]
        organisations = [o.id for o in Organisation.select()] + [None]
        rows = [
            {
                "workflow": WORKFLOW,
                "state": rng.choice([s.id for s in workflow.states]),
                "organisation": rng.choice(organisations),
                "title": "Fall",
                "data": _data(rng, defs, workflow),
            }
            for _ in range(300)
        ]
        with database.atomic():  # an import: rows inserted in bulk, past the services
            Record.insert_many(rows).execute()
    yield app, defs
    if not database.is_closed():
        database.close()
    forget_clients()


def _random_write(rng: random.Random, defs, step: int) -> str:
    workflow = defs.workflows[WORKFLOW]
    ids = [r.id for r in Record.select(Record.id).where(Record.workflow == WORKFLOW)]
    record = Record.get_by_id(rng.choice(ids))
    kind = rng.choice(
        ["save", "save", "transition", "hand-over", "copy", "move", "anonymise", "delete"]
    )
    if kind == "save":  # what every form save writes: the new data, version-checked
        data = dict(record.data or {})
        data.update(_data(rng, defs, workflow))
        bump(record, record.version, data=data)
    elif kind == "transition":
        bump(record, record.version, state=rng.choice([s.id for s in workflow.states]))
    elif kind == "hand-over":
        organisations = [o.id for o in Organisation.select()] + [None]
        bump(record, record.version, organisation=rng.choice(organisations), owner=None)
    elif kind == "copy":
        Record.create(workflow=WORKFLOW, state=record.state, data=record.data, title="Kopie")
    elif kind == "move":  # into a workflow with other dimensions, or none
        other = rng.choice([w for w in defs.workflows if w != WORKFLOW])
        bump(record, record.version, workflow=other)
    elif kind == "anonymise":
        anonymise_record(defs, record.id, reason="Test", purge=False)
    else:
        Record.delete().where(Record.id == record.id).execute()
    return kind


def test_stored_values_equal_a_recount_after_random_writes(site):
    app, defs = site
    rng = random.Random(21)
    with app.app_context():
        assert stored() == recount()
        assert RecordValue.select().count() > 300
        done = set()
        for step in range(STEPS):
            with database.atomic():
                done.add(_random_write(rng, defs, step))
            if step % 50 == 0:
                assert stored() == recount(), f"nach Schritt {step}"
        assert done == {"save", "transition", "hand-over", "copy", "move", "anonymise", "delete"}
        assert stored() == recount()


def test_publishing_drops_and_adds_dimensions_with_their_values(site):
    app, defs = site
    with app.app_context():
        wanted = stored_dimensions(defs)
        fewer = {WORKFLOW: [k for k in wanted[WORKFLOW] if k != "intake.district"]}
        sync_dimensions(fewer)
        assert not RecordValue.select().where(RecordValue.dimension == "intake.district").count()
        assert stored() == recount()
        # a statistic asking for a dimension not kept fills it first: never counted from nothing
        table = count_table(defs, defs.workflows[WORKFLOW], "intake.district", None, 1)
        assert table.total == Record.select().where(Record.workflow == WORKFLOW).count()
        assert stored() == recount()
        sync_stored_dimensions(defs)
        assert {(d.workflow, d.dimension) for d in RecordDimension.select()} == {
            (w, k) for w, keys in wanted.items() for k in keys
        }
        assert stored() == recount()


def test_personal_fields_never_enter_the_stored_values(site):
    app, defs = site
    with app.app_context():
        for keys in stored_dimensions(defs).values():
            for key in keys:
                form_id, name, *column = key.split(".")
                field = next(f for f in defs.forms[form_id].fields if f.name == name)
                if column:
                    field = next(c for c in field.columns if c.name == column[0])
                assert not field.personal, key
        kept = {d.dimension for d in RecordDimension.select()}
        assert kept <= {k for keys in stored_dimensions(defs).values() for k in keys}


def test_a_start_empties_dimensions_the_configuration_no_longer_has(site):
    # e.g. a field made personal in the files while the server was down
    app, defs = site
    runtime = current_runtime(app)
    with app.app_context():
        wanted = stored_dimensions(defs)
        sync_dimensions({**wanted, WORKFLOW: [*wanted[WORKFLOW], "intake.gone"]})
        assert RecordValue.select().where(RecordValue.dimension == "intake.gone").count()
        prepare_database(runtime)
        database.connect(reuse_if_open=True)
        assert not RecordValue.select().where(RecordValue.dimension == "intake.gone").count()
        assert {(d.workflow, d.dimension) for d in RecordDimension.select()} == {
            (w, k) for w, keys in wanted.items() for k in keys
        }
