"""Word templates of the KIM system level and of Baustein 3 (built by build_templates.py).

* ``kooperationsvereinbarung.docx`` – workflows/agreement.toml (``agreement``)
* ``beschlussvorlage.docx`` and ``umsetzungsbericht.docx`` – workflows/proposal.toml
  (``proposal``, ``proposal_decision``, ``proposal_implementation``)
* ``fallberatung.docx`` – workflows/case_conference.toml (``case_conference``); the case is a
  reference, which a document prints as "Nr. 12" (pseudonymised, see
  server/documents/references.py)
* ``einbuergerung_checkliste.docx`` – workflows/ebh_support.toml (``ebh_support``)

Same rules as the case templates: one Jinja tag per run, ``{%tr %}``/``{%p %}`` in rows or
paragraphs of their own, only names the workflow provides.
"""

from __future__ import annotations

from docx_blocks import (
    CONTENT_CM,
    conditional,
    created_note,
    heading,
    key_value_table,
    loop_table,
    new_document,
    para,
)

PROPOSAL_BARRIERS = (
    ["Barriere (Register)", "Bezug"],
    "row in proposal.barriers",
    ["{{ row.barrier }}", "{{ row.note }}"],
    [8.0, CONTENT_CM - 8.0],
)


def kooperationsvereinbarung():
    doc = new_document("Kooperationsvereinbarung", "{{ agreement.title }}", "Vereinbarung")
    para(doc, "zwischen")
    loop_table(
        doc,
        ["Partner", "vertreten durch"],
        "row in agreement.parties",
        ["{{ row.party }}", "{{ row.represented_by }}"],
        [9.0, CONTENT_CM - 9.0],
        empty="Die Partner sind noch einzutragen.",
    )
    heading(doc, "§ 1 Gegenstand und Ziel")
    para(doc, "{{ agreement.subject }}")
    heading(doc, "§ 2 Aufgaben und Pflichten")
    loop_table(
        doc,
        ["Partner", "Aufgabe / Pflicht"],
        "row in agreement.obligations",
        ["{{ row.party }}", "{{ row.obligation }}"],
        [4.5, CONTENT_CM - 4.5],
    )
    heading(doc, "§ 3 Datenschutz und Datenaustausch")
    conditional(
        doc,
        "agreement.data_exchange",
        lambda d: (
            para(d, "Die Partner tauschen personenbezogene Daten aus:"),
            para(d, "{{ agreement.data_categories }}"),
            para(d, "Rechtsgrundlage: ", "{{ agreement.legal_basis }}"),
            para(
                d,
                "Daten werden nur ausgetauscht, soweit es für den Zweck dieser Vereinbarung "
                "nötig ist. Jeder Partner bleibt für seine Verarbeitung verantwortlich.",
            ),
        ),
    )
    conditional(
        doc,
        "not agreement.data_exchange",
        lambda d: para(
            d,
            "Personenbezogene Daten von Ratsuchenden werden auf Grundlage dieser Vereinbarung "
            "nicht ausgetauscht.",
        ),
    )
    heading(doc, "§ 4 Ansprechpersonen")
    loop_table(
        doc,
        ["Partner", "Name", "Telefon", "E-Mail"],
        "row in agreement.contacts",
        ["{{ row.party }}", "{{ row.name }}", "{{ row.phone }}", "{{ row.email }}"],
        [4.5, 4.0, 3.2, CONTENT_CM - 11.7],
    )
    heading(doc, "§ 5 Laufzeit, Überprüfung und Kündigung")
    key_value_table(
        doc,
        [
            ("Gültig ab", "{{ agreement.valid_from|datum }}"),
            ("Gültig bis", "{{ agreement.valid_until|datum or 'unbefristet' }}"),
            ("Überprüfung", "{{ agreement.review_interval|label }}"),
            ("Kündigung", "{{ agreement.notice }}"),
        ],
    )
    heading(doc, "Unterschriften")
    loop_table(
        doc,
        ["Partner", "Ort, Datum", "Unterschrift"],
        "row in agreement.parties",
        ["{{ row.party }}", ("Düsseldorf, ", "{{ agreement.signed_on|datum }}"), ""],
        [5.5, 4.5, CONTENT_CM - 10.0],
    )
    created_note(doc)
    return doc


def beschlussvorlage():
    doc = new_document(
        "Beschlussvorlage",
        "für den Lenkungskreis Kommunales Integrationsmanagement",
        "Vorschlag",
    )
    key_value_table(
        doc,
        [
            ("Vorschlag", "{{ proposal.title }}"),
            ("Arbeitsgruppe (Think Tank)", "{{ proposal.working_group }}"),
            ("Federführung", "{{ proposal.lead }}"),
            ("Stand", "{{ record.state_label }}"),
        ],
    )
    heading(doc, "1. Ausgangslage")
    para(doc, "{{ proposal.problem }}")
    heading(doc, "2. Anlass: Barrieren auf der Systemebene")
    loop_table(doc, *PROPOSAL_BARRIERS, empty="Keine Barriere aus dem Register verknüpft.")
    heading(doc, "3. Beschlussvorschlag")
    para(doc, "{{ proposal.proposal }}")
    heading(doc, "4. Erwartete Wirkung und Indikatoren")
    para(doc, "{{ proposal.expected_effect }}")
    heading(doc, "5. Finanzielle Auswirkungen")
    conditional(
        doc,
        "proposal.financial_impact",
        lambda d: (
            para(
                d,
                "Geschätzte Kosten pro Jahr: ",
                "{{ proposal.costs|euro }}",
                "{% if proposal.funding %}",
                " · Finanzierung: ",
                "{{ proposal.funding }}",
                "{% endif %}",
            ),
            para(
                d,
                "Der Vorschlag hat finanzielle Auswirkungen: Vor dem Beschluss werden die "
                "politischen Gremien beteiligt (Integrationsrat bzw. Ausschuss für Gesundheit "
                "und Soziales, Handlungskonzept 3.1.1).",
                italic=True,
            ),
        ),
    )
    conditional(doc, "not proposal.financial_impact", lambda d: para(d, "Keine."))
    heading(doc, "6. Verwaltungsinterne Abstimmung")
    loop_table(
        doc,
        ["Amt / Stelle", "Am", "Ergebnis", "Hinweise"],
        "row in proposal.alignment",
        ["{{ row.office }}", "{{ row.date|datum }}", "{{ row.result|label }}", "{{ row.note }}"],
        [4.5, 2.3, 3.7, CONTENT_CM - 10.5],
        empty="Noch nicht abgestimmt.",
    )
    created_note(doc)
    return doc


def umsetzungsbericht():
    doc = new_document("Umsetzungsbericht", "{{ proposal.title }}", "Vorschlag")
    key_value_table(
        doc,
        [
            ("Arbeitsgruppe (Think Tank)", "{{ proposal.working_group }}"),
            ("Beraten am", "{{ proposal_decision.decided_on|datum }}"),
            ("Sitzung", "{{ proposal_decision.meeting }}"),
            (
                "Politisches Gremium",
                (
                    "{{ proposal_decision.referred_to|label or '–' }}",
                    "{% if proposal_decision.political_result %}",
                    " (",
                    "{{ proposal_decision.political_result|label }}",
                    ")",
                    "{% endif %}",
                ),
            ),
            ("Stand", "{{ record.state_label }}"),
        ],
    )
    heading(doc, "Beschluss")
    para(doc, "{{ proposal_decision.decision_text }}")
    heading(doc, "Maßnahmen und Indikatoren")
    loop_table(
        doc,
        ["Maßnahme", "Verantwortlich", "Fällig", "Indikator", "Zielwert", "Stand"],
        "row in proposal_implementation.measures",
        [
            "{{ row.measure }}",
            "{{ row.owner }}",
            "{{ row.due|datum }}",
            "{{ row.indicator }}",
            "{{ row.target }}",
            "{{ row.status|label }}",
        ],
        [4.6, 2.8, 2.0, 3.4, 1.8, CONTENT_CM - 14.6],
    )
    conditional(
        doc,
        "proposal_implementation.result",
        lambda d: (heading(d, "Ergebnis"), para(d, "{{ proposal_implementation.result }}")),
    )
    conditional(
        doc,
        "proposal_implementation.completed_on",
        lambda d: para(
            d, "Umsetzung abgeschlossen am ", "{{ proposal_implementation.completed_on|datum }}."
        ),
    )
    heading(doc, "Anlass: Barrieren auf der Systemebene")
    loop_table(doc, *PROPOSAL_BARRIERS)
    created_note(doc)
    return doc


def fallberatung():
    doc = new_document("Ergebnisprotokoll", "{{ case_conference.kind|label }}", "Fallberatung")
    para(
        doc,
        "Pseudonymisiert: Dieses Protokoll nennt keine Namen. Der Fall ist nur über seine "
        "Nummer im Case Management bestimmbar.",
        size=8,
        italic=True,
    )
    key_value_table(
        doc,
        [
            ("Fragestellung", "{{ case_conference.topic }}"),
            ("Datum", "{{ case_conference.date|datum }}"),
            ("Fall", "{{ case_conference.case or '–' }}"),
        ],
    )
    heading(doc, "Beteiligte")
    loop_table(
        doc,
        ["Institution", "Funktion"],
        "row in case_conference.participants",
        ["{{ row.institution }}", "{{ row.function }}"],
        [8.0, CONTENT_CM - 8.0],
    )
    heading(doc, "Ausgangslage")
    para(doc, "{{ case_conference.situation }}")
    conditional(
        doc,
        "case_conference.hypotheses",
        lambda d: (
            heading(d, "Hypothesen und Sichtweisen"),
            para(d, "{{ case_conference.hypotheses }}"),
        ),
    )
    heading(doc, "Empfehlungen")
    para(doc, "{{ case_conference.recommendations }}")
    heading(doc, "Vereinbarte Schritte")
    loop_table(
        doc,
        ["Schritt", "Verantwortlich", "Bis"],
        "row in case_conference.steps",
        ["{{ row.step }}", "{{ row.responsible }}", "{{ row.due|datum }}"],
        [8.5, 5.0, CONTENT_CM - 13.5],
    )
    conditional(
        doc,
        "case_conference.barriers",
        lambda d: (
            heading(d, "Barrieren für die Systemebene"),
            loop_table(
                d,
                ["Kategorie", "Institution", "Beschreibung"],
                "row in case_conference.barriers",
                ["{{ row.category|label }}", "{{ row.institution }}", "{{ row.description }}"],
                [4.0, 4.0, CONTENT_CM - 8.0],
            ),
        ),
    )
    created_note(doc)
    return doc


def einbuergerung_checkliste():
    doc = new_document(
        "Checkliste Einbürgerung",
        "Beratung und Prozessbegleitung im Sachgebiet Einbürgerung",
        "Vorgang",
    )
    key_value_table(
        doc,
        [
            ("Name", "{{ ebh_support.name }}"),
            ("Geburtsjahr", "{{ ebh_support.birth_year }}"),
            ("Zugang", "{{ ebh_support.access|label }}"),
            ("Unterstützung", "{{ ebh_support.support|label }}"),
            ("Stand", "{{ record.state_label }}"),
            ("Ansprechperson", "{{ record.owner }}"),
        ],
    )
    heading(doc, "Voraussetzungen")
    key_value_table(
        doc,
        [
            ("Identität geklärt", "{{ ebh_support.identity|janein }}"),
            ("Aufenthaltsdauer erfüllt", "{{ ebh_support.residence_years|janein }}"),
            ("Sprachnachweis B1", "{{ ebh_support.language|janein }}"),
            ("Einbürgerungstest", "{{ ebh_support.test|janein }}"),
            ("Lebensunterhalt gesichert", "{{ ebh_support.livelihood|janein }}"),
        ],
        label_cm=7.0,
    )
    conditional(
        doc,
        "ebh_support.next_steps",
        lambda d: (heading(d, "Nächste Schritte"), para(d, "{{ ebh_support.next_steps }}")),
    )
    heading(doc, "Unterlagen für den Antrag")
    for item in (
        "gültiger Pass oder Passersatz, Aufenthaltstitel",
        "Nachweis der Deutschkenntnisse (mindestens B1) und des Einbürgerungstests",
        "Nachweise über Einkommen und Wohnung",
        "Geburts- und ggf. Heiratsurkunde mit Übersetzung",
    ):
        para(doc, "□ " + item)  # U+25A1: in Arial and Liberation Sans
    conditional(
        doc,
        "ebh_support.applied_on",
        lambda d: para(d, "Antrag gestellt am ", "{{ ebh_support.applied_on|datum }}."),
    )
    created_note(doc)
    return doc


SYSTEM_TEMPLATES = {
    "kooperationsvereinbarung.docx": kooperationsvereinbarung,
    "beschlussvorlage.docx": beschlussvorlage,
    "umsetzungsbericht.docx": umsetzungsbericht,
    "fallberatung.docx": fallberatung,
    "einbuergerung_checkliste.docx": einbuergerung_checkliste,
}
