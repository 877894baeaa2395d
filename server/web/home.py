"""The start page: reminders, then the building blocks configured for the person's roles.

``[[start]]`` in config.toml says which blocks each role sees (server/start_page.py); what
a block shows is built in server/web/start_widgets.py under the usual access rules. Without
a block for any of the person's roles the standard start page appears: own deadlines, the
workflows they work in, the records changed last.
"""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose

from .. import clock
from ..services.records.access import scope_in
from ..services.records.deadlines import unread_reminders
from ..start_page import STANDARD, Widget, read_widgets, widgets_for
from .base import definitions, runtime
from .session import current_user
from .start_widgets import Context, build


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user() is not None

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        defs, user = definitions(), current_user()
        settings = runtime().settings
        configured = read_widgets(settings.raw.get("start") or [])
        chosen = widgets_for(configured, set(user.roles or []))
        if not chosen:
            chosen = [Widget(index=-1, widget=kind, roles=()) for kind in STANDARD]
        ctx = Context(defs=defs, settings=settings, user=user, today=clock.today())
        blocks = []
        for widget in chosen:
            data = build(widget, ctx)
            if data is not None:
                blocks.append((widget.widget, data))
        reads_any = any(scope_in(defs, user, w) != "none" for w in defs.workflows.values())
        return self.render(
            "verbund/home.html",
            reminders=unread_reminders(defs, user),
            blocks=blocks,
            reads_any=reads_any,
            today=ctx.today,
            workflow_defs=defs.workflows,
        )
