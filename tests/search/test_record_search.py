"""Record search on the text index (issue 21, migration m0008): what is found and what is
not for each scope, combined with filters and paging, kept current on every save, emptied
by anonymisation, and odd input never a 500. SQLite, and PostgreSQL with
VERBUND_TEST_DATABASE_URL."""

from __future__ import annotations

import pytest

from server.models import Record, database, is_sqlite
from server.runtime import current_runtime
from server.services.privacy.anonymise import anonymise_record
from server.services.records import search

from .conftest import CASE, new_case

NAMES = {
    "amira": "Amira Beispiel",
    "olek": "Олександр Шевченко",
    "ahmad": "أحمد الخطيب",
    "juergen": "Jürgen Groß-Straße",
}


def case(client, name: str, notiz: str = "") -> int:
    data = dict(CASE, name=name, email="person@example.org", notiz=notiz or "ohne Notiz")
    return new_case(client, data)["id"]


def found(client, search: str, extra: str = "") -> list[int]:
    response = client.get("/records", query_string=f"workflow=beratung&search={search}{extra}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["id"] for item in response.json["items"])


@pytest.fixture(autouse=True, params=["index", "scope"])
def way(request, monkeypatch):
    """Every test both ways either database can answer: from the text index, and – for a
    scope of few records (SCOPE_READ; every test's here is small) – from the scope's own
    text."""
    monkeypatch.setattr(search, "SCOPE_READ", 0 if request.param == "index" else 10_000)
    return request.param


@pytest.fixture
def cases(app, office):
    """Cases of org-a's two counsellors and one case of org-b with the same first name."""
    mine = {key: case(office["berater"], name) for key, name in NAMES.items()}
    mine["akte"] = case(office["berater"], "Fatima Yilmaz", notiz="Akte KIM-2026-0012 offen")
    colleague = case(office["kollegin"], "Amira Kollegin-Fall")
    other_org = case(office["fremd"], "Amira Anderswo")
    return {"mine": mine, "colleague": colleague, "other_org": other_org}


def test_substrings_in_any_script_case_and_umlauts_are_found(office, cases):
    mine, berater = cases["mine"], office["berater"]
    assert found(berater, "amira") == [mine["amira"]]
    assert found(berater, "AMIRA beisp") == [mine["amira"]]  # every word, any case
    assert found(berater, "шевч") == [mine["olek"]]  # Cyrillic, part of a name
    assert found(berater, "ОЛЕКСАНДР") == [mine["olek"]]  # Cyrillic upper case
    assert found(berater, "الخطيب") == [mine["ahmad"]]  # Arabic
    assert found(berater, "JÜRGEN") == [mine["juergen"]]
    assert found(berater, "groß-str") == [mine["juergen"]]  # ß and the hyphen kept
    assert found(berater, "kim-2026-0012") == [mine["akte"]]  # a file number in a note
    assert found(berater, "0012") == [mine["akte"]]  # and its tail
    assert found(berater, "yi") == [mine["akte"]]  # shorter than a trigram
    assert found(berater, "yi akte") == [mine["akte"]]  # short and long words together
    assert found(berater, "amira jürgen") == []  # both words in one record: none
    assert found(berater, "amiraa") == []
    assert found(berater, "gross") == []  # ß is not ss (as before the index)


def test_search_keeps_to_each_scope(office, cases):
    mine, colleague, other = cases["mine"], cases["colleague"], cases["other_org"]
    assert found(office["berater"], "amira") == [mine["amira"]]  # own cases only
    assert found(office["kollegin"], "amira") == [colleague]
    assert found(office["fremd"], "amira") == [other]
    assert found(office["leitung"], "amira") == sorted([mine["amira"], colleague])  # org-a
    assert found(office["koordination"], "amira") == sorted([mine["amira"], colleague, other])
    assert found(office["dpo"], "amira") == []  # reads no cases


def test_search_combines_with_filters_sorting_and_paging(office, cases):
    lead = office["leitung"]
    both = sorted([cases["mine"]["amira"], cases["colleague"]])
    assert found(lead, "amira", "&owner=kollegin") == [cases["colleague"]]
    assert found(lead, "amira", "&state=abgeschlossen") == []
    response = lead.get("/records?workflow=beratung&search=amira&sort=id&per_page=1&page=2")
    assert response.json["total"] == 2
    assert [item["id"] for item in response.json["items"]] == [both[1]]


def test_words_in_very_many_records_give_the_same_answer(office, cases, monkeypatch):
    # above INDEX_LIMIT matches SQLite tests the list's own rows instead of asking the index
    lead, both = office["leitung"], sorted([cases["mine"]["amira"], cases["colleague"]])
    monkeypatch.setattr(search, "INDEX_LIMIT", 1)
    monkeypatch.setattr(search, "MIN_LIMIT", 1)
    assert found(lead, "amira") == both
    assert found(lead, "amira kolleg") == [cases["colleague"]]
    assert found(lead, "example.org") == sorted([*cases["mine"].values(), cases["colleague"]])


def test_a_save_updates_what_is_found_at_once(office, cases):
    berater, rid = office["berater"], cases["mine"]["amira"]
    version = berater.get(f"/records/{rid}").json["version"]
    saved = berater.put(
        f"/records/{rid}/forms/fall",
        json={"data": dict(CASE, name="Amina Neuname", email="n@example.org"), "version": version},
    )
    assert saved.status_code == 200, saved.json
    assert found(berater, "amira") == []
    assert found(berater, "neuname") == [rid]


def _in_index(text: str) -> bool:
    """Whether the index's storage holds the trigrams of ``text`` (SQLite). Terms are stored
    prefix-compressed, so each trigram's last two characters are looked for."""
    blocks = _index_blocks()
    tails = {text[i + 1 : i + 3].encode() for i in range(len(text) - 2)}
    return any(tail in blocks for tail in tails)


def _index_blocks() -> bytes:
    rows = database.execute_sql("SELECT block FROM record_search_data").fetchall()
    return b"".join(bytes(row[0]) for row in rows if row[0] is not None)


def test_an_anonymised_name_is_neither_found_nor_left_in_the_index(office, cases):
    coordination = office["koordination"]
    # Georgian: letters no other record has, so the index stores their trigrams in full
    rid = case(office["berater"], "ნინო ჟღენტი")
    assert found(coordination, "ჟღენტ") == [rid]
    if is_sqlite():
        assert _in_index("ჟღენტი")  # the check below can see trigrams
    defs = current_runtime().definitions
    assert anonymise_record(defs, rid, reason="request")
    assert found(coordination, "ჟღენტ") == []
    assert found(coordination, "ნინო") == []
    assert "ნინო" not in Record.get_by_id(rid).search_text
    if is_sqlite():
        # not only unfindable: the trigrams are gone from the index's storage
        assert not _in_index("ჟღენტი") and not _in_index("ნინო")
        integrity = "INSERT INTO record_search(record_search) VALUES ('integrity-check')"
        database.execute_sql(integrity)  # raises if the index and the records disagree


ODD = ['"', '"amira', "amira*", "NEAR(amira beispiel)", "-amira", "name:amira", "a:b", "%",
       "_", "\\", "'", "(", ")", "^amira", "amira OR x", "*", "%%%", "a%b", "🙂", "{fall}:ami",
       "AND", "amira NOT", '""', "a" * 200]  # fmt: skip


def test_query_syntax_characters_are_plain_text(office, cases):
    special = case(office["berater"], 'Ein "Zitat" (NEAR) -minus name:wert a*b')
    texts = {r.id: r.search_text for r in Record.select()}
    for typed in [*ODD, '"zitat"', "(near)", "-minus", "name:wert", "a*b"]:
        response = office["koordination"].get(
            "/records", query_string={"search": typed, "per_page": 200}
        )
        assert response.status_code == 200, (typed, response.get_data(as_text=True))
        words = typed.lower().split()[:5]
        expected = sorted(i for i, text in texts.items() if all(w in text for w in words))
        assert sorted(item["id"] for item in response.json["items"]) == expected, typed
    assert found(office["berater"], '"zitat" a*b') == [special]


def test_wildcard_characters_match_only_themselves(office, cases):
    berater = office["berater"]
    special = case(berater, "Test 100% _unter\\strich")
    assert found(berater, "100%") == [special]
    assert found(berater, "%") == [special]
    assert found(berater, "_unter\\str") == [special]
    assert found(berater, "t_st") == []  # "_" is no wildcard
    assert found(berater, "am%ra") == []
