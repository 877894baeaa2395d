"""Error answers stay small however large the bad input (issue 12: a 50 MB 422 answer)."""

from __future__ import annotations

import json

from server.forms.error_cap import MAX_ERRORS, MORE_KEY, UNKNOWN_KEY, cap_errors
from tests.helpers import ANTRAG, csrf_token, login


def _record(client) -> int:
    response = client.post("/records", json={"workflow": "foerderung"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_600k_unknown_keys_get_a_small_german_422_and_nothing_changes(api):
    club = api("club1", ["applicant"], "verein-a")
    rid = _record(club)
    saved = club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert saved.status_code == 200, saved.json
    data = {**ANTRAG, **{f"k{i:06d}": 0 for i in range(600_000)}}
    body = json.dumps({"data": data, "version": 2})
    assert len(body) > 7_000_000  # the body as sent by the outside test (under the 10 MB limit)

    response = club.put(f"/records/{rid}/forms/antrag", data=body, content_type="application/json")

    assert response.status_code == 422
    assert len(response.data) < 5_000, len(response.data)  # was 50 MB
    errors = response.json["errors"]
    assert errors["k000000"] == ["„k000000“ ist kein Feld des Formulars „Förderantrag“."]
    assert errors[UNKNOWN_KEY] == [
        "599.995 weitere Schlüssel sind keine Felder des Formulars „Förderantrag“."
    ]
    assert len(errors) == 6
    record = club.get(f"/records/{rid}").json
    assert record["version"] == 2 and record["data"]["antrag"]["verein"] == "SV Rhein"


def test_a_thousand_bad_table_rows_name_50_cells_and_count_the_rest(api):
    club = api("club2", ["applicant"], "verein-b")
    rid = _record(club)
    rows = [{"posten": "", "betrag": "x"} for _ in range(1000)]  # two errors each
    response = club.put(
        f"/records/{rid}/forms/antrag",
        json={"data": {**ANTRAG, "posten": rows}, "version": 1},
    )
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "posten.0.posten" in errors and "posten.0.betrag" in errors
    assert len(errors) == MAX_ERRORS + 1
    assert errors[MORE_KEY] == ["… und 1.950 weitere Fehler"]
    assert len(response.data) < 15_000
    assert club.get(f"/records/{rid}").json["version"] == 1


def test_the_screen_names_the_first_cells_and_says_how_many_more(client, make_user):
    make_user("verein3", ["applicant"], "verein-c")
    login(client, "verein3")
    page = client.get("/records/foerderung/").get_data(as_text=True)
    url = client.post("/records/foerderung/new", data={"csrf_token": csrf_token(page)}).location
    form = {
        "version": "1",
        "csrf_token": csrf_token(client.get(url).get_data(as_text=True)),
        "antrag-verein": "SV",
        "antrag-email": "a@b.example",
        "antrag-beginn": "2027-05-01",
        "antrag-zweck": "Bälle",
        "antrag-betrag": "300",
    }
    for n in range(300):
        form[f"antrag-posten-{n}-posten"] = ""
        form[f"antrag-posten-{n}-betrag"] = "x"
    response = client.post(url + "/forms/antrag", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "… und 550 weitere Fehler" in html
    assert html.count("invalid-feedback d-block") <= MAX_ERRORS


def test_a_json_body_beyond_the_request_limit_is_a_json_413(api):
    club = api("club4", ["applicant"], "verein-d")
    rid = _record(club)
    body = json.dumps({"data": {"zweck": "x" * 11_000_000}, "version": 1})
    response = club.put(f"/records/{rid}/forms/antrag", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.is_json and "zu groß" in response.json["error"]


def test_cap_errors_keeps_lists_and_dicts_small():
    assert cap_errors(["a"] * 3) == ["a"] * 3
    capped = cap_errors([f"Zeile {n}" for n in range(1000)])
    assert len(capped) == MAX_ERRORS + 1 and capped[-1] == "… und 950 weitere Fehler"
    assert cap_errors({f"f{n}": ["x"] for n in range(51)})[MORE_KEY] == ["… und 1 weiterer Fehler"]
    twice = cap_errors(cap_errors({f"f{n}": ["x"] for n in range(80)}), limit=10)
    assert len(twice) == 11 and twice[MORE_KEY] == ["… und 70 weitere Fehler"]
    assert len(cap_errors({"f": ["y" * 10_000]})["f"][0]) == 500


def _many_bad_fields(n: int) -> str:
    """A form text with ``n`` fields of an unknown type: one problem each."""
    fields = "".join(
        f'\n[[fields]]\nname = "f{i}"\ntype = "zahl"\nlabel = "F{i}"\n' for i in range(n)
    )
    return 'title = "Förderantrag"\n' + fields


def test_a_config_text_with_300_mistakes_names_50_and_counts_the_rest(api):
    admin = api("admin5", ["admin"], "verwaltung")
    response = admin.put(
        "/config/forms/antrag", json={"toml": _many_bad_fields(300), "message": "viele"}
    )
    assert response.status_code == 422
    body = response.json
    assert len(body["errors"]) == MAX_ERRORS + 1
    assert body["errors"][0].startswith("forms/antrag.toml:")
    assert body["errors"][-1].startswith("… und ") and body["errors"][-1].endswith("weitere Fehler")
    assert len(body["problems"]) == MAX_ERRORS and body["problems_total"] >= 300


def test_the_config_editor_lists_50_mistakes_and_counts_the_rest(client, make_user):
    import re

    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    url = "/admin/config/forms/antrag"
    page = client.get(url).get_data(as_text=True)
    base = re.search(r'name="base_revision" value="(-?\d*)"', page).group(1)
    data = {
        "csrf_token": csrf_token(page),
        "toml": _many_bad_fields(300),
        "message": "viele",
        "action": "check",
        "base_revision": base,
    }
    html = client.post(url, data=data).get_data(as_text=True)
    errors = html[html.index('id="fehler"') :]
    errors = errors[: errors.index("</ul>")]
    assert errors.count("<li>") == MAX_ERRORS + 1
    assert re.search(r"<li>… und [\d.]+ weitere Fehler</li>", errors)
