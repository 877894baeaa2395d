"""The field types of issue 20: ``time``, ``datetime``, ``phone``, ``money``, ``scale`` and
``text`` with ``rows`` – German input and messages, Berlin's clock changes, the form file's
checks with ``path:line``, values saved before a field changed type, template values, and the
browser deciding ``show_if`` over them exactly as the server does (node, as in
test_show_if_agreement.py).
"""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from textwrap import dedent

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.documents.context import form_values
from server.documents.filters import GERMAN_FILTERS
from server.forms import validate_form
from server.forms.conditions import browser_spec
from server.forms.display import display
from server.schema import parse_form
from server.schema.fieldtypes import Moment, Money, ScaleValue, field_type

FORM_TOML = dedent(
    """\
    title = "Neue Typen"
    [[fields]]
    name = "beginn"
    type = "time"
    label = "Beginn"
    [[fields]]
    name = "termin"
    type = "datetime"
    label = "Termin"
    [[fields]]
    name = "telefon"
    type = "phone"
    label = "Telefon"
    [[fields]]
    name = "betrag"
    type = "money"
    label = "Betrag"
    min = 0
    max = 100000
    [[fields]]
    name = "franken"
    type = "money"
    label = "Betrag in Franken"
    currency = "CHF"
    [[fields]]
    name = "zufrieden"
    type = "scale"
    label = "Zufriedenheit"
    points = 4
    labels = ["unzufrieden", "teils, teils", "zufrieden", "sehr zufrieden"]
    [[fields]]
    name = "note"
    type = "scale"
    label = "Note"
    labels = ["schlecht", "sehr gut"]
    [[fields]]
    name = "notiz"
    type = "text"
    label = "Notiz"
    rows = 4
    max_length = 500
    [[fields]]
    name = "out"
    type = "text"
    label = "Abhängig"
    show_if = "beginn"
    """
)
FORM, _problems = parse_form("neu", FORM_TOML, "forms/neu.toml")
assert FORM is not None, _problems


def clean(name: str, raw):
    field = FORM.field(name)
    return field_type(field.type).clean(field, raw)


def refused(name: str, raw) -> str:
    result = validate_form(FORM, {name: raw})
    assert name in result.errors, (name, raw, result.values)
    return result.errors[name][0]


# ---- German input, clean values, messages naming the field -----------------------------


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("beginn", "14:30", "14:30"),
        ("beginn", "9.05", "09:05"),
        ("beginn", "14 Uhr", "14:00"),
        ("beginn", "14:30:00", "14:30"),  # what a time input may send
        ("termin", "02.03.2026 14:30", "2026-03-02T13:30:00Z"),  # winter time: UTC+1
        ("termin", "02.07.2026, 14:30 Uhr", "2026-07-02T12:30:00Z"),  # summer time: UTC+2
        ("termin", "2026-03-02T14:30", "2026-03-02T13:30:00Z"),  # datetime-local input
        ("termin", "2026-03-02T13:30:00Z", "2026-03-02T13:30:00Z"),  # the API, in UTC
        ("termin", "2026-03-02T16:30:00+03:00", "2026-03-02T13:30:00Z"),  # any offset
        ("telefon", "0211 8991234", "+492118991234"),
        ("telefon", "+49 (0)211-899 12 34", "+492118991234"),
        ("telefon", "0049 211 8991234", "+492118991234"),
        ("telefon", "0176 12345678", "+4917612345678"),
        ("telefon", "+1 202 555 0143", "+12025550143"),
        ("betrag", "1.234,56 €", "1234.56"),
        ("betrag", "1234,5", "1234.50"),
        ("betrag", "1.234", "1234.00"),  # German: a thousand, not one point two
        ("betrag", "12 EUR", "12.00"),
        ("betrag", "1234.56", "1234.56"),  # the API's way
        ("betrag", 99.9, "99.90"),
        ("betrag", 5, "5.00"),
        ("franken", "12,50 CHF", "12.50"),
        ("zufrieden", "3", 3),
        ("zufrieden", 4, 4),
        ("notiz", "Zeile 1\r\nZeile 2 ", "Zeile 1\nZeile 2"),  # rows keep line breaks
    ],
)
def test_german_input_becomes_the_clean_value(name, raw, value):
    assert clean(name, raw) == value


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("beginn", "25:00", "„Beginn“: „25:00“ ist keine gültige Uhrzeit (SS:MM, z. B. 14:30)."),
        ("beginn", "1430", "„Beginn“: „1430“ ist keine gültige Uhrzeit (SS:MM, z. B. 14:30)."),
        ("beginn", 1430, "„Beginn“: Bitte eine Uhrzeit eingeben (SS:MM)."),
        (
            "termin",
            "31.02.2026 10:00",
            "„Termin“: „31.02.2026 10:00“ ist kein gültiger "
            "Zeitpunkt (TT.MM.JJJJ SS:MM, z. B. 02.03.2026 14:30).",
        ),  # fmt: skip
        (
            "termin",
            "02.03.1850 10:00",
            "„Termin“: Bitte einen Zeitpunkt zwischen 1900 und 2199 eingeben.",
        ),  # fmt: skip
        (
            "telefon",
            "0211 1",
            "„Telefon“: „0211 1“ ist keine gültige Telefonnummer (z. B. "
            "0211 8991234 oder +49 211 8991234).",
        ),  # fmt: skip
        ("telefon", 2118991234, "„Telefon“: Bitte die Telefonnummer als Text angeben."),
        (
            "betrag",
            "12,345",
            "„Betrag“: „12,345“ ist kein gültiger Betrag – bitte mit "
            "höchstens zwei Nachkommastellen, z. B. 1.234,56.",
        ),  # fmt: skip
        (
            "betrag",
            "zwölf",
            "„Betrag“: „zwölf“ ist kein gültiger Betrag – bitte mit "
            "höchstens zwei Nachkommastellen, z. B. 1.234,56.",
        ),  # fmt: skip
        ("betrag", "-5", "„Betrag“: mindestens 0,00\u00a0€."),
        ("betrag", "100.000,01", "„Betrag“: höchstens 100.000,00\u00a0€."),
        ("betrag", True, "„Betrag“: Bitte einen Betrag eingeben."),
        ("zufrieden", "5", "„Zufriedenheit“: Bitte einen Wert von 1 bis 4 wählen."),
        ("zufrieden", "zufrieden", "„Zufriedenheit“: Bitte einen Wert von 1 bis 4 wählen."),
        ("notiz", "x" * 501, "„Notiz“: höchstens 500 Zeichen."),
    ],
)
def test_bad_input_gets_a_german_message_naming_the_field(name, raw, message):
    assert refused(name, raw) == message


# ---- Berlin's clock changes -----------------------------------------------------------


def test_the_hour_skipped_in_march_is_refused_with_the_time_meant():
    assert refused("termin", "29.03.2026 02:30") == (
        "„Termin“: Den 29.03.2026, 02:30 Uhr gibt es in Berlin nicht – die Uhr springt in "
        "dieser Nacht auf Sommerzeit vor. Gemeint ist wohl 03:30 Uhr."
    )
    assert "gibt es in Berlin nicht" in refused("termin", "2026-03-29T02:00")
    assert clean("termin", "29.03.2026 03:00") == "2026-03-29T01:00:00Z"
    assert clean("termin", "29.03.2026 01:59") == "2026-03-29T00:59:00Z"


def test_the_hour_repeated_in_october_is_summer_time_unless_mez_is_written():
    first = clean("termin", "25.10.2026 02:30")
    second = clean("termin", "25.10.2026 02:30 MEZ")
    assert (first, second) == ("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")
    assert clean("termin", "25.10.2026 02:30 MESZ") == first
    field = FORM.field("termin")
    kind = field_type("datetime")
    assert display(field, first) == "25.10.2026 02:30 MESZ"
    assert display(field, second) == "25.10.2026 02:30 MEZ"
    # the second one goes into the form as text, so saving again does not move it an hour
    assert kind.input_value(field, second) == "25.10.2026 02:30 MEZ"
    assert kind.input_type(field, kind.input_value(field, second)) == "text"
    assert kind.clean(field, kind.input_value(field, second)) == second
    assert kind.input_value(field, first) == "2026-10-25T02:30"
    assert kind.input_type(field, "2026-10-25T02:30") == "datetime-local"
    assert "gilt in Berlin nicht MEZ" in refused("termin", "01.07.2026 14:00 MEZ")


# ---- the form file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('type = "text"\nrows = 31', "forms/x.toml:6: Feld „f“: „rows“ darf höchstens 30 sein"),
        (
            'type = "text"\nrows = "2"',
            "forms/x.toml:6: Feld „f“: „rows“ muss eine ganze Zahl sein, nicht der Text „2“",
        ),  # fmt: skip
        (
            'type = "email"\nrows = 2',
            "forms/x.toml:6: Feld „f“: Schlüssel „rows“ ist hier "
            "nicht erlaubt (nur bei Typ text, textarea)",
        ),  # fmt: skip
        (
            'type = "money"\ncurrency = "Euro"',
            "forms/x.toml:6: Feld „f“: „currency“ muss ein "
            'Währungscode aus drei Großbuchstaben sein, z. B. "EUR"',
        ),  # fmt: skip
        (
            'type = "scale"\npoints = 12',
            "forms/x.toml:6: Feld „f“: „points“ darf höchstens 11 sein",
        ),  # fmt: skip
        (
            'type = "scale"\npoints = 4\nlabels = ["a", "b", "c"]',
            "forms/x.toml:7: Feld „f“: "
            "„labels“ braucht 4 Texte (einen je Punkt) oder 2 (für beide Enden), nicht 3",
        ),  # fmt: skip
        (
            'type = "scale"\ndefault = 6',
            "forms/x.toml:6: Feld „f“: „default“ muss eine ganze Zahl von 1 bis 5 sein, "
            "nicht die Zahl 6",
        ),  # fmt: skip
        (
            'type = "time"\ndefault = "25:00"',
            "forms/x.toml:6: Feld „f“: „default“ muss eine "
            'Uhrzeit sein (14:30 oder "14:30"), nicht der Text „25:00“',
        ),  # fmt: skip
        (
            'type = "datetime"\ndefault = "2026-01-01T10:00"',
            "forms/x.toml:6: Feld „f“: ein Feld vom Typ „datetime“ kann keinen „default“ haben",
        ),  # fmt: skip
        (
            'type = "table"\n[[fields.columns]]\nname = "c"\ntype = "scale"\nlabel = "C"',
            "forms/x.toml:8: Spalte „c“ von Feld „f“: eine Tabellenspalte kann nicht vom Typ "
            "„scale“ sein",
        ),
    ],
)
def test_verbund_check_explains_misuse_of_the_new_keys(extra, message):
    text = f'title = "X"\n[[fields]]\nname = "f"\nlabel = "F"\n{extra}\n'
    _, problems = parse_form("x", text, "forms/x.toml")
    found = [str(p) for p in problems]
    assert message in found, found


def test_the_time_default_may_be_a_toml_time():
    text = 'title = "X"\n[[fields]]\nname = "f"\nlabel = "F"\ntype = "time"\ndefault = 09:30:00\n'
    form, problems = parse_form("x", text, "forms/x.toml")
    assert problems == [] and form.fields[0].default == "09:30"


# ---- values saved before a field changed type --------------------------------------------


def test_times_saved_as_text_stay_readable_and_editable():
    field, kind = FORM.field("beginn"), field_type("time")
    assert display(field, "14:30") == "14:30 Uhr"
    assert display(field, "9:30") == "09:30 Uhr"  # the old pattern allowed one digit
    assert kind.input_value(field, "9:30") == "09:30"
    assert kind.input_type(field, "09:30") == "time"
    # text that is no time is shown as it was and put into a text input (a time input would
    # show nothing and drop it on saving); saving it again names the problem
    assert display(field, "ca. 14 Uhr") == "ca. 14 Uhr"
    assert kind.input_type(field, kind.input_value(field, "ca. 14 Uhr")) == "text"
    assert "keine gültige Uhrzeit" in refused("beginn", "ca. 14 Uhr")
    assert validate_form(FORM, {"beginn": "14:30"}).values["beginn"] == "14:30"


def test_other_values_saved_before_are_shown_as_they_were():
    assert display(FORM.field("telefon"), "0211/123") == "0211/123"
    assert display(FORM.field("zufrieden"), "zufrieden") == "zufrieden"
    assert display(FORM.field("betrag"), "85000") == "85.000,00\u00a0€"  # was a decimal


# ---- what people and templates see ---------------------------------------------------------


def test_display_and_template_values():
    saved = validate_form(
        FORM,
        {
            "beginn": "9.30",
            "termin": "02.03.2026 14:05",
            "telefon": "+49 (0)211-899 12 34",
            "betrag": "1.234,5",
            "franken": "12",
            "zufrieden": "3",
            "note": "3",
            "notiz": "a\nb",
        },
    )
    assert saved.errors == {}
    shown = {f.name: display(f, saved.values.get(f.name)) for f in FORM.fields}
    assert shown == {
        "beginn": "09:30 Uhr",
        "termin": "02.03.2026 14:05",
        "telefon": "0211 8991234",
        "betrag": "1.234,50\u00a0€",
        "franken": "12,00\u00a0CHF",
        "zufrieden": "3 von 4 – zufrieden",
        "note": "3 von 5",
        "notiz": "a\nb",
        "out": "",
    }
    values = form_values(FORM, saved.values)
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(autoescape=True)
    env.filters.update(GERMAN_FILTERS)
    source = (
        "{{ n.beginn }}|{{ n.termin }}|{{ n.termin|datum('zeit') }}|{{ n.termin.hour }}|"
        "{{ n.telefon }}|{{ n.betrag }}|{{ n.betrag|euro }}|{{ n.franken }}|"
        "{{ n.zufrieden }}|{{ n.zufrieden|label }}|{{ n.note|label }}|"
        "{{ 'gut' if n.zufrieden >= 3 }}|{{ n.betrag > 1000 }}"
    )
    assert env.from_string(source).render(n=values) == (
        "09:30|02.03.2026 14:05|02.03.2026 14:05|14|0211 8991234|1.234,50\u00a0€|"
        "1.234,50\u00a0€|12,00\u00a0CHF|3|zufrieden|3|gut|True"
    )
    # the sandbox process gets the context pickled: the values stay what they are
    again = pickle.loads(pickle.dumps(values))
    assert isinstance(again["betrag"], Money) and again["betrag"] == Decimal("1234.50")
    assert str(again["betrag"]) == "1.234,50\u00a0€"
    assert isinstance(again["zufrieden"], ScaleValue) and again["zufrieden"].label == "zufrieden"
    assert isinstance(again["termin"], Moment) and str(again["termin"]) == "02.03.2026 14:05"


# ---- browser and server decide show_if alike ---------------------------------------------


def form_with(condition: str):
    out = dataclasses.replace(FORM.fields[-1], show_if=condition)
    return dataclasses.replace(FORM, fields=FORM.fields[:-1] + (out,))


def both(node, condition: str, raw: dict) -> tuple[bool, bool]:
    form = form_with(condition)
    server = "out" not in validate_form(form, raw).hidden
    browser = "out" not in node.hidden(browser_spec(form), raw)
    return server, browser


CASES = [
    ("beginn", {"beginn": "9.30"}, True),
    ("beginn", {"beginn": "25:00"}, False),  # refused input is empty
    ("beginn < '12:00'", {"beginn": "9.30"}, True),  # "09:30": text sorts like the time
    ("beginn >= '12:00'", {"beginn": "14 Uhr"}, True),
    ("beginn == '14:30'", {"beginn": "14:30:00"}, True),
    ("termin", {"termin": "29.03.2026 02:30"}, False),  # does not exist
    ("termin == '2026-10-25T00:30:00Z'", {"termin": "25.10.2026 02:30"}, True),
    ("termin == '2026-10-25T01:30:00Z'", {"termin": "25.10.2026 02:30 mez"}, True),
    ("termin < '2026-03-02T13:31:00Z'", {"termin": "2026-03-02T14:30"}, True),
    ("termin == '2026-03-02T12:05:00Z'", {"termin": "2026-03-02T13:05+01:00"}, True),
    ("termin", {"termin": "2026-03-02T13:05+01:60"}, False),
    ("telefon == '+492118991234'", {"telefon": "+49 (0)211-899 12 34"}, True),
    ("telefon == '+492118991234'", {"telefon": "0211 8991234"}, True),
    ("telefon", {"telefon": "0211"}, False),
    ("betrag > 1000", {"betrag": "1.234,56 €"}, True),
    ("betrag == 1234", {"betrag": "1.234"}, True),
    ("betrag == 0.1", {"betrag": "0,10"}, False),  # Decimal is not the float, as in Python
    ("betrag", {"betrag": "0,00"}, False),
    ("betrag", {"betrag": "12,345"}, False),  # refused: three decimals
    ("betrag >= 12.5", {"betrag": "12,50 EUR"}, True),
    ("franken == 12", {"franken": "CHF 12"}, True),
    ("zufrieden >= 3", {"zufrieden": "3"}, True),
    ("zufrieden >= 3", {"zufrieden": "5"}, False),  # out of the scale: empty
    ("zufrieden == 2", {"zufrieden": " 2 "}, True),
    ("note == 5", {"note": "5"}, True),
    ("notiz == 'a\\nb'", {"notiz": "a\r\nb"}, True),  # rows keep line breaks
]


@pytest.mark.parametrize(("condition", "raw", "shown"), CASES)
def test_browser_and_server_agree(node, condition, raw, shown):
    assert both(node, condition, raw) == (shown, shown)


RAW = {
    "beginn": st.sampled_from(["9:30", "09.30", "14 Uhr", "24:00", "7", "23:59:00", "12:60"])
    | st.from_regex(r"[0-9]{1,2}[:.][0-9]{2}( ?Uhr)?", fullmatch=True),
    "termin": st.sampled_from(
        ["29.03.2026 02:30", "25.10.2026 02:30", "25.10.2026 02:30 MEZ", "2026-13-01T10:00"]
    )
    | st.from_regex(
        r"(19[0-9]{2}|2[01][0-9]{2})-(0[1-9]|1[0-2])-([012][0-9]|3[01])T([01][0-9]|2[0-4]):"
        r"[0-5][0-9](:[0-5][0-9])?(Z|[+-][0-2][0-9]:[0-6][0-9])?",
        fullmatch=True,
    )
    | st.from_regex(
        r"[0-3][0-9]\.[01][0-9]\.(19|20|21)[0-9]{2} [0-2][0-9]:[0-5][0-9]( ME(S)?Z)?",
        fullmatch=True,
    ),  # fmt: skip
    "betrag": st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{3})?(,[0-9]{0,3})?( ?€| EUR)?", fullmatch=True)
    | st.decimals(min_value=-(10**6), max_value=10**6, places=2).map(str),
    "zufrieden": st.sampled_from(["", "0", "1", "4", "5", "04", "x"]),
}
CONDITIONS = [
    "beginn",
    "beginn < '12:00'",
    "termin",
    "termin > '2026-03-29T01:00:00Z'",
    "betrag",
    "betrag > 1000",
    "betrag == 12.5",
    "zufrieden",
    "zufrieden >= 3",
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    condition=st.sampled_from(CONDITIONS),
    raw=st.fixed_dictionaries({}, optional=RAW),
)
def test_random_input_is_decided_alike(node, condition, raw):
    server, browser = both(node, condition, raw)
    assert server == browser, (condition, raw)
