"""``[[steps]]``, looked-up defaults and ``[fields.copy]``: parsed, and misuse explained
as ``path:line: message`` (issue 20)."""

from __future__ import annotations

from textwrap import dedent

from server.schema import build_definitions, parse_form
from server.schema.dynamic_defaults import dynamic_default

PATH = "forms/intake.toml"

FIELDS = dedent(
    """\
    title = "Intake"

    [[fields]]
    name = "name"
    section = "Person"
    type = "text"
    label = "Name"
    required = true

    [[fields]]
    name = "needs_interpreter"
    type = "boolean"
    label = "Sprachmittlung"

    [[fields]]
    name = "language"
    type = "text"
    label = "Sprache"
    show_if = "needs_interpreter"

    [[fields]]
    name = "channel"
    section = "Zugang"
    type = "text"
    label = "Zugangsweg"

    [[fields]]
    name = "notes"
    type = "textarea"
    label = "Notizen"
    """
)


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_form("intake", text, PATH)[1]]


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(fragment)


def test_steps_by_sections_and_fields_keep_the_form_order():
    text = FIELDS + dedent(
        """
        [[steps]]
        title = "Person"
        sections = ["Person"]

        [[steps]]
        title = "Zugang"
        fields = ["notes", "channel"]
        """
    )
    form, found = parse_form("intake", text, PATH)
    assert found == []
    assert [s.title for s in form.steps] == ["Person", "Zugang"]
    assert form.steps[0].fields == ("name", "needs_interpreter", "language")
    assert form.steps[1].fields == ("channel", "notes")  # form order, not list order
    assert form.step_of("notes") == 1
    assert form.steps[1].line == line_of(text, "[[steps]]", 2)


def test_a_form_without_steps_has_none():
    form, found = parse_form("intake", FIELDS, PATH)
    assert found == [] and form.steps == ()


def test_step_misuse_is_explained_with_lines():
    text = FIELDS + dedent(
        """
        [[steps]]
        title = "Person"
        sections = ["Person", "Gibtsnicht"]
        colour = "blau"

        [[steps]]
        title = "Zugang"
        fields = ["channel", "name", "nichtda"]
        """
    )
    found = problems(text)
    assert any(
        p.startswith(f"{PATH}:{line_of(text, 'sections = ')}:")
        and "Abschnitt „Gibtsnicht“ gibt es in diesem Formular nicht" in p
        for p in found
    ), found
    assert any(f":{line_of(text, 'colour')}:" in p and "unbekannter Schlüssel „colour“" in p
               for p in found)  # fmt: skip
    assert any(
        "Feld „name“ steht schon in Schritt 1" in p and "jedes Feld gehört zu genau einem" in p
        for p in found
    ), found
    assert any("Feld „nichtda“ gibt es in diesem Formular nicht" in p for p in found)
    # "notes" is in no step: reported at the field's own line
    notes = line_of(text, 'name = "notes"')
    assert f"{PATH}:{notes}: Feld „notes“ steht in keinem Schritt" in " ".join(found), found


def test_a_step_needs_a_title_and_fields():
    text = FIELDS + '\n[[steps]]\nsections = ["Person", "Zugang"]\n\n[[steps]]\ntitle = "Leer"\n'
    found = problems(text)
    assert any("„title“ fehlt" in p for p in found)
    assert any("Schritt „Leer“: braucht „fields“" in p for p in found)


def test_show_if_reading_another_step_is_refused():
    text = FIELDS + dedent(
        """
        [[steps]]
        title = "Eins"
        fields = ["name", "needs_interpreter", "channel", "notes"]

        [[steps]]
        title = "Zwei"
        fields = ["language"]
        """
    )
    found = problems(text)
    assert any(
        f":{line_of(text, 'show_if')}:" in p
        and "„show_if“ liest „needs_interpreter“ aus Schritt 1" in p
        for p in found
    ), found


def test_looked_up_defaults_are_kept_and_checked():
    text = FIELDS.replace(
        'label = "Zugangsweg"', 'label = "Zugangsweg"\ndefault = "user.organisation"'
    ).replace('label = "Notizen"', 'label = "Notizen"\ndefault = "previous.notes"')
    form, found = parse_form("intake", text, PATH)
    assert found == []
    assert form.field("channel").default == "user.organisation"
    assert dynamic_default(form.field("notes").default) == ("previous", "notes")


def test_wrong_looked_up_defaults_are_explained():
    text = FIELDS.replace(
        'label = "Sprachmittlung"', 'label = "Sprachmittlung"\ndefault = "user.name"'
    ).replace('label = "Zugangsweg"', 'label = "Zugangsweg"\ndefault = "user.email"')
    text = text.replace('label = "Notizen"', 'label = "Notizen"\ndefault = "previous.gibtsnicht"')
    text = text.replace('label = "Name"', 'label = "Name"\ndefault = "previous.name"')
    found = problems(text)
    at = line_of(text, 'default = "user.name"')
    assert any(f":{at}:" in p and "„boolean“" in p for p in found), found
    assert any("„user.email“ gibt es nicht" in p for p in found)
    assert any("„previous.gibtsnicht“ nennt kein Feld" in p for p in found)
    # a literal default of the wrong type is still the type's own message
    wrong = FIELDS.replace('label = "Sprachmittlung"', 'label = "Sprachmittlung"\ndefault = 3')
    assert any("„default“ muss true oder false sein" in p for p in problems(wrong))


def test_previous_default_is_refused_on_personal_fields():
    text = FIELDS.replace(
        'label = "Notizen"', 'label = "Notizen"\npersonal = true\ndefault = "previous.notes"'
    )
    found = problems(text)
    assert any("bei personenbezogenen Feldern" in p for p in found), found


GOALS = dedent(
    """\
    title = "Ziele"

    [[fields]]
    name = "goals"
    type = "table"
    label = "Ziele"

    [[fields.columns]]
    name = "goal"
    type = "textarea"
    label = "Ziel"

    [[fields.columns]]
    name = "until"
    type = "date"
    label = "Bis"
    """
)

PLAN = dedent(
    """\
    title = "Plan"

    [[fields]]
    name = "measures"
    type = "table"
    label = "Maßnahmen"

    [[fields.columns]]
    name = "measure"
    type = "text"
    label = "Maßnahme"

    [[fields.columns]]
    name = "due"
    type = "date"
    label = "Fällig"

    [fields.copy]
    from = "goals.goals"
    label = "Aus Ziele übernehmen"
    columns = { measure = "goal", due = "until" }
    match = ["measure"]
    """
)

WORKFLOW = dedent(
    """\
    title = "Fall"
    initial = "a"
    [[states]]
    id = "a"
    label = "A"
    forms = ["goals", "plan"]
    """
)


def build(goals: str = GOALS, plan: str = PLAN, workflow: str = WORKFLOW):
    return build_definitions(
        {"goals": ("forms/goals.toml", goals), "plan": ("forms/plan.toml", plan)},
        {"case": ("workflows/case.toml", workflow)},
        {},
    )


def test_copy_is_parsed():
    defs, found = build()
    assert [p for p in found if not p.warning] == []
    copy = defs.forms["plan"].field("measures").copy
    assert copy.form == "goals" and copy.field == "goals"
    assert copy.columns == (("measure", "goal"), ("due", "until"))
    assert copy.match == ("measure",)
    assert copy.label == "Aus Ziele übernehmen"


def test_copy_from_unknown_form_table_or_column_is_explained():
    cases = [
        (PLAN.replace('"goals.goals"', '"zeile.goals"'), "Formular „zeile“ gibt es nicht"),
        (PLAN.replace('"goals.goals"', '"goals.ziele"'), "hat keine Tabelle „ziele“"),
        (PLAN.replace('due = "until"', 'due = "bis"'), "hat keine Spalte „bis“"),
        (PLAN.replace('due = "until"', 'due = "goal"'), "passt nicht in „due“"),
        (PLAN.replace("due = ", "faellig = "), "Spalte „faellig“ gibt es in dieser Tabelle nicht"),
        (PLAN.replace('match = ["measure"]', 'match = ["x"]'), "„x“ ist keine der zugeordneten"),
        (PLAN.replace('from = "goals.goals"', 'from = "goals"'), "„<formular>.<tabellenfeld>“"),
    ]
    for plan, fragment in cases:
        _, found = build(plan=plan)
        messages = [str(p) for p in found if not p.warning]
        assert any(m.startswith("forms/plan.toml:") and fragment in m for m in messages), (
            fragment,
            messages,
        )
    _, found = build(plan=PLAN.replace('from = "goals.goals"', 'from = "goals.goals"\nx = 1'))
    assert any("unbekannter Schlüssel „x“" in str(p) for p in found)


def test_copy_from_a_form_outside_the_workflow_is_explained():
    _, found = build(workflow=WORKFLOW.replace('["goals", "plan"]', '["plan"]'))
    line = PLAN.splitlines().index('from = "goals.goals"') + 1
    assert any(
        str(p).startswith(f"forms/plan.toml:{line}:") and "gehört nicht zum Ablauf „case“" in str(p)
        for p in found
    ), [str(p) for p in found]


def test_copy_only_on_tables():
    text = FIELDS.replace('label = "Notizen"', 'label = "Notizen"\ncopy = {from = "a.b"}')
    found = problems(text)
    assert any("„copy“ ist hier nicht erlaubt (nur bei Tabellenfeldern)" in p for p in found)


def test_copy_of_personal_column_into_plain_one_is_refused():
    _, found = build(goals=GOALS.replace('label = "Ziel"', 'label = "Ziel"\npersonal = true'))
    assert any("personenbezogen" in str(p) for p in found)
