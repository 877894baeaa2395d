"""A workflow with ``read_roles`` does not exist for anybody else, on every path."""

from __future__ import annotations

import pytest


@pytest.fixture
def config_dir(config_dir):
    """The grant workflow visible to clerks only."""
    path = config_dir / "workflows" / "foerderung.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('initial = "entwurf"', 'initial = "entwurf"\nread_roles = ["clerk"]')
    )
    return config_dir


def test_creating_in_a_hidden_workflow_answers_like_an_unknown_one(api):
    head = api("leitung", ["head"], "amt")
    hidden = head.post("/records", json={"workflow": "foerderung"})
    unknown = head.post("/records", json={"workflow": "gibt-es-nicht"})
    assert hidden.status_code == unknown.status_code == 404
    assert "Vereinsförderung" not in hidden.get_data(as_text=True)
    assert head.get("/workflows/foerderung").status_code == 404
    clerk = api("sachb", ["clerk"], "amt")
    assert clerk.post("/records", json={"workflow": "foerderung"}).status_code == 201
