"""Saving a stepped form step by step, looked-up defaults and copying table rows (issue 20),
through the services every screen uses, on the real database; the API still reads and
writes each form as one object."""

from __future__ import annotations

from textwrap import dedent

import pytest

from server.models import AuditEntry, FormSave, Record
from server.runtime import current_runtime
from server.services.records.changes import create_record, save_form
from server.services.records.form_fill import PartInvalid, copy_rows, save_form_step
from server.services.records.view import record_view

FALL = dedent(
    """\
    title = "Fall"
    record_label = "Fall"
    initial = "offen"
    create_roles = ["clerk"]
    [[states]]
    id = "offen"
    label = "Offen"
    forms = ["aufnahme", "ziele", "plan"]
    edit_roles = ["clerk"]
    """
)

AUFNAHME = dedent(
    """\
    title = "Aufnahme"

    [[fields]]
    name = "name"
    section = "Person"
    type = "text"
    label = "Name"
    required = true
    personal = true

    [[fields]]
    name = "bearbeitet_von"
    type = "text"
    label = "Bearbeitet von"
    default = "user.name"

    [[fields]]
    name = "stelle"
    type = "text"
    label = "Stelle"
    default = "user.organisation"

    [[fields]]
    name = "bezirk"
    section = "Zugang"
    type = "select"
    label = "Bezirk"
    required = true
    choices = ["nord", "sued"]
    default = "previous.bezirk"

    [[fields]]
    name = "seit"
    type = "date"
    label = "Seit"
    default = "today"

    [[fields]]
    name = "stellen"
    section = "Stellen"
    type = "table"
    label = "Stellen"

    [[fields.columns]]
    name = "stelle"
    type = "text"
    label = "Stelle"
    required = true
    max_length = 100

    [[steps]]
    title = "Person"
    sections = ["Person"]

    [[steps]]
    title = "Zugang"
    sections = ["Zugang"]

    [[steps]]
    title = "Stellen"
    fields = ["stellen"]
    """
)

ZIELE = dedent(
    """\
    title = "Ziele"

    [[fields]]
    name = "ziele"
    type = "table"
    label = "Ziele"

    [[fields.columns]]
    name = "ziel"
    type = "textarea"
    label = "Ziel"

    [[fields.columns]]
    name = "bereich"
    type = "select"
    label = "Bereich"
    choices = [{ value = "wohnen", label = "Wohnen" }, { value = "arbeit", label = "Arbeit" }]

    [[fields.columns]]
    name = "bis"
    type = "date"
    label = "Bis"
    """
)

PLAN = dedent(
    """\
    title = "Plan"

    [[fields]]
    name = "notiz"
    type = "text"
    label = "Notiz"
    required = true

    [[fields]]
    name = "massnahmen"
    type = "table"
    label = "Maßnahmen"

    [[fields.columns]]
    name = "massnahme"
    type = "text"
    label = "Maßnahme"
    required = true
    max_length = 30

    [[fields.columns]]
    name = "bereich"
    type = "text"
    label = "Bereich"

    [[fields.columns]]
    name = "faellig"
    type = "date"
    label = "Fällig"

    [fields.copy]
    from = "ziele.ziele"
    columns = { massnahme = "ziel", bereich = "bereich", faellig = "bis" }
    match = ["massnahme"]
    """
)


@pytest.fixture
def config_dir(config_dir):
    (config_dir / "workflows" / "fall.toml").write_text(FALL, encoding="utf-8")
    for name, text in (("aufnahme", AUFNAHME), ("ziele", ZIELE), ("plan", PLAN)):
        (config_dir / "forms" / f"{name}.toml").write_text(text, encoding="utf-8")
    return config_dir


@pytest.fixture
def defs(app):
    with app.app_context():
        yield current_runtime().definitions


@pytest.fixture
def clerk(make_user):
    user = make_user("clerk1", ["clerk"], "sportamt")
    user.display_name = "Clara Clerk"
    user.save()
    return user


def last_save() -> AuditEntry:
    saves = AuditEntry.select().where(AuditEntry.action == "form.save")
    return saves.order_by(AuditEntry.id.desc()).first()


def fresh(rid: int) -> Record:
    return Record.get_by_id(rid)


def test_defaults_fill_a_new_form_and_never_overwrite_saved_data(defs, clerk):
    record = create_record(defs, clerk, "fall")
    start = record.data["aufnahme"]
    assert start["bearbeitet_von"] == "Clara Clerk"
    assert start["stelle"] == "sportamt"  # the organisation's label
    assert "bezirk" not in start  # no earlier record of this person yet
    assert start["seit"]  # today, as an ISO date

    saved = save_form_step(
        defs, clerk, record.id, "aufnahme", {"name": "A", "stelle": "Jugendamt"}, 1, 0
    )
    assert saved.data["aufnahme"]["stelle"] == "Jugendamt"
    save_form_step(defs, clerk, record.id, "aufnahme", {"bezirk": "sued"}, 2, 1)

    # the next record takes the district over from this one (previous.bezirk) ...
    second = create_record(defs, clerk, "fall")
    assert second.data["aufnahme"]["bezirk"] == "sued"
    # ... and a saved form keeps its value when it is shown again
    view = record_view(defs, clerk, record.id)
    shown = {item.form.id: item.values for item in view.state_forms}
    assert shown["aufnahme"]["stelle"] == "Jugendamt"


def test_previous_is_only_the_same_persons_newest_record(defs, clerk, make_user):
    other = make_user("clerk2", ["clerk"], "sportamt")
    first = create_record(defs, other, "fall")
    save_form_step(defs, other, first.id, "aufnahme", {"bezirk": "nord"}, 1, 1)
    mine = create_record(defs, clerk, "fall")
    assert "bezirk" not in mine.data["aufnahme"]  # a colleague's record is not "previous"


def test_a_step_saves_with_other_steps_incomplete_and_checks_only_itself(defs, clerk):
    record = create_record(defs, clerk, "fall")
    with pytest.raises(PartInvalid) as refused:
        save_form_step(defs, clerk, record.id, "aufnahme", {"name": ""}, 1, 0)
    assert list(refused.value.errors) == ["name"]  # not "bezirk" of step 2
    assert fresh(record.id).version == 1  # nothing saved

    saved = save_form_step(defs, clerk, record.id, "aufnahme", {"name": "Amal"}, 1, 0)
    assert saved.version == 2
    assert saved.data["aufnahme"]["name"] == "Amal"
    assert saved.data["aufnahme"]["bearbeitet_von"] == "Clara Clerk"  # kept from the start
    # input for fields of other steps is ignored by a step's save
    again = save_form_step(
        defs, clerk, record.id, "aufnahme", {"name": "Amal B.", "bezirk": "nord"}, 2, 0
    )
    assert again.data["aufnahme"].get("bezirk") is None
    # a cell error of the step's table is the step's own
    with pytest.raises(PartInvalid) as cells:
        save_form_step(
            defs, clerk, record.id, "aufnahme", {"stellen": [{"stelle": "x" * 201}]}, 3, 2
        )
    assert list(cells.value.errors) == ["stellen.0.stelle"]
    save_form_step(defs, clerk, record.id, "aufnahme", {"stellen": [{"stelle": "MBE"}]}, 3, 2)
    history = FormSave.select().where(FormSave.record == record.id).count()
    assert history == 3
    assert last_save().detail["step"] == 3


def test_api_still_saves_the_whole_form_as_one_object(defs, clerk, api, app):
    client = api("clerk9", ["clerk"], "sportamt")
    rid = client.post("/records", json={"workflow": "fall"}).json["id"]
    incomplete = client.put(
        f"/records/{rid}/forms/aufnahme", json={"data": {"name": "A"}, "version": 1}
    )
    assert incomplete.status_code == 422
    assert "bezirk" in incomplete.json["errors"]  # every step's check at once
    whole = {"name": "A", "bezirk": "nord", "stellen": [{"stelle": "JMD"}]}
    ok = client.put(f"/records/{rid}/forms/aufnahme", json={"data": whole, "version": 1})
    assert ok.status_code == 200, ok.json
    data = client.get(f"/records/{rid}").json["data"]["aufnahme"]
    assert data["bezirk"] == "nord" and data["stellen"] == [{"stelle": "JMD"}]
    form = client.get("/forms/aufnahme").json
    assert [s["title"] for s in form["steps"]] == ["Person", "Zugang", "Stellen"]


def test_copying_rows_maps_columns_adds_no_duplicates_and_is_audited(defs, clerk):
    record = create_record(defs, clerk, "fall")
    ziele = {
        "ziele": [
            {"ziel": "Wohnung finden", "bereich": "wohnen", "bis": "2027-03-01"},
            {"ziel": "Sprachkurs B1", "bereich": "arbeit"},
        ]
    }
    save_form(defs, clerk, record.id, "ziele", ziele, 1)
    # the plan's own required field is still empty: the copy saves anyway (only the table
    # is checked), like a step
    saved, added = copy_rows(defs, clerk, record.id, "plan", "massnahmen", 2)
    assert added == 2
    rows = saved.data["plan"]["massnahmen"]
    assert rows == [
        {"massnahme": "Wohnung finden", "bereich": "Wohnen", "faellig": "2027-03-01"},
        {"massnahme": "Sprachkurs B1", "bereich": "Arbeit", "faellig": None},
    ]
    assert last_save().detail["copied_from"] == "ziele.ziele"
    assert last_save().detail["rows"] == 2

    # a row edited since, and copying again: nothing twice
    again, added = copy_rows(defs, clerk, record.id, "plan", "massnahmen", 3)
    assert added == 0 and again.version == 3
    ziele["ziele"].append({"ziel": "Schulden klären"})
    save_form(defs, clerk, record.id, "ziele", ziele, 3)
    third, added = copy_rows(defs, clerk, record.id, "plan", "massnahmen", 4)
    assert added == 1
    assert [r["massnahme"] for r in third.data["plan"]["massnahmen"]][-1] == "Schulden klären"
    assert FormSave.select().where(FormSave.form == "plan").count() == 2


def test_copied_rows_that_do_not_fit_save_nothing_and_come_back_for_completing(defs, clerk):
    record = create_record(defs, clerk, "fall")
    ziele = {"ziele": [{"bereich": "wohnen"}, {"ziel": "Eine sehr lange Zielbeschreibung"}]}
    save_form(defs, clerk, record.id, "ziele", ziele, 1)
    with pytest.raises(PartInvalid) as refused:
        copy_rows(defs, clerk, record.id, "plan", "massnahmen", 2)
    # the row without a goal is not copied (its match column is empty); the long one does
    # not fit the column: its message is at its cell, and the rows are there to complete
    assert list(refused.value.errors) == ["massnahmen.0.massnahme"]
    assert refused.value.input["massnahmen"] == [{"massnahme": "Eine sehr lange Zielbeschreibung"}]
    assert fresh(record.id).version == 2
