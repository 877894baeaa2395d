"""The "Benachrichtigungen" screens: a person's inbox and their e-mail choices.

Only one's own notifications (another person's id is a 404). Opening one marks it read and
goes to the record page, whose access check decides what the person sees (404 when they may
not read the record): a notification's title names kind and number only.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ..models import Record
from ..services.errors import Invalid, NotFound
from ..services.notifications.inbox import (
    inbox,
    mark_all_read,
    mark_read,
    preferences,
    save_preferences,
    unread_count,
)
from ..services.notifications.kinds import KIND_BY_NAME, KINDS, MODE_LABELS
from .base import StaffView
from .session import current_user


class NotificationsView(StaffView):
    def is_visible(self) -> bool:
        return False  # linked from the top bar with its unread count (verbund/_menu.html)

    @expose("/")
    def index(self):
        unread_only = request.args.get("unread") == "1"
        page = inbox(current_user(), request.args.get("page", 1), unread_only)
        return self.render(
            "verbund/notifications.html",
            page=page,
            unread_only=unread_only,
            kinds=KIND_BY_NAME,
        )

    @expose("/<int:notification_id>/open")
    def open(self, notification_id: int):
        try:
            found = mark_read(current_user(), notification_id)
        except NotFound:
            abort(404)
        record = Record.get_or_none(Record.id == found.record_id) if found.record_id else None
        if record is None:
            return redirect(url_for(".index"))
        return redirect(url_for("records.record", workflow_id=record.workflow, record_id=record.id))

    @expose("/<int:notification_id>/read", methods=["POST"])
    def read(self, notification_id: int):
        try:
            mark_read(current_user(), notification_id)
        except NotFound:
            abort(404)
        flash("Als gelesen markiert.")
        return redirect(url_for(".index", page=request.form.get("page") or None))

    @expose("/read-all", methods=["POST"])
    def read_all(self):
        count = mark_all_read(current_user())
        flash(
            f"{count} Benachrichtigungen als gelesen markiert."
            if count != 1
            else "1 Benachrichtigung als gelesen markiert."
        )
        return redirect(url_for(".index"))

    @expose("/settings", methods=["GET", "POST"])
    def settings(self):
        user = current_user()
        errors: dict = {}
        chosen = preferences(user)
        if request.method == "POST":
            values = {"*": request.form.get("general", "")}
            values.update({k.name: request.form.get(f"kind-{k.name}", "") for k in KINDS})
            try:
                save_preferences(user, values)
            except Invalid as exc:
                errors = exc.errors if isinstance(exc.errors, dict) else {}
                chosen = values
            else:
                flash("Einstellungen gespeichert.")
                return redirect(url_for(".settings"))
        return self.render(
            "verbund/notification_settings.html",
            chosen=chosen,
            kinds=KINDS,
            modes=MODE_LABELS,
            errors=errors,
            page_has_errors=bool(errors),
            email=user.email,
        ), (422 if errors else 200)


def unread_for_menu() -> int | None:
    """The current person's unread count for the menu (None when nobody is logged in)."""
    user = current_user()
    return unread_count(user) if user is not None else None
