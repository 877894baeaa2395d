"""``verbund init --demo`` loads the demo folder of whatever office it runs for.

The fixture office (a grant office, not KIM) ships a tiny demo of its own in
tests/fixtures/foerderung/demo/ – one person, two applications – and no code: the same
loader that makes the KIM demo makes it. A broken demo file is named with its line, in
German, and nothing of the demo is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "foerderung"
ROOT = Path(__file__).resolve().parents[1]
RECORDS = Path("demo") / "records" / "antraege.toml"


@pytest.fixture
def office(tmp_path) -> Path:
    target = tmp_path / "office"
    shutil.copytree(FIXTURE, target)
    return target


def init_demo(office: Path) -> subprocess.CompletedProcess:
    """``verbund init --demo`` as an admin runs it, on the office's own SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBUND_")}
    env["VERBUND_ADMIN_PASSWORD"] = "Admin-Passwort-2026x"
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(office / "config.toml"), "init"]
        + ["--demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def records_of(office: Path) -> list[tuple[str, str, dt.date, str]]:
    """(state, club, created on, owner) of every record in the office's SQLite database."""
    path = office / "instance" / "verbund.db"
    if not path.exists():
        return []
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            'SELECT r.state, r.data, r.created_at, u.username FROM "record" r'
            ' JOIN "user" u ON u.id = r.owner_id ORDER BY r.id'
        ).fetchall()
    return [
        (state, json.loads(data)["antrag"]["verein"], dt.date.fromisoformat(created[:10]), owner)
        for state, data, created, owner in rows
    ]


def assert_no_traceback(done: subprocess.CompletedProcess) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream and 'File "' not in stream, stream


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_another_office_ships_its_own_demo_without_code(office):
    done = init_demo(office)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Demo-Daten geladen: 1 Organisationen, 1 Personen, 2 Datensätze." in done.stdout
    assert "Demo-Zugänge (Passwort für alle: Foerder-Demo-2026):" in done.stdout
    assert "  sachbearbeitung        Sam Sachbearbeitung      clerk · sportamt" in done.stdout
    # none of KIM's demo: its people and records are KIM's data, not the engine's
    assert "koordination" not in done.stdout
    records = records_of(office)
    today = dt.date.today()
    assert [(state, club, owner) for state, club, _day, owner in records] == [
        ("entwurf", "TuS Demo 1920", "sachbearbeitung"),
        ("bewilligt", "Schwimmverein Demo", "sachbearbeitung"),
    ]
    # dates are relative to today: made three and twenty days ago (UTC vs. Berlin: ±1)
    assert abs((today - records[0][2]).days - 3) <= 1
    assert abs((today - records[1][2]).days - 20) <= 1

    again = init_demo(office)
    assert again.returncode == 0 and "Demo-Daten sind bereits geladen." in again.stdout


def test_a_broken_demo_file_is_named_with_its_line_and_nothing_is_loaded(office):
    records = office / RECORDS
    text = records.read_text(encoding="utf-8")
    records.write_text(
        text.replace(
            'owner = "sachbearbeitung"\nday = "-20d"',
            'owner = "sachbearbeiter"\nday = "vor 20 Tagen"',
        ).replace('move = "eingereicht"', 'move = "eingereicht"\nform = "antrag"')
        # an indicator value needs its row and a value; a value belongs to nothing else
        + '\n[[record.step]]\nindicator = "erste"\n'
        + '\n[[record.step]]\nmove = "x"\nvalue = 3\n',
        encoding="utf-8",
    )

    done = init_demo(office)

    assert done.returncode == 1
    assert_no_traceback(done)
    owner = line_of(records, 'owner = "sachbearbeiter"')
    assert f"{RECORDS}:{owner}: unbekannte Person „sachbearbeiter“ (nicht in users.toml)" in (
        done.stderr
    )
    assert f"{RECORDS}:{owner + 1}: „day“ muss wie „-30d“ oder „+8d“ lauten" in done.stderr
    form = line_of(records, 'form = "antrag"')
    assert f"{RECORDS}:{form}: unbekannter Schlüssel „form“" in done.stderr
    assert "„indicator“ braucht die Zeile" in done.stderr
    value = line_of(records, "value = 3")
    assert f"{RECORDS}:{value}: „value“ gehört nur zu „indicator“" in done.stderr
    assert records_of(office) == []


def test_a_step_the_application_refuses_is_named_and_rolled_back(office):
    records = office / RECORDS
    text = records.read_text(encoding="utf-8")
    records.write_text(text.replace('entscheidung = "bewilligt"', 'entscheidung = "vertagt"'))

    done = init_demo(office)

    assert done.returncode == 1
    assert_no_traceback(done)
    save = line_of(records, 'save = "bescheid"')
    assert f"{RECORDS}:{save}: entscheidung:" in done.stderr
    # nothing half-made: the demo can be fixed and loaded again
    assert records_of(office) == []
    records.write_text(text, encoding="utf-8")
    assert init_demo(office).returncode == 0
    assert len(records_of(office)) == 2


def test_verbund_check_names_a_broken_demo_file(office):
    users = office / "demo" / "users.toml"
    users.write_text(
        users.read_text(encoding="utf-8").replace('"sportamt"', '"sportamtt"'), encoding="utf-8"
    )

    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(office / "config.toml"), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert_no_traceback(done)
    line = line_of(users, '"sportamtt"')
    assert (
        f"demo/users.toml:{line}: unbekannte Organisation „sportamtt“ (nicht in organisations.toml)"
        in done.stdout
    )
    assert "1 Fehler, 0 Warnung(en)." in done.stderr
