"""Conditions are bounded by the work they do, not by how they look.

The expensive cases run in a child process with a timeout: before the limits existed,
``((9**999)**999)**12`` took ~15 s and ``'x'|center(10**8)`` built 100 MB, and a regression
must fail here rather than hang the suite. The child imports only the expression modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from textwrap import dedent

import pytest

from server.schema import expression_budget
from server.schema.expression_budget import ExpressionBudgetExceeded, budget, quoted, tick
from server.schema.expressions import check_expression, evaluate_condition

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 90  # seconds; the bounded evaluation needs milliseconds

CHILD = dedent(
    """\
    import json, sys, types
    package = types.ModuleType("server")  # skip create_app and the web stack
    package.__path__ = ["server"]
    sys.modules["server"] = package
    from server.schema.expression_budget import ExpressionBudgetExceeded, budget, tick
    from server.schema.expressions import evaluate_condition
    source, context = json.loads(sys.argv[1]), eval(sys.argv[2])
    try:
        print(json.dumps({"result": evaluate_condition(source, context)}))
    except ExpressionBudgetExceeded as exc:
        print(json.dumps({"message": exc.message}))
    """
)


def evaluate_in_child(source: str, context: str = "{}") -> dict:
    """Evaluate in a fresh process; a timeout is a failure, never a hang."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(source), context],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{source!r} ran for more than {CHILD_TIMEOUT} s")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


INT = "Zahl mit mehr als 4096 Bit"
SIZE = "Text oder Liste mit mehr als 250.000 Zeichen"
TIME = "Zeitlimit von 100 ms überschritten"  # 5·10⁹ copies: no machine does that in time
TENFOLD = "|replace('x', 'xxxxxxxxxx')"


@pytest.mark.parametrize(
    ("source", "context", "reason"),
    [
        ("((9**999)**999)**12 > 0", "{}", INT),
        ("9**999**999 > 0", "{}", INT),
        # a huge base from the data: the size is estimated before the power is computed
        ("x ** y > 0", "{'x': 10**1000, 'y': 5}", INT),
        ("('xxxx'|replace('', 'y' * 60000))|length > 0", "{}", SIZE),
        ("('x'" + TENFOLD * 6 + ")|length > 0", "{}", SIZE),
        ("'x'|center(10**8)|length > 0", "{}", SIZE),
        ("'x'|center(100000000)|length > 0", "{}", SIZE),
        ("'a\\nb'|indent(10**8)|length > 0", "{}", SIZE),
        ("'a'|indent(10**8, true)|length > 0", "{}", SIZE),
        ("(s ~ s ~ s)|length > 0", "{'s': 'x' * 100000}", SIZE),
        ("('x' * 100000 ~ 'x' * 100000 ~ 'x' * 100000)|length > 0", "{}", SIZE),
        ("([0] * 100000 + [0] * 100000 + [0] * 100000)|length > 0", "{}", SIZE),
        ("(['x' * 1000] * 200)|join('y' * 10000)|length > 0", "{}", SIZE),
        ("('%0100000000d' % 1)|length > 0", "{}", SIZE),
        ("('%s'|format('x'))|length > 0 and ('%99999999s'|format('x'))|length > 0", "{}", SIZE),
        ("('%0100000000d'.encode() % 1)|length > 0", "{}", SIZE),
        ("'{:>100000000}'.format(1)|length > 0", "{}", SIZE),
        ("'x'.ljust(10**8)|length > 0", "{}", SIZE),
        ("('a' * 10**7)|length > 0", "{}", SIZE),
        # adding lists one by one is quadratic: small result, much work
        ("([[0]] * 100000)|sum(start=[])|length > 0", "{}", TIME),
        ("[1, 2]|batch(10**8, 0)|list|length > 0", "{}", SIZE),
    ],
)
def test_an_expensive_evaluation_is_stopped_with_a_german_message(source, context, reason):
    outcome = evaluate_in_child(source, context)
    assert outcome == {
        "message": f"Der Ausdruck „{quoted(source)}“ ist zu aufwendig ({reason}) und wurde "
        "abgebrochen."
    }


def test_the_same_operator_is_fine_or_stopped_depending_on_the_values():
    # not decided by the syntax tree: ``x ** y`` and ``t * n`` are harmless for small values
    assert evaluate_condition("x ** y == 729", {"x": 9, "y": 3})
    assert evaluate_condition("(t * n)|length == 6", {"t": "ab", "n": 3})
    with pytest.raises(ExpressionBudgetExceeded):
        evaluate_condition("(t * n)|length == 6", {"t": "ab" * 50_000, "n": 3})
    with pytest.raises(ExpressionBudgetExceeded):
        evaluate_condition("x ** y == 729", {"x": 9, "y": 10**6})


@pytest.mark.parametrize(
    "source",
    [
        "2 ** 10 == 1024",
        "-(3 - 5) == 2 and 7 // 2 == 3 and 7 % 4 == 3 and 1 / 2 == 0.5",
        "'ab' ~ 'c' ~ 1 == 'abc1'",
        "[1, 2] + [3] == [1, 2, 3] and 'ab' * 2 == 'abab'",
        "[1, 2]|sum == 3 and [[1], [2]]|sum(start=[]) == [1, 2]",
        "[1, 2]|map('string')|join(', ') == '1, 2'",
        "'{} {}'.format('a', 'b') == 'a b' and '%s-%d' % ('a', 1) == 'a-1'",
        "'x'|center(5) == '  x  ' and 'a\\nb'|indent(2) == 'a\\n  b'",
        "'abc'|replace('b', 'xx') == 'axxc' and 'a'.ljust(3) == 'a  '",
        "[3, 1, 2]|sort|first == 1 and [1, 2, 3]|select('odd')|list == [1, 3]",
        "[1, 2, 3, 4]|batch(3, 0)|list == [[1, 2, 3], [4, 0, 0]]",
    ],
)
def test_ordinary_conditions_keep_their_meaning(source):
    assert evaluate_condition(source, {})


def test_the_time_budget_stops_an_evaluation(monkeypatch):
    # deterministic: a budget of zero seconds is over at the first step
    monkeypatch.setattr(expression_budget, "TIME_BUDGET", 0)
    with pytest.raises(ExpressionBudgetExceeded) as info:
        evaluate_condition("a.b + 1 == 2", {"a": {"b": 1}})
    assert "Zeitlimit" in info.value.message and "„a.b + 1 == 2“" in info.value.message


def test_time_the_thread_was_not_running_is_given_back():
    """A busy server must not refuse a trivial condition: only time spent working counts."""
    with budget("wartet", seconds=0.02):
        for _ in range(3):
            time.sleep(0.05)  # descheduled, as on a busy machine: the wall clock runs on
            tick()  # past the wall-clock deadline each time, yet no refusal
    with pytest.raises(ExpressionBudgetExceeded) as info, budget("rechnet", seconds=0.02):
        start = time.thread_time()
        while time.thread_time() - start < 5:  # work, measured by the thread's CPU clock
            tick()
    assert info.value.message == (
        "Der Ausdruck „rechnet“ ist zu aufwendig (Zeitlimit von 20 ms überschritten) "
        "und wurde abgebrochen."
    )
    assert time.thread_time() - start < 5  # stopped by the budget, not by the loop


def test_other_runtime_errors_still_mean_false():
    assert not evaluate_condition("1 / 0", {})
    assert not evaluate_condition("x > 3", {"x": None})
    assert not evaluate_condition("'9' * 5000|int > 0", {})  # Python refuses, not a limit


@pytest.mark.parametrize(
    "source",
    ["(" * 600 + "1" + ")" * 600, "-" * 1900 + "1", "not " * 450 + "x", "a" + "|length" * 250],
)
def test_deep_nesting_is_a_german_compile_error_not_a_crash(source):
    # before: RecursionError or SyntaxError out of the parser (a 500 when publishing)
    message = check_expression(source)
    assert message is not None and "zu tief verschachtelt (höchstens 40 Ebenen)" in message
    assert not evaluate_condition(source, {})
