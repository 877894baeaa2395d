"""The KIM consent form (exports/einwilligung.docx) and its language variants.

One layout for every language (tools/consent_texts.py holds the words): the same placeholders
in the same places, so ``verbund check`` finds a variant's placeholders equal to the German
ones. Arabic is set right to left (tools/docx_styles.py: ``right_to_left``).
"""

from __future__ import annotations

from functools import partial

from consent_texts import CONSENT_TEXTS, TRANSLATION_CHECK, ConsentText
from docx_blocks import (
    CONTENT_CM,
    GREY,
    conditional,
    created_note,
    heading,
    key_value_table,
    loop_table,
    new_document,
    para,
    signatures,
)
from docx_styles import left_to_right, right_to_left


def _section(doc, section: tuple[str, tuple[str, ...]]) -> None:
    title, paragraphs = section
    heading(doc, title)
    for text in paragraphs:
        para(doc, text)


def consent_form(text: ConsentText):
    """The consent form in the language of ``text``."""
    doc = new_document(
        text.title,
        text.subtitle,
        footer_label=text.footer_label,
        words=text.frame,
        language=text.language,
    )
    german_note = None
    if text.binding_note:
        for note in (text.binding_note, TRANSLATION_CHECK):
            german_note = para(doc, note, size=8, italic=True)
            for run in german_note.runs:
                run.font.color.rgb = GREY
    number, client, born, manager, organisation = text.facts
    key_value_table(
        doc,
        [
            (number, "{{ record.id }}"),
            (client, "{{ intake.name }}"),
            (born, "{{ intake.birth_year }}"),
            (manager, "{{ record.owner }}"),
            (organisation, "{{ record.organisation }}"),
        ],
    )
    _section(doc, text.participation)
    _section(doc, text.processing)
    _section(doc, text.exchange)
    loop_table(
        doc,
        list(text.agency_columns),
        "row in intake.agencies",
        ["{{ row.agency }}", "{{ row.contact }}", "{{ row.topic }}"],
        [5.5, 4.5, CONTENT_CM - 10.0],
    )
    _section(doc, text.withdrawal)
    before, after = text.interpreter
    conditional(
        doc,
        "intake.interpreter_needed",
        lambda d: para(d, before, "{{ intake.interpreter_language|label }}", after, italic=True),
    )
    opening, closing = text.manager_signature
    signatures(
        doc,
        text.client_signature,
        (opening, "{{ record.owner }}", closing),
        (text.place, "{{ intake.consent_date|datum }}"),
        closing=text.closing,
    )
    created_note(doc, text.frame)
    if text.right_to_left:
        right_to_left(doc, text.language)
        if german_note is not None:
            left_to_right(german_note)
    return doc


CONSENT_TEMPLATES = {name: partial(consent_form, text) for name, text in CONSENT_TEXTS.items()}
