"""Deadlines and documents in the workflow builder, through the Flask client."""

from __future__ import annotations

import re

import pytest

from server.models import ConfigRevision
from tests.admin.test_form_builder import admin_client, draft  # noqa: F401 - fixture
from tests.helpers import csrf_token

WF_BUILDER = "/admin/workflow-builder/workflows/foerderung"


class WorkflowBuilder:
    """Presses buttons of the workflow builder, carrying the draft like the browser does."""

    def __init__(self, client):
        self.client = client
        self.page = client.get(WF_BUILDER).get_data(as_text=True)
        self.status = 200

    def press(self, action: str, toml: str | None = None, **inputs) -> str:
        page = self.page
        data = {
            "csrf_token": csrf_token(page),
            "toml": draft(page) if toml is None else toml,
            "base_revision": re.search(r'name="base_revision" value="(-?\d*)"', page).group(1),
            "selected": re.search(r'name="selected" value="([^"]*)"', page).group(1),
            "action": action,
            **inputs,
        }
        response = self.client.post(WF_BUILDER, data=data)
        self.status = response.status_code
        if response.status_code == 302:
            self.page = self.client.get(response.headers["Location"]).get_data(as_text=True)
        else:
            self.page = response.get_data(as_text=True)
        return self.page


def test_deadlines_and_documents_are_listed_with_german_names(admin_client):  # noqa: F811
    page = WorkflowBuilder(admin_client).press("edit|deadline:0")
    assert "Bescheid fällig" in page and "14 Tage nach Eintritt" in page
    for german in ("Tage nach Eintritt", "Aus dem Datum", "Eskalieren an", "Wiederkehrend alle"):
        assert german in page
    assert 'aria-describedby="hint-offset_days"' in page
    assert "Förderantrag: Beginn der Maßnahme" in page  # a date field of its forms
    page = WorkflowBuilder(admin_client).press("edit|document:0")
    assert "Word-Vorlage" in page and '<option value="eingang.docx" selected>' in page


def test_add_a_deadline_from_a_date_with_escalation_and_a_document_then_publish(
    admin_client,  # noqa: F811
):
    builder = WorkflowBuilder(admin_client)
    builder.press(
        "add-deadline",
        **{"new-deadline-state": "eingereicht", "new-deadline-label": "Vor Beginn prüfen"},
    )
    assert builder.status == 200 and 'name="selected" value="deadline:1"' in builder.page
    builder.press(
        "save",
        state="eingereicht",
        label="Vor Beginn prüfen",
        days="",
        from_field="antrag.beginn",
        offset_days="-7",
        escalate_after_days="2",
        escalate_to="head",
        escalate_scope="organisation",
    )
    text = draft(builder.page)
    assert 'from_field = "antrag.beginn"\noffset_days = -7\nlabel = "Vor Beginn prüfen"' in text
    assert 'escalate_to = "head"' in text and "escalate_scope" not in text
    assert "Der Entwurf ist fehlerfrei." in builder.page, builder.page
    builder.press(
        "add-document",
        **{"new-document-label": "Zwischenbericht", "new-document-template": "bescheid.docx"},
    )
    builder.press(
        "save",
        label="Zwischenbericht",
        template="bescheid.docx",
        **{
            "states-shown": "1",
            "states": "eingereicht",
            "formats-shown": "1",
            "pdf": "1",
            "language": "",
        },
    )
    text = draft(builder.page)
    assert 'id = "zwischenbericht"' in text and 'states = ["eingereicht"]' in text
    assert 'formats = ["docx", "pdf"]' in text
    builder.press("publish", message="Frist und Dokument")
    assert "ist veröffentlicht (Revision" in builder.page
    assert ConfigRevision.get().text == text


def test_a_deadline_problem_is_shown_at_the_deadline_with_german_key_names(admin_client):  # noqa: F811
    builder = WorkflowBuilder(admin_client)
    builder.press("edit|deadline:0")
    builder.press("save", state="eingereicht", label="Bescheid fällig", days="14", offset_days="3")
    page = builder.page
    assert "„Tage vor oder nach dem Datum“ gilt nur mit „Aus dem Datum“" in page
    assert "offset_days" not in re.search(r'id="teil-fehler">(.*?)</div>', page, re.S).group(1)
    assert 'aria-describedby="hint-days teil-fehler"' in page
    assert "Der Entwurf ist fehlerfrei." not in page


@pytest.mark.parametrize(
    "action, inputs",
    [
        ("save", {"selected": "deadline:0", "days": "vierzehn"}),
        ("save", {"selected": "deadline:0", "offset_days": "1e5"}),
        ("save", {"selected": "deadline:7", "days": "3"}),
        ("save", {"selected": "deadline:0", "state": "nirgends"}),
        ("save", {"selected": "deadline:0", "label": "   "}),
        ("save", {"selected": "document:0", "template": ""}),
        ("save", {"selected": "document:x", "label": "X"}),
        ("add-deadline", {"new-deadline-state": "", "new-deadline-label": "X"}),
        ("add-deadline", {"new-deadline-state": "entwurf", "new-deadline-days": "-"}),
        ("add-document", {"new-document-label": "Eingang", "new-document-id": "eingang"}),
        ("add-document", {"new-document-label": "", "new-document-template": "x.docx"}),
        ("remove-deadline|99", {}),
        ("remove-document|abc", {}),
        ("edit|deadline:0", {"toml": "title = 'x'\ndeadlines = 3\n"}),
    ],
)
def test_odd_input_gets_a_german_answer_never_a_500(admin_client, action, inputs):  # noqa: F811
    builder = WorkflowBuilder(admin_client)
    toml = inputs.pop("toml", None)
    if "selected" in inputs:
        builder.page = builder.page.replace(
            'name="selected" value=""', f'name="selected" value="{inputs.pop("selected")}"'
        )
    page = builder.press(action, toml, **inputs)
    assert builder.status in (200, 422), page[:500]
    assert "Traceback" not in page
    if builder.status == 422:
        assert re.search(r'class="alert alert-danger verbund-message" role="alert"', page)


def test_saving_a_deadline_changes_only_what_was_changed(admin_client):  # noqa: F811
    builder = WorkflowBuilder(admin_client)
    text = draft(builder.page).replace(
        'label = "Bescheid fällig"',
        'label = "Bescheid fällig"\nescalate_after_days = 0  # sofort\nescalate_to = "head"\n'
        'escalate_scope = "organisation"',
    )
    builder.press("edit|deadline:0", toml=text)
    page = builder.press(
        "save",
        state="eingereicht",
        label="Bescheid fällig",
        days="21",
        escalate_after_days="0",
        escalate_to="head",
        escalate_scope="organisation",
    )
    after = draft(page)
    assert after == text.replace("days = 14", "days = 21"), after
