"""The workflow engine: which steps a person may take, and why a step is refused.

The definitions are built from TOML through ``server.schema`` (as a running server does), so
the tests also prove that what an admin writes is what the engine enforces.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from server.schema import build_definitions
from server.workflow import (
    GuardFailed,
    GuardTooExpensive,
    NotAllowedFromState,
    RoleForbidden,
    TransitionRefused,
    allowed_transitions,
    check_transition,
    expression_context,
)

ROOT = Path(__file__).resolve().parents[2]

INTAKE = dedent(
    """\
    title = "Klärung"

    [[fields]]
    name = "consent"
    type = "boolean"
    label = "Einwilligung liegt vor"

    [[fields]]
    name = "agencies"
    type = "multiselect"
    label = "Beteiligte Stellen"
    choices = ["jobcenter", "abh", "jugendamt", "mbe"]

    [[fields]]
    name = "budget"
    type = "decimal"
    label = "Budget"

    [[fields]]
    name = "start"
    type = "date"
    label = "Beginn"

    [[fields]]
    name = "end"
    type = "date"
    label = "Ende"
    """
)

CASE = dedent(
    """\
    title = "Fallmanagement"
    initial = "intake"
    create_roles = ["case_manager"]

    [[states]]
    id = "intake"
    label = "Klärungsphase"
    forms = ["intake"]
    edit_roles = ["case_manager"]

    [[states]]
    id = "assessment"
    label = "Assessment"
    forms = ["intake"]
    edit_roles = ["case_manager"]

    [[states]]
    id = "goals"
    label = "Zielvereinbarung"
    forms = ["intake"]
    edit_roles = ["case_manager"]

    [[states]]
    id = "closed"
    label = "Abgeschlossen"
    final = true

    [[states]]
    id = "withdrawn"
    label = "Zurückgezogen"
    final = true

    [[transitions]]
    from = ["intake"]
    to = "assessment"
    label = "Arbeitsbündnis steht"
    roles = ["case_manager"]
    when = "intake.consent and intake.agencies|length >= 2"
    message = "Einwilligung und mindestens zwei Stellen nötig"

    [[transitions]]
    from = ["assessment"]
    to = "goals"
    label = "Weiter zur Zielvereinbarung"
    when = "intake.budget > 300"

    [[transitions]]
    from = ["goals", "assessment"]
    to = "intake"
    label = "Zurück zur Klärung"
    roles = ["case_manager"]

    [[transitions]]
    from = ["goals"]
    to = "closed"
    label = "Abschluss (Budget)"
    roles = ["case_manager"]
    when = "intake.budget >= 1000"
    message = "Das Budget liegt unter 1.000 Euro."

    [[transitions]]
    from = ["goals"]
    to = "closed"
    label = "Abschluss (Zeitraum)"
    roles = ["case_manager"]
    when = "intake.start.year >= 2026 and intake.end > intake.start"

    [[transitions]]
    from = ["goals"]
    to = "closed"
    label = "Abschluss durch Leitung"
    roles = ["supervisor"]

    [[transitions]]
    from = "*"
    to = "withdrawn"
    label = "Einwilligung widerrufen"
    roles = ["case_manager", "supervisor"]

    [[transitions]]
    from = ["closed"]
    to = "goals"
    label = "Fall wieder öffnen"
    roles = ["supervisor"]
    when = "record.state == 'closed'"
    """
)

ROLES = {r: {"label": r} for r in ("case_manager", "supervisor", "clerk")}
CM, SUP, CLERK = {"case_manager"}, {"supervisor"}, {"clerk"}


@pytest.fixture(scope="module")
def defs():
    defs, problems = build_definitions(
        {"intake": ("forms/intake.toml", INTAKE)},
        {"case": ("workflows/case.toml", CASE)},
        ROLES,
    )
    assert [str(p) for p in problems if not p.warning] == []
    return defs


@pytest.fixture(scope="module")
def wf(defs):
    return defs.workflows["case"]


def context(defs, wf, state="goals", **intake):
    return expression_context(defs, wf, {"id": 1, "state": state}, {"intake": intake})


def targets(transitions) -> list[str]:
    return [t.to for t in transitions]


# --- allowed_transitions -----------------------------------------------------------------


def test_allowed_transitions_depend_on_roles(wf):
    assert targets(allowed_transitions(wf, "intake", CM)) == ["assessment", "withdrawn"]
    assert targets(allowed_transitions(wf, "intake", SUP)) == ["withdrawn"]
    assert allowed_transitions(wf, "intake", CLERK) == []
    assert allowed_transitions(wf, "intake", set()) == []


def test_a_transition_without_roles_is_open_to_everybody(wf):
    assert "goals" in targets(allowed_transitions(wf, "assessment", CLERK))
    assert "goals" in targets(allowed_transitions(wf, "assessment", set()))


def test_several_roles_see_the_union_in_declaration_order(wf):
    labels = [t.label for t in allowed_transitions(wf, "goals", CM | SUP)]
    assert labels == [
        "Zurück zur Klärung",
        "Abschluss (Budget)",
        "Abschluss (Zeitraum)",
        "Abschluss durch Leitung",
        "Einwilligung widerrufen",
    ]


def test_star_leaves_every_non_final_state_but_no_final_one(wf):
    for state in ("intake", "assessment", "goals"):
        assert "withdrawn" in targets(allowed_transitions(wf, state, CM)), state
    assert allowed_transitions(wf, "withdrawn", CM | SUP) == []
    assert targets(allowed_transitions(wf, "closed", CM | SUP)) == ["goals"]  # reopen only


def test_a_record_in_a_removed_state_can_leave_only_by_star(wf):
    # a state deleted from the workflow must not strand its records
    assert targets(allowed_transitions(wf, "nirgends", CM | SUP)) == ["withdrawn"]
    assert allowed_transitions(wf, "nirgends", CLERK) == []


# --- check_transition: refusals ----------------------------------------------------------


def test_no_step_from_this_state_is_409(defs, wf):
    with pytest.raises(NotAllowedFromState) as info:
        check_transition(wf, "intake", "closed", CM, context(defs, wf, "intake"))
    assert info.value.status == 409
    assert info.value.message == "Von „Klärungsphase“ führt kein Schritt nach „Abgeschlossen“."


def test_star_does_not_leave_a_final_state(defs, wf):
    with pytest.raises(NotAllowedFromState):
        check_transition(wf, "closed", "withdrawn", CM, context(defs, wf, "closed"))


def test_unknown_target_is_409_naming_it(defs, wf):
    with pytest.raises(NotAllowedFromState) as info:
        check_transition(wf, "intake", "archiv", CM, context(defs, wf, "intake"))
    assert "„archiv“" in info.value.message


def test_wrong_role_is_403_even_when_the_guard_would_pass(defs, wf):
    ctx = context(defs, wf, "intake", consent=True, agencies=["abh", "mbe"])
    with pytest.raises(RoleForbidden) as info:
        check_transition(wf, "intake", "assessment", SUP, ctx)
    assert info.value.status == 403
    assert "„Assessment“" in info.value.message


def test_failed_guard_is_422_with_the_configured_message(defs, wf):
    ctx = context(defs, wf, "intake", consent=True, agencies=["abh"])
    with pytest.raises(GuardFailed) as info:
        check_transition(wf, "intake", "assessment", CM, ctx)
    assert info.value.status == 422
    assert info.value.message == "Einwilligung und mindestens zwei Stellen nötig"
    assert isinstance(info.value, TransitionRefused)


def test_a_guard_without_message_names_the_transition(defs, wf):
    with pytest.raises(GuardFailed) as info:
        check_transition(wf, "assessment", "goals", CM, context(defs, wf, "assessment"))
    assert "„Weiter zur Zielvereinbarung“" in info.value.message


# --- check_transition: guards over typed values ------------------------------------------


@pytest.mark.parametrize(
    ("intake", "passes"),
    [
        ({"consent": True, "agencies": ["abh", "mbe"]}, True),
        ({"consent": False, "agencies": ["abh", "mbe"]}, False),
        ({"consent": True, "agencies": ["abh"]}, False),
        ({"consent": True}, False),  # never saved: an empty list, not an error
        ({}, False),
    ],
)
def test_guard_over_a_boolean_and_a_list(defs, wf, intake, passes):
    ctx = context(defs, wf, "intake", **intake)
    if passes:
        assert check_transition(wf, "intake", "assessment", CM, ctx).to == "assessment"
    else:
        with pytest.raises(GuardFailed):
            check_transition(wf, "intake", "assessment", CM, ctx)


@pytest.mark.parametrize(("budget", "passes"), [("2000", True), ("300.01", True), ("300", False)])
def test_guard_compares_decimals_as_numbers_not_text(defs, wf, budget, passes):
    ctx = context(defs, wf, "assessment", budget=budget)  # "2000" < "300" as text
    assert ctx["intake"]["budget"] == Decimal(budget)
    if passes:
        check_transition(wf, "assessment", "goals", CM, ctx)
    else:
        with pytest.raises(GuardFailed):
            check_transition(wf, "assessment", "goals", CM, ctx)


def test_expression_context_gives_typed_values_and_the_record(defs, wf):
    ctx = context(defs, wf, "goals", start="2026-01-31", budget="12.5")
    assert ctx["intake"]["start"] == dt.date(2026, 1, 31)
    assert ctx["intake"]["end"] is None
    assert ctx["intake"]["agencies"] == []
    assert ctx["record"] == {"id": 1, "state": "goals"}


def test_first_transition_whose_guard_passes_wins(defs, wf):
    both = context(defs, wf, budget="5000", start="2026-01-01", end="2026-06-30")
    assert check_transition(wf, "goals", "closed", CM, both).label == "Abschluss (Budget)"
    dates = context(defs, wf, budget="10", start="2026-01-01", end="2026-06-30")
    assert check_transition(wf, "goals", "closed", CM, dates).label == "Abschluss (Zeitraum)"


def test_guard_reads_dates_as_dates(defs, wf):
    too_early = context(defs, wf, budget="10", start="2025-12-31", end="2026-06-30")
    with pytest.raises(GuardFailed):
        check_transition(wf, "goals", "closed", CM, too_early)
    reversed_dates = context(defs, wf, budget="10", start="2026-06-30", end="2026-01-01")
    with pytest.raises(GuardFailed):
        check_transition(wf, "goals", "closed", CM, reversed_dates)


def test_when_every_guard_fails_the_first_message_is_given(defs, wf):
    with pytest.raises(GuardFailed) as info:
        check_transition(wf, "goals", "closed", CM, context(defs, wf, budget="10"))
    assert info.value.message == "Das Budget liegt unter 1.000 Euro."


def test_another_role_takes_its_own_transition_to_the_same_state(defs, wf):
    ctx = context(defs, wf, budget="10")
    assert check_transition(wf, "goals", "closed", SUP, ctx).label == "Abschluss durch Leitung"
    with pytest.raises(RoleForbidden):
        check_transition(wf, "goals", "closed", CLERK, ctx)


def test_jumps_back_and_reopening(defs, wf):
    assert check_transition(wf, "goals", "intake", CM, context(defs, wf)).to == "intake"
    assert check_transition(wf, "assessment", "intake", CM, context(defs, wf)).to == "intake"
    reopen = check_transition(wf, "closed", "goals", SUP, context(defs, wf, "closed"))
    assert reopen.label == "Fall wieder öffnen"
    with pytest.raises(GuardFailed):  # record.state is read from the record, not assumed
        check_transition(wf, "closed", "goals", SUP, context(defs, wf, "goals"))


def test_withdrawal_from_any_open_state(defs, wf):
    for state in ("intake", "assessment", "goals"):
        t = check_transition(wf, state, "withdrawn", SUP, context(defs, wf, state))
        assert t.label == "Einwilligung widerrufen"


def test_a_guard_that_errors_refuses_instead_of_crashing(defs, wf):
    # comparing a date with text raises TypeError inside the expression
    ctx = context(defs, wf, budget="10", start="2026-01-01", end="2026-06-30")
    ctx["intake"]["end"] = "kein Datum"
    with pytest.raises(GuardFailed):
        check_transition(wf, "goals", "closed", CM, ctx)


NOTE = 'title = "Notiz"\n\n[[fields]]\nname = "text"\ntype = "text"\nlabel = "Text"\n'
FLOW = dedent(
    """\
    title = "Ablauf"
    initial = "open"
    create_roles = ["case_manager"]

    [[states]]
    id = "open"
    label = "Offen"
    forms = ["note"]
    edit_roles = ["case_manager"]

    [[states]]
    id = "done"
    label = "Erledigt"
    final = true

    [[transitions]]
    from = ["open"]
    to = "done"
    label = "Abschließen"
    when = "(note.text * 5000)|length > 0"
    message = "Bitte eine Notiz schreiben."
    """
)


def test_a_guard_stopped_by_its_limits_is_a_422_naming_the_step_not_a_missing_requirement(
    caplog,
):
    defs, problems = build_definitions(
        {"note": ("forms/note.toml", NOTE)}, {"flow": ("workflows/flow.toml", FLOW)}, ROLES
    )
    assert [str(p) for p in problems if not p.warning] == []  # fine for ordinary values
    flow = defs.workflows["flow"]
    short = expression_context(defs, flow, {"id": 1, "state": "open"}, {"note": {"text": "ab"}})
    assert check_transition(flow, "open", "done", CM, short).to == "done"
    secret = "Frau Beispiel, geb. 1990 " * 4  # 100 characters: 500,000 after `* 5000`
    long = expression_context(defs, flow, {"id": 1, "state": "open"}, {"note": {"text": secret}})
    with pytest.raises(GuardTooExpensive) as info:
        check_transition(flow, "open", "done", CM, long)
    assert info.value.status == 422
    assert info.value.message == (
        "Die Bedingung des Schritts „Abschließen“ ist zu aufwendig und wurde abgebrochen; "
        "bitte die Administration informieren."
    )
    # the log tells the administration which condition, and nothing about the record
    assert "„(note.text * 5000)|length > 0“ ist zu aufwendig" in caplog.text
    assert "Beispiel" not in caplog.text


# --- no Flask ----------------------------------------------------------------------------

WEB_STACK = ("flask", "werkzeug", "peewee", "redis", "rq")


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_engine_and_what_it_imports_need_no_web_stack():
    # the package __init__ (create_app) is bypassed: this checks the engine's own imports
    code = dedent(
        f"""\
        import sys, types
        package = types.ModuleType("server")
        package.__path__ = ["server"]
        sys.modules["server"] = package
        import server.workflow.engine
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {WEB_STACK!r})
        assert not loaded, loaded
        """
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr


def test_importing_the_engine_does_not_load_flask():
    done = run_python("import server.workflow.engine, sys; assert 'flask' not in sys.modules")
    assert done.returncode == 0, done.stderr
