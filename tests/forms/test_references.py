"""Reference fields: only readable records of the right workflow, shown by title to readers."""

from __future__ import annotations

import re

from tests.helpers import ANTRAG, csrf_token, login


def verband(client, name: str) -> int:
    record = client.post("/records", json={"workflow": "verband"}).json
    saved = client.put(
        f"/records/{record['id']}/forms/verband", json={"data": {"name": name}, "version": 1}
    )
    assert saved.status_code == 200, saved.json
    return record["id"]


def antrag(client) -> dict:
    return client.post("/records", json={"workflow": "foerderung"}).json


def save(client, record_id, data, version=1):
    return client.put(f"/records/{record_id}/forms/antrag", json={"data": data, "version": version})


def test_reference_to_a_readable_record_is_stored_as_its_id(api):
    club = api("club1", ["applicant"], "verein-a")
    target = verband(club, "Kreissportbund")
    record = antrag(club)
    saved = save(club, record["id"], {**ANTRAG, "dachverband": str(target)})
    assert saved.status_code == 200, saved.json
    assert saved.json["data"]["antrag"]["dachverband"] == target


def test_unreadable_and_missing_records_get_the_same_answer(api):
    owner = api("club2", ["applicant"], "verein-b")
    other = api("club3", ["applicant"], "verein-c")
    secret = verband(owner, "Geheimer Verband")
    record = antrag(other)
    for target in (secret, 987654):
        response = save(other, record["id"], {**ANTRAG, "dachverband": target})
        assert response.status_code == 422
        assert response.json["errors"] == {
            "dachverband": [
                f"„Dachverband“: Den Datensatz Nr. {target} gibt es nicht, "
                "oder Sie dürfen ihn nicht sehen."
            ]
        }
        assert "Geheimer" not in response.get_data(as_text=True)
    # a record of another workflow is not a Verband, even if readable
    wrong = save(other, record["id"], {**ANTRAG, "dachverband": record["id"]})
    assert "gibt es nicht" in wrong.json["errors"]["dachverband"][0]
    # nonsense is a plain input error
    for junk in ("zwölf", -3, 2**70, True, [1], {"id": 1}, "²"):
        bad = save(other, record["id"], {**ANTRAG, "dachverband": junk})
        assert bad.json["errors"]["dachverband"] == [
            "„Dachverband“: Bitte einen Datensatz auswählen."
        ]


def test_table_cells_are_checked_and_named_by_row(api):
    owner = api("club4", ["applicant"], "verein-d")
    other = api("club5", ["applicant"], "verein-e")
    mine = verband(other, "Eigener Verband")
    foreign = verband(owner, "Fremder Verband")
    record = antrag(other)
    rows = [
        {"verein": mine, "rolle": "Partner"},
        {"verein": "", "rolle": ""},  # blank rows are dropped, but still counted as sent
        {"verein": foreign, "rolle": "Gast"},
    ]
    response = save(other, record["id"], {**ANTRAG, "partner": rows})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["partner.2.verein"]
    ok = save(other, record["id"], {**ANTRAG, "partner": rows[:1]})
    assert ok.status_code == 200
    assert ok.json["data"]["antrag"]["partner"] == [{"verein": mine, "rolle": "Partner"}]


def record_page(client, url):
    return client.get(url).get_data(as_text=True)


def test_titles_only_for_readers_and_a_kept_reference_survives_their_save(client, app, api):
    clerk = api("clerk1", ["clerk"], "sportamt")
    club = api("club6", ["applicant"], "verein-f")
    hidden_target = verband(clerk, "Landessportbund")  # the club cannot read the clerk's record
    record = antrag(club)
    saved = save(clerk, record["id"], {**ANTRAG, "dachverband": hidden_target})
    assert saved.status_code == 200

    url = f"/records/foerderung/{record['id']}"
    login(client, "club6")
    page = record_page(client, url)
    assert "Landessportbund" not in page
    assert f"Nr. {hidden_target} (für Sie nicht sichtbar)" in page
    assert re.search(rf'<option value="{hidden_target}" selected>', page)

    # the club saves its form through the screen: the reference it cannot read stays
    form = {
        "antrag-verein": "SV Rhein",
        "antrag-email": "info@sv-rhein.example",
        "antrag-beginn": "2027-05-01",
        "antrag-zweck": "Bälle",
        "antrag-betrag": "300",
        "antrag-posten-0-posten": "Bälle",
        "antrag-posten-0-betrag": "300",
        "antrag-dachverband": str(hidden_target),
        "version": "2",
        "csrf_token": csrf_token(page),
    }
    response = client.post(url + "/forms/antrag", data=form)
    assert response.status_code == 302
    data = club.get(f"/records/{record['id']}").json["data"]["antrag"]
    assert data["dachverband"] == hidden_target

    # the clerk, who may read it, sees the title on the page and in the history
    reader = app.test_client()
    login(reader, "clerk1")
    page = record_page(reader, url)
    assert f"Landessportbund (Nr. {hidden_target})" in page
    history = record_page(reader, url + "/forms/antrag/history")
    assert f"Landessportbund (Nr. {hidden_target})" in history
    assert "Landessportbund" not in record_page(client, url + "/forms/antrag/history")
