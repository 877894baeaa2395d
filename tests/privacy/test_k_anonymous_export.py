"""The single-record export (``einzeldaten.csv``) is k-anonymous with k = ``min_cell``.

Every column of the export is a quasi-identifier: months of creation and change, phase,
organisation and every non-personal choice field are all things somebody may know about a
person (from a letter, a neighbour, an office). So the whole line is the quasi-identifier,
and every line must occur at least k times — which makes every combination of any of its
columns occur at least k times too. Data is generated (random, seeded; and by hypothesis for
the suppression itself) and the property checked on what is exported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import random
import tempfile
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.models import AuditEntry, Organisation, Record
from server.services.privacy.microdata import SUPPRESSED, k_anonymous
from tests.helpers import login

K = 5  # min_cell of tests/fixtures/beratung/config.toml


def assert_k_anonymous(header: list[str], body: list[list[str]], k: int) -> None:
    """Every combination of quasi-identifiers (any subset of the columns) occurs >= k times."""
    assert body == [] or min(Counter(map(tuple, body)).values()) >= k
    # the subsets follow from the whole line; checked anyway for pairs, the usual attack
    for i, j in itertools.combinations(range(len(header)), 2):
        counts = Counter((row[i], row[j]) for row in body)
        assert not counts or min(counts.values()) >= k, (header[i], header[j])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=3, max_size=3),
        max_size=60,
    ),
    k=st.integers(min_value=1, max_value=7),
)
def test_local_suppression_always_yields_k_anonymous_rows(rows, k):
    kept, left_out = k_anonymous(rows, k)
    assert len(kept) + left_out == len(rows)
    assert_k_anonymous(["x", "y", "z"], kept, k)
    # what is kept is the input, only generalised: each kept line stands for one input line
    remaining = Counter(map(tuple, rows))
    # unchanged lines first, then the ones with the fewest „*“ (greedy matching is then exact
    # enough: a generalised line never takes the original an unchanged one needs)
    for line in sorted(kept, key=lambda r: r.count(SUPPRESSED)):
        match = next(
            (
                original
                for original, n in remaining.items()
                if n and all(c in (SUPPRESSED, o) for c, o in zip(line, original, strict=True))
            ),
            None,
        )
        assert match is not None, line
        remaining[match] -= 1


def fill(count: int, seed: int) -> None:
    """``count`` counselling cases with random non-personal values and unique names."""
    rng = random.Random(seed)
    orgs = [Organisation.create(name=f"org-{n}", label=f"Organisation {n}") for n in range(3)]
    for n in range(count):
        created = dt.datetime(2026, rng.randint(1, 4), rng.randint(1, 28), 10, 0)
        Record.create(
            workflow="beratung",
            state=rng.choice(["offen", "offen", "abschluss", "abgeschlossen"]),
            title=f"Person {n}",
            organisation=rng.choice(orgs),
            created_at=created,
            updated_at=created + dt.timedelta(days=rng.choice([0, 0, 40])),
            data={
                "fall": {
                    "name": f"Person {n}",
                    "geburtsjahr": 1950 + n,
                    "zielgruppe": rng.choice(["neu", "neu", "lang", "jung"]),
                    "kontakte": [
                        {"person": f"Kontakt {n}", "art": rng.choice(["telefon", "email"])}
                    ],
                },
                "abschluss": {"grund": rng.choice(["ziel", "abbruch", None])},
            },
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_export_of_generated_cases_is_k_anonymous(app, office, seed):
    fill(120, seed)
    browser = app.test_client()
    login(browser, "dpo")
    response = browser.get("/statistik/einzeldaten.csv?workflow=beratung")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    header, *body = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:2] == ["Angelegt (Monat)", "Geändert (Monat)"]
    assert "Organisation" in header and "Phase / Zustand" in header
    assert not any("Pseudonym" in h or "Name" in h or "Geburtsjahr" in h for h in header)
    assert "Person " not in text and "Kontakt " not in text and "1950" not in text
    assert_k_anonymous(header, body, K)
    entry = AuditEntry.select().where(AuditEntry.action == "statistics.export").get()
    assert entry.detail["records"] == len(body)
    assert entry.detail["records"] + entry.detail["left_out"] == 120
    assert len(body) > 0  # generalising keeps lines: not everything is simply left out


def test_the_export_is_the_same_read_a_few_records_at_a_time(app, office, monkeypatch, tmp_path):
    """The records are read in chunks and their lines counted in a scratch file (memory
    bounded at a million cases): chunks of 7 give the very file one chunk gives, and no
    scratch file stays behind."""
    from server.services.privacy import microdata

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    fill(120, 4)
    browser = app.test_client()
    login(browser, "dpo")
    whole = browser.get("/statistik/einzeldaten.csv?workflow=beratung").get_data(as_text=True)
    monkeypatch.setattr(microdata, "CHUNK", 7)
    chunked = browser.get("/statistik/einzeldaten.csv?workflow=beratung").get_data(as_text=True)
    assert chunked == whole and whole.startswith("\ufeffAngelegt (Monat);")
    assert whole.count("\n") > 20
    assert list(scratch.iterdir()) == []
