"""German names of the TOML keys, for people who edit forms and workflows in the builder.

``verbund check`` names keys as they are written (``„show_if“ liest …``), which is right for
the text and for the tests that read its output. The builder shows the same message with the
German name of the key (``„Sichtbar nur, wenn“ liest …``) next to the text's ``path:line``;
:func:`german_message` does the translation, from the one table :data:`KEY_NAMES`.
"""

from __future__ import annotations

import re

# key -> (German name, one-line explanation). One table for forms and workflows: a key means
# the same wherever it stands, and a new key gets its German name here.
KEY_INFO: dict[str, tuple[str, str]] = {
    # forms: every field
    "name": ("Technischer Name", "Unter diesem Namen wird der Wert gespeichert."),
    "type": ("Art des Felds", "Welche Eingabe das Feld erwartet."),
    "label": ("Bezeichnung", "So sehen es die Mitarbeitenden."),
    "help": ("Hilfetext", "Erscheint unter dem Feld."),
    "required": ("Pflichtfeld", "Muss ausgefüllt werden, wenn das Feld sichtbar ist."),
    "required_if": ("Pflicht nur, wenn", "Bedingung, unter der das Feld Pflicht ist."),
    "show_if": ("Sichtbar nur, wenn", "Bedingung, unter der das Feld gezeigt wird."),
    "personal": ("Personenbezogen", "Der Wert erscheint nie in Auswertungen."),
    "section": ("Abschnitt", "Überschrift, mit der hier ein neuer Abschnitt beginnt."),
    "default": ("Vorgabewert", "Steht im Feld, bevor jemand etwas einträgt."),
    "compute": ("Berechnung", "Der Wert wird aus anderen Feldern berechnet."),
    "copy": (
        "Übernahme aus anderem Formular",
        "Zeilen werden aus einem anderen Formular übernommen.",
    ),
    "choices": ("Auswahlmöglichkeiten", "Die feste Liste, aus der gewählt wird."),
    "columns": ("Spalten", "Die Spalten einer Tabelle."),
    "steps": ("Schritte", "Das Formular wird Seite für Seite ausgefüllt."),
    "title": ("Titel", "Die Überschrift."),
    "fields": ("Felder", "Die Felder, die dazugehören."),
    "sections": ("Abschnitte", "Die Abschnitte, die dazugehören."),
    # workflows: states and transitions
    "id": ("Technische Id", "Unter dieser Id wird der Eintrag gespeichert."),
    "forms": ("Formulare", "Die Formulare, die in diesem Zustand bearbeitet werden."),
    "edit_roles": ("Wer darf bearbeiten", "Rollen, die die Formulare bearbeiten dürfen."),
    "final": ("Endzustand", "Der Vorgang ist abgeschlossen."),
    "from": ("Aus welchen Zuständen", "Wo der Übergang beginnt."),
    "to": ("Wohin", "Der Zustand nach dem Übergang."),
    "roles": ("Wer darf ihn gehen", "Rollen, die den Übergang auslösen dürfen."),
    "when": ("Nur erlaubt, wenn", "Bedingung für den Übergang."),
    "message": ("Meldung", "Erscheint, wenn die Bedingung nicht erfüllt ist."),
    "notify": ("Benachrichtigen", "Wer vom Übergang erfährt."),
    # workflows: deadlines (schema/deadline_keys.py)
    "state": ("Zustand", "Die Frist beginnt, wenn der Vorgang diesen Zustand betritt."),
    "days": (
        "Tage nach Eintritt",
        "Fällig so viele Tage nach Eintritt in den Zustand (mindestens 1).",
    ),
    "from_field": (
        "Aus dem Datum",
        "Statt Tagen: fällig an einem Datum des Vorgangs (ohne Datum keine Frist).",
    ),
    "offset_days": (
        "Tage vor oder nach dem Datum",
        "Nur mit „Aus dem Datum“: negativ davor, positiv danach, 0 am Tag selbst.",
    ),
    "days_field": (
        "Tage nach Auswahl im Feld",
        "Nur mit „Tage nach Eintritt“: ein Auswahlfeld, dessen Wert die Tage bestimmt.",
    ),
    "days_by_choice": (
        "Tage je Auswahl",
        "Tage für jede Auswahl; für leere oder nicht genannte gilt „Tage nach Eintritt“.",
    ),
    "every_days": (
        "Wiederkehrend alle … Tage",
        "Nach jeder Erledigung ist die nächste Frist so viele Tage danach fällig.",
    ),
    "done_field": (
        "Erledigt durch das Datum",
        "Ein Datum in diesem Feld (oder dieser Spalte) erledigt die offene Frist.",
    ),
    "escalate_after_days": (
        "Eskalieren nach … Tagen Verzug",
        "So viele Tage überfällig wird eskaliert (0: sobald überfällig).",
    ),
    "escalate_to": ("Eskalieren an", "Die Rolle, die dann benachrichtigt wird."),
    "escalate_scope": (
        "Eskalieren an wen mit der Rolle",
        "Nur in der Organisation des Vorgangs oder alle Personen mit der Rolle.",
    ),
    # workflows: documents
    "template": (
        "Word-Vorlage",
        "Die Vorlage in exports/ (oder hochgeladen), aus der es entsteht.",
    ),
    "states": (
        "In welchen Zuständen",
        "Nur dort kann das Dokument erstellt werden (keiner: in jedem).",
    ),
    "formats": (
        "Dateiformate",
        "Die Word-Datei immer; auf Wunsch zusätzlich PDF/A zum Archivieren.",
    ),
    "language": (
        "Sprache aus dem Feld",
        "Ein Feld mit einem Sprachcode wählt die Sprachfassung der Vorlage (z. B. .en.docx).",
    ),
}

KEY_NAMES = {key: name for key, (name, _help) in KEY_INFO.items()}

# a quoted word right after one of these is a name or value somebody gave, not a key
_NAMED = (
    "Feld",
    "Spalte",
    "Formular",
    "Zustand",
    "Tabelle",
    "Abschnitt",
    "Auswahl",
    "Rolle",
    "Dokument",
    "Frist",
    "Schritt",
    "Übergang",
    "Ablauf",
    "Vorlage",
    "Wert",
    "Typ",
    "nicht",
)
_QUOTED = re.compile(r"(\S+\s)?„([a-z_]+)“")


def german_key(key: str) -> str:
    """The German name of ``key`` (the key itself when there is none)."""
    return KEY_NAMES.get(key, key)


def german_message(message: str, names: dict[str, str] | None = None) -> str:
    """``message`` with each quoted TOML key („show_if“) replaced by its German name.

    ``names`` adds names for keys of this page (a field type's own keys). A quoted word
    after „Feld“, „Zustand“ … is a name somebody gave and stays as it is.
    """
    table = {**KEY_NAMES, **(names or {})}

    def replace(match: re.Match) -> str:
        before, word = match.group(1) or "", match.group(2)
        if word not in table or before.strip() in _NAMED:
            return match.group(0)
        return f"{before}„{table[word]}“"

    return _QUOTED.sub(replace, message)
