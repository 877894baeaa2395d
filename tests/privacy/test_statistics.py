"""Statistics without people: counts only, small cells suppressed, exports pseudonymised."""

from __future__ import annotations

import csv
import io

from server.models import AuditEntry
from server.privacy.pseudonyms import pseudonym
from server.privacy.statistics import suppress
from tests.helpers import login

from .conftest import CASE, new_case


def test_small_cells_and_what_would_reveal_them_are_suppressed():
    shown = suppress([[7, 2], [9, 8]], [9, 17], [16, 10], 26, 5)
    # 2 is primary; in its row and column a second cell must go too, and so on
    assert shown["cells"][0][1] is None
    assert shown["cells"][0][0] is None and shown["cells"][1][1] is None
    assert shown["total"] == 26
    big = suppress([[10, 20], [30, 40]], [30, 70], [40, 60], 100, 5)
    assert big["cells"] == [[10, 20], [30, 40]]
    one_row = suppress([[3, 0, 12]], [15], [3, 0, 12], 15, 5)
    # 3 is hidden; 0 beside it tells nothing, so the 12 goes (else 15 - 12 = 3)
    assert one_row["cells"] == [[None, 0, None]]


def test_no_suppressed_value_can_be_recomputed_from_what_is_shown():
    import itertools

    for cells in itertools.product(range(0, 8), repeat=4):
        grid = [list(cells[:2]), list(cells[2:])]
        rows = [sum(r) for r in grid]
        cols = [grid[0][j] + grid[1][j] for j in range(2)]
        shown = suppress(grid, rows, cols, sum(rows), 5)
        for i, row in enumerate(shown["cells"]):
            hidden = [j for j, v in enumerate(row) if v is None]
            if shown["row_totals"][i] is not None:
                assert len(hidden) != 1, (grid, shown)


def test_coordination_sees_counts_never_names(app, office):
    for n in range(6):
        new_case(office["berater"], {**CASE, "name": f"Person {n}", "zielgruppe": "neu"})
    for n in range(5):
        new_case(office["kollegin"], {**CASE, "name": f"Lang {n}", "zielgruppe": "lang"})
    new_case(office["fremd"], {**CASE, "name": "Einzelfall Ohnegleichen", "zielgruppe": "jung"})
    browser = app.test_client()
    login(browser, "koordination")
    page = browser.get("/statistik/?workflow=beratung&rows=fall.zielgruppe")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Neuzugewandert" in html and "18–27 mit Duldung" in html
    assert '<td class="text-right">6</td>' in html and '<td class="text-right">12</td>' in html
    # the single case is suppressed, and the 5 with it (else 12 - 6 - 5 = 1)
    assert '<td class="text-right">1</td>' not in html
    assert '<td class="text-right">5</td>' not in html
    assert html.count('<td class="text-right">x</td>') == 4
    by_org = browser.get("/statistik/?workflow=beratung&rows=organisation&columns=state")
    for page in (html, by_org.get_data(as_text=True)):
        assert "Person 1" not in page and "Ohnegleichen" not in page and "Amira" not in page
    # personal fields are no dimension at all
    assert 'value="fall.name"' not in html and 'value="fall.geburtsjahr"' not in html
    assert 'value="abschluss.barrieren.kategorie"' in html
    assert 'value="fall.kontakte.art"' in html and 'value="fall.kontakte.person"' not in html
    csv_table = browser.get("/statistik/tabelle.csv?workflow=beratung&rows=fall.zielgruppe")
    assert "Neuzugewandert;6;6" in csv_table.get_data(as_text=True)
    for name in ("berater", "leitung"):
        other = app.test_client()
        login(other, name)
        assert other.get("/statistik/").status_code == 403


def test_the_microdata_export_carries_keyed_pseudonyms_never_ids_or_names(app, office):
    ids = [new_case(office["berater"], {**CASE, "name": f"Person {n}"})["id"] for n in range(3)]
    browser = app.test_client()
    login(browser, "dpo")
    response = browser.get("/statistik/einzeldaten.csv?workflow=beratung")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    assert "Person" not in text and "example.org" not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0] == "Pseudonym" and len(body) == 3
    pseudonyms = [r[0] for r in body]
    assert sorted(pseudonyms) == sorted(pseudonym("record", i) for i in ids)
    assert not set(pseudonyms) & {str(i) for i in ids}
    assert all(len(p) == 16 for p in pseudonyms)
    entry = AuditEntry.select().where(AuditEntry.action == "statistics.export").get()
    assert entry.username == "dpo" and entry.detail["records"] == 3


def test_the_pseudonym_depends_on_the_key():
    assert pseudonym("record", 1, "a") != pseudonym("record", 1, "b")
    assert pseudonym("record", 1, "a") == pseudonym("record", 1, "a")
