"""The form builder's model: every shipped file round-trips, edits change only their lines."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from server.schema.builder.form_model import BuilderError, FormModel
from server.schema.forms import parse_form

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*ROOT.glob("forms/*.toml"), *ROOT.glob("workflows/*.toml")])
INTAKE = (ROOT / "forms" / "intake.toml").read_text(encoding="utf-8")
# the intake without its [[steps]]: moving a field between sections moves it between steps
INTAKE_FLAT = INTAKE[: INTAKE.index("\n[[steps]]")] + "\n"


def changed(before: str, after: str) -> list[str]:
    """The changed lines, as +/- lines of a diff."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")] + re.findall(
        r"#[^\n\"]*$", text, re.M
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_file_round_trips_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert FormModel(text).text == text


def test_the_model_lists_fields_with_german_type_names_sections_and_choices():
    fields = {f.name: f for f in FormModel(INTAKE).fields()}
    assert fields["name"].section == "Person" and fields["name"].type_label == "Text"
    assert fields["birth_year"].settings == {"min": 1900, "max": 2030}
    status = fields["residence_status"]
    assert status.type_label == "Auswahl (eine)" and status.choices[4].label == "Duldung"
    assert fields["interpreter_language"].show_if == "interpreter_needed"
    assert [c.name for c in fields["agencies"].columns][:1] == ["agency"]


def test_renaming_a_choice_label_changes_exactly_one_line():
    model = FormModel(INTAKE)
    model.rename_choice("residence_status", "duldung", "Duldung (§ 60a AufenthG)")
    assert changed(INTAKE, model.text) == [
        '-    { value = "duldung", label = "Duldung" },',
        '+    { value = "duldung", label = "Duldung (§ 60a AufenthG)" },',
    ]


def test_a_new_select_field_with_choices_and_condition_is_a_valid_form():
    model = FormModel(INTAKE)
    model.add_field("select", "wohnform", "Wohnform", after="residence_status")
    for value, label in (("wohnung", "Eigene Wohnung"), ("gu", "Unterkunft"), ("andere", "Andere")):
        model.add_choice("wohnform", value, label)
    model.set_value("wohnform", "show_if", 'residence_status == "duldung"')
    form, problems = parse_form("intake", model.text, "forms/intake.toml")
    assert form is not None, problems
    new = form.field("wohnform")
    assert [c.label for c in new.choices] == ["Eigene Wohnung", "Unterkunft", "Andere"]
    assert form.field_names.index("wohnform") == form.field_names.index("residence_status") + 1
    # only added lines (and the Person step's list of fields), every comment still there
    lines = [line for line in changed(INTAKE, model.text) if not line[1:].startswith("fields = [")]
    assert all(line.startswith("+") for line in lines)
    assert len(lines) < len(changed(INTAKE, model.text))
    assert comments(INTAKE) == [c for c in comments(model.text) if c in comments(INTAKE)]


def test_moving_a_field_keeps_banners_and_headings_in_place_and_is_reversible():
    model = FormModel(INTAKE_FLAT)
    model.move_field("consent", -1)  # first field of „Einwilligung“ moves into the section before
    form, problems = parse_form("intake", model.text, "forms/intake.toml")
    assert form is not None, problems
    names = list(form.field_names)
    assert names.index("consent") < names.index("interpreter_language")
    assert form.field("interpreter_language").section == "Einwilligung"
    assert form.field("consent").section == ""
    text = model.text
    banner = "# Einwilligung – die Teilnahme ist freiwillig (Konzept 3.4)"
    assert text.index(banner) < text.index('name = "interpreter_language"')
    model.move_field("consent", 1)
    assert model.text == INTAKE_FLAT
    with pytest.raises(BuilderError, match="ganz oben"):
        FormModel(INTAKE_FLAT).move_field("name", -1)


def test_labels_help_limits_and_required_change_only_their_lines():
    model = FormModel(INTAKE)
    model.set_value("birth_year", "max", 2035)
    model.set_value("birth_year", "label", "Geburtsjahr (vierstellig)")
    model.set_value("phone", "help", "Mit Vorwahl")
    model.set_value("interpreter_language", "required", False)
    assert changed(INTAKE, model.text) == [
        '-label = "Geburtsjahr"',
        '+label = "Geburtsjahr (vierstellig)"',
        "-max = 2030",
        "+max = 2035",
        '+help = "Mit Vorwahl"',
        "-required = true                      # nur geprüft, wenn das Feld sichtbar ist",
    ]
    assert parse_form("intake", model.text, "forms/intake.toml")[0] is not None


def test_choices_are_reordered_added_and_columns_added_in_the_files_own_style():
    antrag = (ROOT / "tests/fixtures/foerderung/forms/antrag.toml").read_text(encoding="utf-8")
    model = FormModel(antrag)
    model.move_choice("sparten", "turnen", -1)
    model.add_choice("sparten", "rudern", "Rudern")
    model.add_field("integer", "posten/anzahl", "Anzahl")
    form, problems = parse_form("antrag", model.text, "forms/antrag.toml")
    assert form is not None, problems
    assert [c.value for c in form.field("sparten").choices] == [
        "fussball",
        "turnen",
        "schwimmen",
        "rudern",
    ]
    assert [c.name for c in form.field("posten").columns][-1] == "anzahl"
    (line,) = [ln for ln in model.text.splitlines() if ln.startswith("choices = ")]
    assert line.endswith('{ value = "rudern", label = "Rudern" }]')  # still one line


def test_edits_that_cannot_be_made_say_why_in_german():
    model = FormModel(INTAKE)
    with pytest.raises(BuilderError, match="gibt es schon"):
        model.add_field("text", "phone", "Telefon")
    with pytest.raises(BuilderError, match="gibt es in dieser Auswahl schon"):
        model.add_choice("residence_status", "duldung", "Doppelt")
    with pytest.raises(BuilderError, match="keine Tabelle"):
        model.add_field("text", "phone/x", "X")
    with pytest.raises(BuilderError, match="Bezeichnung"):
        model.set_value("phone", "label", "  ")
    with pytest.raises(BuilderError, match="kein gültiges TOML"):
        FormModel("title = ")
    assert model.text == INTAKE


def test_removing_a_field_keeps_the_banner_before_the_next_one():
    model = FormModel(INTAKE)
    model.remove_field("interpreter_language")  # the last field before a banner
    model.remove_field("name")  # the first field: its heading goes to the next one
    form, problems = parse_form("intake", model.text, "forms/intake.toml")
    assert form is not None, problems
    assert form.field("birth_year").section == "Person"
    text = model.text
    banner = "# Einwilligung – die Teilnahme ist freiwillig (Konzept 3.4)"
    assert text.index('name = "interpreter_needed"') < text.index(banner)
    # every comment line stays (the removed field's own end-of-line comment goes with it)
    lines = [ln for ln in INTAKE.splitlines() if ln.startswith("#")]
    assert [ln for ln in text.splitlines() if ln.startswith("#")] == lines


def test_a_field_added_to_a_stepped_form_joins_its_neighbours_step_and_leaves_with_it():
    """The intake is shown in steps; a field in no step would be refused at publishing."""
    model = FormModel((ROOT / "forms" / "intake.toml").read_text(encoding="utf-8"))
    model.add_field("text", "nickname", "Rufname", after="birth_year")
    form, problems = parse_form("intake", model.text, "forms/intake.toml")
    assert form is not None, problems
    person = next(s for s in form.steps if s.title == "Person")
    assert "nickname" in person.fields
    model.remove_field("nickname")
    assert model.text == (ROOT / "forms" / "intake.toml").read_text(encoding="utf-8")


STEP_MESSAGES = ("steht in keinem Schritt", "steht schon in Schritt")


def _step_problems(text: str) -> list[str]:
    _form, problems = parse_form("intake", text, "forms/intake.toml")
    return [p.message for p in problems if any(m in p.message for m in STEP_MESSAGES)]


@pytest.mark.parametrize("step", (-1, 1), ids=("up", "down"))
def test_every_move_in_the_stepped_intake_leaves_every_field_in_exactly_one_step(step):
    """Across a border of steps (named fields or sections) a field joins the step of the
    field it passed; nothing ends in no step or in two."""
    names = [f.name for f in FormModel(INTAKE).fields()]
    for name in names[1:] if step < 0 else names[:-1]:
        model = FormModel(INTAKE)
        model.move_field(name, step)
        assert _step_problems(model.text) == [], f"{name} {step:+d}"


def test_moving_the_last_field_of_a_step_down_puts_it_in_the_next_step():
    model = FormModel(INTAKE)
    model.move_field("residence_status", 1)  # the last field of „Person“, past „languages“
    form, _ = parse_form("intake", model.text, "forms/intake.toml")
    steps = {s.title: s.fields for s in form.steps}
    assert steps["Sprache"][:2] == ("languages", "residence_status")
    assert "residence_status" not in steps["Person"]
    # up past „languages“ it stays in the step of the field it passed; once more up, past
    # „email“, it is back in „Person“
    model.move_field("residence_status", -1)
    form, _ = parse_form("intake", model.text, "forms/intake.toml")
    assert {s.title: s.fields for s in form.steps}["Sprache"][0] == "residence_status"
    model.move_field("residence_status", -1)
    form, problems = parse_form("intake", model.text, "forms/intake.toml")
    assert form is not None, [p.message for p in problems]
    assert "residence_status" in {s.title: s.fields for s in form.steps}["Person"]
