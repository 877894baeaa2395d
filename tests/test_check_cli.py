"""`verbund check`: every problem of a broken configuration as ``path:line: message``.

The command runs in a subprocess, as an admin runs it, against a copy of the fixture office.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "foerderung"
ROOT = Path(__file__).resolve().parents[1]
PROBLEM_LINE = re.compile(r"^(?:config|forms/\w+|workflows/\w+)\.toml:\d+: \S")

NACHWEIS = dedent(
    """\
    title = "Verwendungsnachweis"
    initial = "offen"
    create_roles = ["clerk"]

    [[states]]
    id = "offen"
    label = "Offen"
    forms = ["antrag"]
    edit_roles = ["clerk"]

    [[states]]
    id = "geprueft"
    label = "Geprüft"
    final = true

    [[transitions]]
    from = ["offen"]
    to = "geprueft"
    label = "Prüfen"
    roles = ["clerk"]

    [[documents]]
    id = "nachweis"
    label = "Nachweis"
    template = "nachweis.docx"
    """
)
BAD_WHEN = 'when = "bescheid.entscheidung =="'
NACHWEIS_DOCUMENT_LINE = 22  # the [[documents]] header


@pytest.fixture
def office(tmp_path) -> Path:
    target = tmp_path / "office"
    shutil.copytree(FIXTURE, target)
    return target


def run_check(office: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(office / "config.toml"), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) in ``path``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def assert_no_traceback(done: subprocess.CompletedProcess) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream and 'File "' not in stream, stream


def test_the_unbroken_copy_is_in_order(office):
    done = run_check(office)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "In Ordnung: 2 Formulare, 1 Abläufe, 4 Rollen."
    assert_no_traceback(done)


def test_every_problem_is_reported_at_its_line(office):
    antrag = office / "forms" / "antrag.toml"
    bescheid = office / "forms" / "bescheid.toml"
    workflow = office / "workflows" / "foerderung.toml"
    edit(antrag, "max_length = 200\n", 'max_length = 200\ncolour = "rot"\n')
    edit(antrag, 'type = "email"', 'type = "e-mail"')
    edit(bescheid, 'label = "Begründung"', 'label = "Begründung\nrequired = true')
    edit(workflow, 'to = "entwurf"', 'to = "entwurff"')
    edit(workflow, "when = \"bescheid.entscheidung == 'bewilligt'\"", BAD_WHEN)
    edit(office / "config.toml", 'scope = "organisation"', 'scop = "organisation"')
    (office / "workflows" / "nachweis.toml").write_text(NACHWEIS, encoding="utf-8")

    done = run_check(office)

    assert done.returncode == 1
    assert_no_traceback(done)
    expected = [
        f"config.toml:{line_of(office / 'config.toml', 'scop =')}: Rolle „head“: "
        "unbekannter Schlüssel „scop“",
        f"forms/antrag.toml:{line_of(antrag, 'colour')}: Feld „verein“: "
        "unbekannter Schlüssel „colour“",
        f"forms/antrag.toml:{line_of(antrag, 'e-mail')}: Feld „email“: "
        "unbekannter Feldtyp „e-mail“",
        f"forms/bescheid.toml:{line_of(bescheid, 'Begründung')}: TOML-Syntaxfehler",
        f"workflows/foerderung.toml:{line_of(workflow, 'entwurff')}: Übergang nach „entwurff“: "
        "Zielzustand „entwurff“ gibt es nicht",
        f"workflows/foerderung.toml:{line_of(workflow, BAD_WHEN)}: "
        "Übergang nach „bewilligt“: „when“: Ausdruck",
        f"workflows/nachweis.toml:{NACHWEIS_DOCUMENT_LINE}: Dokument „nachweis“: "
        "Vorlage „nachweis.docx“ fehlt in exports/",
    ]
    printed = done.stdout.splitlines()
    assert len(printed) == len(expected), done.stdout
    for line, start in zip(printed, expected, strict=True):
        assert line.startswith(start), (line, start)
        assert PROBLEM_LINE.match(line), line
    assert done.stderr.strip() == f"{len(expected)} Fehler, 0 Warnung(en)."


def test_line_numbers_are_those_of_the_file_as_written(office):
    # the checked lines above are computed; pin a few literally against the fixture
    edit(office / "forms" / "antrag.toml", 'type = "email"', 'type = "e-mail"')
    edit(office / "workflows" / "foerderung.toml", 'to = "entwurf"', 'to = "nirgends"')
    done = run_check(office)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("forms/antrag.toml:14: ")
    assert done.stdout.splitlines()[1].startswith("workflows/foerderung.toml:39: ")


def test_a_missing_template_alone(office):
    edit(office / "workflows" / "foerderung.toml", '"bescheid.docx"', '"fehlt.docx"')
    done = run_check(office)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "workflows/foerderung.toml:65: Dokument „bescheid“: Vorlage „fehlt.docx“ fehlt in exports/"
    ]


def test_a_missing_template_is_reported_next_to_other_errors_of_its_workflow(office):
    workflow = office / "workflows" / "foerderung.toml"
    edit(workflow, '"bescheid.docx"', '"fehlt.docx"')
    edit(workflow, 'to = "entwurf"', 'to = "entwurff"')
    done = run_check(office)
    line = workflow.read_text(encoding="utf-8").splitlines().index('template = "fehlt.docx"') + 1
    assert f"workflows/foerderung.toml:{line}: Dokument „bescheid“: Vorlage „fehlt.docx“ " \
        "fehlt in exports/" in done.stdout  # fmt: skip
    assert "entwurff" in done.stdout and done.returncode == 1  # the other error is still there


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ('[databse]\nurl = "postgresql://db/verbund"\n', 26),
        ("[queue]\nredis_url = 6379\n", 27),
    ],
)
def test_config_problems_are_reported(office, extra, line):
    with (office / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n" + extra)
    done = run_check(office)
    assert done.returncode == 1
    assert done.stdout.startswith(f"config.toml:{line}: ")


def test_a_config_syntax_error_exits_1_without_traceback(office):
    edit(office / "config.toml", "[roles.head]", "[roles.head")
    done = run_check(office)
    assert done.returncode == 1
    assert_no_traceback(done)
    assert "config.toml" in done.stderr


def test_a_config_syntax_error_is_reported_as_path_line_message(office):
    edit(office / "config.toml", "[roles.head]", "[roles.head")
    done = run_check(office)
    assert "config.toml:18: " in done.stdout + done.stderr
    assert "Expected" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda text: text.encode("cp1252"), id="not-utf8"),
        pytest.param(
            lambda text: text.replace('url = "sqlite', "url = 5 #").encode(), id="int-url"
        ),
        pytest.param(lambda text: ('paths = "forms"\n' + text).encode(), id="str-section"),
    ],
)
def test_a_broken_config_file_gives_a_message_not_a_traceback(office, broken):
    config = office / "config.toml"
    config.write_bytes(broken(config.read_text(encoding="utf-8")))
    done = run_check(office)
    assert done.returncode == 1
    assert_no_traceback(done)


def test_conditions_that_cannot_pass_their_work_limits_are_reported(office):
    """Evaluated once under the limits, with no data and with sample values; before, such
    a guard passed the check and then took ~15 s on every attempt to move a record."""
    workflow = office / "workflows" / "foerderung.toml"
    tower = "when = '((9**999)**999)**12 > 0'"
    wide = "when = 'bescheid.entscheidung and (\"x\"|center(10**8))|length > 0'"
    edit(workflow, 'when = "antrag.verein and antrag.betrag"', tower)
    edit(workflow, "when = \"bescheid.entscheidung == 'bewilligt'\"", wide)
    done = run_check(office)
    assert done.returncode == 1
    assert_no_traceback(done)
    assert done.stdout.splitlines() == [
        f"workflows/foerderung.toml:{line_of(workflow, tower)}: Übergang nach „eingereicht“: "
        "„when“: Der Ausdruck „((9**999)**999)**12 > 0“ ist zu aufwendig (Zahl mit mehr als "
        "4096 Bit) und wurde abgebrochen.",
        f"workflows/foerderung.toml:{line_of(workflow, wide)}: Übergang nach „bewilligt“: "
        '„when“: Der Ausdruck „bescheid.entscheidung and ("x"|center(10**8))|length > 0“ ist '
        "zu aufwendig (Text oder Liste mit mehr als 250.000 Zeichen) und wurde abgebrochen.",
    ]
