"""URL converters shared by every route."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: at most 2**63 - 1, the largest id either database has."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)
