"""``route_url``: the record page's addresses from a kept pattern are exactly ``url_for``'s."""

from __future__ import annotations

from flask import url_for

from server.web.assets import route_url

CASES = [
    ("records.transition", {"workflow_id": "foerderung", "record_id": 7}),
    ("records.save", {"workflow_id": "foerderung", "record_id": 12, "form_id": "antrag"}),
    ("records.copy", {"workflow_id": "wf", "record_id": 3, "form_id": "a", "field": "b_c"}),
    ("records.record", {"workflow_id": "foerderung", "record_id": 5, "verlauf": 1}),
    ("documents.status", {"request_id": 99}),
    ("consents.give", {"record_id": 1}),
]


def test_the_same_address_as_url_for_under_every_mount_and_for_every_value(app):
    for mount in ("", "/verbund", "/a-1/b"):
        for endpoint, values in CASES:
            for n in (0, 1, 2):  # the second and third come from the kept pattern
                varied = {k: v + n if isinstance(v, int) else v for k, v in values.items()}
                with app.test_request_context("/", base_url=f"http://host{mount}"):
                    assert route_url(endpoint, **varied) == url_for(endpoint, **varied)


def test_values_that_need_quoting_go_to_url_for(app):
    with app.test_request_context("/"):
        odd = {"workflow_id": "ä b/c", "record_id": 4}
        assert route_url("records.transition", **odd) == url_for("records.transition", **odd)
        assert "%" in route_url("records.transition", **odd)
