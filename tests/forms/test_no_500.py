"""No input whatsoever gives a 500: hypothesis against every field type, API and screens.

The form ``alles`` (tests/forms/fixture_extra) has every field type with its constraints.
Whatever is sent, the answer is a save or a German error naming the field; what is saved is
clean (cleaning it again changes nothing).
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from server.forms import validate_form
from server.runtime import current_runtime
from tests.helpers import csrf_token, login

FIELDS = {
    "text": "Text",
    "lang": "Langtext",
    "mail": "E-Mail",
    "zahl": "Ganze Zahl",
    "betrag": "Betrag",
    "datum": "Datum",
    "ok": "Bestätigt",
    "art": "Art",
    "tags": "Schlagworte",
    "zeilen": "Zeilen",
    "verweis": "Verweis",
    "datei": "Datei",
}
COLUMNS = {
    "t": "Spalte Text",
    "n": "Spalte Zahl",
    "d": "Spalte Betrag",
    "dt": "Spalte Datum",
    "b": "Spalte Ja",
    "s": "Spalte Auswahl",
    "m": "Spalte Mehrfach",
    "e": "Spalte Mail",
    "r": "Spalte Verweis",
}
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eabc",  # right-to-left override
    "\u200f١٢٣",  # RTL mark and Arabic-Indic digits
    "x" * 1_000_000,  # a megabyte
    "9" * 5000,
    "1e999",
    "NaN",
    "-0",
    "31.02.2024",
    "2024-13-01",
    "0000-01-01",
    "29.02.2024",
    "1.234,56",
    "12,5.3",
    "ja",
    "on",
    "²",
    "a",
    "x",
    "p",
    "Hans Müller",
    "a@b.de",
    "\ud7ff",
    "😀" * 3,
    "<script>alert(1)</script>",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(NASTY)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from([*COLUMNS, "id", "x", ""]), children, max_size=4)
    ),
    max_leaves=12,
)
rows = st.lists(
    st.dictionaries(st.sampled_from(list(COLUMNS)), json_values, max_size=9), max_size=5
)
form_data = st.dictionaries(
    st.sampled_from([*FIELDS, "unbekannt", "", "zeilen.0.t"]),
    json_values,
    max_size=12,
) | st.fixed_dictionaries({"zeilen": rows, "text": json_values})


@pytest.fixture
def config_dir(config_dir):
    """A request limit large enough for the megabyte strings to reach the form engine."""
    config = config_dir / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_bytes = 5000", "max_bytes = 20000000"),
        encoding="utf-8",
    )
    return config_dir


def assert_named(errors: dict, sent: dict) -> None:
    """Every error is German text naming the field (or cell) it is about."""
    assert isinstance(errors, dict) and errors
    for key, messages in errors.items():
        assert messages and all(isinstance(m, str) and m for m in messages), (key, messages)
        if all(m.startswith(f"„{key}“ enthält") for m in messages):
            continue  # refused before the form (a NUL, a lone surrogate): named as sent
        cell = re.fullmatch(r"zeilen\.(\d+)\.(\w+)", key)
        if key in FIELDS:
            assert all(f"„{FIELDS[key]}“" in m for m in messages), (key, messages)
        elif key in sent and "ist kein Feld des Formulars" in messages[0]:
            continue  # "zeilen.0.t" sent as a field name, not as a cell
        elif cell:
            assert all(f"„{COLUMNS[cell.group(2)]}“" in m for m in messages), (key, messages)
        else:  # a key that is no field: named as sent
            assert key in ("data", "body") or any(str(k)[:64] == key for k in sent), key


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=form_data)
def test_api_answers_every_input_with_a_save_or_named_errors(api, data):
    clerk = api.clerk if hasattr(api, "clerk") else None
    if clerk is None:
        api.clerk = clerk = api("pruefer", ["clerk"])
        api.record = clerk.post("/records", json={"workflow": "pruefung"}).json
    record = clerk.get(f"/records/{api.record['id']}").json
    response = clerk.put(
        f"/records/{record['id']}/forms/alles", json={"data": data, "version": record["version"]}
    )
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
    assert response.is_json
    if response.status_code == 422:
        assert_named(response.json["errors"], data)
    else:
        saved = response.json["data"]["alles"]
        form = current_runtime(clerk.client.application).definitions.forms["alles"]
        without_file = {k: v for k, v in saved.items() if k != "datei"}
        again = validate_form(form, without_file)
        assert again.ok and {k: v for k, v in again.values.items() if k != "datei"} == without_file


SCREEN_KEYS = [
    "alles-text",
    "alles-lang",
    "alles-mail",
    "alles-zahl",
    "alles-betrag",
    "alles-datum",
    "alles-ok",
    "alles-art",
    "alles-tags",
    "alles-verweis",
    "alles-datei",
    "alles-datei-_remove",
    "alles-zeilen-0-t",
    "alles-zeilen-0-n",
    "alles-zeilen-0-dt",
    "alles-zeilen-0-m",
    "alles-zeilen-1-b",
    "alles-zeilen-1-_remove",
    "alles-zeilen-99999-d",
    "alles-zeilen-x-t",
    "alles-zeilen--s",
    "alles-zeilen-0-r",
    "alles-",
    "version",
    "ganz-anders",
]
screen_texts = st.text(max_size=40) | st.sampled_from(NASTY)
screen_posts = st.lists(st.tuples(st.sampled_from(SCREEN_KEYS), screen_texts), max_size=25)
uploads = st.none() | st.binary(max_size=300) | st.sampled_from([b"%PDF-1.4", b"\x89PNG\r\n\x1a\n"])


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pairs=screen_posts, upload=uploads)
def test_screen_answers_every_post_with_a_page_never_a_500(client, make_user, pairs, upload):
    if not getattr(client, "record_url", None):
        make_user("pruefer2", ["clerk"])
        login(client, "pruefer2")
        page = client.get("/records/pruefung/").get_data(as_text=True)
        created = client.post("/records/pruefung/new", data={"csrf_token": csrf_token(page)})
        client.record_url = created.headers["Location"]
    page = client.get(client.record_url).get_data(as_text=True)
    data = [(key, value) for key, value in pairs]
    if not any(key == "version" for key, _ in pairs):
        data.append(("version", re.search(r'name="version" value="(\d+)"', page).group(1)))
    data.append(("csrf_token", csrf_token(page)))
    if upload is not None:
        data.append(("alles-datei-_upload", (io.BytesIO(upload), "datei.bin")))
    response = client.post(
        client.record_url + "/forms/alles",
        data=MultiDict(data),
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    if response.status_code == 400:  # a NUL no browser sends: refused before the form
        assert any("\x00" in value for _, value in pairs)
        assert "Ungültige Eingabe" in html and "enthält das unzulässige Zeichen NUL" in html
        return
    assert response.status_code in (302, 409, 413, 422), response.status_code
    assert "Traceback" not in html
    if response.status_code == 413:  # a field beyond Werkzeug's 500 KB (the megabyte string)
        assert "ein Eingabefeld höchstens 100.000 Zeichen" in html
    if response.status_code == 422:
        assert "Bitte prüfen Sie die markierten Felder." in html
        assert "invalid-feedback d-block" in html  # the messages stand beside the fields
