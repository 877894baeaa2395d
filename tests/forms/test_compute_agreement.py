"""The browser and the server compute the same values and decide table rows alike.

The server's answer is :func:`validate_form` (``compute`` in :mod:`server.schema.compute_eval`,
row conditions in :mod:`server.schema.row_conditions`); the browser's is
``verbund-input.js`` with ``verbund-expr.js`` under node, given the same raw input and the
spec the record page sends. Both must give the same digits: the value the server stores
and the text the read-only input shows. Hypothesis throws random computations and random
row conditions at random input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from server import clock
from server.forms import validate_form
from server.forms.conditions import browser_spec
from server.schema import parse_form
from server.schema.compute import compute_problem
from server.schema.fieldtypes import FieldError, field_type
from server.schema.fieldtypes.table import TableType
from server.schema.row_conditions import row_states
from server.schema.show_if import show_if_problem

FORM_TOML = dedent(
    """\
    title = "Rechnen"
    [[fields]]
    name = "i"
    type = "integer"
    label = "Ganzzahl"
    [[fields]]
    name = "d"
    type = "decimal"
    label = "Dezimal"
    [[fields]]
    name = "e"
    type = "decimal"
    label = "Noch eine"
    [[fields]]
    name = "dt"
    type = "date"
    label = "Datum"
    [[fields]]
    name = "dt2"
    type = "date"
    label = "Bis"
    [[fields]]
    name = "b"
    type = "boolean"
    label = "Ja/Nein"
    [[fields]]
    name = "t"
    type = "text"
    label = "Text"
    [[fields]]
    name = "m"
    type = "multiselect"
    label = "Mehrfach"
    choices = ["x", "y", "z"]
    [[fields]]
    name = "tb"
    type = "table"
    label = "Tabelle"
    [[fields.columns]]
    name = "x"
    type = "text"
    label = "X"
    [[fields.columns]]
    name = "n"
    type = "integer"
    label = "N"
    [[fields.columns]]
    name = "h"
    type = "decimal"
    label = "Stunden"
    [[fields.columns]]
    name = "k"
    type = "boolean"
    label = "K"
    [[fields]]
    name = "c"
    type = "decimal"
    label = "Berechnet"
    compute = "0"
    [[fields]]
    name = "ci"
    type = "integer"
    label = "Ganz berechnet"
    compute = "c * 3"
    [[fields]]
    name = "hidden_by_b"
    type = "decimal"
    label = "Nur mit b"
    compute = "c + 1"
    show_if = "b"
    """
)
BASE, problems = parse_form("rechnen", FORM_TOML, "forms/rechnen.toml")
assert BASE is not None, problems
TODAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen_today():
    before = clock.frozen_at()
    clock.freeze(TODAY)
    yield
    clock.freeze(before)


def form_with(source: str):
    fields = tuple(
        dataclasses.replace(f, compute=source) if f.name == "c" else f for f in BASE.fields
    )
    return dataclasses.replace(BASE, fields=fields)


def text(value) -> str | None:
    return None if value is None else str(value)


def both(node, source: str, raw: dict) -> tuple[dict, dict]:
    """({field: stored text}, same from the browser) for the computed fields."""
    form = form_with(source)
    stored = validate_form(form, raw).values
    server = {name: text(stored.get(name)) for name in ("c", "ci", "hidden_by_b")}
    browser = node.computed(browser_spec(form), raw)
    return server, browser


CASES = [
    ("0.1 + 0.2", {}, "0.3"),  # exact, no float drift
    ("d * 3", {"d": "0,1"}, "0.3"),
    ("sum(tb.h)", {"tb": [{"h": "0,1"}, {"h": "0,2"}, {"h": ""}, {"x": "a"}]}, "0.3"),
    ("sum(tb.n) + sum(tb.h)", {"tb": [{"n": "2", "h": "1.000,5"}]}, "1002.5"),
    ("count(tb)", {"tb": [{"x": "a"}, {"x": ""}, {"k": "on"}]}, "2"),  # blank rows are none
    ("count(tb.h)", {"tb": [{"x": "a"}, {"h": "1"}]}, "1"),
    ("count(m)", {"m": ["x", "z"]}, "2"),
    ("age(dt)", {"dt": "03.12.2000"}, "26"),
    ("age(dt)", {"dt": "04.12.2000"}, "25"),
    ("age(dt)", {"dt": "2027-01-01"}, None),
    ("days(dt, dt2)", {"dt": "31.12.1999", "dt2": "01.03.2000"}, "61"),
    ("days(dt, dt2)", {"dt": "0001-01-01", "dt2": "9999-12-31"}, "3652058"),
    ("dt.year - i", {"dt": "2026-01-01", "i": "1998"}, "28"),
    ("1 / 3", {}, "0.3333333333"),
    ("2 / 3", {}, "0.6666666667"),
    ("-2 / 3", {}, "-0.6666666667"),
    ("round(d, 2)", {"d": "2,345"}, "2.35"),  # half away from zero
    ("round(d, 2)", {"d": "-2,345"}, "-2.35"),
    ("round(d)", {"d": "2,5"}, "3"),
    ("d / e", {"d": "1", "e": "0"}, None),  # division by zero: empty
    ("d + e", {"d": "1"}, None),  # an empty operand: empty
    ("d if b else e", {"d": "1", "e": "2", "b": "on"}, "1"),
    ("d if t == 'x' else e", {"d": "1", "e": "2", "t": "y"}, "2"),
    ("d if dt < dt2 else 0", {"d": "1", "dt": "01.01.2020", "dt2": "02.01.2020"}, "1"),
    ("123456789012345678 * 10", {}, None),  # beyond what a decimal field keeps
    ("999999999999999999.99999999999", {}, None),
    ("0.00000000005", {}, "0.0000000001"),  # rounded to the field's ten places
    ("0.00000000004", {}, "0"),
    ("i * 1", {"i": "123456789012345678"}, "123456789012345678"),
]


@pytest.mark.parametrize(("source", "raw", "value"), CASES)
def test_browser_and_server_compute_the_same_on_a_table_of_cases(node, source, raw, value):
    assert compute_problem(source, "rechnen", BASE.fields) is None
    server, browser = both(node, source, raw)
    assert server["c"] == browser["c"] == value
    assert server == browser


def test_a_chain_of_computed_fields_and_a_hidden_one(node):
    server, browser = both(node, "d * 2", {"d": "0,25", "ci": "99", "b": ""})
    assert server == browser == {"c": "0.5", "ci": "2", "hidden_by_b": None}
    server, browser = both(node, "d * 2", {"d": "0,25", "b": "on"})
    assert server == browser == {"c": "0.5", "ci": "2", "hidden_by_b": "1.5"}


def test_the_input_shows_the_stored_digits_in_german(node):
    form = form_with("d / 3")
    stored = validate_form(form, {"d": "1.000,0"}).values["c"]
    shown = field_type("decimal").input_value(form.field("c"), stored)
    assert shown == "333,3333333333"
    answer = node.ask({"op": "compute", "spec": browser_spec(form), "raw": {"d": "1.000,0"}})
    assert answer["values"]["c"].replace(".", ",") == shown


# ---- random computations against random input -------------------------------------------

NUMBERS = [
    "i", "d", "e", "sum(tb.h)", "sum(tb.n)", "count(tb)", "count(tb.x)", "count(m)", "age(dt)",
    "days(dt, dt2)", "dt.year", "dt2.day", "0", "1", "2", "-1", "0.1", "3.75", "7", "1000000",
    "123456789012345678", "0.005", "none",
]  # fmt: skip
CONDITIONS = ["b", "t == 'x'", "t", "dt < dt2", "not b", "m"]


def _combine(children):
    arithmetic = st.tuples(st.sampled_from(["+", "-", "*", "/"]), children, children).map(
        lambda p: f"({p[1]}) {p[0]} ({p[2]})"
    )
    rounded = st.tuples(children, st.integers(0, 10)).map(lambda p: f"round({p[0]}, {p[1]})")
    negated = children.map(lambda c: f"-({c})")
    compared = st.tuples(
        children, st.sampled_from(["==", "!=", "<", ">="]), children, children, children
    ).map(lambda p: f"({p[3]}) if ({p[0]}) {p[1]} ({p[2]}) else ({p[4]})")
    chosen = st.tuples(st.sampled_from(CONDITIONS), children, children).map(
        lambda p: f"({p[1]}) if {p[0]} else ({p[2]})"
    )
    return arithmetic | rounded | negated | compared | chosen


computations = st.recursive(st.sampled_from(NUMBERS), _combine, max_leaves=6)

NUMBER_TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "1",
            "-1",
            "12",
            "1,5",
            "0,1",
            "1.234,5",
            "2,345",
            "-0,005",
            "x",
            "999999999999999999",
            "0,0000000001",
            "１２",
            "3.5",
            "1e3",
        ]
    ),  # fmt: skip
    st.decimals(min_value=-(10**6), max_value=10**6, places=3).map(
        lambda d: format(d, "f").replace(".", ",")
    ),
)
DATES = st.one_of(
    st.sampled_from(["", "29.02.2024", "03.12.2026", "04.12.2008", "31.04.2024", "x"]),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d.%m.%Y")),
)
raw_inputs = st.fixed_dictionaries(
    {},
    optional={
        "i": NUMBER_TEXTS,
        "d": NUMBER_TEXTS,
        "e": NUMBER_TEXTS,
        "dt": DATES,
        "dt2": DATES,
        "b": st.sampled_from(["", "on"]),
        "t": st.sampled_from(["", "x", "y"]),
        "m": st.lists(st.sampled_from(["x", "y", "z", "q"]), max_size=3),
        "tb": st.lists(
            st.fixed_dictionaries(
                {"x": st.sampled_from(["", "a"]), "n": NUMBER_TEXTS, "h": NUMBER_TEXTS}
            ),
            max_size=4,
        ),
        "c": NUMBER_TEXTS,  # what a client sends for a computed field is ignored
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=computations, raw=raw_inputs)
def test_browser_and_server_compute_the_same_on_random_input(node, source, raw):
    assume(compute_problem(source, "rechnen", BASE.fields) is None)
    server, browser = both(node, source, raw)
    assert server == browser, (source, raw)


# ---- conditions inside tables ------------------------------------------------------------

TABLE = BASE.field("tb")


def table_with(show_if: str, required_if: str):
    columns = tuple(
        dataclasses.replace(c, show_if=show_if)
        if c.name == "h"
        else dataclasses.replace(c, required_if=required_if)
        if c.name == "x"
        else c
        for c in TABLE.columns
    )
    return dataclasses.replace(TABLE, columns=columns)


def server_row(table, raw_row: dict) -> tuple[set[str], set[str]]:
    """The states the server gives a row: its cells cleaned as in TableType._clean_row."""
    values = {}
    for column in table.columns:
        try:
            values[column.name] = field_type(column.type).clean(column, raw_row.get(column.name))
        except FieldError:
            values[column.name] = None
    return row_states(table, TableType._typed_row(table, values))


ROW_ATOMS = ["x", "n", "h", "k", "0", "1", "2.5", "'a'", "''", "true", "none"]


def _row_combine(children):
    unary = st.tuples(st.sampled_from(["not ({})", "({}) is defined", "({})|length"]), children)
    binary = st.tuples(
        st.sampled_from(["and", "or", "==", "!=", "<", ">="]), children, children
    ).map(lambda p: f"({p[1]}) {p[0]} ({p[2]})")
    return unary.map(lambda p: p[0].format(p[1])) | binary


row_conditions = st.recursive(st.sampled_from(ROW_ATOMS), _row_combine, max_leaves=4)
raw_rows = st.fixed_dictionaries(
    {},
    optional={
        "x": st.sampled_from(["", "a", " ", "b"]),
        "n": NUMBER_TEXTS,
        "h": NUMBER_TEXTS,
        "k": st.sampled_from(["", "on"]),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(show_if=row_conditions, required_if=row_conditions, raw=raw_rows)
def test_browser_and_server_decide_table_rows_alike(node, show_if, required_if, raw):
    assume("h" not in show_if)  # a column's show_if cannot read itself
    assume(show_if_problem(show_if, "") is None and show_if_problem(required_if, "") is None)
    table = table_with(show_if, required_if)
    spec = field_type("table").browser_spec(table)
    assert server_row(table, raw) == node.row(spec, raw), (show_if, required_if, raw)


def test_a_row_decides_by_its_own_cells(node):
    table = table_with("k", "h > 2")
    spec = field_type("table").browser_spec(table)
    for raw, expected in [
        ({"k": "on", "h": "3"}, (set(), {"x"})),
        ({"k": "", "h": "3"}, ({"h"}, set())),  # hidden, so "h > 2" reads an empty cell
        ({"k": "on", "h": "2"}, (set(), set())),
    ]:
        assert server_row(table, raw) == node.row(spec, raw) == expected
