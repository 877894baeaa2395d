"""The statistics' stored values (``record_value``) equal a recount from the records after
any mix of writes: imports, saves, transitions, hand-overs, copies, moves to another
workflow, anonymisations, deletions, and publishing a configuration that drops and adds
dimensions – also while a new dimension is filled in batches in the background, with
writes between its batches and at the same time from another thread. A write path that
left the stored values behind makes the comparison fail. On SQLite, and on PostgreSQL
when VERBUND_TEST_DATABASE_URL names a database."""

from __future__ import annotations

import json
import random
import threading

import pytest

from server.models import Organisation, Record, RecordDimension, RecordValue, database
from server.queue.connection import forget_clients
from server.runtime import current_runtime, prepare_database
from server.services.privacy import dimension_fill
from server.services.privacy.anonymise import anonymise_record
from server.services.privacy.dimension_fill import fill_batch, fill_workflow
from server.services.privacy.record_values import (
    StillFilling,
    pending_workflows,
    sync_dimensions,
)
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
        # publishing only declared the other workflows' dimensions: the fill does the rest
        assert pending_workflows()
        for workflow in pending_workflows():
            assert fill_workflow(workflow, size=37)
        assert not pending_workflows()
        assert stored() == recount()


def _fill_complete() -> set[tuple]:
    """The recount of the dimensions filled completely (a pending one is not compared)."""
    filled = {d.dimension for d in RecordDimension.select() if d.fill_after is None}
    return {row for row in recount() if row[1] in filled}


def test_a_fill_between_writes_equals_a_recount(site, monkeypatch):
    """Batches of a background fill and saves alternate; the saves hit records the fill has
    done, records it has not reached yet, and records it is about to read."""
    app, defs = site
    rng = random.Random(2121)
    monkeypatch.setattr(dimension_fill, "SMALL", 5)  # a count must not fill it in place
    with app.app_context():
        wanted = stored_dimensions(defs)
        sync_dimensions({**wanted, WORKFLOW: []})  # the workflow's dimensions: gone …
        sync_stored_dimensions(defs)  # … and declared again, not filled
        assert WORKFLOW in pending_workflows()
        assert not RecordValue.select().where(RecordValue.workflow == WORKFLOW).count()
        # a count while it is filled: no partial figure
        with pytest.raises(StillFilling):
            count_table(defs, defs.workflows[WORKFLOW], "intake.district", None, 1)
        steps = 0
        while fill_batch(WORKFLOW, size=rng.choice([1, 7, 30])):
            for _ in range(rng.randint(0, 4)):
                with database.atomic():
                    _random_write(rng, defs, steps)
                steps += 1
            assert stored() >= set()  # readable throughout
        assert WORKFLOW not in pending_workflows()
        assert steps > 20
        assert stored() == recount()
        table = count_table(defs, defs.workflows[WORKFLOW], "intake.district", None, 1)
        assert table.total == Record.select().where(Record.workflow == WORKFLOW).count()


def test_a_fill_racing_with_writes_from_another_thread_equals_a_recount(site):
    """Real concurrency: a thread saves while the fill runs in small batches (on PostgreSQL
    the batch locks its records; on SQLite the two take turns at the write lock)."""
    app, defs = site
    with app.app_context():
        wanted = stored_dimensions(defs)
        sync_dimensions({**wanted, WORKFLOW: []})
        sync_stored_dimensions(defs)
        assert WORKFLOW in pending_workflows()
    errors: list[BaseException] = []
    writes = []

    def writer() -> None:
        rng = random.Random(77)
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                for step in range(150):
                    with database.atomic():
                        writes.append(_random_write(rng, defs, step))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            if not database.is_closed():
                database.close()

    thread = threading.Thread(target=writer)
    with app.app_context():
        thread.start()
        batches = 0
        while fill_batch(WORKFLOW, size=3):
            batches += 1
        thread.join(timeout=300)
        assert not thread.is_alive()
        assert not errors, errors  # no save failed (no deadlock, no duplicate key)
        assert len(writes) == 150
        assert batches > 10
        assert WORKFLOW not in pending_workflows()
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
        # and one wanted dimension not kept at all (an installation upgrading)
        absent = wanted[WORKFLOW][0]
        others = [k for k in wanted[WORKFLOW] if k != absent]
        sync_dimensions({**wanted, WORKFLOW: [*others, "intake.gone"]})
        assert fill_workflow(WORKFLOW)
        assert RecordValue.select().where(RecordValue.dimension == "intake.gone").count()
        prepare_database(runtime)
        database.connect(reuse_if_open=True)
        assert not RecordValue.select().where(RecordValue.dimension == "intake.gone").count()
        assert {(d.workflow, d.dimension) for d in RecordDimension.select()} == {
            (w, k) for w, keys in wanted.items() for k in keys
        }
        # declared at start, not filled there: the worker fills it
        declared = RecordDimension.get(workflow=WORKFLOW, dimension=absent)
        assert declared.fill_after == 0
        assert fill_workflow(WORKFLOW)
        assert stored() == recount()
