"""The one flask-admin menu that staff, administration and data-protection screens join.

What a person's menu holds is kept once per combination of roles (issue 21: walking the
menu asked every view ``is_accessible`` and ``is_visible`` on every page, about sixty calls
from the template). Every view of Verbund decides both from the person's roles and whether
they are active, the definitions and the settings (``server/web/base.py``, ``privacy/
view_base.py``, ``admin/base.py``, ``register.py``), and the workflows of the menu from the
same (``services/records/access.py``); so that is the key, and a new publication of the
definitions (a new ``Definitions`` object) starts a new entry. A view whose visibility
depended on anything else would have to join the key. Which entry is the current page is
still decided per request (``is_active``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_admin import Admin
from flask_admin.menu import BaseMenu
from flask_admin.theme import Bootstrap4Theme

from ..config import Settings
from ..models import User
from ..schema.definitions import Definitions, WorkflowDef
from ..services.records.access import can_create, may_see_workflow, scope_in
from .home import HomeView

KEPT = 512  # combinations kept before the store starts again (roles x definitions)

_kept: dict[tuple, Any] = {}


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


def _key(kind: str, user: User, *parts: Any) -> tuple:
    return (kind, bool(user.active), tuple(sorted(user.roles or ())), *map(id, parts))


def _kept_or(key: tuple, make) -> Any:
    found = _kept.get(key)
    if found is None:
        if len(_kept) >= KEPT:
            _kept.clear()  # old definitions' entries go with the rest
        found = _kept[key] = make()
    return found


def visible_items(
    admin: Admin, user: User, defs: Definitions, settings: Settings
) -> list[tuple[BaseMenu, list[BaseMenu]]]:
    """The top-level menu items ``user`` may see, each with its visible children."""

    def make():
        return [
            (item, item.get_children() if item.is_category() else [])
            for item in admin.menu()
            if item.is_accessible() and item.is_visible()
        ]

    return _kept_or(_key("items", user, admin, defs, settings), make)


def menu_workflows(defs: Definitions, user: User) -> list[WorkflowDef]:
    """The workflows of the menu: those whose records ``user`` may read or create (one
    they may do neither with would be an empty list, e.g. cases for the KIM coordination,
    which sees them only counted)."""

    def make():
        return [
            wf
            for wf in defs.workflows.values()
            if may_see_workflow(user, wf)
            and (scope_in(defs, user, wf) != "none" or can_create(user, wf))
        ]

    return _kept_or(_key("workflows", user, defs), make)
