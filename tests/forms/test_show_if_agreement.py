"""The browser and the server decide ``show_if`` alike, on the same raw input.

The server's answer is :func:`validate_form` (Jinja on cleaned, typed values); the browser's
is ``verbund-input.js`` with ``verbund-expr.js`` under node, given the same raw values a form
would submit and the condition tree the record page sends. A table of expressions covers
the semantics one by one; hypothesis then throws random expressions of the subset at random
input.
"""

from __future__ import annotations

import dataclasses
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from server.forms import validate_form
from server.forms.conditions import browser_spec
from server.schema import parse_form
from server.schema.show_if import show_if_problem

FORM_TOML = dedent(
    """\
    title = "Alles"
    [[fields]]
    name = "t"
    type = "text"
    label = "Text"
    [[fields]]
    name = "ta"
    type = "textarea"
    label = "Langtext"
    [[fields]]
    name = "e"
    type = "email"
    label = "E-Mail"
    [[fields]]
    name = "i"
    type = "integer"
    label = "Ganzzahl"
    [[fields]]
    name = "d"
    type = "decimal"
    label = "Dezimal"
    [[fields]]
    name = "dt"
    type = "date"
    label = "Datum"
    [[fields]]
    name = "b"
    type = "boolean"
    label = "Ja/Nein"
    [[fields]]
    name = "s"
    type = "select"
    label = "Auswahl"
    choices = ["a", "b", "12"]
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
    name = "k"
    type = "boolean"
    label = "K"
    [[fields]]
    name = "r"
    type = "reference"
    label = "Verweis"
    workflow = "anderswo"
    [[fields]]
    name = "f"
    type = "file"
    label = "Datei"
    [[fields]]
    name = "out"
    type = "text"
    label = "Abhängig"
    show_if = "t"
    """
)
BASE, problems = parse_form("alles", FORM_TOML, "forms/alles.toml")
assert BASE is not None, problems
FILE_NAMES = {1: "antrag.pdf", 2: "  weiter\u202e.txt  ", 3: "a/b/c.png"}


class StoredFiles:
    """Links with data: the reference exists, uploads 1-3 are the record's, with a name."""

    def reference_title(self, field, record_id):
        return "Titel"

    def upload(self, field, upload_id):
        name = FILE_NAMES.get(upload_id)
        if name is None:
            return None
        from server.forms.filekinds import safe_filename

        return {"id": upload_id, "name": safe_filename(name), "size": 10, "type": "pdf"}


def form_with(condition: str):
    out = dataclasses.replace(BASE.fields[-1], show_if=condition)
    return dataclasses.replace(BASE, fields=BASE.fields[:-1] + (out,))


def both(node, condition: str, raw: dict) -> tuple[bool, bool]:
    """(server shows "out", browser shows "out") for ``raw`` (file: index into FILE_NAMES)."""
    form = form_with(condition)
    server_raw = dict(raw)
    browser_raw = dict(raw)
    if "f" in raw:
        server_raw["f"] = raw["f"] or ""
        browser_raw["f"] = FILE_NAMES.get(raw["f"], "") if raw["f"] else ""
    server = "out" not in validate_form(form, server_raw, StoredFiles()).hidden
    browser = "out" not in node.hidden(browser_spec(form), browser_raw)
    return server, browser


# (condition, raw input, shown) — each line one rule both sides must follow
CASES = [
    ("t", {"t": "  "}, False),  # blank text is empty
    ("t", {"t": "x"}, True),
    ("t == 'a b'", {"t": " a \n b "}, True),  # newlines in a one-line text collapse
    ("ta == 'a\\nb'", {"ta": "a\r\nb"}, True),
    ("e", {"e": "kein-mail"}, False),  # refused input is empty
    ("e", {"e": "a@b.de"}, True),
    ("i > 5", {"i": "６"}, True),  # full-width digits are digits, as in Python
    ("i > 5", {"i": "5,5"}, False),
    ("i == 123456789012345678", {"i": "123456789012345678"}, True),  # beyond 2**53
    ("i == 123456789012345677", {"i": "123456789012345678"}, False),
    ("d > 1000", {"d": "1.234,5"}, True),  # German decimals
    ("d == 0.1", {"d": "0,1"}, False),  # Decimal("0.1") != float 0.1, exactly as Python
    ("d < 0.1", {"d": "0,1"}, True),
    ("d == 1", {"d": "1,000"}, True),
    ("d == true", {"d": "1"}, True),
    ("dt.year == 2024", {"dt": "29.02.2024"}, True),
    ("dt", {"dt": "29.02.2023"}, False),  # no such day
    ("dt.month == 2", {"dt": "2024-02-01"}, True),
    ("dt > 5", {"dt": "2024-02-01"}, False),  # date vs number: error, so false
    ("b", {"b": "on"}, True),
    ("b", {"b": ""}, False),
    ("b == false", {"b": ""}, True),
    ("b is defined", {"b": "vielleicht"}, False),  # refused -> empty -> undefined
    ("not b", {"b": "nein"}, True),
    ("s == '12'", {"s": "12"}, True),
    ("s == 12", {"s": "12"}, False),  # text is not a number
    ("s in ['a', 'b']", {"s": "c"}, False),  # not a choice
    ("'y' in m", {"m": ["z", "y"]}, True),
    ("m == ['y', 'z']", {"m": ["z", "y"]}, True),  # kept in the order of the choices
    ("m|length >= 2", {"m": ["x", "q"]}, False),  # one wrong item refuses them all
    ("m == []", {}, True),  # an empty list is still a list
    ("m is defined", {}, True),
    ("t is defined", {}, False),
    ("t is none", {"t": ""}, True),
    ("t == none", {"t": ""}, False),  # undefined is not None
    ("tb|length == 1", {"tb": [{"x": "", "n": "", "k": ""}, {"x": "a"}]}, True),
    ("tb", {"tb": [{"x": "", "n": "", "k": ""}]}, False),  # a blank row is no row
    ("tb|length == 1", {"tb": [{"x": " ", "n": "x"}]}, True),  # kept, even with errors
    ("r == 7", {"r": " 7 "}, True),
    ("r", {"r": "²"}, False),  # superscript two is no digit for an id
    ("f", {"f": 1}, True),
    ("f == 'weiter.txt'", {"f": 2}, True),  # the same safe file name on both sides
    ("f == 'c.png'", {"f": 3}, True),
    ("f", {"f": 0}, False),
    ("t|lower == 'straße'", {"t": "STRASSE"}, False),
    ("t|upper == 'STRASSE'", {"t": "Straße"}, True),
    ("t|lower == 'οδος'", {"t": "ΟΔΟΣ"}, True),  # final sigma: ς on both sides
    ("t|lower == 'οδoς'", {"t": "ΟΔΟΣ"}, False),
    ("t|trim|length == 1", {"t": "\u00a0x"}, True),
    ("i|lower", {"i": "1"}, False),  # lower on a number: error, so false
    ("t|length == 2", {"t": "😀😀"}, True),  # characters, not UTF-16 units
    ("t < 'ﬀ'", {"t": "😀"}, False),  # code point order, not UTF-16 order
    ("t in 'abc'", {"t": "bc"}, True),
    ("i in 'abc'", {"i": "1"}, False),  # number in text: error
    ("1 < i < 3", {"i": "2"}, True),
    ("1 < i < 3", {"i": "3"}, False),
    ("(i or 4) == 4", {}, True),  # or gives an operand, as in Python
    ("(t and 'ja') == 'ja'", {"t": "x"}, True),
    ("-i == 5", {"i": "-5"}, True),
    ("-t", {"t": "x"}, False),
    ("'a' if b else ''", {"b": "on"}, True),
    ("'a' if b", {"b": ""}, False),
    ("i is number and d is number and b is number", {"i": "1", "d": "1", "b": "on"}, True),
    ("t is string and not (s is string)", {"t": "x"}, True),
    ("b is true", {"b": "ja"}, True),
    ("b is boolean", {"b": ""}, True),
    ("alles.t == 'x'", {"t": "x"}, True),
    ("alles['i'] == 3", {"i": "3"}, True),
    ("[1, 2] < [1, 3]", {}, True),
    ("[1, 'a'] < [1, 2]", {}, False),  # the first difference cannot be compared
    ("[true] == [1]", {}, True),
    ("'' in t", {}, False),  # nothing is in undefined
    ("none is none", {}, True),
]


@pytest.mark.parametrize(("condition", "raw", "shown"), CASES)
def test_browser_and_server_agree_on_a_table_of_conditions(node, condition, raw, shown):
    assert show_if_problem(condition, "alles") is None
    server, browser = both(node, condition, raw)
    assert (server, browser) == (shown, shown)


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("i == 10 ** 2", "Rechnen (**)"),
        ("d > 1e999", "außerhalb des Wertebereichs"),
        ("t.upper()", "Aufrufe von Funktionen"),
        ("t.upper", "„.upper“"),
        ("t ~ 'x'", "Verketten (~)"),
        ("m|join(',')", "der Filter „join“"),
        ("t|length(1)", "mit Argumenten"),
        ("i is divisibleby(3)", "der Test „divisibleby“"),
        ("tb[0]", "der Zugriff mit [...]"),
        ("alles", "„alles“ allein"),
        ("(1, 2)", "Tupel"),
    ],
)
def test_what_the_browser_cannot_evaluate_is_refused(condition, fragment):
    problem = show_if_problem(condition, "alles")
    assert problem is not None and fragment in problem
    assert "in „show_if“ nicht möglich:" in problem


def test_a_hidden_field_counts_as_empty_for_conditions_after_it(node):
    form, problems = parse_form(
        "kette",
        dedent(
            """\
            title = "Kette"
            [[fields]]
            name = "c"
            type = "text"
            label = "C"
            show_if = "b"
            [[fields]]
            name = "a"
            type = "boolean"
            label = "A"
            [[fields]]
            name = "b"
            type = "text"
            label = "B"
            show_if = "a"
            """
        ),
        "forms/kette.toml",
    )
    assert problems == []
    raw = {"a": "", "b": "noch da", "c": "x"}  # b was typed, then a unticked
    assert validate_form(form, raw).hidden == {"b", "c"}
    assert node.hidden(browser_spec(form), raw) == {"b", "c"}
    raw["a"] = "on"
    assert validate_form(form, raw).hidden == set()
    assert node.hidden(browser_spec(form), raw) == set()


# ---- random conditions against random input --------------------------------------------

NAMES = ["t", "ta", "e", "i", "d", "dt", "b", "s", "m", "tb", "r", "f", "alles.i", "dt.year"]
CONSTANTS = [
    "0", "1", "2", "-1", "12", "123456789012345678", "0.1", "1.5", "-2.0", "1e999", "true",
    "false", "none", "''", "'a'", "'12'", "'x'", "'ja'", "'ab'", "[]", "['x']", "['x', 'y']",
    "[1, 2]", "'Straße'",
]  # fmt: skip
atoms = st.sampled_from(NAMES + CONSTANTS)


def _combine(children):
    unary = st.tuples(
        st.sampled_from(
            ["not ({})", "-({})", "({})|length", "({})|lower", "({})|upper", "({})|trim"]
            + [f"({{}}) is {t}" for t in ("defined", "none", "number", "string", "true")]
        ),
        children,
    ).map(lambda p: p[0].format(p[1]))
    binary = st.tuples(
        st.sampled_from(["and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in"]),
        children,
        children,
    ).map(lambda p: f"({p[1]}) {p[0]} ({p[2]})")
    chained = st.tuples(children, children, children).map(
        lambda p: f"({p[0]}) < ({p[1]}) <= ({p[2]})"
    )
    conditional = st.tuples(children, children, children).map(
        lambda p: f"({p[0]}) if ({p[1]}) else ({p[2]})"
    )
    return unary | binary | chained | conditional


conditions = st.recursive(atoms, _combine, max_leaves=6)

TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "1",
            "-1",
            "12",
            "1.5",
            "1,5",
            "1.234,5",
            "0,1",
            "a",
            "ab",
            "x",
            "ja",
            "nein",
            "on",
            "off",
            "2024-02-29",
            "29.02.2024",
            "31.04.2024",
            "١٢",
            "６",
            "²",
            "ΟΔΟΣ",
            "Straße",
            "\u200fשלום",
            "a@b.de",
            "a\x00b",
            " x\ny ",
            "999999999999999999",
        ]
    ),  # fmt: skip
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
)
raw_inputs = st.fixed_dictionaries(
    {},
    optional={
        "t": TEXTS,
        "ta": TEXTS,
        "e": TEXTS,
        "i": TEXTS,
        "d": TEXTS,
        "dt": TEXTS,
        "b": st.sampled_from(["", "on", "ja", "nein", "x", " TRUE "]),
        "s": st.sampled_from(["", "a", "b", "12", "c"]),
        "m": st.lists(st.sampled_from(["x", "y", "z", "q"]), max_size=3),
        "tb": st.lists(
            st.fixed_dictionaries({"x": TEXTS, "n": TEXTS, "k": st.sampled_from(["", "on"])}),
            max_size=3,
        ),
        "r": st.sampled_from(["", "7", "0", "x", "²", "99999999999999999999"]),
        "f": st.sampled_from([0, 1, 2, 3]),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions, raw=raw_inputs)
def test_browser_and_server_agree_on_random_conditions(node, condition, raw):
    assume(show_if_problem(condition, "alles") is None)
    server, browser = both(node, condition, raw)
    assert server == browser, (condition, raw)
