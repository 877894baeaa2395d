"""The form builder through the Flask client: edit, check, publish through the same path."""

from __future__ import annotations

import re
from html import unescape

import pytest

from server.models import ConfigRevision, Record
from server.runtime import current_runtime
from server.services.records.changes import create_record
from tests.admin.test_config_editor import staff_page
from tests.helpers import csrf_token, login

BUILDER = "/admin/builder/forms/antrag"


@pytest.fixture
def admin_client(client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    return client


def draft(html: str) -> str:
    raw = re.search(r'<textarea name="toml" hidden>\n(.*?)</textarea>', html, re.S).group(1)
    return unescape(raw)


class Builder:
    """Clicks buttons of the builder, carrying the draft like the browser does."""

    def __init__(self, client):
        self.client = client
        self.page = client.get(BUILDER).get_data(as_text=True)
        self.status = 200

    def press(self, action: str, path: str = "", toml: str | None = None, **inputs) -> str:
        base = re.search(r'name="base_revision" value="(-?\d*)"', self.page).group(1)
        data = {
            "csrf_token": csrf_token(self.page),
            "toml": draft(self.page) if toml is None else toml,
            "base_revision": base,
            "path": path,
            "action": action,
            **inputs,
        }
        response = self.client.post(BUILDER, data=data)
        self.status = response.status_code
        if response.status_code == 302:
            self.page = self.client.get(response.headers["Location"]).get_data(as_text=True)
        else:
            self.page = response.get_data(as_text=True)
        return self.page


def test_the_builder_lists_fields_with_german_type_names_and_the_type_list(admin_client):
    page = admin_client.get(BUILDER).get_data(as_text=True)
    assert "Name des Vereins" in page and "Auswahl (mehrere)" in page
    assert "Ein Kalendertag (TT.MM.JJJJ)" in page  # a type's explanation, from the registry
    assert "Der Entwurf ist fehlerfrei." in page and "Vorschau: so sehen es" in page


def test_add_a_select_field_with_choices_and_condition_and_publish(app, admin_client, make_user):
    staff, record_url = staff_page(app, make_user)
    builder = Builder(admin_client)
    builder.press("add-field", **{"new-type": "select", "new-label": "Vereinsgröße"})
    assert builder.status == 200 and "vereinsgroesse" in draft(builder.page)
    builder.press("edit|vereinsgroesse")
    for label in ("Klein", "Mittel", "Groß"):
        builder.press("choice-add", "vereinsgroesse", **{"new-choice-label": label})
    builder.press(
        "save",
        "vereinsgroesse",
        label="Vereinsgröße",
        **{
            "cond-mode": "rows",
            "cond-rows": "1",
            "cond-field-0": "mitglieder",
            "cond-op-0": "gteq",
            "cond-value-0": "10",
        },
    )
    text = draft(builder.page)
    assert 'show_if = "mitglieder >= 10"' in text and '{ value = "gross", label = "Groß" }' in text
    assert "Der Entwurf ist fehlerfrei." in builder.page
    builder.press("publish", message="Vereinsgröße erfragen")
    assert "ist veröffentlicht (Revision" in builder.page
    assert ConfigRevision.get().text == text
    assert "Vereinsgröße" in staff.get(record_url).get_data(as_text=True)


def test_a_mistake_is_shown_at_the_field_with_its_line_and_nothing_is_published(admin_client):
    builder = Builder(admin_client)
    builder.press("add-field", **{"new-type": "select", "new-label": "Leer"})
    assert "Fehler im Entwurf" in builder.page
    # the key in German (the builder's names), next to the text's path:line
    assert re.search(
        r'id="fehler-leer".*?„Auswahlmöglichkeiten“.*?forms/antrag\.toml:\d+', builder.page, re.S
    )
    builder.press("publish", message="geht nicht")
    assert builder.status == 422 and ConfigRevision.select().count() == 0


def test_renaming_a_choice_changes_one_line_and_the_text_editor_gets_the_same_draft(admin_client):
    builder = Builder(admin_client)
    before = draft(builder.page)
    builder.press("edit|sparten")
    builder.press("save", "sparten", **{"choice-value-1": "schwimmen", "choice-label-1": "Baden"})
    after = draft(builder.page)
    assert after == before.replace('label = "Schwimmen"', 'label = "Baden"')
    response = admin_client.post(
        "/admin/config/forms/antrag",
        data={"csrf_token": csrf_token(builder.page), "toml": after, "action": "check"},
    )
    assert 'label = "Baden"' in unescape(response.get_data(as_text=True))


def test_removing_a_choice_records_hold_is_refused_with_the_count(app, admin_client, make_user):
    clerk = make_user("sb", ["clerk"])
    defs = current_runtime(app).definitions
    for values in (["turnen"], ["turnen", "schwimmen"]):
        record = create_record(defs, clerk, "foerderung")
        Record.update(data={"antrag": {"sparten": values}}).where(Record.id == record.id).execute()
    builder = Builder(admin_client)
    before = draft(builder.page)
    builder.press("edit|sparten")
    builder.press("choice-remove|turnen", "sparten")
    assert builder.status == 422
    assert "„Turnen“ kann nicht entfernt werden: 2 Datensätze halten sie gespeichert" in (
        unescape(builder.page)
    )
    assert draft(builder.page) == before
    builder.press("choice-remove|fussball", "sparten")  # nobody holds it
    assert builder.status == 200 and '"fussball"' not in draft(builder.page)


def test_moving_fields_with_buttons(admin_client):
    builder = Builder(admin_client)
    builder.press("down|verein")
    names = re.findall(r'^name = "(\w+)"', draft(builder.page), re.M)
    assert names[:2] == ["email", "verein"]


@pytest.mark.parametrize(
    ("action", "inputs"),
    [
        ("edit|gibtsnicht", {}),
        ("up|verein/x", {}),
        ("down|posten", {}),  # the last field
        ("add-field", {"new-type": "uhrzeit", "new-label": "Zeit"}),
        ("add-field", {"new-type": "text", "new-label": "  "}),
        ("add-field", {"new-type": "select", "new-label": "X", "new-parent": "verein"}),
        ("choice-add", {"path": "verein", "new-choice-label": "A"}),
        ("choice-remove|nix", {"path": "sparten"}),
        ("save", {"path": "mitglieder", "set-min": "1.2.2026x"}),
        ("save", {"path": "sparten", "cond-mode": "rows", "cond-rows": "x"}),
        (
            "save",
            {
                "path": "sparten",
                "cond-mode": "rows",
                "cond-rows": "1",
                "cond-field-0": "verein",
                "cond-op-0": "??",
            },
        ),
        ("save", {"path": "posten/betrag", "label": "Betrag"}),
        ("cond-add", {"path": "zweck"}),
        ("", {"toml": "title = [\n"}),
        ("edit|verein", {"toml": "title = 'x'\nfields = 3\n"}),
        ("publish", {"message": ""}),
    ],
)
def test_odd_input_gets_a_german_answer_never_a_500(admin_client, action, inputs):
    builder = Builder(admin_client)
    path = inputs.pop("path", "")
    page = builder.press(action, path, inputs.pop("toml", None), **inputs)
    assert builder.status in (200, 409, 422), page[:500]
    assert "Traceback" not in page


WF_BUILDER = "/admin/workflow-builder/workflows/foerderung"


def test_workflow_builder_adds_a_state_with_a_guarded_transition_and_publishes(admin_client):
    page = admin_client.get(WF_BUILDER).get_data(as_text=True)
    assert 'href="#zustand-entwurf"' in page  # the diagram's states are links

    def press(page, action, **inputs):
        base = re.search(r'name="base_revision" value="(-?\d*)"', page).group(1)
        selected = re.search(r'name="selected" value="([^"]*)"', page).group(1)
        data = {
            "csrf_token": csrf_token(page),
            "toml": draft(page),
            "base_revision": base,
            "selected": selected,
            "action": action,
            **inputs,
        }
        response = admin_client.post(WF_BUILDER, data=data)
        if response.status_code == 302:
            return admin_client.get(response.headers["Location"]).get_data(as_text=True)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return response.get_data(as_text=True)

    page = press(
        page, "add-state", **{"new-state-label": "Vorprüfung", "new-state-after": "entwurf"}
    )
    page = press(
        page,
        "add-transition",
        **{"new-from": "entwurf", "new-to": "vorpruefung", "new-transition-label": "Vorprüfen"},
    )
    page = press(
        page,
        "save",
        label="Vorprüfen",
        **{
            "from": "entwurf",
            "to": "vorpruefung",
            "roles": "clerk",
            "cond-mode": "rows",
            "cond-rows": "1",
            "cond-field-0": "antrag.mitglieder",
            "cond-op-0": "gteq",
            "cond-value-0": "10",
            "message": "Erst ab zehn Mitgliedern.",
        },
    )
    text = draft(page)
    assert 'when = "antrag.mitglieder >= 10"' in text
    assert 'message = "Erst ab zehn Mitgliedern."' in text
    assert "Der Entwurf ist fehlerfrei." in page, page
    page = press(page, "publish", message="Vorprüfung")
    assert "ist veröffentlicht (Revision" in page
    assert ConfigRevision.get().text == text
