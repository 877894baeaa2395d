"""Loading a whole configuration: files from disk, roles, and the links between files."""

from __future__ import annotations

import tomllib
from pathlib import Path
from textwrap import dedent

import pytest
from docx import Document

from server.documents.checking import check_templates
from server.schema import build_definitions, load_definitions, parse_roles

ROOT = Path(__file__).resolve().parents[2]

ROLES = {
    "case_manager": {"label": "Case Manager*in", "scope": "own"},
    "team_lead": {"label": "Teamleitung", "scope": "organisation"},
}

INTAKE = dedent(
    """\
    title = "Intake"
    [[fields]]
    name = "name"
    type = "text"
    label = "Name"
    [[fields]]
    name = "consent"
    type = "boolean"
    label = "Einwilligung"
    [[fields]]
    name = "agencies"
    type = "table"
    label = "Stellen"
    [[fields.columns]]
    name = "agency"
    type = "text"
    label = "Stelle"
    [[fields.columns]]
    name = "service"
    type = "reference"
    label = "Angebot"
    workflow = "directory"
    """
)

CASE = dedent(
    """\
    title = "Fall"
    initial = "intake"
    create_roles = ["case_manager"]
    title_field = "intake.name"
    [[states]]
    id = "intake"
    label = "Klärung"
    forms = ["intake"]
    edit_roles = ["case_manager", "team_lead"]
    [[states]]
    id = "closed"
    label = "Zu"
    final = true
    [[transitions]]
    from = ["intake"]
    to = "closed"
    roles = ["case_manager"]
    when = "intake.consent and intake.agencies|length >= 2 and record.state == 'intake'"
    [[documents]]
    id = "letter"
    label = "Brief"
    template = "brief.docx"
    """
)

DIRECTORY = dedent(
    """\
    title = "Angebote"
    initial = "active"
    [[states]]
    id = "active"
    label = "Aktiv"
    forms = ["service"]
    """
)

SERVICE = 'title = "Angebot"\n[[fields]]\nname = "name"\ntype = "text"\nlabel = "Name"\n'


def build(forms: dict[str, str], workflows: dict[str, str], roles=ROLES):
    return build_definitions(
        {k: (f"forms/{k}.toml", v) for k, v in forms.items()},
        {k: (f"workflows/{k}.toml", v) for k, v in workflows.items()},
        roles,
    )


def only(problems, fragment: str):
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_consistent_configuration_loads_everything():
    defs, problems = build(
        {"intake": INTAKE, "service": SERVICE}, {"case": CASE, "directory": DIRECTORY}
    )
    assert problems == []
    assert set(defs.forms) == {"intake", "service"}
    assert set(defs.workflows) == {"case", "directory"}
    assert defs.roles["team_lead"].scope == "organisation"
    with pytest.raises(TypeError):
        defs.forms["x"] = None  # shared by every request: read-only


@pytest.mark.parametrize(
    ("old", "new", "path", "line", "fragment"),
    [
        (
            'forms = ["intake"]',
            'forms = ["intake", "missing"]',
            "workflows/case.toml",
            8,
            "Zustand „intake“: Formular „missing“ gibt es nicht (forms/missing.toml fehlt)",
        ),
        (
            'create_roles = ["case_manager"]',
            'create_roles = ["boss"]',
            "workflows/case.toml",
            3,
            "„create_roles“: Rolle „boss“ gibt es nicht (config.toml [roles]: case_manager, "
            "team_lead)",
        ),
        (
            '"case_manager", "team_lead"]',
            '"case_manager", "intern"]',
            "workflows/case.toml",
            9,
            "Zustand „intake“: Rolle „intern“ gibt es nicht",
        ),
        (
            'roles = ["case_manager"]',
            'roles = ["chef"]',
            "workflows/case.toml",
            17,
            "Übergang nach „closed“: Rolle „chef“ gibt es nicht",
        ),
        (
            '"intake.name"',
            '"intake.nam"',
            "workflows/case.toml",
            4,
            "„title_field“: Formular „intake“ hat kein Feld „nam“",
        ),
        (
            '"intake.name"',
            '"service.name"',
            "workflows/case.toml",
            4,
            "„title_field“: Formular „service“ gehört zu keinem Zustand dieses Ablaufs",
        ),
        (
            '"intake.name"',
            '"intake.agencies"',
            "workflows/case.toml",
            4,
            "ein Feld vom Typ „table“ taugt nicht als Titel",
        ),
        (
            "intake.consent and",
            "intake.consnt and",
            "workflows/case.toml",
            18,
            "„when“: Formular „intake“ hat kein Feld „consnt“",
        ),
        (
            "record.state ==",
            "record.status ==",
            "workflows/case.toml",
            18,
            "„record.status“ gibt es nicht",
        ),
        (
            "intake.consent and",
            "service.name and",
            "workflows/case.toml",
            18,
            "Formular „service“ gehört zu keinem Zustand dieses Ablaufs",
        ),
        (
            "intake.consent and",
            "consent and",
            "workflows/case.toml",
            18,
            "„consent“ ist weder ein Formular dieses Ablaufs noch „record“",
        ),
    ],
)
def test_links_between_files_are_checked(old, new, path, line, fragment):
    case = CASE.replace(old, new)
    assert case != CASE
    defs, problems = build(
        {"intake": INTAKE, "service": SERVICE}, {"case": case, "directory": DIRECTORY}
    )
    assert str(only(problems, fragment)).startswith(f"{path}:{line}: ")
    # a broken link is reported, but the file itself parsed and stays usable
    assert "case" in defs.workflows


def test_reference_to_a_missing_workflow_is_reported_in_the_form():
    _, problems = build({"intake": INTAKE, "service": SERVICE}, {"case": CASE})
    problem = only(problems, "Ablauf „directory“ gibt es nicht")
    assert str(problem) == (
        "forms/intake.toml:22: Spalte „service“ von Feld „agencies“: Ablauf „directory“ gibt es "
        "nicht (workflows/directory.toml fehlt)"
    )


def test_a_broken_file_is_left_out_but_does_not_cascade():
    broken_intake = INTAKE.replace('type = "boolean"', 'type = "bool"')
    defs, problems = build(
        {"intake": broken_intake, "service": SERVICE}, {"case": CASE, "directory": DIRECTORY}
    )
    assert "intake" not in defs.forms
    assert "case" in defs.workflows
    # only the real mistake: no "form intake does not exist", no "field consent unknown"
    assert [str(p) for p in problems] == [
        "forms/intake.toml:8: Feld „consent“: unbekannter Feldtyp „bool“ (erlaubt: text, "
        "textarea, integer, decimal, date, boolean, select, multiselect, email, table, "
        "reference, file, time, datetime, phone, money, scale)"
    ]


def test_unused_form_is_a_warning():
    defs, problems = build(
        {"intake": INTAKE, "service": SERVICE, "spare": SERVICE},
        {"case": CASE, "directory": DIRECTORY},
    )
    problem = only(problems, "„spare“ wird in keinem Ablauf verwendet")
    assert problem.warning and problem.line == 1
    assert "spare" in defs.forms


def test_roles_are_checked_with_lines_from_config_toml():
    text = dedent(
        """\
        [server]
        name = "x"

        [roles.admin]
        label = "Admin"
        scope = "everything"

        [roles.clerk]
        lable = "Sachbearbeitung"

        [roles.Chef]
        label = "Chef"
        """
    )
    roles, problems = parse_roles(tomllib.loads(text)["roles"], "config.toml", text)
    assert [str(p) for p in problems] == [
        "config.toml:6: Rolle „admin“: „scope“ muss einer von own, organisation, all, none "
        "sein, nicht der Text „everything“",
        "config.toml:9: Rolle „clerk“: unbekannter Schlüssel „lable“ – meinten Sie „label“? "
        "(erlaubt: label, scope)",
        "config.toml:11: Rollen-Id „Chef“ ist ungültig: nur Kleinbuchstaben a–z, Ziffern und _, "
        "am Anfang ein Buchstabe",
    ]
    assert roles["clerk"].label == "clerk" and roles["clerk"].scope == "own"


def write_config(base: Path, forms: dict[str, str], workflows: dict[str, str]) -> None:
    (base / "forms").mkdir()
    (base / "workflows").mkdir()
    for name, text in forms.items():
        (base / "forms" / f"{name}.toml").write_text(text, encoding="utf-8")
    for name, text in workflows.items():
        (base / "workflows" / f"{name}.toml").write_text(text, encoding="utf-8")


def test_load_definitions_reads_directories_and_reports_paths_relative_to_base(tmp_path):
    write_config(
        tmp_path,
        {"intake": INTAKE, "service": SERVICE, "Bad-Name": SERVICE},
        {"case": CASE.replace('"team_lead"', '"boss"'), "directory": DIRECTORY},
    )
    (tmp_path / "forms" / "notes.txt").write_text("not a form")
    (tmp_path / "config.toml").write_text(
        "# roles\n[roles.case_manager]\nlabel = 'CM'\n[roles.team_lead]\nlabel = 'TL'\n"
    )
    defs, problems = load_definitions(
        tmp_path / "forms", tmp_path / "workflows", ROLES, base_dir=tmp_path
    )
    assert set(defs.forms) == {"intake", "service"}
    assert [str(p) for p in problems if not p.warning] == [
        "forms/Bad-Name.toml:1: Formular-Id „Bad-Name“ ist ungültig: nur Kleinbuchstaben a–z, "
        "Ziffern und _, am Anfang ein Buchstabe",
        "workflows/case.toml:9: Zustand „intake“: Rolle „boss“ gibt es nicht (config.toml "
        "[roles]: case_manager, team_lead)",
    ]


def test_load_definitions_accepts_a_byte_order_mark_and_reports_bad_encoding(tmp_path):
    write_config(tmp_path, {"service": SERVICE}, {"directory": DIRECTORY})
    (tmp_path / "forms" / "service.toml").write_bytes(b"\xef\xbb\xbf" + SERVICE.encode())
    (tmp_path / "forms" / "latin.toml").write_bytes('title = "Übersicht"\n'.encode("latin-1"))
    defs, problems = load_definitions(
        tmp_path / "forms", tmp_path / "workflows", {}, base_dir=tmp_path
    )
    assert "service" in defs.forms
    assert [str(p) for p in problems] == [
        "forms/latin.toml:1: Datei ist nicht in UTF-8 gespeichert"
    ]


def test_missing_directory_is_a_problem(tmp_path):
    (tmp_path / "workflows").mkdir()
    _, problems = load_definitions(
        tmp_path / "forms", tmp_path / "workflows", {}, base_dir=tmp_path
    )
    assert [str(p) for p in problems] == ["forms:1: Verzeichnis fehlt"]


def make_docx(path: Path, *paragraphs: str) -> None:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def test_check_templates(tmp_path):
    defs, _ = build({"intake": INTAKE, "service": SERVICE}, {"case": CASE, "directory": DIRECTORY})
    exports = tmp_path / "exports"
    exports.mkdir()
    assert [str(p) for p in check_templates(defs, exports)] == [
        "workflows/case.toml:19: Dokument „letter“: Vorlage „brief.docx“ fehlt in exports/"
    ]

    make_docx(
        exports / "brief.docx",
        "{{ record.title }}, {{ now }}: {{ intake.name }}",
        "{% for a in intake.agencies %}{{ a.agency }} ({{ loop.index }}){% endfor %}",
        "{% for h in history %}{{ h }}{% endfor %} {{ assessment.summary }} {{ nobody }}",
    )
    assert [str(p) for p in check_templates(defs, exports, base_dir=tmp_path)] == [
        f"exports/brief.docx:3: Vorlage „brief.docx“, Absatz „{{% for h in history %}}"
        f"{{{{ h }}}}{{% endfor %}} {{{{ assessment.summary }}}} {{{{ nobody }}}}“: „{name}“ ist "
        "weder ein Formular dieses Ablaufs noch record, history oder now "
        "(verfügbar: intake, record, history, now)"
        for name in ("assessment", "nobody")
    ]

    make_docx(exports / "brief.docx", "Sehr geehrte {{ intake.name ")
    problems = check_templates(defs, exports, base_dir=tmp_path)
    assert len(problems) == 1
    assert str(problems[0]).startswith(
        "exports/brief.docx:1: Vorlage „brief.docx“, Absatz „Sehr geehrte {{ intake.name“: "
        "„{{ … }}“ ist nicht vollständig"
    )

    (exports / "brief.docx").write_text("kein Word")
    assert [p.message for p in check_templates(defs, exports)] == [
        "Dokument „letter“: Vorlage „brief.docx“ ist keine lesbare Word-Datei (.docx): BadZipFile"
    ]


@pytest.mark.parametrize("base", [ROOT, ROOT / "tests" / "fixtures" / "foerderung"])
def test_shipped_configurations_have_no_errors(base):
    if not (base / "config.toml").is_file():
        pytest.skip("no configuration here")
    roles = tomllib.loads((base / "config.toml").read_text(encoding="utf-8")).get("roles", {})
    defs, problems = load_definitions(base / "forms", base / "workflows", roles, base_dir=base)
    assert [str(p) for p in problems if not p.warning] == []
    assert defs.workflows
    assert [str(p) for p in check_templates(defs, base / "exports", base_dir=base)] == []
