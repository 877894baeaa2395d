"""``verbund check`` names every mistake in ``[[reports]]`` with path:line, in German."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from server.services.privacy.categories import ordered

ROOT = Path(__file__).parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "beratung"

WRONG = """
[[reports]]
id = "falsch"
title = "Falsch"
workflow = "beratung"
date = "fall.zielgruppe"
roles = ["berater"]

[[reports.measures]]
kind = "count"
title = "Nach Name"
rows = "fall.name"

[[reports.measures]]
kind = "count"
title = "Nach Unbekanntem"
rows = "fall.schuhgroesse"

[[reports.measures]]
kind = "duration"
title = "Bis Nirgendwo"
from = "created"
to = "state:nirgendwo"

[[reports]]
id = "ohne-ablauf"
title = "Ohne Ablauf"
workflow = "gibtsnicht"

[[reports.measures]]
kind = "phases"
title = "Phasen"
"""


def run_check(office: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(office / "config.toml"), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def line_of(path: Path, needle: str, after: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if n > after and needle in line)


def test_check_names_each_wrong_report_entry_at_its_line(tmp_path):
    office = tmp_path / "beratung"
    shutil.copytree(FIXTURE, office)
    config = office / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + WRONG, encoding="utf-8")
    done = run_check(office)
    assert done.returncode == 1
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    start = line_of(config, 'id = "falsch"')
    expected = [
        (
            line_of(config, 'roles = ["berater"]', start),
            "steht nicht in [privacy] statistics_roles",
        ),
        (line_of(config, 'date = "fall.zielgruppe"'), "ist kein Datumsfeld"),
        (line_of(config, 'rows = "fall.name"'), "„fall.name“ ist personenbezogen"),
        (line_of(config, 'rows = "fall.schuhgroesse"'), "ist kein Merkmal der Statistik"),
        (line_of(config, 'to = "state:nirgendwo"'), "hat keinen Zustand „nirgendwo“"),
        (line_of(config, 'workflow = "gibtsnicht"'), "den Ablauf „gibtsnicht“ gibt es nicht"),
    ]
    for line, message in expected:
        assert any(
            row.startswith(f"config.toml:{line}: [[reports]]") and message in row
            for row in out.splitlines()
        ), (line, message, out)


def test_a_wrongly_shaped_report_is_refused_when_the_config_is_read(tmp_path):
    office = tmp_path / "beratung"
    shutil.copytree(FIXTURE, office)
    config = office / "config.toml"
    text = WRONG.replace('kind = "phases"', 'kind = "kuchen"').replace(
        'title = "Ohne Ablauf"\n', ""
    )
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")
    done = run_check(office)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    kind = line_of(config, 'kind = "kuchen"')
    assert f"config.toml:{kind}: [[reports]] Nr. 2: „kind“ muss eines von count" in done.stdout
    assert "[[reports]] Nr. 2: „title“ fehlt" in done.stdout


def test_categories_without_a_declared_order_sort_naturally():
    labels = ["Stadtbezirk 10", "(keine Angabe)", "Stadtbezirk 3", "stadtbezirk 2", "Amt"]
    assert ordered(labels) == [
        "Amt",
        "stadtbezirk 2",
        "Stadtbezirk 3",
        "Stadtbezirk 10",
        "(keine Angabe)",
    ]
    assert ordered(["Nein", "Ja", "Vielleicht"], ("Ja", "Nein")) == ["Ja", "Nein", "Vielleicht"]
