"""German formatting for template authors: what a reader of the document sees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from server.documents.filters import ChoiceValue, datum, euro, janein, label, zahl
from server.documents.render import template_environment


def render(source: str, **data) -> str:
    return template_environment().from_string(source).render(**data)


@pytest.mark.parametrize(
    ("value", "form", "shown"),
    [
        ("2026-03-02", "kurz", "02.03.2026"),
        (dt.date(2026, 3, 2), "kurz", "02.03.2026"),
        (dt.date(2026, 3, 2), "lang", "2. März 2026"),
        ("2026-12-31", "lang", "31. Dezember 2026"),
        ("02.03.2026 09:12", "kurz", "02.03.2026"),
        ("02.03.2026 09:12", "zeit", "02.03.2026 09:12"),
        (dt.datetime(2026, 3, 2, 9, 5), "zeit", "02.03.2026 09:05"),
        (None, "kurz", ""),
        ("", "lang", ""),
        ("irgendwann", "kurz", "irgendwann"),  # not a date: shown as it is, no failure
    ],
)
def test_datum(value, form, shown):
    assert datum(value, form) == shown


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        ("1234.5", None, "1.234,5"),
        (Decimal("1250"), None, "1.250"),
        (1234567, None, "1.234.567"),
        ("0.1", 2, "0,10"),
        ("2.345", 2, "2,35"),  # rounded half up, as on a German invoice
        ("-1234567.125", 2, "-1.234.567,13"),
        ("1.234,56", None, "1.234,56"),  # already German input
        (None, 2, ""),
        ("keine Zahl", None, "keine Zahl"),
        (True, None, True),  # a boolean is no number
    ],
)
def test_zahl(value, places, shown):
    assert zahl(value, places) == shown


def test_euro_janein_label():
    assert euro("1234.5") == "1.234,50\u00a0€"
    assert euro(None) == ""
    assert (janein(True), janein(False), janein(None)) == ("Ja", "Nein", "")
    value = ChoiceValue("duldung_18_27", "18–27 Jahre mit Duldung")
    assert label(value) == "18–27 Jahre mit Duldung"
    assert value == "duldung_18_27"  # conditions keep comparing with the stored value
    assert label([ChoiceValue("ar", "Arabisch"), ChoiceValue("de", "Deutsch")]) == (
        "Arabisch, Deutsch"
    )
    assert label("plain text") == "plain text" and label(None) == ""


def test_filters_in_templates_with_conditions_and_loops():
    data = {
        "antrag": {
            "beginn": dt.date(2027, 6, 1),
            "betrag": Decimal("12500.5"),
            "gemeinnuetzig": True,
            "sparten": [ChoiceValue("fussball", "Fußball"), ChoiceValue("turnen", "Turnen")],
            "art": ChoiceValue("sport", "Sport & Spiel"),
        }
    }
    source = (
        "{{ antrag.beginn|datum }} {{ antrag.beginn|datum('lang') }} {{ antrag.betrag|euro }} "
        "{{ antrag.gemeinnuetzig|janein }} {{ antrag.sparten|label }} {{ antrag.art|label }} "
        "{{ antrag.art.label }} {{ antrag.sparten }} "
        "{% if antrag.art == 'sport' %}Sport{% endif %}"
        "{% if antrag.betrag > 10000 %} groß{% endif %}"
        "{% for s in antrag.sparten %} [{{ s|label }}]{% endfor %} {{ antrag.beginn.year }}"
    )
    assert render(source, **data) == (
        "01.06.2027 1. Juni 2027 12.500,50\u00a0€ Ja Fußball, Turnen Sport &amp; Spiel "
        "Sport &amp; Spiel fussball, turnen Sport groß [Fußball] [Turnen] 2027"
    )
