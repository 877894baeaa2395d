"""Statistics without people: counts only, small cells suppressed, single records k-anonymous."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from server.models import AuditEntry
from server.services.privacy.microdata import k_anonymous
from server.services.privacy.pseudonyms import pseudonym
from server.services.privacy.suppression import suppress
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


def microdata(browser, workflow="beratung"):
    response = browser.get(f"/statistik/einzeldaten.csv?workflow={workflow}")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return text, rows[0], rows[1:]


def test_the_single_record_export_is_k_anonymous(app, office):
    for n in range(6):
        new_case(office["berater"], {**CASE, "name": f"Person {n}", "zielgruppe": "neu"})
    new_case(office["fremd"], {**CASE, "name": "Einzelfall Ohnegleichen", "zielgruppe": "jung"})
    for n in range(2):
        new_case(office["kollegin"], {**CASE, "name": f"Lang {n}", "zielgruppe": "lang"})
    browser = app.test_client()
    login(browser, "dpo")
    text, header, body = microdata(browser)
    assert header[:2] == ["Angelegt (Monat)", "Geändert (Monat)"]
    assert "Pseudonym" not in header  # exports cannot be laid side by side
    for secret in ("Person", "Ohnegleichen", "example.org", "Lang"):
        assert secret not in text
    # every line occurs at least min_cell (5) times; the rare ones are generalised or left out
    assert min(Counter(tuple(r) for r in body).values()) >= 5
    column = header.index("Fall: Zielgruppe")
    assert sum(1 for r in body if r[column] == "Neuzugewandert") == 6
    assert all(r[column] != "18–27 mit Duldung" for r in body)  # the single case: gone
    assert len(body) == 6  # 3 rare cases cannot hide among 5 alike: left out
    entry = AuditEntry.select().where(AuditEntry.action == "statistics.export").get()
    assert entry.username == "dpo" and entry.detail["records"] == 6
    assert entry.detail["left_out"] == 3


def test_k_anonymity_suppresses_cells_before_leaving_rows_out():
    rows = [["a", "x"]] * 5 + [["b", "x"]] * 2 + [["c", "x"]] * 3 + [["d", "y"]]
    kept, left_out = k_anonymous(rows, 5)
    assert kept.count(["a", "x"]) == 5
    assert kept.count(["*", "x"]) == 5  # b and c are told apart no more
    assert left_out == 1  # d with y stays unique even as "*", "*"
    assert k_anonymous([], 5) == ([], 0)


@pytest.fixture
def only_counsellors_read(config_dir):
    """The counselling workflow readable by counsellors only (``read_roles``)."""
    path = config_dir / "workflows" / "beratung.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'create_roles = ["berater"]', 'create_roles = ["berater"]\nread_roles = ["berater"]'
        ),
        encoding="utf-8",
    )
    return config_dir


def test_statistics_respect_read_roles(only_counsellors_read, app, office):
    for n in range(6):
        new_case(office["berater"], {**CASE, "name": f"Person {n}"})
    for name in ("koordination", "dpo"):
        browser = app.test_client()
        login(browser, name)
        for url in (
            "/statistik/?workflow=beratung",
            "/statistik/?workflow=beratung&rows=fall.zielgruppe",
            "/statistik/tabelle.csv?workflow=beratung&rows=state",
            "/statistik/einzeldaten.csv?workflow=beratung",
        ):
            assert browser.get(url).status_code == 404, (name, url)
        page = browser.get("/statistik/")
        assert page.status_code == 200 and "Es gibt keine Abläufe" in page.get_data(True)
    assert not AuditEntry.select().where(AuditEntry.action == "statistics.export").exists()


def test_the_pseudonym_depends_on_the_key():
    assert pseudonym("record", 1, "a") != pseudonym("record", 1, "b")
    assert pseudonym("record", 1, "a") == pseudonym("record", 1, "a")
