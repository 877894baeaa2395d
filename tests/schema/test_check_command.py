"""``verbund check`` catches every mistake issue 3 names, each as ``path:line: message``.

Each case breaks one thing in a copy of the fixture office and runs the real command.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main

FIXTURE = Path(__file__).parent.parent / "fixtures" / "foerderung"
GOOD_FIELD = '[[fields]]\nname = "neu"\ntype = "text"\nlabel = "Neu"\n'


def check(tmp_path: Path, extra: str) -> tuple[int, list[str]]:
    """Append ``extra`` to forms/antrag.toml and run ``verbund check``."""
    office = tmp_path / "office"
    shutil.copytree(FIXTURE, office)
    with open(office / "forms" / "antrag.toml", "a", encoding="utf-8") as fh:
        fh.write("\n" + extra)
    result = CliRunner().invoke(main, ["--config", str(office / "config.toml"), "check"])
    return result.exit_code, result.output.splitlines()


def line_of(extra: str, needle: str) -> int:
    """The line of ``needle`` in antrag.toml once ``extra`` is appended."""
    base = (FIXTURE / "forms" / "antrag.toml").read_text(encoding="utf-8").count("\n") + 1
    for offset, text in enumerate(extra.splitlines()):
        if needle in text:
            return base + offset + 1
    raise AssertionError(needle)


MISTAKES = [
    ("TOML-Syntax", '[[fields]]\nname = "x\n', 'name = "x', "TOML-Syntaxfehler"),
    (
        "unknown key",
        GOOD_FIELD.replace('label = "Neu"', 'label = "Neu"\nlable = "Tippfehler"'),
        "lable",
        "unbekannter Schlüssel „lable“ – meinten Sie „label“?",
    ),
    (
        "unknown type",
        GOOD_FIELD.replace('type = "text"', 'type = "zahl"'),
        'type = "zahl"',
        "unbekannter Feldtyp „zahl“",
    ),
    (
        "duplicate name",
        GOOD_FIELD.replace('name = "neu"', 'name = "verein"'),
        'name = "verein"',
        "Feldname „verein“ ist doppelt vergeben (zuerst in Zeile 4)",
    ),
    (
        "select without choices",
        GOOD_FIELD.replace('type = "text"', 'type = "select"'),
        "[[fields]]",
        "„choices“ fehlt: ein Feld vom Typ „select“ braucht Auswahlmöglichkeiten",
    ),
    (
        "min above max",
        GOOD_FIELD.replace('type = "text"', 'type = "date"')
        + "min = 2025-01-01\nmax = 2024-01-01\n",
        "min = ",
        "„min“ (2025-01-01) ist größer als „max“ (2024-01-01)",
    ),
    (
        "invalid regular expression",
        GOOD_FIELD + "pattern = '[0-9'\n",
        "pattern",
        "„pattern“ ist kein gültiger regulärer Ausdruck",
    ),
    (
        "expression that does not compile",
        GOOD_FIELD + 'show_if = "gemeinnuetzig and"\n',
        "show_if",
        "Ausdruck „gemeinnuetzig and“: endet zu früh",
    ),
    (
        "expression naming an unknown field",
        GOOD_FIELD + 'show_if = "gemeinnutzig"\n',
        "show_if",
        "„show_if“ nennt „gemeinnutzig“, das kein Feld dieses Formulars ist",
    ),
    (
        "expression the browser cannot evaluate",
        GOOD_FIELD + 'show_if = "betrag * 2 > 100"\n',
        "show_if",
        "in „show_if“ nicht möglich: Rechnen (*)",
    ),
    (
        "table without columns",
        GOOD_FIELD.replace('type = "text"', 'type = "table"'),
        "[[fields]]",
        "eine Tabelle braucht Spalten ([[fields.columns]])",
    ),
    (
        "file field accepting an unknown kind",
        GOOD_FIELD.replace('type = "text"', 'type = "file"') + 'accept = ["pdf", "exe"]\n',
        "accept",
        "„accept“: unbekannte Dateiart „exe“",
    ),
    (
        "reference to a missing workflow",
        GOOD_FIELD.replace('type = "text"', 'type = "reference"') + 'workflow = "vereine"\n',
        "workflow",
        "Ablauf „vereine“ gibt es nicht",
    ),
]


@pytest.mark.parametrize(
    ("mistake", "extra", "needle", "message"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_check_reports_the_mistake_at_its_line(tmp_path, mistake, extra, needle, message):
    code, lines = check(tmp_path, extra)
    assert code == 1
    found = [line for line in lines if message in line]
    assert found, lines
    where = re.match(r"(forms/antrag\.toml):(\d+): ", found[0])
    assert where, found[0]
    assert int(where.group(2)) == line_of(extra, needle), (found[0], needle)


def test_a_circle_of_conditions_names_every_field_of_it(tmp_path):
    office = tmp_path / "office"
    shutil.copytree(FIXTURE, office)
    path = office / "forms" / "antrag.toml"
    text = path.read_text(encoding="utf-8").replace(
        'show_if = "gemeinnuetzig"', 'show_if = "gemeinnuetzig and neu"'
    )
    path.write_text(text + "\n" + GOOD_FIELD + 'show_if = "nachweis"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(office / "config.toml"), "check"])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "im Kreis" in x)
    assert "„show_if“-Bedingungen hängen im Kreis voneinander ab: nachweis → neu → nachweis" in line
    show_if_line = text.splitlines().index('show_if = "gemeinnuetzig and neu"') + 1
    assert line.startswith(f"forms/antrag.toml:{show_if_line}: ")


def test_the_fixture_office_itself_is_in_order(tmp_path):
    code, lines = check(tmp_path, GOOD_FIELD)
    assert code == 0 and lines[-1].startswith("In Ordnung"), lines
