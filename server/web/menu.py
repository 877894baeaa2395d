"""The one flask-admin menu that staff, administration and data-protection screens join."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..config import Settings
from .home import HomeView


def init_menu(app: Flask, settings: Settings) -> Admin:
    """The menu of ``app``, named after the installation, with the start page as its index."""
    admin = Admin(
        app,
        name=settings.section("server").get("name", "Verbund"),
        url="/",
        index_view=HomeView(name="Start", url="/", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="verbund/master.html", fluid=True),
    )
    return admin
