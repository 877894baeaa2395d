"""Conditions: sandboxed Jinja expressions that are forgiving about data not entered yet."""

from __future__ import annotations

import datetime as dt

import pytest

from server.schema.expression_budget import ExpressionBudgetExceeded
from server.schema.expressions import (
    ExpressionError,
    compile_expression,
    evaluate_condition,
    referenced_names,
)

GUARD = "intake.consent and intake.agencies|length >= 2"


def test_guard_of_the_design_is_true_only_with_consent_and_two_agencies():
    two = [{"agency": "Jobcenter"}, {"agency": "ABH"}]
    assert evaluate_condition(GUARD, {"intake": {"consent": True, "agencies": two}})
    assert not evaluate_condition(GUARD, {"intake": {"consent": True, "agencies": two[:1]}})
    assert not evaluate_condition(GUARD, {"intake": {"consent": False, "agencies": two}})


@pytest.mark.parametrize(
    "context",
    [
        {},  # nothing was ever saved
        {"intake": {}},  # saved, field missing
        {"intake": {"consent": True, "agencies": None}},  # saved empty
        {"intake": None},
    ],
)
def test_missing_data_is_falsy_and_length_zero(context):
    assert not evaluate_condition(GUARD, context)
    assert evaluate_condition("intake.agencies|length == 0", context)
    assert evaluate_condition("not intake.consent_date", context)
    assert evaluate_condition("intake.consent_date is none", context)


def test_undefined_chains_through_any_depth():
    assert evaluate_condition("not nobody.knows.this.name", {})
    assert evaluate_condition("nobody['x'].y|length == 0", {})


def test_runtime_errors_make_the_condition_false():
    # None > 3 and date > int raise TypeError in Python; a condition then is simply not met
    assert not evaluate_condition("intake.age > 3", {"intake": {"age": None}})
    assert not evaluate_condition("d > 3", {"d": dt.date(2024, 1, 1)})
    assert not evaluate_condition("1 / 0", {})


def test_sandbox_refuses_the_way_out_through_class_attributes():
    # compiles (it is valid Jinja) but the sandbox refuses at run time
    compile_expression("''.__class__.__mro__")
    assert not evaluate_condition("''.__class__.__mro__", {})
    # without the sandbox this would be 2 (str, object)
    assert not evaluate_condition("''.__class__.__mro__|length > 0", {})
    assert not evaluate_condition("''.__class__.__mro__[1].__subclasses__()", {})
    assert not evaluate_condition("x.__init__.__globals__", {"x": {"a": 1}})


def test_data_cannot_be_changed_by_a_condition():
    data = {"items": [1]}
    assert not evaluate_condition("x.items.append(2)", {"x": data})
    assert data == {"items": [1]}


def test_huge_results_are_refused():
    # stopped, not false: see test_expression_budget.py
    for source in ("('a' * 1000000)|length > 0", "2 ** 100000 > 1"):
        with pytest.raises(ExpressionBudgetExceeded):
            evaluate_condition(source, {})


def test_dict_attribute_is_the_field_even_when_named_like_a_method():
    form = {"items": "fünf", "values": None}
    assert evaluate_condition("f.items == 'fünf'", {"f": form})
    assert not evaluate_condition("f.values", {"f": form})


def test_record_attributes_and_string_methods_work():
    context = {"record": {"state": "intake"}, "name": "Anna"}
    assert evaluate_condition("record.state == 'intake'", context)
    assert evaluate_condition("name.startswith('A')", context)
    assert evaluate_condition("record.state in ['intake', 'assessment']", context)


def test_helpers_of_jinja_are_not_names_in_conditions():
    # a field called range must not be shadowed by Jinja's range()
    assert evaluate_condition("range == 'weit'", {"range": "weit"})
    assert not evaluate_condition("range(3)|length == 3", {})


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("a |lenght > 1", "unbekannter Filter „lenght“ – meinten Sie „length“?"),
        ("a|lenght", "unbekannter Filter „lenght“"),
        ("a is nmber", "unbekannter Test „nmber“"),
        ("a ==", "endet zu früh"),
        ("a b", "unerwartetes „b“"),
        ("a }} {{ b", "unerwartetes „}}“"),
        ("   ", "leer"),
    ],
)
def test_compile_errors_are_german_and_name_the_problem(source, fragment):
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert fragment in info.value.message


def test_compile_is_cached():
    assert compile_expression("a and b") is compile_expression("a and b")


def test_referenced_names_gives_name_and_first_attribute():
    names = referenced_names(
        "intake.consent and not intake['consent_withdrawn'] and intake.agencies[0].agency"
        " and record.state != 'x' and flag and (other|default(fallback))"
    )
    assert names == {
        ("intake", "consent"),
        ("intake", "consent_withdrawn"),
        ("intake", "agencies"),
        ("record", "state"),
        ("flag", None),
        ("other", None),
        ("fallback", None),
    }


def test_referenced_names_raises_on_bad_source():
    with pytest.raises(ExpressionError):
        referenced_names("a and")
