"""What Word templates get from a field: the value type for choices, and the shape of the data.

Both belong to the field types (a type says what its template value is and looks like), so
they live with them; :mod:`server.documents` renders and checks templates with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class ChoiceValue(str):
    """The stored value of a select field that also knows its label.

    It prints and compares as the stored value (``{% if x == "duldung" %}`` keeps working);
    ``|label`` (or ``.label``) gives the text people read.
    """

    label: str

    def __new__(cls, value: str, label: str) -> ChoiceValue:
        obj = super().__new__(cls, value)
        obj.label = label
        return obj

    def __reduce__(self):  # copies stay ChoiceValues
        return (ChoiceValue, (str(self), self.label))


@dataclass(frozen=True)
class Shape:
    """What a name or expression in a template stands for.

    ``kind`` is ``object`` (named members), ``list`` (items of ``item``), ``value`` or
    ``any`` (not known: nothing is checked below it). ``what`` names it in messages.
    """

    kind: str
    what: str = ""
    members: Mapping[str, Shape] = field(default_factory=dict)
    item: Shape | None = None
    member_word: str = "Feld"
    type: str = ""
    choices: bool = False


ANY = Shape("any")
VALUE = Shape("value")
