"""Removing a choice that stored records use is refused with their count (counted in SQL)."""

from __future__ import annotations

import pytest

from server.models import Record
from server.runtime import current_runtime
from server.services.configuration.choice_usage import records_holding_choice, refuse_if_in_use
from server.services.errors import Conflict
from server.services.records.changes import create_record


@pytest.fixture
def stored(app, make_user):
    """Four records of „foerderung“ with different values in form „antrag“."""
    clerk = make_user("sb", ["clerk"])
    defs = current_runtime(app).definitions
    values = [
        {"sparten": ["schwimmen", "turnen"], "posten": [{"posten": "Boot", "betrag": "1"}]},
        {"sparten": ["turnen"], "posten": [{"posten": "Paddel", "betrag": "2"}]},
        {"sparten": "schwimmen"},  # a value stored before the field became a multiselect
        {},
    ]
    for data in values:
        record = create_record(defs, clerk, "foerderung")
        Record.update(data={"antrag": data}).where(Record.id == record.id).execute()
    other = create_record(defs, clerk, "foerderung")
    Record.update(data={"bescheid": {"sparten": ["schwimmen"]}}).where(
        Record.id == other.id
    ).execute()
    return defs


def test_records_holding_a_choice_are_counted_for_single_and_multiple_values(stored):
    assert records_holding_choice(stored, "antrag", "sparten", "schwimmen") == 2
    assert records_holding_choice(stored, "antrag", "sparten", "turnen") == 2
    assert records_holding_choice(stored, "antrag", "sparten", "fussball") == 0
    assert records_holding_choice(stored, "antrag", "posten/posten", "Boot") == 1
    assert records_holding_choice(stored, "antrag", "posten/posten", "Segel") == 0
    assert records_holding_choice(stored, "unbenutzt", "sparten", "turnen") == 0


def test_removing_a_used_choice_is_refused_with_the_count(stored):
    with pytest.raises(Conflict) as refused:
        refuse_if_in_use(stored, "antrag", "sparten", "turnen", "Turnen")
    assert "„Turnen“" in refused.value.message and "2 Datensätze" in refused.value.message
    refuse_if_in_use(stored, "antrag", "sparten", "fussball", "Fußball")  # nobody holds it
