"""Wiring the data-protection screens and the read audit into the staff app (app factory)."""

from __future__ import annotations

from flask_admin import Admin

from .read_audit import init_read_audit
from .record_panel import record_privacy
from .views import register_views


def init_privacy(admin: Admin) -> None:
    """Register the data-protection screens and the read audit on the staff app."""
    register_views(admin)
    init_read_audit(admin.app)
    admin.app.add_template_global(record_privacy, "record_privacy")
