"""The workflow builder's model: shipped workflows round-trip, edits change only their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.schema.builder.form_model import BuilderError
from server.schema.builder.workflow_model import WorkflowModel
from server.schema.workflows import parse_workflow
from tests.schema.test_form_builder_model import changed

ROOT = Path(__file__).resolve().parents[2]
CASES = (ROOT / "workflows" / "case_management.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted(ROOT.glob("workflows/*.toml")), ids=lambda p: p.name)
def test_every_shipped_workflow_round_trips_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert WorkflowModel(text).text == text


def test_states_and_transitions_are_read():
    model = WorkflowModel(CASES)
    states = {s.id: s for s in model.states()}
    assert states["intake"].forms[:1] == ("intake",)
    first = model.transitions()[0]
    assert first.sources == ("intake",) and first.to == "assessment" and first.when


def test_a_state_between_two_phases_with_a_guarded_transition():
    model = WorkflowModel(CASES)
    model.add_state("clearing", "Klärung der Zuständigkeit", after="intake")
    model.set_state("clearing", "forms", ["intake"])
    model.set_state("clearing", "edit_roles", ["case_manager", "team_lead"])
    index = model.add_transition(["intake"], "clearing", "Zuständigkeit klären", ["case_manager"])
    model.set_transition(index, "when", "intake.interpreter_needed")
    model.set_transition(index, "message", "Bitte zuerst die Sprachmittlung klären.")
    workflow, problems = parse_workflow("case_management", model.text, "workflows/cm.toml")
    assert workflow is not None, [p for p in problems if not p.warning]
    ids = [s.id for s in workflow.states]
    assert ids.index("clearing") == ids.index("intake") + 1
    guarded = [t for t in workflow.transitions if t.to == "clearing"][0]
    assert guarded.message == "Bitte zuerst die Sprachmittlung klären."
    # only added lines: every comment of the shipped file is still there
    assert all(line.startswith("+") for line in changed(CASES, model.text))


def test_renaming_a_state_changes_one_line_and_mistakes_say_why():
    model = WorkflowModel(CASES)
    model.set_state("assessment", "label", "Assessment (Situationsanalyse)")
    assert len(changed(CASES, model.text)) == 2  # one line out, one in
    with pytest.raises(BuilderError, match="gibt es schon"):
        model.add_state("intake", "Doppelt")
    with pytest.raises(BuilderError, match="gibt es nicht"):
        model.add_transition(["intake"], "nirgends", "Weg", [])
