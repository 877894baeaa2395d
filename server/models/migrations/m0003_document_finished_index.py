"""An index on when document jobs finished.

``GET /metrics`` reports how long the document jobs of the last hour took and how many failed
(issue 18: job duration and failures); with the index that is a range read of the last hour's
rows, however many documents the installation has made before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Index für fertige Dokumente nach Zeitpunkt (document_request: finished_at)"


def upgrade(ctx: Context) -> None:
    ctx.run(ctx.migrator.add_index("document_request", ("finished_at",), False))
