"""Publishing checks before it takes the write lock — and checks again if someone published
in between, so two changes that are each fine but break each other never both land."""

from __future__ import annotations

from server.runtime import current_runtime
from server.services.configuration import publish as config_publish

ORIGINAL_GUARD = 'when = "antrag.verein and antrag.betrag"'


def test_a_publication_in_between_is_checked_against(api, app, monkeypatch):
    admin = api("admin-a", ["admin"], "verwaltung")
    other = api("admin-b", ["admin"], "verwaltung")
    runtime = current_runtime(app)
    form = admin.get("/config/forms/antrag").json["toml"]
    without_mitglieder = form.replace(
        '[[fields]]\nname = "mitglieder"\ntype = "integer"\nlabel = "Mitglieder"\nmin = 1\n'
        "max = 100000\n",
        "",
    )
    assert without_mitglieder != form
    workflow = admin.get("/config/workflows/foerderung").json["toml"]
    needs_mitglieder = workflow.replace(
        ORIGINAL_GUARD, 'when = "antrag.verein and antrag.mitglieder > 5"'
    )
    assert needs_mitglieder != workflow
    counting = config_publish.impact_of
    calls = []

    def while_a_counts(kind, name, check):
        # admin B publishes while admin A's change is being checked and counted
        if not calls:
            calls.append(name)
            published = config_publish.publish(
                runtime, other.user, "workflow", "foerderung", needs_mitglieder, "Schwelle"
            )
            assert published.revision is not None
        return counting(kind, name, check)

    monkeypatch.setattr(config_publish, "impact_of", while_a_counts)
    response = admin.put("/config/forms/antrag", json={"toml": without_mitglieder, "message": "x"})
    assert response.status_code == 422, response.json
    assert any("mitglieder" in e for e in response.json["errors"]), response.json
    # nothing of A's change is live; B's is
    assert "mitglieder" in admin.get("/config/forms/antrag").json["toml"]
    assert "antrag.mitglieder > 5" in admin.get("/config/workflows/foerderung").json["toml"]
