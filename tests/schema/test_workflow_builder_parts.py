"""Deadlines and documents in the workflow builder's model: edits touch only their lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.schema.builder.form_model import BuilderError
from server.schema.builder.key_names import KEY_INFO, german_message
from server.schema.builder.workflow_model import WorkflowModel
from server.schema.builder.workflow_parts import DEADLINE_ORDER, entry_at_line
from server.schema.deadline_keys import DEADLINE_KEYS
from server.schema.workflows import DOCUMENT_KEYS, parse_workflow
from tests.schema.test_form_builder_model import changed

ROOT = Path(__file__).resolve().parents[2]
CASES = (ROOT / "workflows" / "case_management.toml").read_text(encoding="utf-8")


def test_deadlines_and_documents_are_read_as_written():
    model = WorkflowModel(CASES)
    monitoring = [d for d in model.deadlines() if d.get("every_days")][0]
    assert monitoring.get("done_field") == "monitoring.contacts.date"
    assert monitoring.get("escalate_to") == "team_lead"
    consent = model.documents()[0]
    assert consent.get("formats") == ["docx", "pdf"] and consent.label == "Einwilligungserklärung"


def test_a_deadline_from_a_date_with_escalation_keeps_every_comment():
    model = WorkflowModel(CASES)
    index = model.add_deadline("goals", "Ziele prüfen", 10)
    model.set_part("deadlines", index, "days", None)
    model.set_part("deadlines", index, "from_field", "goals.goals.target_date")
    model.set_part("deadlines", index, "offset_days", -7)
    model.set_part("deadlines", index, "escalate_after_days", 3)
    model.set_part("deadlines", index, "escalate_to", "team_lead")
    workflow, problems = parse_workflow("case_management", model.text, "workflows/cm.toml")
    assert workflow is not None, [p.message for p in problems if not p.warning]
    added = [d for d in workflow.deadlines if d.label == "Ziele prüfen"][0]
    assert (added.from_field, added.offset_days, added.escalate_after_days) == (
        "goals.goals.target_date",
        -7,
        3,
    )
    # keys in the documented order, nothing but added lines
    assert all(line.startswith("+") for line in changed(CASES, model.text))
    block = model.text.split('label = "Ziele prüfen"')[0].rsplit("[[deadlines]]", 1)[1]
    assert block.index("from_field") < block.index("offset_days")  # before the label
    assert "escalate_to" not in block  # after it, as in docs/configuration.md


def test_days_by_choice_is_written_as_an_inline_table_and_removed_when_empty():
    model = WorkflowModel(CASES)
    index = len(model.deadlines()) - 1
    model.set_part("deadlines", index, "days_by_choice", {"a": 3, "b": 5})
    assert "days_by_choice = {a = 3, b = 5}" in model.text
    model.set_part("deadlines", index, "days_by_choice", {})
    assert model.text == CASES


def test_a_document_with_states_and_pdf_and_removing_it_restores_the_file():
    model = WorkflowModel(CASES)
    index = model.add_document("kurzbericht", "Kurzbericht", "hilfeplan.docx")
    model.set_part("documents", index, "states", ["monitoring"])
    model.set_part("documents", index, "formats", ["docx", "pdf"])
    workflow, problems = parse_workflow("case_management", model.text, "workflows/cm.toml")
    assert workflow is not None, [p.message for p in problems if not p.warning]
    doc = [d for d in workflow.documents if d.id == "kurzbericht"][0]
    assert doc.states == ("monitoring",) and doc.formats == ("docx", "pdf")
    model.remove_part("documents", index)
    assert model.text == CASES


def test_mistakes_in_deadlines_and_documents_are_german():
    model = WorkflowModel(CASES)
    with pytest.raises(BuilderError, match="Zustand „nirgends“"):
        model.add_deadline("nirgends", "X")
    with pytest.raises(BuilderError, match="Bezeichnung"):
        model.add_deadline("intake", "  ")
    with pytest.raises(BuilderError, match="gibt es schon"):
        model.add_document("einwilligung", "Doppelt", "einwilligung.docx")
    with pytest.raises(BuilderError, match="Frist Nr. 99"):
        model.set_part("deadlines", 98, "days", 3)
    with pytest.raises(BuilderError, match="nicht ändern"):
        model.set_part("documents", 0, "roles", ["x"])
    with pytest.raises(BuilderError, match="ganz oben"):
        model.move_part("deadlines", 0, -1)


def test_a_problem_line_leads_to_its_deadline():
    model = WorkflowModel(CASES)
    line = CASES.splitlines().index("every_days = 28") + 1
    index = entry_at_line(CASES, "deadlines", line)
    assert model.deadlines()[index].get("every_days") == 28
    assert entry_at_line(CASES, "deadlines", 1) is None


def test_every_deadline_and_document_key_has_a_german_name_and_explanation():
    assert set(DEADLINE_ORDER) == set(DEADLINE_KEYS)
    for key in (*DEADLINE_KEYS, *DOCUMENT_KEYS):
        name, explanation = KEY_INFO[key]
        assert name and name != key and explanation


def test_checker_messages_get_german_key_names_but_given_names_stay():
    message = "Feld „show_if“: „show_if“ liest „days“ aus Schritt 2; „offset_days“ gilt nur"
    assert german_message(message) == (
        "Feld „show_if“: „Sichtbar nur, wenn“ liest „Tage nach Eintritt“ aus Schritt 2; "
        "„Tage vor oder nach dem Datum“ gilt nur"
    )
    # a value after „nicht“ is what somebody wrote, not a key
    assert german_message("„type“ muss bekannt sein, nicht „label“") == (
        "„Art des Felds“ muss bekannt sein, nicht „label“"
    )
