"""Live definitions: files overlaid by revisions, and how a runtime notices new ones."""

from __future__ import annotations

import time

from server.config import load_settings
from server.models import ConfigRevision
from server.runtime import Runtime, current_runtime
from server.services.configuration import store as config_store
from server.services.configuration.publish import delete, publish

NOTE = 'title = "Notiz"\n\n[[fields]]\nname = "text"\ntype = "text"\nlabel = "Text"\n'


def other_runtime(app, check_seconds: float) -> Runtime:
    """A second runtime on the same database, as another process would have."""
    settings = current_runtime(app).settings
    runtime = Runtime(
        load_settings(
            str(settings.config_path),
            {
                "database": {"url": settings.database_url},
                "server": {"config_check_seconds": check_seconds},
            },
        )
    )
    runtime.use_database = True
    return runtime


def test_newest_revision_wins_and_a_deletion_hides_the_file(app, make_user):
    admin = make_user("chefin", ["admin"], "verwaltung")
    runtime = current_runtime(app)
    settings = runtime.settings
    publish(runtime, admin, "form", "notiz", NOTE, "eins")
    publish(runtime, admin, "form", "notiz", NOTE.replace("Text", "Inhalt"), "zwei")
    live = config_store.live_sources(settings)
    assert live.forms["notiz"] == ("forms/notiz.toml", NOTE.replace("Text", "Inhalt"))
    assert "antrag" in live.forms and live.forms["antrag"][1].startswith("title")
    delete(runtime, admin, "form", "notiz", "weg")
    assert "notiz" not in config_store.live_sources(settings).forms
    assert config_store.current_text(settings, "form", "notiz") is None
    assert "notiz" not in runtime.definitions.forms
    files_only = config_store.live_sources(settings, with_database=False)
    assert "notiz" not in files_only.forms and ConfigRevision.select().count() == 3


def test_another_runtime_reloads_after_its_check_interval_only(app, make_user):
    admin = make_user("chefin", ["admin"], "verwaltung")
    quick, slow = other_runtime(app, 0.2), other_runtime(app, 3600)
    assert "notiz" not in quick.definitions.forms and "notiz" not in slow.definitions.forms
    publish(current_runtime(app), admin, "form", "notiz", NOTE, "neu")
    time.sleep(0.3)
    assert "notiz" in quick.definitions.forms and quick.revision == ConfigRevision.get().id
    assert "notiz" not in slow.definitions.forms  # it has not asked yet
    slow.reload()  # what a restart (or the next check) does
    assert "notiz" in slow.definitions.forms


def test_check_without_a_database_reads_the_files(app, make_user):
    admin = make_user("chefin", ["admin"], "verwaltung")
    publish(current_runtime(app), admin, "form", "notiz", NOTE, "neu")
    runtime = Runtime(current_runtime(app).settings)  # like `verbund check`
    assert "notiz" not in runtime.definitions.forms and runtime.revision is None


def test_a_shorter_interval_applies_at_once_not_after_the_old_wait(app, make_user):
    # the worker reads the definitions at start under the default interval and then asks on
    # every job; a publication within the first interval was once rendered with the old labels
    admin = make_user("chefin", ["admin"], "verwaltung")
    worker = other_runtime(app, 3600)
    assert "notiz" not in worker.definitions.forms
    worker.check_every(0.0)
    publish(current_runtime(app), admin, "form", "notiz", NOTE, "neu")
    assert "notiz" in worker.definitions.forms
