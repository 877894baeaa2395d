"""Workflow files: states, transitions, documents and deadlines, checked within the file."""

from __future__ import annotations

from textwrap import dedent

import pytest

from server.schema import DeadlineDef, DocumentDef, StateDef, TransitionDef, parse_workflow

PATH = "workflows/case.toml"

VALID = dedent(
    """\
    title = "Fallmanagement"
    record_label = "Fall"
    initial = "intake"
    create_roles = ["case_manager"]
    title_field = "intake.name"

    [[states]]
    id = "intake"
    label = "Klärung"
    forms = ["intake"]
    edit_roles = ["case_manager"]

    [[states]]
    id = "work"
    label = "Arbeit"
    forms = ["plan", "intake"]
    edit_roles = ["case_manager"]

    [[states]]
    id = "closed"
    label = "Abgeschlossen"
    final = true

    [[transitions]]
    from = ["intake"]
    to = "work"
    label = "Aufnehmen"
    roles = ["case_manager"]
    when = "intake.consent and intake.agencies|length >= 2"
    message = "Einwilligung und zwei Stellen nötig"

    [[transitions]]
    from = "*"
    to = "closed"
    roles = ["case_manager"]

    [[transitions]]
    # reopening a closed case: explicitly named final states may be left
    from = ["closed"]
    to = "work"
    label = "Wieder öffnen"
    roles = ["team_lead"]

    [[documents]]
    id = "plan"
    label = "Hilfeplan"
    template = "hilfeplan.docx"
    states = ["work"]

    [[documents]]
    id = "letter"
    label = "Brief"
    template = "letters/brief.docx"

    [[deadlines]]
    state = "work"
    days = 28
    label = "Gespräch fällig"
    """
)


def parse(text: str):
    return parse_workflow("case", dedent(text), PATH)


def only(problems, fragment: str):
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_valid_workflow_parses_into_dataclasses():
    wf, problems = parse(VALID)
    assert problems == []
    assert wf is not None
    assert (wf.id, wf.title, wf.record_label, wf.initial) == (
        "case",
        "Fallmanagement",
        "Fall",
        "intake",
    )
    assert wf.create_roles == ("case_manager",) and wf.title_field == "intake.name"
    assert wf.path == PATH
    assert wf.states[1] == StateDef(
        id="work",
        label="Arbeit",
        forms=("plan", "intake"),
        edit_roles=("case_manager",),
        line=13,
    )
    assert wf.state("closed").final
    assert wf.form_ids == ("intake", "plan")
    assert wf.transitions[0] == TransitionDef(
        from_states=("intake",),
        to="work",
        label="Aufnehmen",
        roles=("case_manager",),
        when="intake.consent and intake.agencies|length >= 2",
        message="Einwilligung und zwei Stellen nötig",
        line=24,
    )
    # without a label the transition is called like the state it leads to
    assert wf.transitions[1].from_states == ("*",)
    assert wf.transitions[1].label == "Abgeschlossen"
    assert wf.documents == (
        DocumentDef(
            id="plan", label="Hilfeplan", template="hilfeplan.docx", states=("work",), line=44
        ),
        DocumentDef(id="letter", label="Brief", template="letters/brief.docx", line=50),
    )
    assert wf.deadlines == (DeadlineDef(state="work", days=28, label="Gespräch fällig", line=55),)


def test_final_states_are_left_only_by_transitions_that_name_them():
    wf, _ = parse(VALID)
    closed, reopen, to_closed = wf.state("closed"), wf.transitions[2], wf.transitions[1]
    assert reopen.leaves(closed)
    assert not to_closed.leaves(closed)  # "*" means every non-final state


BROKEN = """\
    title = "Kaputt"
    initial = "start"
    title_field = "intake"
    colour = "blau"

    [[states]]
    id = "start"
    label = "Start"
    forms = "intake"

    [[states]]
    id = "done"
    label = "Fertig"
    final = "yes"

    [[states]]
    id = "start"
    label = "Doppelt"

    [[transitions]]
    from = ["start", "nowhere"]
    to = "done"
    when = "intake.consent and"

    [[transitions]]
    from = ["start"]
    to = "ghost"
    lable = "Geist"

    [[transitions]]
    to = "done"

    [[documents]]
    id = "doc"
    label = "Dokument"
    template = "../../etc/passwd"
    states = ["start", "zzz"]

    [[documents]]
    id = "doc"
    label = "Noch eins"
    template = "brief.odt"

    [[deadlines]]
    state = "limbo"
    days = 0
    label = "Nie"
    """


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (3, "„title_field“ muss „<formular>.<feld>“ sein, nicht „intake“"),
        (4, "unbekannter Schlüssel „colour“"),
        (9, "Zustand „start“: „forms“ muss eine Liste von Formularen sein"),
        (14, "Zustand „done“: „final“ muss true oder false sein"),
        (17, "Zustands-Id „start“ ist doppelt vergeben"),
        (21, "Ausgangszustand „nowhere“ gibt es nicht"),
        (23, "Übergang nach „done“: „when“: Ausdruck „intake.consent and“: endet zu früh"),
        (27, "Übergang nach „ghost“: Zielzustand „ghost“ gibt es nicht"),
        (28, "unbekannter Schlüssel „lable“ – meinten Sie „label“?"),
        (30, "Übergang nach „done“: „from“ fehlt"),
        (36, "„template“ muss ein Pfad innerhalb von exports/ sein"),
        (37, "Dokument „doc“: Zustand „zzz“ gibt es nicht"),
        (40, "Dokument-Id „doc“ ist doppelt vergeben"),
        (42, "„template“ muss eine .docx-Datei sein"),
        (45, "Frist Nr. 1: Zustand „limbo“ gibt es nicht"),
        (46, "Frist Nr. 1: „days“ muss mindestens 1 sein"),
    ],
)
def test_every_problem_is_reported_at_its_line(line, fragment):
    wf, problems = parse(BROKEN)
    assert wf is None
    assert str(only(problems, fragment)).startswith(f"{PATH}:{line}: ")


def test_unknown_initial_state():
    wf, problems = parse(
        """\
        title = "x"
        initial = "begin"
        [[states]]
        id = "start"
        label = "Start"
        """
    )
    assert wf is None
    assert [str(p) for p in problems] == [
        f"{PATH}:2: Anfangszustand „begin“ ist keiner der Zustände (vorhanden: start)"
    ]


def test_unreachable_and_dead_end_states_are_warnings_that_keep_the_workflow():
    wf, problems = parse(
        """\
        title = "x"
        initial = "a"
        [[states]]
        id = "a"
        label = "A"
        [[states]]
        id = "b"
        label = "B"
        [[states]]
        id = "island"
        label = "Insel"
        [[transitions]]
        from = ["a"]
        to = "b"
        [[transitions]]
        from = ["island"]
        to = "a"
        """
    )
    assert wf is not None
    assert all(p.warning for p in problems)
    assert [str(p) for p in problems] == [
        f"{PATH}:7: Warnung: Zustand „b“ ist nicht final, aber kein Übergang führt aus ihm hinaus",
        f"{PATH}:10: Warnung: Zustand „island“ ist vom Anfangszustand „a“ aus nicht erreichbar",
    ]


def test_star_transitions_make_every_non_final_state_reachable_from_it():
    wf, problems = parse(
        """\
        title = "x"
        initial = "a"
        [[states]]
        id = "a"
        label = "A"
        [[states]]
        id = "gone"
        label = "Weg"
        final = true
        [[transitions]]
        from = "*"
        to = "gone"
        """
    )
    assert wf is not None and problems == []


def test_a_single_state_register_is_fine():
    wf, problems = parse('title = "x"\ninitial = "a"\n[[states]]\nid = "a"\nlabel = "A"\n')
    assert wf is not None and problems == []


def test_deadline_in_a_final_state_is_a_warning():
    wf, problems = parse(
        """\
        title = "x"
        initial = "a"
        [[states]]
        id = "a"
        label = "A"
        final = true
        [[deadlines]]
        state = "a"
        days = 3
        label = "Nie erledigt"
        """
    )
    assert wf is not None
    assert only(problems, "ist final; die Frist würde nie erledigt").warning


def test_syntax_error_is_one_problem():
    wf, problems = parse('title = "x"\n[[states]\nid = "a"\n')
    assert wf is None
    assert len(problems) == 1 and problems[0].line == 2
    assert problems[0].message.startswith("TOML-Syntaxfehler")


def test_edit_scope_is_read_and_checked():
    wf, problems = parse(
        VALID.replace(
            'create_roles = ["case_manager"]',
            'create_roles = ["case_manager"]\nedit_scope = "organisation"',
        )
    )
    assert problems == [] and wf.edit_scope == "organisation"
    assert parse(VALID)[0].edit_scope is None
    _, problems = parse(
        VALID.replace(
            'create_roles = ["case_manager"]',
            'create_roles = ["case_manager"]\nedit_scope = "alle"',
        )
    )
    only(problems, "„edit_scope“ muss eines von organisation, own, all sein, nicht „alle“")


def test_a_document_declares_its_formats_and_check_names_the_line():
    wf, problems = parse(
        VALID.replace('states = ["work"]', 'states = ["work"]\nformats = ["docx", "pdf"]')
    )
    assert problems == []
    assert wf.document("plan").formats == ("docx", "pdf")
    assert wf.document("letter").formats == ("docx",)  # the default: the Word file only

    _, problems = parse(VALID.replace('states = ["work"]', 'formats = ["pdf", "odt"]'))
    odt = only(problems, "Format „odt“ gibt es nicht (möglich: „docx“, „pdf“)")
    no_docx = only(problems, "„formats“ muss „docx“ enthalten")
    lines = VALID.splitlines()
    assert odt.line == no_docx.line == lines.index('states = ["work"]') + 1
    assert str(odt).startswith(f"{PATH}:{odt.line}: Dokument „plan“: ")

    _, problems = parse(VALID.replace('states = ["work"]', 'formats = "pdf"'))
    only(problems, "„formats“ muss eine Liste von Formaten sein")


def test_a_document_in_the_records_language_names_a_form_field():
    wf, problems = parse(
        VALID.replace('states = ["work"]', 'states = ["work"]\nlanguage = "intake.language"')
    )
    assert problems == [] and wf.document("plan").language == "intake.language"
    _, problems = parse(VALID.replace('states = ["work"]', 'language = "sprache"'))
    only(problems, "„language“ muss „<formular>.<feld>“ sein")
    _, problems = parse(VALID.replace('states = ["work"]', 'language = "ghost.lang"'))
    only(problems, "„language“: das Formular „ghost“ hat dieser Ablauf nicht")
