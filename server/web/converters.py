"""URL converters shared by every route."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: at most 2**63 - 1, the largest id either database has."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> int:
        """A larger number is an id nothing has (0): the route answers 404 as for any other.

        Refusing it here instead made Werkzeug answer 405 to a POST (it compares methods
        before converting, so only the GET route of the same path was left).
        """
        number = int(value)
        return number if number <= self.max else NO_ID


NO_ID = 0  # ids start at 1 in both databases
