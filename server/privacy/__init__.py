"""Data protection for social data (SGB X, DSGVO): read audit, consent, retention and
anonymisation, subject access, statistics without people, and the roles that may use them.

Nothing here is needed to *run* a workflow; it guards and limits what the rest does. The web
screens live in :mod:`server.privacy.views`, registered by :func:`init_privacy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask_admin import Admin


def init_privacy(admin: Admin) -> None:
    """Register the data-protection screens and the read audit on the staff app."""
    from .read_audit import init_read_audit
    from .record_panel import record_privacy
    from .views import register_views

    register_views(admin)
    init_read_audit(admin.app)
    admin.app.add_template_global(record_privacy, "record_privacy")
