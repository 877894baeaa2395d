"""Build the Word templates of the KIM configuration (exports/*.docx) with python-docx.

    .venv/bin/python tools/build_templates.py            # writes exports/
    .venv/bin/python tools/build_templates.py --out DIR  # writes elsewhere (tests)

Case management (this file): Zielvereinbarung, Hilfeplan, Abschlussbericht; the consent form
(Einwilligung) in German, English, Ukrainian and Arabic (tools/consent_template.py).
Committees (tools/meeting_templates.py): Einladung, Protokoll, Beschlussregister.
System level and Baustein 3 (tools/system_templates.py): Kooperationsvereinbarung,
Beschlussvorlage, Umsetzungsbericht, Ergebnisprotokoll der Fallberatung, Checkliste
Einbürgerung.

The templates are docxtpl templates. A template sees ``record`` (id, title, state, state_label,
organisation, owner, created, updated), every form of its workflow under its id
(``intake.name``; table fields are lists of rows, [] when never saved), ``history`` and
``now``, and formats with the German filters (docs/configuration.md): ``|datum`` for dates,
``|label`` for the text of a choice, ``|janein``, ``|zahl``, ``|euro``.

Rules kept here so the templates stay renderable (tools/docx_blocks.py does the work):

* Every Jinja tag is written with a single ``add_run`` call, so it lives in exactly one run.
* Table rows repeat with ``{%tr for row in <form>.<table> %}`` … ``{%tr endfor %}``, each in a
  row of its own; the row in between holds the cells.
* Optional passages are ``{%p if … %}`` … ``{%p endif %}`` paragraphs, so nothing is left
  behind as an empty line when the condition does not hold.
* Only names the workflow provides are used (``verbund check`` and
  tests/test_kim_templates.py check this, down to fields and table columns).

Once the city edits a template in Word (or uploads one under Verwaltung → Word-Vorlagen),
that revision is the source of truth and this script should no longer be run over it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from consent_template import CONSENT_TEMPLATES  # noqa: E402
from docx_blocks import (  # noqa: E402
    CONTENT_CM,
    conditional,
    created_note,
    heading,
    key_value_table,
    loop_table,
    new_document,
    para,
    signatures,
)
from meeting_templates import MEETING_TEMPLATES  # noqa: E402
from system_templates import SYSTEM_TEMPLATES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------
# The four case management templates
# ------------------------------------------------------------------------------------------


def case_facts(doc, extra: list[tuple[str, str]] = ()) -> None:
    key_value_table(
        doc,
        [
            ("Fall-Nr.", "{{ record.id }}"),
            ("Ratsuchende*r", "{{ intake.name }}"),
            ("Geburtsjahr", "{{ intake.birth_year }}"),
            ("Case Manager*in", "{{ record.owner }}"),
            ("Organisation", "{{ record.organisation }}"),
            *extra,
        ],
    )


def measures_table(doc) -> None:
    """The measures of the service plan; the service comes from the directory (its name)."""
    loop_table(
        doc,
        ["Maßnahme", "Angebot / Stelle", "Verantwortlich", "Fällig am", "Stand"],
        "row in planning.measures",
        [
            "{{ row.measure }}",
            "{{ row.service or row.other_provider }}",
            "{{ row.responsible }}",
            "{{ row.due|datum }}",
            "{{ row.status|label }}",
        ],
        [4.8, 4.0, 3.2, 2.3, CONTENT_CM - 14.3],
    )


def zielvereinbarung():
    doc = new_document("Zielvereinbarung", "im Case Management des KIM Düsseldorf")
    case_facts(doc, [("Vereinbart am", "{{ goals.agreed_on|datum }}")])

    para(
        doc,
        "Auf Grundlage des gemeinsamen Assessments vereinbaren ",
        "{{ intake.name }}",
        " und ",
        "{{ record.owner }}",
        " folgende Ziele:",
    )
    loop_table(
        doc,
        ["Nr.", "Ziel", "Woran wir die Zielerreichung erkennen", "Bis"],
        "row in goals.goals",
        [
            "{{ loop.index }}",
            "{{ row.goal }}",
            "{{ row.indicator }}",
            "{{ row.target_date|datum }}",
        ],
        [1.2, 6.8, 4.5, CONTENT_CM - 12.5],
    )

    conditional(
        doc,
        "goals.notes",
        lambda d: (heading(d, "Anmerkungen"), para(d, "{{ goals.notes }}")),
    )
    signatures(
        doc,
        "Unterschrift Ratsuchende*r",
        ("Unterschrift Case Manager*in (", "{{ record.owner }}", ")"),
        ("Düsseldorf, den ", "{{ goals.agreed_on|datum }}"),
        closing="Die Ziele werden im weiteren Verlauf gemeinsam überprüft und bei Bedarf "
        "angepasst. Die Teilnahme am Case Management bleibt freiwillig.",
    )
    created_note(doc)
    return doc


def hilfeplan():
    doc = new_document("Hilfeplan", "Vernetzung und Steuerung der Hilfen im Case Management")
    case_facts(
        doc,
        [
            ("Hilfeplan erstellt am", "{{ planning.plan_date|datum }}"),
            ("Stand der Vermittlung", "{{ monitoring.referral_status|label }}"),
            ("Nächstes Monitoring-Gespräch", "{{ monitoring.next_contact|datum }}"),
        ],
    )

    heading(doc, "Vereinbarte Ziele")
    loop_table(
        doc,
        ["Ziel", "Bis"],
        "row in goals.goals",
        ["{{ row.goal }}", "{{ row.target_date|datum }}"],
        [CONTENT_CM - 3.0, 3.0],
    )

    heading(doc, "Maßnahmen")
    measures_table(doc)

    conditional(
        doc,
        "monitoring.referrals",
        lambda d: (
            heading(d, "Stand der Vermittlungen"),
            loop_table(
                d,
                ["Angebot / Stelle", "Stand", "Stand vom"],
                "row in monitoring.referrals",
                [
                    "{{ row.service or row.other_provider }}",
                    "{{ row.status|label }}",
                    "{{ row.since|datum }}",
                ],
                [7.0, 6.0, CONTENT_CM - 13.0],
            ),
        ),
    )

    heading(doc, "Beteiligte Stellen")
    loop_table(
        doc,
        ["Stelle", "Ansprechperson", "Thema"],
        "row in intake.agencies",
        ["{{ row.agency }}", "{{ row.contact }}", "{{ row.topic }}"],
        [5.5, 4.5, CONTENT_CM - 10.0],
    )

    conditional(
        doc,
        "planning.notes",
        lambda d: (heading(d, "Anmerkungen"), para(d, "{{ planning.notes }}")),
    )
    signatures(
        doc,
        "Unterschrift Ratsuchende*r",
        ("Unterschrift Case Manager*in (", "{{ record.owner }}", ")"),
        ("Düsseldorf, den ", "{{ planning.plan_date|datum }}"),
        closing="Der Hilfeplan wurde gemeinsam besprochen; er wird im Monitoring überprüft "
        "und fortgeschrieben.",
    )
    created_note(doc)
    return doc


def abschlussbericht():
    doc = new_document("Abschlussbericht", "Evaluation und Fallabschluss im Case Management")
    case_facts(
        doc,
        [
            ("Zielgruppe", "{{ intake.target_group|label }}"),
            ("Zugangsweg", "{{ intake.access_channel|label }}"),
            ("Fall angelegt am", "{{ record.created|datum }}"),
            ("Einwilligung erteilt am", "{{ intake.consent_date|datum }}"),
            ("Abschlussdatum", "{{ evaluation.closing_date|datum }}"),
            ("Abschlussgrund", "{{ evaluation.closing_reason|label }}"),
            ("Zielerreichung", "{{ evaluation.goal_attainment|label }}"),
            ("Zufriedenheit", "{{ evaluation.satisfaction|label }}"),
            ("Transferleistungen", "{{ evaluation.transfer_change|label }}"),
            ("Dokumentierte Kontakte", "{{ monitoring.contacts|length }}"),
        ],
    )

    heading(doc, "Ziele")
    loop_table(
        doc,
        ["Ziel", "Indikator", "Bis"],
        "row in goals.goals",
        ["{{ row.goal }}", "{{ row.indicator }}", "{{ row.target_date|datum }}"],
        [7.5, 5.0, CONTENT_CM - 12.5],
    )

    heading(doc, "Maßnahmen")
    measures_table(doc)

    heading(doc, "Verlauf und Ergebnis")
    para(doc, "{{ evaluation.summary }}")

    heading(doc, "Erkannte Barrieren")
    para(
        doc,
        "Fallübergreifende Barrieren gehen ohne Personenbezug an die KIM-Koordination.",
        size=8,
        italic=True,
    )
    loop_table(
        doc,
        ["Kategorie", "Institution", "Beschreibung", "Systemebene"],
        "row in barriers.entries",
        [
            "{{ row.category|label }}",
            "{{ row.institution }}",
            "{{ row.description }}",
            "{{ row.system_level|janein }}",
        ],
        [3.0, 3.5, CONTENT_CM - 9.0, 2.5],
    )

    heading(doc, "Verlauf der Phasen")
    loop_table(
        doc,
        ["Zeitpunkt", "Schritt", "Neue Phase", "durch"],
        "row in history",
        ["{{ row.at }}", "{{ row.label }}", "{{ row.to_label }}", "{{ row.user }}"],
        [3.2, 5.5, 4.0, CONTENT_CM - 12.7],
    )

    signatures(
        doc,
        ("Case Manager*in (", "{{ record.owner }}", ")"),
        None,
        ("Düsseldorf, den ", "{{ evaluation.closing_date|datum }}"),
        closing="Für die Richtigkeit der Angaben:",
    )
    created_note(doc)
    return doc


CASE_TEMPLATES = {
    **CONSENT_TEMPLATES,
    "zielvereinbarung.docx": zielvereinbarung,
    "hilfeplan.docx": hilfeplan,
    "abschlussbericht.docx": abschlussbericht,
}
TEMPLATES = {**CASE_TEMPLATES, **MEETING_TEMPLATES, **SYSTEM_TEMPLATES}


def build(out_dir: Path) -> list[Path]:
    """Write every template to ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, make in TEMPLATES.items():
        path = out_dir / filename
        make().save(path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "exports", help="target directory")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
