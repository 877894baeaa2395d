"""A value written around the form (a bulk load, an old import) never stops the page, the
search index or anonymisation: a date field holding text that is no date is shown as it is."""

from __future__ import annotations

import pytest

from server.models import Record, is_anonymised
from server.runtime import current_runtime
from server.services.privacy.retention import anonymise_on_request

from .conftest import new_case


@pytest.fixture
def config_dir(config_dir):
    with (config_dir / "forms" / "fall.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[fields]]\nname = "erstkontakt"\ntype = "date"\nlabel = "Erstkontakt"\n')
    return config_dir


def test_a_date_field_holding_text_is_shown_and_the_case_anonymised(app, office):
    client = office["berater"]
    rid = new_case(client)["id"]
    record = Record.get_by_id(rid)
    data = {**record.data, "fall": {**record.data["fall"], "erstkontakt": "irgendwann im März"}}
    Record.update(data=data).where(Record.id == rid).execute()
    answer = client.get(f"/records/{rid}")
    assert answer.status_code == 200
    anonymise_on_request(current_runtime(app).definitions, office["dpo"].user, rid)
    assert is_anonymised(rid)
    assert "amira" not in (Record.get_by_id(rid).search_text or "")
