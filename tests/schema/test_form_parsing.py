"""Form files: a valid one becomes a FormDef, every mistake becomes ``path:line: message``."""

from __future__ import annotations

import datetime as dt
from textwrap import dedent

import pytest

from server.schema import Choice, FieldDef, form_sections, parse_form

PATH = "forms/intake.toml"

VALID = dedent(
    """\
    title = "Intake"
    description = "Erstkontakt"

    [[fields]]
    name = "name"
    section = "Person"
    type = "text"
    label = "Name"
    required = true
    max_length = 120
    pattern = '^[^0-9]*$'
    personal = true

    [[fields]]
    name = "born"
    type = "date"
    label = "Geboren"
    min = 1900-01-01
    max = "today"

    [[fields]]
    name = "channel"
    section = "Zugang"
    type = "select"
    label = "Zugangsweg"
    default = "wp"
    choices = [{value = "wp", label = "Welcome Point"}, {value = "other", label = "Andere"}]

    [[fields]]
    name = "languages"
    type = "multiselect"
    label = "Sprachen"
    choices = ["de", "ar"]
    max_items = 2

    [[fields]]
    name = "referred_by"
    type = "text"
    label = "Verweisende Stelle"
    show_if = "channel == 'other' and intake.languages|length > 0"

    [[fields]]
    name = "agencies"
    type = "table"
    label = "Stellen"
    max_rows = 30

    [[fields.columns]]
    name = "agency"
    type = "text"
    label = "Stelle"
    required = true

    [[fields.columns]]
    name = "fee"
    type = "decimal"
    label = "Kosten"
    min = 0
    max = 99.5

    [[fields]]
    name = "service"
    type = "reference"
    label = "Angebot"
    workflow = "service_directory"
    """
)


def parse(text: str, form_id: str = "intake"):
    return parse_form(form_id, dedent(text), PATH)


def messages(problems) -> list[str]:
    return [str(p) for p in problems]


def only(problems, fragment: str):
    """The one problem whose message contains ``fragment``."""
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, messages(problems)
    return found[0]


def test_valid_form_parses_into_dataclasses():
    form, problems = parse(VALID)
    assert problems == []
    assert form is not None
    assert form.id == "intake" and form.title == "Intake" and form.path == PATH
    assert form.field_names == (
        "name",
        "born",
        "channel",
        "languages",
        "referred_by",
        "agencies",
        "service",
    )
    name = form.field("name")
    assert name == FieldDef(
        name="name",
        type="text",
        label="Name",
        required=True,
        max_length=120,
        pattern="^[^0-9]*$",
        section="Person",
        personal=True,
        line=4,
    )
    born = form.field("born")
    assert (born.min, born.max) == (dt.date(1900, 1, 1), "today")
    channel = form.field("channel")
    assert channel.choices == (Choice("wp", "Welcome Point"), Choice("other", "Andere"))
    assert channel.default == "wp"
    assert form.field("languages").choices[0] == Choice("de", "de")
    agencies = form.field("agencies")
    assert [c.name for c in agencies.columns] == ["agency", "fee"]
    assert agencies.columns[1].max == 99.5
    assert agencies.columns[0].line == 48
    assert form.field("service").workflow == "service_directory"


def test_sections_group_fields_until_the_next_section():
    form, _ = parse(VALID)
    groups = form_sections(form)
    assert [(heading, [f.name for f in fields]) for heading, fields in groups] == [
        ("Person", ["name", "born"]),
        ("Zugang", ["channel", "languages", "referred_by", "agencies", "service"]),
    ]
    untitled, _ = parse('title = "x"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\n')
    assert form_sections(untitled)[0][0] == ""


def test_unknown_key_names_key_field_and_suggests():
    form, problems = parse(
        """\
        title = "x"
        [[fields]]
        name = "name"
        type = "text"
        label = "Name"
        requird = true
        """
    )
    assert form is None
    problem = only(problems, "requird")
    assert str(problem).startswith(f"{PATH}:6: Feld „name“: unbekannter Schlüssel „requird“")
    assert "meinten Sie „required“?" in problem.message
    assert "erlaubt:" in problem.message


def test_key_of_another_type_says_where_it_belongs():
    _, problems = parse(
        """\
        title = "x"
        [[fields]]
        name = "name"
        type = "text"
        label = "Name"
        choices = ["a"]
        """
    )
    assert only(problems, "„choices“").line == 6
    assert "nur bei Typ select, multiselect" in problems[0].message


def test_syntax_error_is_one_problem_at_its_line():
    form, problems = parse('title = "x"\n\n[[fields]]\nname = "a"\nrequired = ja\n')
    assert form is None
    assert messages(problems) == [f"{PATH}:5: TOML-Syntaxfehler: ungültiger Wert (Spalte 12)"]


BROKEN = """\
    title = "Kaputt"
    colour = "rot"

    [[fields]]
    name = "age"
    type = "integer"
    label = "Alter"
    min = 10
    max = 5
    default = "zehn"

    [[fields]]
    name = "age"
    type = "strng"
    label = "Nochmal"

    [[fields]]
    name = "Kind"
    type = "select"
    label = "Art"
    default = "c"
    choices = [{value = "a", label = "A"}, {value = "a", label = "B"}]

    [[fields]]
    name = "code"
    type = "text"
    min_length = 5
    max_length = 2
    pattern = "[a-"
    required = "ja"

    [[fields]]
    name = "tags"
    type = "multiselect"
    label = "Tags"
    choices = ["a", "b"]
    min_items = 2
    max_items = 1

    [[fields]]
    name = "rows"
    type = "table"
    label = "Zeilen"
    min_rows = 3
    max_rows = 1

    [[fields.columns]]
    name = "upload"
    type = "file"
    label = "Datei"
    show_if = "age"

    [[fields.columns]]
    name = "upload"
    type = "text"
    label = "Doppelt"

    [[fields]]
    name = "ref"
    type = "reference"
    label = "Verweis"

    [[fields]]
    name = "plain"
    type = "text"
    label = "Ohne Auswahl"

    [[fields]]
    name = "pick"
    type = "select"
    label = "Ohne choices"
    """


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (2, "unbekannter Schlüssel „colour“"),
        (8, "Feld „age“: „min“ (10) ist größer als „max“ (5)"),
        (10, "Feld „age“: „default“ muss eine ganze Zahl sein, nicht der Text „zehn“"),
        (13, "Feldname „age“ ist doppelt vergeben (zuerst in Zeile 4)"),
        (14, "unbekannter Feldtyp „strng“"),
        (18, "Feldname „Kind“ ist ungültig"),
        (21, "„default“ „c“ ist keiner der Auswahlwerte"),
        (22, "Auswahlwert „a“ steht doppelt"),
        (24, "Feld „code“: „label“ fehlt"),
        (27, "„min_length“ (5) ist größer als „max_length“ (2)"),
        (29, "„pattern“ ist kein gültiger regulärer Ausdruck"),
        (30, "Feld „code“: „required“ muss true oder false sein, nicht der Text „ja“"),
        (37, "„min_items“ (2) ist größer als „max_items“ (1)"),
        (44, "„min_rows“ (3) ist größer als „max_rows“ (1)"),
        (49, "Spalte „upload“ von Feld „rows“: eine Tabellenspalte kann nicht vom Typ „file“"),
        (51, "Spalte „upload“ von Feld „rows“: „show_if“: nennt „age“, das keine Spalte dieser"),
        (54, "Spaltenname „upload“ ist doppelt vergeben"),
        (58, "Feld „ref“: „workflow“ fehlt"),
        (68, "Feld „pick“: „choices“ fehlt"),
    ],
)
def test_every_problem_is_reported_at_its_line(line, fragment):
    form, problems = parse(BROKEN, form_id="kaputt")
    assert form is None
    problem = only(problems, fragment)
    assert str(problem).startswith(f"{PATH}:{line}: ")


def test_all_problems_are_reported_in_line_order():
    _, problems = parse(BROKEN, form_id="kaputt")
    assert len(problems) == 19
    assert [p.line for p in problems] == sorted(p.line for p in problems)


@pytest.mark.parametrize(
    ("show_if", "fragment"),
    [
        ("nope", "„show_if“ nennt „nope“, das kein Feld dieses Formulars ist"),
        ("f.nope", "„show_if“ nennt „f.nope“"),
        ("b", "darf sich nicht auf das Feld selbst beziehen"),
        ("f.b", "darf sich nicht auf das Feld selbst beziehen"),
        ("a and", "Ausdruck „a and“: endet zu früh"),
        ("a|lenght", "unbekannter Filter „lenght“"),
    ],
)
def test_show_if_must_compile_and_name_other_fields_of_the_form(show_if, fragment):
    form, problems = parse(
        f"""\
        title = "x"
        [[fields]]
        name = "a"
        type = "boolean"
        label = "A"
        [[fields]]
        name = "b"
        type = "text"
        label = "B"
        show_if = "{show_if}"
        """,
        form_id="f",
    )
    assert form is None
    assert only(problems, fragment).line == 10


def test_show_if_may_name_fields_bare_or_through_the_form_id():
    form, problems = parse(
        """\
        title = "x"
        [[fields]]
        name = "a"
        type = "boolean"
        label = "A"
        [[fields]]
        name = "b"
        type = "text"
        label = "B"
        show_if = "a and f.a and c.year > 2000"
        [[fields]]
        name = "c"
        type = "date"
        label = "C"
        """,
        form_id="f",
    )
    assert problems == []
    assert form.field("b").show_if == "a and f.a and c.year > 2000"


def test_defaults_are_checked_against_type_and_limits():
    _, problems = parse(
        """\
        title = "x"
        [[fields]]
        name = "when"
        type = "date"
        label = "Wann"
        min = "2024-01-01"
        default = "2023-12-31"
        [[fields]]
        name = "flag"
        type = "boolean"
        label = "Flag"
        default = "yes"
        [[fields]]
        name = "tags"
        type = "multiselect"
        label = "Tags"
        choices = ["a"]
        default = ["a", "z"]
        [[fields]]
        name = "rows"
        type = "table"
        label = "Zeilen"
        default = []
        [[fields.columns]]
        name = "x"
        type = "text"
        label = "X"
        """
    )
    assert only(problems, "„default“ liegt außerhalb von „min“").line == 7
    assert only(problems, "„default“ muss true oder false sein").line == 12
    assert only(problems, "„default“ „z“ ist keiner der Auswahlwerte").line == 18
    assert only(problems, "kann keinen „default“ haben").line == 23


def test_date_limits_accept_toml_dates_iso_strings_and_today_only():
    form, problems = parse(
        """\
        title = "x"
        [[fields]]
        name = "d"
        type = "date"
        label = "D"
        min = "2024-02-30"
        max = 2024-01-01T10:00:00
        """
    )
    assert form is None
    assert [p.line for p in problems] == [6, 7]
    assert all("muss ein Datum sein" in p.message for p in problems)


@pytest.mark.parametrize("bad_id", ["Intake", "1st", "with-dash", "none", "record"])
def test_form_ids_follow_the_name_rule(bad_id):
    form, problems = parse(
        'title = "x"\n[[fields]]\nname = "a"\ntype = "text"\nlabel = "A"\n', form_id=bad_id
    )
    assert form is None
    assert problems[0].line == 1 and f"„{bad_id}“" in problems[0].message


def test_a_form_without_fields_or_title_is_reported():
    form, problems = parse('description = "leer"\n')
    assert form is None
    assert {p.message for p in problems} == {
        "„title“ fehlt",
        "Das Formular hat keine Felder ([[fields]])",
    }
