"""Every field type and constraint: clean values, and German messages naming the field."""

# ruff: noqa: E501  (the table of messages reads best one case per line)

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import pytest
from jinja2 import Environment, FileSystemLoader

from server import clock
from server.forms import REGISTRY, defaults, field_type, validate_form
from server.forms.links import size_label
from server.schema import FIELD_TYPES, parse_form

FORM, PROBLEMS = parse_form(
    "f",
    dedent(
        """\
        title = "Alle Regeln"
        [[fields]]
        name = "name"
        type = "text"
        label = "Name"
        required = true
        min_length = 2
        max_length = 5
        pattern = '[A-ZÄÖÜ][a-zäöüß]*'
        help = "Wie im Ausweis"
        section = "Person"
        [[fields]]
        name = "notiz"
        type = "textarea"
        label = "Notiz"
        default = "  zwei\\r\\nZeilen  "
        [[fields]]
        name = "mail"
        type = "email"
        label = "E-Mail"
        [[fields]]
        name = "alter"
        type = "integer"
        label = "Alter"
        min = 18
        max = 27
        [[fields]]
        name = "betrag"
        type = "decimal"
        label = "Betrag"
        min = 0.5
        max = 1000
        default = 2.5
        [[fields]]
        name = "seit"
        type = "date"
        label = "Seit"
        min = 2020-01-01
        max = "today"
        [[fields]]
        name = "ok"
        type = "boolean"
        label = "Einverstanden"
        required = true
        [[fields]]
        name = "art"
        type = "select"
        label = "Art"
        choices = [{ value = "wp", label = "Welcome Point" }, "Sonstiges"]
        default = "wp"
        [[fields]]
        name = "sprachen"
        type = "multiselect"
        label = "Sprachen"
        choices = ["de", "ar", "fa"]
        min_items = 1
        max_items = 2
        section = "Mehr"
        [[fields]]
        name = "zeilen"
        type = "table"
        label = "Stellen"
        min_rows = 1
        max_rows = 2
        [[fields.columns]]
        name = "stelle"
        type = "text"
        label = "Stelle"
        required = true
        [[fields.columns]]
        name = "ab"
        type = "date"
        label = "Ab"
        [[fields]]
        name = "verweis"
        type = "reference"
        label = "Verweis"
        workflow = "andere"
        [[fields]]
        name = "datei"
        type = "file"
        label = "Datei"
        """
    ),
    "forms/f.toml",
)
VALID = {
    "name": "Ada",
    "alter": "20",
    "ok": True,
    "sprachen": ["ar", "de"],
    "zeilen": [{"stelle": "Amt", "ab": "01.02.2024"}],
}


def test_every_type_of_the_design_is_a_registered_class():
    assert PROBLEMS == []
    assert set(REGISTRY) == set(FIELD_TYPES)
    assert len({type(t) for t in REGISTRY.values()}) == len(FIELD_TYPES)


def test_valid_input_becomes_clean_json_values():
    result = validate_form(
        FORM,
        {
            **VALID,
            "notiz": "a\r\nb ",
            "mail": " ada@example.org ",
            "betrag": "1.000,00",
            "seit": "2021-03-04",
            "art": "Sonstiges",
            "verweis": "7",
            "datei": {"id": 3, "name": "egal"},
        },
    )
    assert result.errors == {}
    assert result.values == {
        "name": "Ada",
        "notiz": "a\nb",
        "mail": "ada@example.org",
        "alter": 20,
        "betrag": "1000",
        "seit": "2021-03-04",
        "ok": True,
        "art": "Sonstiges",
        "sprachen": ["de", "ar"],  # in the order of the choices
        "zeilen": [{"stelle": "Amt", "ab": "2024-02-01"}],
        "verweis": 7,
        "datei": {"id": 3},  # the metadata comes from the database when saving
    }


@pytest.mark.parametrize(
    ("raw", "key", "message"),
    [
        ({"name": ""}, "name", "„Name“ ist ein Pflichtfeld."),
        ({"name": "Ä"}, "name", "„Name“: mindestens 2 Zeichen."),
        ({"name": "Abcdef"}, "name", "„Name“: höchstens 5 Zeichen."),
        ({"name": "ada"}, "name", "„Name“: Die Eingabe hat nicht das verlangte Format."),
        ({"name": ["Ada"]}, "name", "„Name“: Bitte einen Text eingeben."),
        ({"name": "A\x00a"}, "name", "„Name“: Der Text enthält ein unzulässiges Nullzeichen."),
        ({"mail": "ada@"}, "mail", "„E-Mail“: Bitte eine gültige E-Mail-Adresse eingeben."),
        ({"alter": "17"}, "alter", "„Alter“: mindestens 18."),
        ({"alter": 28}, "alter", "„Alter“: höchstens 27."),
        ({"alter": "20,5"}, "alter", "„Alter“: Bitte eine ganze Zahl eingeben."),
        ({"alter": True}, "alter", "„Alter“: Bitte eine ganze Zahl eingeben."),
        ({"betrag": "0,4"}, "betrag", "„Betrag“: mindestens 0,5."),
        ({"betrag": 1000.01}, "betrag", "„Betrag“: höchstens 1.000."),
        ({"betrag": "zwölf"}, "betrag", "„Betrag“: Bitte eine Zahl eingeben, z. B. 12,50."),
        ({"seit": "31.12.2019"}, "seit", "„Seit“: mindestens 01.01.2020."),
        ({"seit": "MORGEN"}, "seit", "„Seit“: höchstens HEUTE."),  # the dates when the test runs
        ({"seit": "30.02.2024"}, "seit", "„Seit“: „30.02.2024“ ist kein gültiges Datum (TT.MM.JJJJ)."),
        ({"ok": False}, "ok", "„Einverstanden“ ist ein Pflichtfeld."),
        ({"ok": "vielleicht"}, "ok", "„Einverstanden“: Bitte Ja oder Nein angeben."),
        ({"art": "Welcome Point"}, "art", "„Art“: „Welcome Point“ ist keine der Auswahlmöglichkeiten."),
        ({"sprachen": []}, "sprachen", "„Sprachen“: mindestens 1 Eintrag wählen."),
        ({"sprachen": ["de", "ar", "fa"]}, "sprachen", "„Sprachen“: höchstens 2 Einträge wählen."),
        ({"sprachen": ["en"]}, "sprachen", "„Sprachen“: „en“ ist keine der Auswahlmöglichkeiten."),
        ({"sprachen": "de,ar"}, "sprachen", "„Sprachen“: „de,ar“ ist keine der Auswahlmöglichkeiten."),
        ({"zeilen": []}, "zeilen", "„Stellen“: mindestens 1 Zeile."),
        ({"zeilen": [{"stelle": ""}]}, "zeilen", "„Stellen“: mindestens 1 Zeile."),
        ({"zeilen": [{"stelle": "a"}] * 3}, "zeilen", "„Stellen“: höchstens 2 Zeilen."),
        ({"zeilen": [{"ab": "1.1.2024"}]}, "zeilen.0.stelle", "„Stelle“ (Zeile 1) ist ein Pflichtfeld."),
        ({"zeilen": [{"stelle": "a", "ab": "x"}]}, "zeilen.0.ab", "„Ab“: „x“ ist kein gültiges Datum (TT.MM.JJJJ)."),
        ({"zeilen": [{"stelle": "a", "chef": 1}]}, "zeilen", "„Stellen“: unbekannte Spalte „chef“."),
        ({"zeilen": {"stelle": "a"}}, "zeilen", "„Stellen“: Bitte eine Liste von Zeilen angeben."),
        ({"verweis": "sieben"}, "verweis", "„Verweis“: Bitte einen Datensatz auswählen."),
        ({"datei": "x.pdf"}, "datei", "„Datei“: Bitte eine Datei hochladen (erwartet wird die Id des Uploads)."),
        ({"nope": 1}, "nope", "„nope“ ist kein Feld des Formulars „Alle Regeln“."),
    ],
)  # fmt: skip
def test_each_broken_rule_is_one_german_message_at_its_field(raw, key, message):
    # Berlin's today when the test runs, not when it was collected (a run crossing midnight)
    today = clock.today()
    tomorrow = f"{today + dt.timedelta(days=1):%d.%m.%Y}"
    raw = {k: tomorrow if v == "MORGEN" else v for k, v in raw.items()}
    message = message.replace("HEUTE", f"{today:%d.%m.%Y}")
    result = validate_form(FORM, {**VALID, **raw})
    assert result.errors == {key: [message]}


def test_min_items_and_min_rows_hold_for_fields_that_are_not_required():
    # "min_rows = 1" means at least one row; an optional text with min_length may stay empty
    assert validate_form(FORM, {**VALID, "sprachen": ["fa"]}).ok
    assert validate_form(FORM, {**VALID, "notiz": ""}).ok


def test_defaults_fill_a_form_nobody_saved_and_are_clean_values():
    assert defaults(FORM) == {"notiz": "zwei\nZeilen", "betrag": "2.5", "art": "wp"}


def test_sections_help_and_hidden_fields_in_the_markup():
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parents[2] / "server" / "templates")),
        autoescape=True,
    )
    env.filters["filesize"] = size_label
    env.globals["field_type"] = field_type  # the widgets ask the field type registry
    html = env.from_string(
        "{% import 'verbund/_fields.html' as f %}"
        "{{ f.form_fields(form, {}, {}, false, {}, {}, ['mail']) }}"
    ).render(form=FORM)
    assert html.index(">Person</h3>") < html.index('data-field="name"')
    assert html.index(">Mehr</h3>") < html.index('data-field="sprachen"')
    assert "Wie im Ausweis" in html
    assert 'data-field="mail" hidden' in html
    assert '<option value="wp">Welcome Point</option>' in html
