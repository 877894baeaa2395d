"""Input no route can store or answer is refused in one place, with a German message.

NUL characters (PostgreSQL refuses them in any text, so a filter with one was a 500 there),
lone surrogates in JSON (they cannot be written back as UTF-8: the error message quoting
them crashed the answer) and JSON nested deeper than the parser goes (a 500 on the consent
and configuration routes) never reach a view.
"""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token, login


@pytest.fixture
def clerk(api):
    return api("sachb", ["clerk"], "amt")


@pytest.mark.parametrize(
    "query,name",
    [
        ("state=a%00b", "state"),
        ("search=M%00ller", "search"),
        ("owner=%00", "owner"),
        ("organisation=a%00", "organisation"),
        ("workflow=foerderung&page=1&state=x%00", "state"),
    ],
)
def test_a_nul_in_a_list_filter_is_a_422_naming_the_parameter(clerk, query, name):
    response = clerk.get(f"/records?{query}")
    assert response.status_code == 422
    assert response.is_json
    assert f"„{name}“" in response.json["error"]
    assert "NUL" in response.json["errors"][name][0]


def test_a_lone_surrogate_in_json_is_a_422_not_a_crash(clerk):
    response = clerk.client.post(
        "/api/v1/records",
        data=b'{"workflow": "\\ud800"}',
        headers=clerk._headers(),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json["errors"] == {"workflow": [response.json["errors"]["workflow"][0]]}
    assert "Surrogat" in response.json["errors"]["workflow"][0]


def test_a_nul_or_surrogate_in_a_form_is_named_like_the_form_errors(clerk):
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    response = clerk.put(
        f"/records/{record['id']}/forms/antrag",
        json={"data": {"posten": [{"posten": "P\x00"}]}, "version": record["version"]},
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["posten.0.posten"]  # table cells as table.0.col
    surrogate = clerk.client.put(
        f"/api/v1/records/{record['id']}/forms/antrag",
        data=b'{"data": {"verein": "Verein \\udc80"}, "version": 1}',
        headers=clerk._headers(),
        content_type="application/json",
    )
    assert surrogate.status_code == 422
    assert list(surrogate.json["errors"]) == ["verein"]
    assert clerk.get(f"/records/{record['id']}").json["version"] == record["version"]


@pytest.mark.parametrize(
    "path",
    ["/records/{id}/consents", "/records/{id}/consents/teilnahme/withdrawal", "/records"],
)
def test_json_nested_too_deep_is_a_422_on_every_route(clerk, path):
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    response = clerk.client.post(
        "/api/v1" + path.format(id=record["id"]),
        data=b"[" * 100_000,
        headers=clerk._headers(),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "verschachtelt" in response.json["error"]


@pytest.mark.parametrize("kind", ["forms", "workflows"])
def test_config_publication_refuses_deep_json_with_422(api, kind):
    admin = api("verwaltung", ["admin"], "amt")
    response = admin.client.put(
        f"/api/v1/config/{kind}/antrag",
        data=b'{"toml": ' + b"[" * 100_000,
        headers=admin._headers(),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.is_json


def test_screens_answer_a_nul_with_a_german_page(app, make_user):
    make_user("sachb", ["clerk"], "amt")
    browser = app.test_client()
    login(browser, "sachb")
    listing = browser.get("/records/foerderung/?search=Meier%00")
    assert listing.status_code == 400
    page = listing.get_data(as_text=True)
    assert "Ungültige Eingabe" in page and "„search“" in page
    token = csrf_token(browser.get("/").get_data(as_text=True))
    created = browser.post("/records/foerderung/new", data={"csrf_token": token})
    saved = browser.post(
        created.location + "/forms/antrag",
        data={"csrf_token": token, "version": "1", "antrag-verein": "Verein\x00"},
    )
    assert saved.status_code == 400
    assert "„antrag-verein“" in saved.get_data(as_text=True)


def test_a_multipart_part_without_a_name_is_no_crash(clerk):
    """A hand-made multipart body whose part lacks ``name=`` reached the check with None."""
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    body = b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nhallo\r\n--XyZ--\r\n"
    response = clerk.client.post(
        f"/api/v1/records/{record['id']}/files",
        data=body,
        headers=clerk._headers(),
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert response.status_code < 500
    assert response.is_json
