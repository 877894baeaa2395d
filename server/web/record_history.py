"""The "Verlauf" of a record read on demand: one page of its events as an HTML fragment.

The record page no longer reads its history with every visit (issue 21: the timeline was
the most costly part of the page, four queries and the changes of every save). It offers a
link instead: without JavaScript the link opens the record page with ``?verlauf=1``, which
shows the history in place as before; ``static/verbund-history.js`` fetches this fragment
and puts it into the page. A GET naming the record: the read audit writes ``record.read``
for it like for the page itself (server/web/privacy/read_audit.py).
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask_admin import expose

from ..services.paging import page_number
from ..services.records.timeline import timeline_page
from .base import RecordPartView
from .form_page import value_lookup


class RecordHistoryView(RecordPartView):
    """/records/<workflow>/<id>/verlauf?verlauf=N: page N of the history, newest first."""

    @expose("/<workflow_id>/<int:record_id>/verlauf")
    def history(self, workflow_id: str, record_id: int):
        defs, user, record, workflow = self.readable(workflow_id, record_id)
        data = record.data or {}
        # references in the changes are shown by title to whoever may read them
        saved = [(defs.forms[f], data.get(f)) for f in workflow.form_ids if f in defs.forms]
        page = page_number(request.args.get("verlauf", 1))
        history, older = timeline_page(defs, record, value_lookup(defs, user, saved), page)
        # the template alone: a fragment has no menu, so no context processor has to run
        html = current_app.jinja_env.get_template("verbund/_history.html").render(
            record=record,
            workflow=workflow,
            history=history,
            history_page=page,
            history_older=older,
        )
        return Response(html, mimetype="text/html")
