"""German formatting for Word templates: filters template authors write after a value.

    {{ intake.consent_date|datum }}            02.03.2026
    {{ intake.consent_date|datum("lang") }}    2. März 2026
    {{ antrag.betrag|zahl }}                   1.234,5
    {{ antrag.betrag|zahl(2) }}                1.234,50
    {{ antrag.betrag|euro }}                   1.234,50 €
    {{ intake.consent|janein }}                Ja
    {{ intake.target_group|label }}            18–27 Jahre mit Duldung
    {{ intake.languages|label }}               Arabisch, Deutsch
    {{ evaluation.satisfaction|label }}        zufrieden (ein Punkt einer Skala)

Every filter accepts an empty value (a form not saved yet) and gives empty text, and a value
it cannot read is printed unchanged: a template never fails because of data. The formats
themselves live in :mod:`server.german`, shared with the screens and exports.
"""

from __future__ import annotations

from typing import Any

from ..german import datum, euro, janein, zahl
from ..schema.fieldtypes.template_data import ChoiceValue, ScaleValue


def label(value: Any, trenner: str = ", ") -> Any:
    """The label of a select value; the labels of a multiselect, joined by ``trenner``."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return trenner.join(str(label(v)) for v in value if v is not None and v != "" and v != [])
    if isinstance(value, ChoiceValue | ScaleValue):
        return value.label
    return value


GERMAN_FILTERS = {
    "datum": datum,
    "zahl": zahl,
    "euro": euro,
    "janein": janein,
    "label": label,
}
