"""Verbund as ``verbund serve`` runs it, with one change: the record page sends the bytes
Verbund rendered for it once (``$BENCH_BODIES/record.html``) instead of rendering them.

The load run (``page_load.py``) serves it beside Verbund and the bare app: everything around
the template – session, access rules, the page's queries, the read audit – still runs, so
its throughput is what Verbund could reach on this page if rendering cost nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from server import create_app
from server.web.records import RecordsView

RENDERED = (Path(os.environ["BENCH_BODIES"]) / "record.html").read_text(encoding="utf-8")
_render = RecordsView.render


def _captured(self, template, **kwargs):
    if template == "verbund/record.html":
        return RENDERED
    return _render(self, template, **kwargs)


RecordsView.render = _captured
app = create_app()
