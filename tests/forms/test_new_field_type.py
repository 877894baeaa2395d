"""A field type added in one place – a class registered by a test, as a plug-in would – works
end to end: the form file declaring it is read and checked (its own key with ``path:line``
messages), the screen draws and saves it (German message on bad input, input kept), the
JSON API reads and writes it, and a generated .docx, opened again, holds its template value.

The type is an IBAN: stored compact (``DE02120300000000202051``), checked by its check digits,
optionally restricted to one country (``country = "DE"``, the type's own TOML key), shown and
given to Word templates in groups of four.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from server.forms.display import display
from server.runtime import current_runtime
from server.schema import parse_form
from server.schema.fieldtypes import (
    FieldError,
    FieldType,
    field_type,
    quoted,
    register,
    type_names,
    unregister,
)
from tests.helpers import ANTRAG, csrf_token, login
from tests.web.test_screens import ANTRAG_FORM, new_record

GOOD = "DE02120300000000202051"  # a valid German IBAN (check digits 02)
GROUPED = "DE02 1203 0000 0000 2020 51"
CLASSIC = "DE89370400440532013000"
BRITISH = "GB82WEST12345698765432"


class IbanType(FieldType):
    """What a plug-in writes: one class, nothing else anywhere."""

    name = "iban"
    label = "IBAN"
    explanation = "Eine internationale Kontonummer; die Prüfziffern werden geprüft."
    keys = ("country",)
    browser_clean = "text"  # show_if in the browser treats it like a line of text

    def read_keys(self, c, table, keypath, where):
        country = table.get("country")
        if country is not None and not (
            isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)
        ):
            c.add(
                keypath + ("country",),
                f"{where}„country“ muss ein Ländercode aus zwei Großbuchstaben sein, z. B. DE",
            )
            country = None
        return {"country": country}

    def clean(self, field, raw):
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str):
            raise FieldError(f"{quoted(field)}: Bitte die IBAN als Text angeben.")
        compact = "".join(raw.split()).upper()
        if not compact:
            return None
        if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact) or not _check_digits_ok(
            compact
        ):
            raise FieldError(f"{quoted(field)}: „{compact[:40]}“ ist keine gültige IBAN.")
        country = field.option("country")
        if country and not compact.startswith(country):
            raise FieldError(f"{quoted(field)}: Bitte eine IBAN aus {country} angeben.")
        return compact

    def display(self, field, value, lookup=None):
        if not value:
            return ""
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))

    def template_value(self, field, value):
        return self.display(field, value)


def _check_digits_ok(iban: str) -> bool:
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


IBAN_FIELD = """
[[fields]]
name = "iban"
type = "iban"
label = "IBAN"
country = "DE"
"""


@pytest.fixture
def iban_type():
    register(IbanType)
    yield IbanType
    unregister("iban")


@pytest.fixture
def iban_office(iban_type, config_dir):
    """The fixture office with an IBAN on the application form and in the receipt template."""
    form = config_dir / "forms" / "antrag.toml"
    form.write_text(form.read_text(encoding="utf-8") + IBAN_FIELD, encoding="utf-8")
    template = docx.Document()
    template.add_paragraph("Verein: {{ antrag.verein }}")
    template.add_paragraph("IBAN: {{ antrag.iban }}")
    template.save(config_dir / "exports" / "eingang.docx")
    return config_dir


def test_the_form_file_is_checked_with_the_types_own_key(iban_type):
    text = 'title = "Konto"\n' + IBAN_FIELD.replace('"DE"', '"deutsch"')
    form, problems = parse_form("konto", text, "forms/konto.toml")
    assert form is None
    assert [str(p) for p in problems] == [
        "forms/konto.toml:7: Feld „iban“: „country“ muss ein Ländercode aus zwei "
        "Großbuchstaben sein, z. B. DE"
    ]
    form, problems = parse_form("konto", 'title = "Konto"\n' + IBAN_FIELD, "forms/konto.toml")
    assert problems == [] and form.fields[0].option("country") == "DE"
    # the type's keys belong to it alone
    text = 'title = "Konto"\n[[fields]]\nname = "x"\ntype = "text"\nlabel = "X"\ncountry = "DE"\n'
    _, problems = parse_form("konto", text, "forms/konto.toml")
    assert [str(p) for p in problems] == [
        "forms/konto.toml:6: Feld „x“: Schlüssel „country“ ist hier nicht erlaubt "
        "(nur bei Typ iban)"
    ]


def test_unregistered_the_type_is_unknown_again():
    _, problems = parse_form("konto", 'title = "Konto"\n' + IBAN_FIELD, "forms/konto.toml")
    assert "unbekannter Feldtyp „iban“" in str(problems[0])


def test_a_registered_type_goes_from_toml_through_screen_and_api_into_the_document(
    iban_office, app, client, make_user, api, work_jobs
):
    field = current_runtime(app).definitions.forms["antrag"].field("iban")
    assert field.type == "iban" and field.option("country") == "DE"

    # the screen draws it (the type's widget) and refuses bad input in German, keeping it
    make_user("verein1", ["applicant"], "rc")
    login(client, "verein1")
    url = new_record(client)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<label for="antrag-iban">IBAN</label>', page)
    assert re.search(
        r'<input class="form-control" type="text" id="antrag-iban" name="antrag-iban"', page
    )
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {**ANTRAG_FORM, "version": version, "csrf_token": csrf_token(page)}
    refused = client.post(url + "/forms/antrag", data={**data, "antrag-iban": "DE00 1234"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "„IBAN“: „DE001234“ ist keine gültige IBAN." in html
    assert 'value="DE00 1234"' in html  # what was typed stays
    saved = client.post(
        url + "/forms/antrag", data={**data, "antrag-iban": "de89 3704 0044 0532 0130 00"}
    )
    assert saved.status_code == 302
    assert f'value="{CLASSIC}"' in client.get(url).get_data(as_text=True)

    # the API reads the clean value and writes through the same cleaning
    club = api("verein2", ["applicant"], "rc")
    described = club.get("/forms/antrag").get_json()["fields"]
    iban = next(f for f in described if f["name"] == "iban")
    assert iban["type"] == "iban" and iban["options"] == {"country": "DE"}
    assert "options" not in described[0]  # built-in fields are described as before
    rid = club.post("/records", json={"workflow": "foerderung"}).get_json()["id"]
    bad = club.put(
        f"/records/{rid}/forms/antrag", json={"data": {**ANTRAG, "iban": BRITISH}, "version": 1}
    )
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"iban": ["„IBAN“: Bitte eine IBAN aus DE angeben."]}
    wrong_kind = club.put(
        f"/records/{rid}/forms/antrag", json={"data": {**ANTRAG, "iban": 5}, "version": 1}
    )
    assert wrong_kind.get_json()["errors"] == {"iban": ["„IBAN“: Bitte die IBAN als Text angeben."]}
    ok = club.put(
        f"/records/{rid}/forms/antrag", json={"data": {**ANTRAG, "iban": GROUPED}, "version": 1}
    )
    assert ok.status_code == 200, ok.get_json()
    assert club.get(f"/records/{rid}").get_json()["data"]["antrag"]["iban"] == GOOD
    assert display(field, GOOD) == GROUPED  # as people read it

    # the document shows the type's template value, in the .docx opened again
    moved = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200, moved.get_json()
    requested = club.post(f"/records/{rid}/documents", json={"document": "eingang"})
    assert requested.status_code == 202
    work_jobs()
    request_id = requested.get_json()["id"]
    assert club.get(f"/documents/{request_id}").get_json()["status"] == "finished"
    content = club.get(f"/documents/{request_id}/file").data
    paragraphs = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    assert paragraphs == ["Verein: SV Rhein", f"IBAN: {GROUPED}"]


STATIC = Path(__file__).parents[2] / "server" / "static"
TEMPLATES = Path(__file__).parents[2] / "server" / "templates" / "verbund"


def test_every_type_names_itself_in_german_and_has_its_widget_and_browser_entry():
    # what the form builder (issue 15) lists, and the two places a type may point at
    js_entries = set(
        re.findall(r"^    (\w+): function", (STATIC / "verbund-input.js").read_text(), re.M)
    )
    macros = set(re.findall(r"\{% macro (\w+)\(", (TEMPLATES / "_widgets.html").read_text()))
    for name in type_names():
        kind = field_type(name)
        assert kind.label and kind.explanation.endswith("."), name
        assert (kind.browser_clean or name) in js_entries, name
        assert kind.widget in macros | {"table"}, name  # the table widget is _fields.html's own
