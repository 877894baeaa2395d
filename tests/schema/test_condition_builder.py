"""The condition builder reads what it can show, writes it back, leaves the rest as text."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from server.schema.builder.conditions import (
    Clause,
    Condition,
    clause_from_input,
    read_condition,
    write_condition,
)
from server.schema.show_if import show_if_problem

ROOT = Path(__file__).resolve().parents[2]
NAMES = {"a", "b", "status", "count", "langs", "ok"}


@pytest.mark.parametrize(
    ("source", "condition"),
    [
        ("ok", Condition((Clause("ok", "set"),))),
        ("not ok", Condition((Clause("ok", "unset"),))),
        ('status == "duldung"', Condition((Clause("status", "eq", ("duldung",)),))),
        ("intake.count >= 2", Condition((Clause("count", "gteq", (2,)),))),
        ('"ar" in langs', Condition((Clause("langs", "contains", ("ar",)),))),
        ('status in ["a", "b"]', Condition((Clause("status", "in", ("a", "b")),))),
        (
            'ok and status != "x" and count < 3',
            Condition(
                (Clause("ok", "set"), Clause("status", "ne", ("x",)), Clause("count", "lt", (3,)))
            ),
        ),
        ("a or b", Condition((Clause("a", "set"), Clause("b", "set")), "or")),
    ],
)
def test_representable_conditions_are_read_and_written_back(source, condition):
    assert read_condition(source, "intake", NAMES) == condition
    written = write_condition(condition)
    assert read_condition(written, "intake", NAMES) == condition
    assert show_if_problem(written, "intake") is None


@pytest.mark.parametrize(
    "source",
    ["a and b or ok", "count|length > 2", "not (a and b)", "x == 1", "a == b", "status ==", ""],
)
def test_other_expressions_stay_text(source):
    result = read_condition(source, "intake", NAMES)
    assert result is None or (source == "" and result.clauses == ())


def test_every_shipped_show_if_is_shown_in_the_builder():
    for path in sorted(ROOT.glob("forms/*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        names = {f["name"] for f in data["fields"]}
        for field in data["fields"]:
            if "show_if" in field:
                assert read_condition(field["show_if"], path.stem, names), field["show_if"]


def test_values_typed_in_german_become_numbers_for_number_fields():
    assert clause_from_input("count", "gt", "1,5", numeric=True).value == (1.5,)
    assert clause_from_input("count", "in", "1, 2", numeric=True).value == (1, 2)
    assert clause_from_input("status", "eq", " 2 ", numeric=False).value == ("2",)
    with pytest.raises(ValueError, match="Wert"):
        clause_from_input("status", "eq", "", numeric=False)


def test_a_transitions_guard_is_read_with_form_and_field():
    names = {"intake.consent", "assessment.life_areas"}
    condition = read_condition('intake.consent and assessment.life_areas != ""', "", names)
    assert condition == Condition(
        (Clause("intake.consent", "set"), Clause("assessment.life_areas", "ne", ("",)))
    )
    assert read_condition(write_condition(condition), "", names) == condition
    assert read_condition("record.consent_given", "", names) is None  # stays text
