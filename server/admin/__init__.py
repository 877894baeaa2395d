"""The administration screens (flask-admin views for the ``admin`` role).

Each concern is one module with its views; :func:`init_admin` registers them all.
"""

from __future__ import annotations

from flask_admin import Admin


def init_admin(admin: Admin) -> None:
    """Add every administration view to ``admin`` (the staff screens' flask-admin)."""
    # views are added here, one line per module, e.g.:
    # from .users import UserAdmin; admin.add_view(UserAdmin(...))
    from .base import CATEGORY
    from .templates import TemplatesAdmin

    admin.add_view(
        TemplatesAdmin(
            name="Word-Vorlagen",
            url="/admin/templates",
            endpoint="word_templates",
            category=CATEGORY,
        )
    )
