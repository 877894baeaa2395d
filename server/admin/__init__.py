"""The administration screens (flask-admin views for the ``admin`` role).

Each concern is one module with its views; :func:`init_admin` registers them all under the
menu „Verwaltung“, which only administrators see.
"""

from __future__ import annotations

from flask_admin import Admin

from .audit_log import AuditLogView
from .base import CATEGORY
from .config_editor import ConfigView
from .config_history import RevisionsView
from .form_builder import FormBuilderView
from .jobs import JobsView
from .organisations import OrganisationsView
from .templates import TemplatesAdmin
from .tokens import TokensView
from .users import UsersView
from .workflow_builder import WorkflowBuilderView

# (view class, menu label, URL, endpoint)
VIEWS = (
    (UsersView, "Personen", "/admin/users", "admin_users"),
    (OrganisationsView, "Organisationen", "/admin/organisations", "admin_organisations"),
    (TokensView, "API-Tokens", "/admin/tokens", "admin_tokens"),
    (ConfigView, "Formulare und Abläufe", "/admin/config", "admin_config"),
    (FormBuilderView, "Formular-Baukasten", "/admin/builder", "admin_builder"),
    (WorkflowBuilderView, "Ablauf-Baukasten", "/admin/workflow-builder", "admin_workflow_builder"),
    (TemplatesAdmin, "Word-Vorlagen", "/admin/templates", "word_templates"),
    (RevisionsView, "Veröffentlichungen", "/admin/revisions", "admin_revisions"),
    (JobsView, "Hintergrund-Aufträge", "/admin/jobs", "admin_jobs"),
    (AuditLogView, "Protokoll", "/admin/audit", "admin_audit"),
)


def init_admin(admin: Admin) -> None:
    """Add every administration view to ``admin`` (the staff screens' flask-admin)."""
    for view, name, url, endpoint in VIEWS:
        admin.add_view(view(name=name, url=url, endpoint=endpoint, category=CATEGORY))
