"""The period controls of the statistics and report pages: reading them from the query."""

from __future__ import annotations

from typing import Any

from flask import request

from ...services.errors import Invalid
from ...services.privacy.periods import Period, parse_period, recent_quarters, recent_years


def read_period(default: Period | None = None) -> tuple[Period | None, dict[str, list[str]]]:
    """The period the query asks for, and the field errors (German) when it is wrong – then
    the page shows the default period and the errors next to the fields."""
    try:
        return parse_period(request.args, default), {}
    except Invalid as exc:
        return default, dict(exc.errors or {})


def period_context(period: Period | None, errors: dict[str, list[str]]) -> dict[str, Any]:
    """What the template ``_period.html`` needs: the chosen values and the choices."""
    args = request.args
    kind = args.get("zeitraum", period.kind if period else "")
    return {
        "period": period,
        "period_errors": errors,
        "period_kind": kind if kind in ("", "quartal", "jahr", "frei") else "",
        "period_values": {
            "quartal": args.get("quartal") or (period.query().get("quartal") if period else ""),
            "jahr": args.get("jahr") or (period.query().get("jahr") if period else ""),
            "von": args.get("von") or (period.start.isoformat() if period else ""),
            "bis": args.get("bis") or (period.end.isoformat() if period else ""),
        },
        "quarters": recent_quarters(),
        "years": recent_years(),
        "compare": bool(args.get("vergleich")) if "zeitraum" in args else True,
    }
