"""`verbund check` finds what would break a document before anybody asks for one.

Checked against the fixture office (tests/fixtures/foerderung): form ``antrag`` with the
table ``posten`` (columns posten, betrag) and the multiselect ``sparten``, form ``bescheid``
with the select ``entscheidung``. A problem is ``path:paragraph: message``.
"""

from __future__ import annotations

import io
import shutil
import tomllib
from pathlib import Path

import docx
from click.testing import CliRunner

from server.cli import main
from server.documents.checking import check_templates, template_problems
from server.schema import load_definitions

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "foerderung"
ROLES = tomllib.loads((FIXTURE / "config.toml").read_text("utf-8"))["roles"]
DEFS, _ = load_definitions(FIXTURE / "forms", FIXTURE / "workflows", ROLES, base_dir=FIXTURE)


def make(*paragraphs: str, table: list[str] | None = None, footer: str = "") -> bytes:
    """A .docx with one paragraph per text (each one run) and optionally a looped table."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    if table:
        rows = document.add_table(rows=len(table), cols=1)
        for row, text in zip(rows.rows, table, strict=True):
            row.cells[0].paragraphs[0].add_run(text)
    if footer:
        document.sections[0].footer.paragraphs[0].add_run(footer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def problems(content: bytes, name: str = "eingang.docx") -> list[tuple[int, str]]:
    return template_problems(DEFS, name, content)


def test_a_clean_template_has_no_problems():
    content = make(
        "{{ record.title }} {{ now }} {{ antrag.verein }} {{ antrag.beginn|datum }}",
        "{{ antrag.sparten|label }} {{ bescheid.entscheidung|label }} {{ antrag.betrag|euro }}",
        "{%p if antrag.gemeinnuetzig %}",
        "{{ antrag.nachweis }}",
        "{%p endif %}",
        "{% for h in history %}{{ h.to_label }} {{ h.at }}{% endfor %}",
        "{% set summe = antrag.betrag %}{{ summe|zahl(2) }} {{ antrag.beginn.year }}",
        table=[
            "{%tr for p in antrag.posten %}",
            "{{ p.posten }}: {{ p.betrag|zahl }}",
            "{%tr endfor %}",
        ],
    )
    assert problems(content) == []


def test_unknown_fields_columns_and_names_are_reported_where_they_stand():
    content = make(
        "Verein: {{ antrag.verien }}",
        "ok",
        "{{ antrag.verein.kurz }} und {{ gibtsnicht }}",
        table=["{%tr for p in antrag.posten %}", "{{ p.betrg }}", "{%tr endfor %}"],
        footer="{{ record.nummer }}",
    )
    found = problems(content)
    assert found == [
        (
            1,
            "Vorlage „eingang.docx“, Absatz „Verein: {{ antrag.verien }}“: „antrag.verien“: das "
            "Formular „antrag“ hat kein Feld „verien“ – gemeint ist vielleicht „verein“",
        ),
        (
            3,
            "Vorlage „eingang.docx“, Absatz „{{ antrag.verein.kurz }} und {{ gibtsnicht }}“: "
            "„antrag.verein.kurz“: „antrag.verein“ ist ein einzelner Wert ohne „kurz“",
        ),
        (
            3,
            "Vorlage „eingang.docx“, Absatz „{{ antrag.verein.kurz }} und {{ gibtsnicht }}“: "
            "„gibtsnicht“ ist weder ein Formular dieses Ablaufs noch record, history oder now "
            "(verfügbar: antrag, bescheid, record, history, now)",
        ),
        (
            5,
            "Vorlage „eingang.docx“, Absatz „{{ p.betrg }}“: „p.betrg“: die Tabelle "
            "„antrag.posten“ hat keine Spalte „betrg“ – gemeint ist vielleicht „betrag“",
        ),
        (
            1,
            "Vorlage „eingang.docx“ (Fußzeile), Absatz „{{ record.nummer }}“: „record.nummer“: "
            "record hat keine Angabe „nummer“",
        ),
    ]


def test_misused_filters_loops_and_calls():
    content = make(
        "{{ antrag.verein|label }}",
        "{{ antrag.beginn|datu }}",
        "{% for x in antrag.verein %}{{ x }}{% endfor %}",
        "{{ antrag.verein.upper() }}",
        "{{ antrag.posten.betrag }}",
    )
    messages = [m.split("“: ", 1)[1] for _line, m in problems(content)]
    assert messages == [
        "„|label“ gehört an ein Auswahlfeld; „antrag.verein“ ist vom Typ text",
        "unbekannter Filter „|datu“ (deutsche Filter: datum, zahl, euro, janein, label)",
        "„antrag.verein“ ist keine Tabelle; eine Schleife braucht eine Tabelle oder Liste",
        "„antrag.verein.upper(…)“: Vorlagen dürfen nichts aufrufen, nur Werte einsetzen "
        "(erlaubt: range(…), loop.cycle(…) und loop.changed(…))",
        "„antrag.posten.betrag“: „antrag.posten“ ist eine Tabelle; ihre Zeilen mit "
        "{%tr for zeile in … %} durchgehen",
    ]


def test_syntax_errors_name_the_paragraph():
    unclosed = problems(make("Anfang", "Sehr geehrte {{ antrag.verein "))
    assert unclosed == [
        (
            2,
            "Vorlage „eingang.docx“, Absatz „Sehr geehrte {{ antrag.verein“: „{{ … }}“ ist nicht "
            "vollständig – jeder Platzhalter muss in einem Absatz geöffnet und geschlossen werden",
        )
    ]
    endless = problems(make("a", "b", "{% if antrag.verein %}", "c"))
    assert len(endless) == 1 and endless[0][1].startswith(
        "Vorlage „eingang.docx“, Absatz „{% if antrag.verein %}“: fehlerhafter Platzhalter "
        "(Unexpected end of template."
    )
    assert endless[0][0] == 3


def test_check_templates_reports_path_and_paragraph(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(FIXTURE / "exports", exports)
    (exports / "bescheid.docx").write_bytes(make("x", "{{ bescheid.entscheidng }}"))
    found = [str(p) for p in check_templates(DEFS, exports, base_dir=tmp_path)]
    assert found == [
        "exports/bescheid.docx:2: Vorlage „bescheid.docx“, Absatz „{{ bescheid.entscheidng }}“: "
        "„bescheid.entscheidng“: das Formular „bescheid“ hat kein Feld „entscheidng“ – gemeint "
        "ist vielleicht „entscheidung“"
    ]


def test_verbund_check_covers_files_and_revisions_uploaded_in_the_browser(tmp_path):
    office = tmp_path / "office"
    shutil.copytree(FIXTURE, office)
    (office / "exports" / "eingang.docx").write_bytes(make("{{ antrag.vrein }}"))
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(office / "config.toml"), "check"])
    assert result.exit_code == 1
    assert "exports/eingang.docx:1: Vorlage „eingang.docx“" in result.output
    assert "„antrag.vrein“" in result.output

    # a database with a stored revision that differs from the file: checked too
    from server.config import load_settings
    from server.documents.store import add_revision
    from server.models import create_tables, database, open_database

    open_database(load_settings(str(office / "config.toml")).database_url)
    with database.connection_context():
        create_tables()
        add_revision("bescheid.docx", make("{{ bescheid.grund }}"), source="upload")
    database.close()
    result = runner.invoke(main, ["--config", str(office / "config.toml"), "check"])
    assert result.exit_code == 1
    assert (
        "bescheid.docx (Fassung 1):1: Vorlage „bescheid.docx“, Absatz „{{ bescheid.grund }}“: "
        "„bescheid.grund“: das Formular „bescheid“ hat kein Feld „grund“" in result.output
    )


def test_the_shipped_kim_templates_pass_the_check():
    root = Path(__file__).resolve().parents[2]
    roles = tomllib.loads((root / "config.toml").read_text("utf-8"))["roles"]
    defs, _ = load_definitions(root / "forms", root / "workflows", roles, base_dir=root)
    from server.config import load_settings
    from server.services.register.decisions import register_special

    special = register_special(load_settings(str(root / "config.toml")))
    assert "beschlussregister.docx" in special
    assert check_templates(defs, root / "exports", base_dir=root, special=special) == []


def test_paragraph_tags_must_stand_alone():
    content = make(
        "Text davor {%p if antrag.gemeinnuetzig %}",
        "bedingt",
        "{%p endif %}",
        table=["{%tr for p in antrag.posten %} Zeile", "{{ p.posten }}", "{%tr endfor %}"],
    )
    assert problems(content) == [
        (
            1,
            "Vorlage „eingang.docx“, Absatz „Text davor {%p if antrag.gemeinnuetzig %}“: "
            "„{%p if antrag.gemeinnuetzig %}“ muss allein in seinem Absatz stehen – docxtpl "
            "ersetzt den ganzen Absatz durch ihn, der übrige Text ginge verloren",
        ),
        (
            4,
            "Vorlage „eingang.docx“, Absatz „{%tr for p in antrag.posten %} Zeile“: "
            "„{%tr for p in antrag.posten %}“ muss allein in seinem Absatz stehen – docxtpl "
            "ersetzt die ganze Tabellenzeile durch ihn, der übrige Text ginge verloren",
        ),
    ]


def test_huge_constants_and_internal_names_are_refused_by_the_check():
    content = make(
        "{{ 'a' * 30000000 }}",
        "{{ ((9**999)**999)**12 > 0 }}",
        "{{ 'x'|center(20000000) }}",
        "{{ antrag.verein|attr('__class__') }}",
        "{% for p in antrag.posten %}{{ loop.cycle.__globals__ }}{% endfor %}",
        "{{ antrag.verein['__len__'] }}",
        "{{ antrag.verein|attr(antrag.zweck) }}",
        "{{ '-' * 40 }} {{ 2 ** 10 }} {{ antrag.verein|e }}",  # small constants are fine
    )
    found = problems(content)
    assert sorted({line for line, _message in found}) == [1, 2, 3, 4, 5, 6, 7], found
    text = "\n".join(message for _line, message in found)
    assert "riesigen Wert (30.000.000 Zeichen oder Einträge, erlaubt sind höchstens 100.000)" in (
        text
    )
    assert "riesige Zahl" in text and "(20.000.000 Zeichen" in text
    for name in ("__class__", "__globals__", "__len__"):
        assert f"„{name}“: Namen mit „_“ am Anfang sind interne Angaben, keine Werte" in text
    assert "„|attr(…)“ braucht einen festen Namen" in text


def test_verbund_check_refuses_a_zip_bomb_without_unpacking_it(tmp_path):
    from tests.documents.test_docx_check import paragraph_bomb

    office = tmp_path / "office"
    shutil.copytree(FIXTURE, office)
    (office / "exports" / "eingang.docx").write_bytes(paragraph_bomb(40))
    result = CliRunner().invoke(main, ["--config", str(office / "config.toml"), "check"])
    assert result.exit_code == 1
    expected = "exports/eingang.docx:1: Vorlage „eingang.docx“: Die Datei ist entpackt viel zu groß"
    assert expected in result.output
