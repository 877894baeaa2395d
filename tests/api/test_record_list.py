"""Record lists: filters, search over form values, sorting, paging; the same on the screen."""

from __future__ import annotations

import datetime as dt

from server import clock
from tests.helpers import login

BASE = {
    "email": "v@example.org",
    "beginn": "2027-02-01",
    "zweck": "Netze",
    "betrag": 10,
    "posten": [{"posten": "Netz", "betrag": 10}],
}


def make(club, verein, zweck="Netze", submit=False):
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    club.put(
        f"/records/{rid}/forms/antrag",
        json={"data": dict(BASE, verein=verein, zweck=zweck), "version": 1},
    )
    if submit:
        club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    return rid


def test_filters_search_and_sort(api):
    a, b = api("va", ["applicant"], "club-a"), api("vb", ["applicant"], "club-b")
    clerk = api("sbl", ["clerk"])
    volley = make(a, "Volleyball Nord", zweck="Netze für die Halle")
    tennis = make(a, "Tennis Süd", zweck="Bälle", submit=True)
    hockey = make(b, "Hockey West", zweck="Schläger und Netze")

    def ids(query):
        response = clerk.get("/records" + query)
        assert response.status_code == 200, response.json
        return [r["id"] for r in response.json["items"]]

    assert set(ids("?search=netze")) == {volley, hockey}  # form values, not only titles
    assert ids("?search=NETZE halle") == [volley]
    assert ids("?owner=va&sort=title") == [tennis, volley]
    assert ids("?organisation=club-b") == [hockey]
    assert ids("?state=eingereicht") == [tennis]
    assert ids("?sort=title") == [hockey, tennis, volley]
    assert ids("?sort=-title") == [volley, tennis, hockey]
    assert ids("?due=open") == [tennis]
    assert ids("?due=overdue") == []
    clock.freeze(dt.date.today() + dt.timedelta(days=30))
    try:
        assert ids("?due=overdue") == [tennis]
    finally:
        clock.freeze(None)
    for bad in ("?sort=passwort", "?due=bald", "?per_page=500", "?page=-1"):
        response = clerk.get("/records" + bad)
        assert response.status_code == 422 and response.is_json
    # the applicant's search never finds the other club's record
    assert [r["id"] for r in b.get("/records?search=netze").json["items"]] == [hockey]


def test_list_screen_offers_the_same_filters(api, client):
    club = api("vc", ["applicant"], "club-c")
    make(club, "Rudern <Ost>", zweck="Skulls")
    make(club, "Segeln West")
    login(client, "vc")
    page = client.get("/records/foerderung/?search=skulls&sort=-id").get_data(as_text=True)
    assert "Rudern &lt;Ost&gt;" in page and "Segeln West" not in page
    assert "1 Eintrag" in page
    bad = client.get("/records/foerderung/?sort=passwort")
    assert bad.status_code == 200 and "Sortierung" in bad.get_data(as_text=True)
