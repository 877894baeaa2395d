"""Bounded, deterministic noise on published counts: the protection against the differencing
attack (``[privacy] noise``, docs/architecture.md „Rauschen gegen den Differenzangriff“).

Free from/to periods let a reader subtract two published counts (1.1.–31.3. and 1.1.–2.4.)
and get the exact count of the days between them. With ``noise = N`` every published count
is shown as ``true + d`` with ``d`` in ``[-N, N]``, drawn from an HMAC-SHA256 of an
installation key, the cell's identity and the true count (a cell-key method, as official
statistics use it). So:

* the same cell with the same true count always shows the same figure – in every period,
  on every page, in every file, after every restart and in every worker;
* one record more gives a fresh draw, so the difference of two shown figures is no longer
  the exact difference of the true ones;
* a true 0 stays 0 (an empty cell discloses nobody), and a shown count is never below
  ``min_cell`` (nor negative): suppression is decided on the true counts before, unchanged;
* totals are drawn on their own, so tables do not add up exactly.

The identity of a cell is *what it counts*, not where it stands: the workflow, the unit
(records or rows of a table), the yes/no condition, and each counted dimension with its
label, in a fixed order. A row total of "phase × organisation" is the same population as the
cell of "phase" alone and shows the same figure there; two draws of one population would let
a reader narrow it down. The period is deliberately not part of it.

Pure functions; the key comes from :func:`from_settings` and is never printed or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...config import Settings, ensure_secret_key

LARGEST = 5  # ``[privacy] noise`` is 0..5 (checked in server/config_checks.py)
# the noise key is derived from the session key under this label: the HMAC of another
# message, so neither key can be learnt from the other or from the figures
DERIVATION = b"verbund/statistik-rauschen/1"


@dataclass(frozen=True)
class Noise:
    """An installation's noise: the derived key (kept out of ``repr``) and the spread ``N``."""

    key: bytes = field(repr=False)
    spread: int

    def offset(self, identity: Sequence[Any], true: int) -> int:
        """The deterministic ``d`` in ``[-spread, spread]`` of a cell with ``true`` count."""
        message = json.dumps([list(identity), int(true)], ensure_ascii=False).encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()
        # 64 bits modulo at most 11 values: the bias is below 1e-18
        return int.from_bytes(digest[:8], "big") % (2 * self.spread + 1) - self.spread

    def shown(self, identity: Sequence[Any], true: int, minimum: int) -> int:
        """The published figure of a (not suppressed) count: 0 stays 0, never below
        ``minimum`` (the clamp moves towards the true count, so it stays within ±spread)."""
        if true <= 0:
            return true
        return max(minimum, 1, true + self.offset(identity, true))


def from_settings(settings: Settings) -> Noise | None:
    """The installation's noise (None: ``[privacy] noise = 0``, the default).

    The key is derived from the session secret (``[server] secret_key`` or the key file
    ``instance/secret_key``, :func:`..config.ensure_secret_key`): it is the one secret every
    web worker and the job worker must already share – sessions break otherwise – so every
    process and every restart draws the same figures, and no further key file needs a backup."""
    spread = int(settings.section("privacy").get("noise", 0) or 0)
    if spread <= 0:
        return None
    secret = ensure_secret_key(settings).encode()
    return Noise(hmac.new(secret, DERIVATION, hashlib.sha256).digest(), min(spread, LARGEST))


def spread(noise: Noise | None) -> int:
    """How far a shown figure may lie from the true one (0: exact)."""
    return noise.spread if noise is not None else 0


@dataclass(frozen=True)
class Cells:
    """Names the positions of a table (as :func:`.suppression.suppress` sees them) by what
    they count. ``base``: the population (kind, workflow, unit, condition); ``row_key`` and
    ``column_key`` the dimensions (``column_key`` None: one dimension, the cell is its row)."""

    base: tuple
    row_key: str
    rows: Sequence[str]
    column_key: str | None = None
    columns: Sequence[str] = ()

    def identity(self, position: tuple) -> tuple:
        """The identity of ``("c", i, j)``, ``("r", i)``, ``("k", j)`` or ``("t",)``."""
        kind = position[0]
        conditions = []
        if kind in ("c", "r"):
            conditions.append((self.row_key, self.rows[position[1]]))
        if self.column_key is not None and kind in ("c", "k"):
            conditions.append((self.column_key, self.columns[position[-1]]))
        # a sorted set of conditions: "A × B" and "B × A" count the same people
        return (*self.base, *sorted(conditions))


def perturbed(
    shown: dict[str, Any], noise: Noise | None, cells: Cells, minimum: int
) -> dict[str, Any]:
    """The output of :func:`.suppression.suppress` with every shown count perturbed (None,
    i.e. suppressed, stays None; without noise the figures come back unchanged)."""
    if noise is None:
        return shown

    def one(position: tuple, value: int | None) -> int | None:
        if value is None:
            return None
        return noise.shown(cells.identity(position), value, minimum)

    return {
        "cells": [
            [one(("c", i, j), v) for j, v in enumerate(row)] for i, row in enumerate(shown["cells"])
        ],
        "row_totals": [one(("r", i), v) for i, v in enumerate(shown["row_totals"])],
        "column_totals": [one(("k", j), v) for j, v in enumerate(shown["column_totals"])],
        "total": one(("t",), shown["total"]),
    }


def note(spread_: int, what: str = "Zahlen") -> str:
    """The sentence under a perturbed table (empty without noise)."""
    if spread_ <= 0:
        return ""
    return (
        f"{what} zum Schutz vor Rückschlüssen um bis zu ±{spread_} verändert; "
        "Summen können abweichen."
    )
