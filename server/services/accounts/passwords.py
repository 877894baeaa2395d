"""Is a password good enough? At least 12 characters and not easy to guess.

"Easy to guess" is decided offline with zxcvbn, which ships frequency lists of common
passwords, words and names and recognises keyboard rows, repeats, dates and l33t spellings.
A password is refused when it is on the common-password list, or when zxcvbn estimates fewer
than 10^9 guesses (a little stricter than its score 3), counting the person's own names and
a short list of German words people like to build passwords from.
"""

from __future__ import annotations

import functools
import re

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MIN_GUESSES_LOG10 = 9  # zxcvbn's estimate of the guesses an attacker needs

# German words zxcvbn's English lists do not know, and this project's own names
GERMAN_WORDS = (
    "passwort kennwort geheim hallo willkommen sommer winter herbst fruehling frühling "
    "januar februar maerz märz april juni juli august september oktober november dezember "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag schatz liebe fussball "
    "fußball fortuna deutschland duesseldorf düsseldorf rheinland stadt verwaltung amt "
    "verbund kim integration sozialamt jobcenter benutzer anmeldung zugang"
).split()


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of the most common passwords (30,000, lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not acceptable, in German; None when it is.

    ``user_inputs`` are words that must not carry a password: the user name, the person's
    name, the organisation.
    """
    if len(password) < MIN_PASSWORD:
        return f"Das Passwort muss mindestens {MIN_PASSWORD} Zeichen lang sein."
    if len(password) > MAX_PASSWORD:
        return "Das Passwort ist zu lang."
    lowered = password.lower()
    if lowered in common_passwords() or re.fullmatch(r"(.)\1*", lowered):
        return "Dieses Passwort ist zu verbreitet. Bitte ein anderes wählen."
    from zxcvbn import zxcvbn

    words = [w.lower() for text in user_inputs for w in re.split(r"[\W_]+", text or "") if w]
    # zxcvbn's effort grows with the length; the first 100 characters decide anyway
    result = zxcvbn(password[:100], user_inputs=[*GERMAN_WORDS, *words])
    if result["guesses_log10"] < MIN_GUESSES_LOG10:
        return (
            "Das Passwort ist zu leicht zu erraten (z. B. ein bekanntes Wort, ein Name, "
            "eine Jahreszahl oder eine Tastaturfolge). Tipp: mehrere zufällige Wörter."
        )
    return None
