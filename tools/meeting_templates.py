"""The committee templates of the KIM configuration: invitation, minutes, decision register.

Built by tools/build_templates.py (which writes them to exports/ with the case templates).
``einladung.docx`` and ``protokoll.docx`` belong to workflows/meeting.toml and see
``meeting`` (forms/meeting.toml), ``record``, ``history`` and ``now``;
``beschlussregister.docx`` is the .docx export of the decision register and sees ``rows``
(one per decision or measure), ``title``, ``filters``, ``count`` and ``now``.
"""

from __future__ import annotations

from docx.shared import Pt
from docx_blocks import (
    CONTENT_CM,
    LANDSCAPE_CM,
    conditional,
    created_note,
    heading,
    key_value_table,
    loop_table,
    new_document,
    para,
    signatures,
)

TIME = (
    "{% if meeting.start_time %}",
    "{{ meeting.start_time }}",
    "{% if meeting.end_time %}",
    " bis ",
    "{{ meeting.end_time }}",
    "{% endif %}",
    " Uhr",
    "{% endif %}",
)


def _working_group(doc) -> None:
    conditional(
        doc,
        "meeting.working_group",
        lambda d: para(d, "Arbeitsgruppe: ", "{{ meeting.working_group }}"),
    )


def einladung():
    doc = new_document("Einladung", "{{ meeting.committee|label }}", footer_label="Sitzung")
    _working_group(doc)
    key_value_table(
        doc,
        [
            ("Sitzung", "{{ meeting.title }}"),
            ("Datum", '{{ meeting.date|datum("lang") }}'),
            ("Uhrzeit", TIME),
            ("Ort", "{{ meeting.place }}"),
            ("Sitzungsleitung", "{{ meeting.chair }}"),
        ],
    )
    para(doc, "Sehr geehrte Damen und Herren,")
    para(
        doc,
        "hiermit lade ich Sie herzlich zur Sitzung „",
        "{{ meeting.title }}",
        "“ des Gremiums „",
        "{{ meeting.committee|label }}",
        "“ ein. Die Tagesordnung:",
    )
    loop_table(
        doc,
        ["TOP", "Thema", "Einbringung"],
        "item in meeting.agenda",
        ["{{ item.no or loop.index }}", "{{ item.topic }}", "{{ item.presenter }}"],
        [1.5, 11.0, CONTENT_CM - 12.5],
        empty="Die Tagesordnung folgt.",
    )
    conditional(
        doc,
        "meeting.invitation_note",
        lambda d: (heading(d, "Hinweise"), para(d, "{{ meeting.invitation_note }}")),
    )
    heading(doc, "Eingeladen")
    loop_table(
        doc,
        ["Name", "Institution", "Funktion"],
        "person in meeting.attendance",
        ["{{ person.name }}", "{{ person.institution }}", "{{ person.function }}"],
        [5.5, 6.0, CONTENT_CM - 11.5],
    )
    closing = para(doc, "Mit freundlichen Grüßen")
    closing.paragraph_format.keep_with_next = True  # greeting and name on one page
    para(doc, "{{ meeting.chair }}").paragraph_format.space_before = Pt(18)
    created_note(doc)
    return doc


def _agenda_item(doc) -> None:
    """One agenda item of the minutes; the caller wraps it in {%p for item in … %}."""
    heading_paragraph = doc.add_heading(level=2)
    for text in ("TOP ", "{{ item.no or loop.index }}", ": ", "{{ item.topic }}"):
        heading_paragraph.add_run(text)
    conditional(doc, "item.presenter", lambda d: para(d, "Einbringung: ", "{{ item.presenter }}"))
    conditional(
        doc,
        "item.proposal",
        lambda d: para(d, "Vorschlag des Think Tank: ", "{{ item.proposal }}", size=9),
    )
    conditional(
        doc,
        "item.discussion",
        lambda d: (para(d, "Beratung", italic=True), para(d, "{{ item.discussion }}")),
    )
    conditional(
        doc,
        "item.decision",
        lambda d: (para(d, "Beschluss / Ergebnis", italic=True), para(d, "{{ item.decision }}")),
    )
    conditional(
        doc,
        "item.measure",
        lambda d: (
            para(d, "Maßnahme", italic=True),
            para(d, "{{ item.measure }}"),
            para(
                d,
                "Verantwortlich: ",
                "{{ item.owner or '–' }}",
                " · fällig am: ",
                "{{ item.due|datum or '–' }}",
                " · Indikator: ",
                "{{ item.indicator or '–' }}",
                size=9,
            ),
        ),
    )
    conditional(
        doc,
        "item.financial_impact",
        lambda d: para(d, "Der Beschluss hat finanzielle Auswirkungen.", italic=True),
    )
    conditional(
        doc,
        "item.escalation",
        lambda d: para(
            d,
            "Hinweis: Die politischen Gremien (Integrationsrat bzw. Ausschuss für Gesundheit "
            "und Soziales) sind zu beteiligen.",
            italic=True,
        ),
    )


def protokoll():
    doc = new_document("Protokoll", "{{ meeting.committee|label }}", footer_label="Sitzung")
    _working_group(doc)
    key_value_table(
        doc,
        [
            ("Sitzung", "{{ meeting.title }}"),
            ("Datum", "{{ meeting.date|datum }}"),
            ("Uhrzeit", TIME),
            ("Ort", "{{ meeting.place }}"),
            ("Sitzungsleitung", "{{ meeting.chair }}"),
            ("Protokoll", "{{ meeting.minute_taker }}"),
            ("Stand des Protokolls", "{{ record.state_label }}"),
        ],
    )
    heading(doc, "Teilnehmende")
    loop_table(
        doc,
        ["Name", "Institution", "Funktion", "Anwesenheit", "Bemerkung"],
        "person in meeting.attendance",
        [
            "{{ person.name }}",
            "{{ person.institution }}",
            "{{ person.function }}",
            "{{ person.presence|label }}",
            "{{ person.note }}",
        ],
        [4.0, 3.8, 3.0, 2.5, CONTENT_CM - 13.3],
        empty="Keine Teilnehmenden eingetragen.",
    )
    heading(doc, "Tagesordnung und Ergebnisse")
    para(doc, "{%p for item in meeting.agenda %}")
    _agenda_item(doc)
    para(doc, "{%p endfor %}")
    heading(doc, "Übersicht der Maßnahmen")
    loop_table(
        doc,
        ["TOP / Thema", "Maßnahme", "Verantwortlich", "Fällig am", "Indikator", "Stand"],
        "item in meeting.agenda if item.measure",
        [
            ("{{ item.no }}", "{% if item.no %} {% endif %}", "{{ item.topic }}"),
            "{{ item.measure }}",
            "{{ item.owner }}",
            "{{ item.due|datum }}",
            "{{ item.indicator }}",
            "{{ item.status|label or 'offen' }}",
        ],
        [3.0, 4.5, 2.6, 2.2, 2.4, CONTENT_CM - 14.7],
        size=8,  # six columns on a portrait page
    )
    conditional(
        doc,
        "meeting.next_meeting",
        lambda d: para(d, "Nächste Sitzung: ", '{{ meeting.next_meeting|datum("lang") }}'),
    )
    conditional(
        doc,
        "meeting.notes",
        lambda d: (heading(d, "Sonstiges"), para(d, "{{ meeting.notes }}")),
    )
    signatures(
        doc,
        "Sitzungsleitung ({{ meeting.chair }})",
        ("Protokoll (", "{{ meeting.minute_taker }}", ")"),
        ("Düsseldorf, den ", "{{ now|datum }}"),
        closing="Für die Richtigkeit des Protokolls:",
    )
    created_note(doc)
    return doc


def beschlussregister():
    doc = new_document(
        "Beschluss- und Maßnahmenregister",
        "Lenkungskreis und Think Tank KIM (Handlungskonzept 3.1, 3.3)",
        footer_label=None,
        landscape=True,
    )
    para(doc, "Stand ", "{{ now }}", " · ", "{{ filters }}", " · ", "{{ count }}", " Einträge")
    loop_table(
        doc,
        [
            "Sitzung",
            "TOP / Thema",
            "Beschluss / Ergebnis",
            "Maßnahme",
            "Verantwortlich",
            "Fällig",
            "Indikator",
            "Stand",
        ],
        "r in rows",
        [
            ("{{ r.meeting }}", " (", "{{ r.date|datum }}", ") ", "{{ r.group }}"),
            ("{{ r.item }}", " ", "{{ r.topic }}"),
            "{{ r.decision }}",
            "{{ r.measure }}",
            "{{ r.owner }}",
            "{{ r.due|datum }}",
            "{{ r.indicator }}",
            ("{{ r.status_label }}", "{% if r.note %}", ": ", "{{ r.note }}", "{% endif %}"),
        ],
        [3.4, 3.2, 4.4, 4.0, 2.6, 2.0, 3.0, LANDSCAPE_CM - 22.6],
        empty="Keine Einträge für diese Auswahl.",
        size=8,  # eight columns: 10 pt would break "Integrationsmanagement" mid-word
    )
    return doc


MEETING_TEMPLATES = {
    "einladung.docx": einladung,
    "protokoll.docx": protokoll,
    "beschlussregister.docx": beschlussregister,
}
