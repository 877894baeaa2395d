"""The statistics counted by the database give exactly the tables Python's counting gave.

Issue 21 moved the counting into one ``GROUP BY`` statement. The reference here is the
counting as it was before: every record loaded, its values labelled and counted in Python.
Both run over the same generated case records of the KIM configuration – large and small
cells, multi-selects (with repeats and odd values), booleans, table rows, missing and empty
values, values that are no choice – and every full table is compared: cells, row and column
totals, the total, and so which cells the small-cell suppression hides. On SQLite, and on
PostgreSQL when VERBUND_TEST_DATABASE_URL names a database.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from server.models import Organisation, Record, database
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from server.services.errors import Invalid
from server.services.privacy.categories import ordered
from server.services.privacy.dimension_fill import fill_workflow
from server.services.privacy.microdata import stored_lines
from server.services.privacy.record_values import pending_workflows
from server.services.privacy.statistics import (
    Table,
    count_table,
    dimension_keys,
    dimensions,
    suppress,
)
from tests.kim_site import demo_app
from tests.privacy.json_lines import json_line, units

WORKFLOW = "case_management"
RECORDS = 1200


def reference_table(defs, workflow, records, row_key, column_key, min_cell, where) -> Table:
    """The counting before issue 21, over records already loaded: the yardstick."""
    by_key = {d.key: d for d in dimensions(defs, workflow)}
    row_dim, column_dim = by_key[row_key], by_key.get(column_key) if column_key else None
    where_dim = by_key.get(where) if where else None
    tables = {d.table for d in (row_dim, column_dim, where_dim) if d is not None and d.table}
    table = next(iter(tables), None)
    counts: Counter = Counter()
    row_totals: Counter = Counter()
    column_totals: Counter = Counter()
    total = 0
    for record, row in units(records, table):
        if where_dim is not None and "Ja" not in where_dim.values(record, row):
            continue
        total += 1
        row_values = set(row_dim.values(record, row))
        column_values = set(column_dim.values(record, row)) if column_dim else {"Anzahl"}
        for r in row_values:
            row_totals[r] += 1
            for c in column_values:
                counts[(r, c)] += 1
        for c in column_values:
            column_totals[c] += 1
    # the order is the declared one (issue 17), as count_table sorts
    rows = ordered(row_totals, row_dim.order)
    columns = ordered(column_totals, column_dim.order) if column_dim else ["Anzahl"]
    cells = [[counts[(r, c)] for c in columns] for r in rows]
    shown = suppress(
        cells, [row_totals[r] for r in rows], [column_totals[c] for c in columns], total, min_cell
    )
    return Table(
        row_label=row_dim.label,
        column_label=column_dim.label if column_dim else "",
        rows=rows,
        columns=columns,
        unit="Einträge" if table else "Datensätze",
        **shown,
    )


def _skewed(rng: random.Random, values: list):
    # the first values common, the last ones rare: large cells and cells of 1 to 4
    weights = [2.0**-i for i in range(len(values))]
    return rng.choices(values, weights=weights)[0]


ODD = [None, "", [], "no-such-choice", 0, "1"]  # missing, empty, not a choice


def _value(rng: random.Random, field) -> object:
    if rng.random() < 0.08:
        return rng.choice(ODD)
    if field.type == "boolean":
        return _skewed(rng, [True, False, None])
    choices = [c.value for c in field.choices] or ["eins", "zwei", "drei"]  # from a list
    if field.type == "multiselect":
        if rng.random() < 0.05:
            return _skewed(rng, choices)  # a single value where a list belongs
        picked = [_skewed(rng, choices) for _ in range(rng.randint(0, 3))]
        return picked  # repeats possible: a label counts once per record
    return _skewed(rng, choices)


def _form_data(rng: random.Random, form) -> object:
    roll = rng.random()
    if roll < 0.05:
        return None  # the form never saved
    data = {}
    for field in form.fields:
        if rng.random() < 0.1:
            continue  # the field missing
        if field.type == "table":
            if rng.random() < 0.05:
                data[field.name] = {"not": "a list"}
                continue
            rows = []
            for _ in range(rng.randint(0, 4)):
                if rng.random() < 0.05:
                    rows.append("not a row")
                    continue
                rows.append({c.name: _value(rng, c) for c in field.columns if rng.random() > 0.1})
            data[field.name] = rows
        elif field.type in ("select", "multiselect", "boolean"):
            data[field.name] = _value(rng, field)
        else:
            data[field.name] = "Freitext"
    return data


def generate(defs, count: int, seed: int = 21) -> None:
    """``count`` case records with skewed, odd and missing values, inserted in bulk."""
    rng = random.Random(seed)
    workflow = defs.workflows[WORKFLOW]
    states = [s.id for s in workflow.states]
    organisations = [o.id for o in Organisation.select()] + [None]
    rows = []
    for _ in range(count):
        data = {}
        for form_id in workflow.form_ids:
            if rng.random() < 0.9:
                data[form_id] = _form_data(rng, defs.forms[form_id])
        rows.append(
            {
                "workflow": WORKFLOW,
                "state": _skewed(rng, states),
                "organisation": _skewed(rng, organisations),
                "title": "Fall",
                "data": data,
            }
        )
    with database.atomic():
        for start in range(0, len(rows), 200):
            Record.insert_many(rows[start : start + 200]).execute()


@pytest.fixture(scope="module")
def generated(tmp_path_factory, redis_server):
    app, _summary = demo_app(tmp_path_factory.mktemp("kim-statistics"), redis_server)
    defs = current_runtime(app).definitions
    with app.app_context():
        generate(defs, RECORDS)
        # what the worker does in the background for the dimensions declared at start
        for workflow in pending_workflows():
            assert fill_workflow(workflow)
    yield app, defs
    if not database.is_closed():
        database.close()
    forget_clients()


def combinations(defs):
    """(rows, columns, where) to compare: every dimension alone, crossed with a choice of
    others (single, multi, yes/no, table column, state, organisation), and filtered."""
    keys = list(dimension_keys(defs, defs.workflows[WORKFLOW]))
    crossing = [
        "state",
        "organisation",
        "intake.languages",
        "intake.interpreter_needed",
        "intake.district",
        "barriers.entries.category",
    ]
    for row in keys:
        yield row, None, None
        for column in crossing:
            if column != row:
                yield row, column, None
    for row in ("barriers.entries.category", "state", "intake.languages"):
        yield row, None, "barriers.entries.system_level"
        yield row, "organisation", "intake.consent"


@pytest.mark.parametrize("min_cell", [5, 11])
def test_every_table_is_the_same_as_counted_in_python(generated, min_cell):
    app, defs = generated
    workflow = defs.workflows[WORKFLOW]
    with app.app_context():
        records = list(Record.select().where(Record.workflow == WORKFLOW))
        assert len(records) >= RECORDS
        compared = suppressed = 0
        for row, column, where in combinations(defs):
            try:
                got = count_table(defs, workflow, row, column, min_cell, where)
            except Invalid:
                # two table columns of different tables: refused as before
                tables = {dimension_keys(defs, workflow)[k][1] for k in (row, column, where) if k}
                assert len(tables - {None}) > 1
                continue
            expected = reference_table(defs, workflow, records, row, column, min_cell, where)
            assert got == expected, (row, column, where)
            compared += 1
            suppressed += sum(cell is None for line in got.cells for cell in line)
    # the data set is worth its name: many tables, and small cells hidden in them
    assert compared > 100
    assert suppressed > 50


def test_the_generated_data_has_what_the_comparison_needs(generated):
    app, defs = generated
    workflow = defs.workflows[WORKFLOW]
    with app.app_context():
        languages = count_table(defs, workflow, "intake.languages", None, 1)
        assert "(keine Angabe)" in languages.rows and "no-such-choice" in languages.rows
        # a multi-select counts a record once per label: the labels add up to more
        assert sum(line[0] for line in languages.cells) > languages.total
        barriers = count_table(defs, workflow, "barriers.entries.category", "state", 5)
        assert barriers.unit == "Einträge"
        assert any(cell is None for line in barriers.cells for cell in line)
        assert any(cell is not None and cell >= 5 for line in barriers.cells for cell in line)


def test_the_single_record_lines_are_those_read_from_the_json(generated, monkeypatch):
    """``einzeldaten.csv`` takes its values from ``record_value``, each distinct value
    labelled once: every record's line is the one its JSON gives – odd, missing and
    repeated values, lists where one value belongs, tables that are no list, rows that
    are no object – in chunks that cut through the records."""
    from server.services.privacy import microdata

    app, defs = generated
    workflow = defs.workflows[WORKFLOW]
    dims = dimensions(defs, workflow)
    monkeypatch.setattr(microdata, "CHUNK", 97)
    with app.app_context():
        records = list(Record.select().where(Record.workflow == WORKFLOW))
        expected = Counter(json_line(record, dims) for record in records)
        store = stored_lines(workflow, dims)
        try:
            got = Counter({line: n for line, n in store.kept(1)})
        finally:
            store.close()
    assert sum(got.values()) == len(records) >= RECORDS
    assert got == expected
    assert len(expected) > 100  # many different lines: the comparison has something to see
