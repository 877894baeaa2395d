"""German names in the form builder: the types' own keys, keys in the checker's messages."""

from __future__ import annotations

import re

from server.admin.form_builder_edits import (
    setting_explanations,
    setting_labels,
    type_setting_keys,
)
from server.schema.fieldtypes import REGISTRY
from tests.admin.test_form_builder import Builder, admin_client, draft  # noqa: F401 - fixture


def test_every_key_a_type_offers_has_a_german_name():
    for name in REGISTRY:
        labels = setting_labels(name)
        for key in type_setting_keys(name):
            assert labels.get(key, key) != key, f"{name}.{key} has no German name"
    for name, key in (("money", "currency"), ("scale", "points"), ("scale", "labels")):
        assert setting_explanations(name)[key]
    assert "currency" not in REGISTRY["money"].explanation  # the type list speaks German too


def test_a_money_and_a_scale_field_show_their_keys_in_german(admin_client):  # noqa: F811
    builder = Builder(admin_client)
    page = builder.press("add-field", **{"new-type": "money", "new-label": "Zuschuss"})
    assert "Währung" in page and 'aria-describedby="hint-set-currency"' in page
    assert ">currency<" not in page
    builder.press("save", "zuschuss", label="Zuschuss", **{"set-currency": "USD"})
    assert 'currency = "USD"' in draft(builder.page)
    page = builder.press("add-field", **{"new-type": "scale", "new-label": "Zufriedenheit"})
    assert "Zahl der Punkte" in page and "Beschriftung der Punkte" in page
    builder.press(
        "save",
        "zufriedenheit",
        label="Zufriedenheit",
        **{"set-points": "3", "set-labels": "schlecht, mittel, gut"},
    )
    text = draft(builder.page)
    assert 'labels = ["schlecht", "mittel", "gut"]' in text and "points = 3" in text
    assert "Der Entwurf ist fehlerfrei." in builder.page


def test_checker_messages_name_keys_in_german_next_to_path_and_line(admin_client):  # noqa: F811
    builder = Builder(admin_client)
    builder.press("edit|zweck")
    page = builder.press(
        "save", "zweck", label="Zweck", **{"cond-mode": "text", "show_if": "nirgends > 3"}
    )
    problems = re.search(r'id="fehler">(.*?)</div>', page, re.S).group(1)
    assert "Sichtbar nur, wenn" in problems and "„show_if“" not in problems
    assert re.search(r"<code>forms/antrag\.toml:\d+</code>", problems)


def test_a_computed_value_is_shown_with_its_german_name(admin_client):  # noqa: F811
    builder = Builder(admin_client)
    text = draft(builder.page).replace(
        'name = "zweck"', 'name = "zweck"\ndefault = "Breitensport"', 1
    )
    page = builder.press("edit|zweck", toml=text)
    assert "Im Texteditor eingestellt" in page and "<dt>Vorgabewert</dt>" in page
