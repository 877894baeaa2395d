"""`verbund check` on the keys of ``[[deadlines]]``: each mistake at its line, in German.

What the workflow file alone can tell is checked first; whether a field is a date field of
the workflow's forms and the escalation role exists only once the file itself is in order
(two runs, as an admin would fix them).
"""

from __future__ import annotations

from textwrap import dedent

from tests.test_check_cli import PROBLEM_LINE, assert_no_traceback, line_of, office, run_check

__all__ = ["office"]  # the fixture, used by name below

FILE_PROBLEMS = dedent(
    """
    [[deadlines]]
    state = "eingereicht"
    days = 5
    every_days = -3
    done_field = "antrag.beginn"
    label = "Rückruf"

    [[deadlines]]
    state = "eingereicht"
    days = 5
    termin = 3
    label = "Termin"

    [[deadlines]]
    state = "eingereicht"
    days = 5
    from_field = "antrag.beginn"
    label = "Beides"

    [[deadlines]]
    state = "eingereicht"
    days = 5
    label = "Eskalation"
    escalate_after_days = 3
    """
)

LINK_PROBLEMS = dedent(
    """
    [[deadlines]]
    state = "eingereicht"
    from_field = "antrag.nichtda"
    label = "Unbekannt"

    [[deadlines]]
    state = "eingereicht"
    from_field = "antrag.verein"
    offset_days = -42
    label = "Kein Datum"

    [[deadlines]]
    state = "eingereicht"
    days = 5
    every_days = 7
    done_field = "antrag.posten.betrag"
    label = "Spalte"

    [[deadlines]]
    state = "eingereicht"
    days = 5
    label = "Chef"
    escalate_after_days = 3
    escalate_to = "chef"
    """
)


def _workflow(office):
    return office / "workflows" / "foerderung.toml"


def _assert_lines(done, expected):
    assert done.returncode == 1, done.stdout
    assert_no_traceback(done)
    printed = done.stdout.splitlines()
    assert len(printed) == len(expected), done.stdout
    for line, start in zip(printed, expected, strict=True):
        assert line.startswith(start), (line, start)
        assert PROBLEM_LINE.match(line), line


def test_mistakes_in_a_deadline_table_are_reported_at_their_lines(office):
    workflow = _workflow(office)
    workflow.write_text(workflow.read_text(encoding="utf-8") + FILE_PROBLEMS, encoding="utf-8")
    path = "workflows/foerderung.toml"
    both = line_of(workflow, 'from_field = "antrag.beginn"')
    escalation = line_of(workflow, 'label = "Eskalation"') - 3  # its [[deadlines]] header
    _assert_lines(
        run_check(office),
        [
            f"{path}:{line_of(workflow, 'every_days = -3')}: Frist Nr. 2: „every_days“ darf "
            "nicht negativ oder 0 sein (ist -3)",
            f"{path}:{line_of(workflow, 'termin = 3')}: Frist Nr. 3: unbekannter Schlüssel "
            "„termin“",
            f"{path}:{both}: Frist Nr. 4: „days“ und „from_field“ schließen sich aus",
            f"{path}:{escalation}: Frist Nr. 5: "
            "„escalate_after_days“ und „escalate_to“ gehören zusammen",
        ],
    )


def test_fields_that_are_no_date_and_unknown_roles_are_reported(office):
    workflow = _workflow(office)
    workflow.write_text(workflow.read_text(encoding="utf-8") + LINK_PROBLEMS, encoding="utf-8")
    path = "workflows/foerderung.toml"
    chef = line_of(workflow, 'escalate_to = "chef"')
    verein = line_of(workflow, 'from_field = "antrag.verein"')
    _assert_lines(
        run_check(office),
        [
            f"{path}:{line_of(workflow, 'antrag.nichtda')}: Frist „Unbekannt“: „from_field“: "
            "Formular „antrag“ hat kein Feld „nichtda“",
            f"{path}:{verein}: Frist „Kein Datum“: „from_field“: "
            "„antrag.verein“ ist kein Datumsfeld, sondern vom Typ „text“",
            f"{path}:{line_of(workflow, 'antrag.posten.betrag')}: Frist „Spalte“: "
            "„done_field“: „antrag.posten.betrag“ ist kein Datumsfeld, sondern vom Typ „decimal“",
            f"{path}:{chef}: Frist „Chef“: „escalate_to“: Rolle „chef“ gibt es nicht",
        ],
    )


def test_the_kim_configuration_with_its_deadlines_is_in_order():
    import subprocess
    import sys

    from tests.test_check_cli import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(ROOT / "config.toml"), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warnung" not in done.stdout
