"""Conditions an administrator writes cannot stall the office (issue 12, item 1).

Publishing refuses a ``when`` that exceeds its work limits (422 with path:line), and a guard
that only exceeds them with real data refuses the step with a German message (422) instead
of keeping a worker busy. Requests run in a thread with a timeout, so a regression fails
here instead of hanging the suite (before, the power tower took ~15 s per evaluation).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from server.models import ConfigRevision
from server.runtime import current_runtime
from tests.helpers import ANTRAG, csrf_token, login

from .test_records_api import create

TIMEOUT = 120  # seconds; the bounded requests take milliseconds
GUARD = 'when = "antrag.verein and antrag.betrag"'
TOWER = "((9**999)**999)**12 > 0"
# harmless for the sample values publishing tries, too much for a long club name
BY_DATA = "antrag.verein and (antrag.verein * 2000)|length > 0"
STOPPED = (
    "Die Bedingung des Schritts „Einreichen“ ist zu aufwendig und wurde abgebrochen; "
    "bitte die Administration informieren."
)


def within_timeout(call, *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)`` in a thread; a test fails if it does not return in time."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(TIMEOUT)
    if worker.is_alive():
        pytest.fail(f"no answer within {TIMEOUT} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def toml_when(text: str, source: str) -> str:
    """The workflow TOML with the first guard replaced by ``source`` (a TOML literal string)."""
    assert text.count(GUARD) == 1
    return text.replace(GUARD, f"when = '{source}'")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (TOWER, "Zahl mit mehr als 4096 Bit"),
        ('("a" * 10**7)|length > 0', "Text oder Liste mit mehr als 250.000 Zeichen"),
        ('("x"|center(10**8))|length > 0', "Text oder Liste mit mehr als 250.000 Zeichen"),
        # short-circuited without data; the sample values publishing tries reach it
        ("antrag.verein and 9**999**999 > 0", "Zahl mit mehr als 4096 Bit"),
    ],
)
def test_publishing_refuses_a_guard_that_cannot_pass_with_path_and_line(api, source, reason):
    admin = api("admin1", ["admin"], "verwaltung")
    text = toml_when(admin.get("/config/workflows/foerderung").json["toml"], source)
    response = within_timeout(
        admin.put, "/config/workflows/foerderung", json={"toml": text, "message": "Bedingung"}
    )
    assert response.status_code == 422, response.json
    line = text.splitlines().index(f"when = '{source}'") + 1
    assert response.json["errors"] == [
        f"workflows/foerderung.toml:{line}: Übergang nach „eingereicht“: „when“: Der Ausdruck "
        f"„{source}“ ist zu aufwendig ({reason}) und wurde abgebrochen."
    ]
    assert ConfigRevision.select().count() == 0


def test_a_guard_too_expensive_for_the_data_is_a_422_with_a_german_message(api):
    admin = api("admin2", ["admin"], "verwaltung")
    club = api("club1", ["applicant"], "verein-a")
    text = toml_when(admin.get("/config/workflows/foerderung").json["toml"], BY_DATA)
    published = admin.put("/config/workflows/foerderung", json={"toml": text, "message": "m"})
    assert published.status_code == 200, published.json  # fine for ordinary values

    short, long = create(club), create(club)
    for record, name in ((short, "SV Rhein"), (long, "Turn- und Sportverein " * 9)):
        saved = club.put(
            f"/records/{record['id']}/forms/antrag",
            json={"data": dict(ANTRAG, verein=name), "version": 1},
        )
        assert saved.status_code == 200, saved.json
    moved = club.post(
        f"/records/{short['id']}/transitions", json={"to": "eingereicht", "version": 2}
    )
    assert moved.status_code == 200 and moved.json["state"] == "eingereicht"

    stopped = within_timeout(
        club.post, f"/records/{long['id']}/transitions", json={"to": "eingereicht", "version": 2}
    )
    assert stopped.status_code == 422
    assert stopped.json["errors"] == [STOPPED]
    assert club.get(f"/records/{long['id']}").json["state"] == "entwurf"


def test_a_guard_already_in_the_files_is_stopped_not_run_for_seconds(api, app, config_dir):
    """A file edited on the server is loaded even with the problem (a running server keeps
    what works); the guard then refuses the step at once instead of computing 9**999**999."""
    path = config_dir / "workflows" / "foerderung.toml"
    path.write_text(toml_when(path.read_text(encoding="utf-8"), TOWER), encoding="utf-8")
    problems = current_runtime(app).reload()
    assert any("zu aufwendig (Zahl mit mehr als 4096 Bit)" in p.message for p in problems)
    club = api("club2", ["applicant"], "verein-b")
    record = create(club)
    club.put(f"/records/{record['id']}/forms/antrag", json={"data": ANTRAG, "version": 1})
    stopped = within_timeout(
        club.post, f"/records/{record['id']}/transitions", json={"to": "eingereicht", "version": 2}
    )
    assert stopped.status_code == 422 and stopped.json["errors"] == [STOPPED]


def test_the_record_screen_shows_the_message(client, make_user, app, config_dir):
    path = config_dir / "workflows" / "foerderung.toml"
    path.write_text(toml_when(path.read_text(encoding="utf-8"), TOWER), encoding="utf-8")
    current_runtime(app).reload()
    make_user("verein3", ["applicant"], "rc3")
    login(client, "verein3")
    page = client.get("/records/foerderung/").get_data(as_text=True)
    created = client.post("/records/foerderung/new", data={"csrf_token": csrf_token(page)})
    url = created.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    moved = within_timeout(
        client.post,
        url + "/transition",
        data={"to": "eingereicht", "version": version, "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert moved.status_code == 200
    assert STOPPED in moved.get_data(as_text=True)


def test_a_deeply_nested_guard_is_a_422_at_its_line_not_a_crash(api):
    """Jinja's parser recursed once per bracket: 300 of them crashed the publication."""
    admin = api("admin3", ["admin"], "verwaltung")
    source = "(" * 300 + "antrag.verein" + ")" * 300
    text = toml_when(admin.get("/config/workflows/foerderung").json["toml"], source)
    response = within_timeout(
        admin.put, "/config/workflows/foerderung", json={"toml": text, "message": "tief"}
    )
    assert response.status_code == 422, response.status_code
    line = text.splitlines().index(f"when = '{source}'") + 1
    [error] = response.json["errors"]
    assert error.startswith(f"workflows/foerderung.toml:{line}: Übergang nach „eingereicht“: ")
    assert error.endswith("zu tief verschachtelt (höchstens 40 Ebenen)")
