"""What each building block of the start page shows (``[[start]]``, server/start_page.py).

Every block is built for one person and obeys the same rules as the rest of Verbund:

* record lists and charts count only records the person may read (``readable_records``), so
  a team lead sees her organisation, a case manager her own cases;
* ``statistic`` blocks count across all records, but only for holders of
  ``[privacy] statistics_roles`` and with small numbers suppressed, like /statistik: they show
  no titles, names or free text;
* ``register`` only for people who may read the register's meetings.

A block a person may not see is left out (``None``), never an error.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..models import Deadline, Record, User, unindexed_on_postgresql
from ..schema.definitions import Definitions, WorkflowDef
from ..services.errors import ServiceError
from ..services.privacy.noise import from_settings, note
from ..services.privacy.periods import default_period
from ..services.privacy.record_values import StillFilling
from ..services.privacy.statistics import count_table
from ..services.records.access import may_see_workflow, readable_records, scope_in
from ..services.records.deadlines import open_deadlines
from ..services.records.figures import counts_per_workflow, dated_between, with_owners
from ..services.records.tallies import record_counts
from ..services.register import decisions as register_service
from ..services.register.figures import register_figures
from ..start_page import OWNERS_SHOWN, Widget
from .charts import BAR_COLOURS, OVERDUE, bar_chart, stacked_bar_chart
from .privacy.roles import holds


@dataclass
class Context:
    defs: Definitions
    settings: Settings
    user: User
    today: dt.date


def build(widget: Widget, ctx: Context) -> dict[str, Any] | None:
    """The data of one block for ``ctx.user``, or None when they may not see it."""
    builder = BUILDERS.get(widget.widget)
    return None if builder is None else builder(widget, ctx)


def _workflow(widget: Widget, ctx: Context) -> WorkflowDef | None:
    workflow = ctx.defs.workflows.get(widget.workflow)
    if workflow is None or scope_in(ctx.defs, ctx.user, workflow) == "none":
        return None
    return workflow


def _states(widget: Widget, workflow: WorkflowDef) -> list[str] | None:
    if widget.states:
        return list(widget.states)
    if widget.open_only:
        return [s.id for s in workflow.states if not s.final]
    return None


def _records_query(widget: Widget, ctx: Context, workflow: WorkflowDef, *fields):
    query = readable_records(
        ctx.defs, ctx.user, Record.select(*fields) if fields else None, workflow_id=workflow.id
    )
    if widget.mine:
        query = query.where(Record.owner == ctx.user.id)
    states = _states(widget, workflow)
    if states is not None:
        query = query.where(Record.state.in_(states))
    return query


def _tallied(widget: Widget, ctx: Context, workflow: WorkflowDef, fields: list[str]):
    # the same figures as a GROUP BY over _records_query, read from the record tally
    states = _states(widget, workflow)
    return record_counts(
        ctx.defs, ctx.user, [workflow.id], fields, states=states, mine=bool(widget.mine)
    )


def _title(widget: Widget, default: str) -> str:
    return widget.title or default


def deadlines(widget: Widget, ctx: Context):
    mine = widget.mine is not False
    items = open_deadlines(
        ctx.defs, ctx.user, mine=mine, escalated=widget.escalated, limit=widget.most()
    )
    with_owners(d.record for d in items)  # the list names each case's owner
    default = "Eskalierte Fristen" if widget.escalated else "Meine Fristen" if mine else "Fristen"
    return {
        "title": _title(widget, default),
        "items": items,
        # the link to the deadlines page keeps the same choice
        "mine": mine,
        "escalated": bool(widget.escalated),
    }


def records(widget: Widget, ctx: Context):
    workflow = _workflow(widget, ctx)
    if workflow is None:
        return None
    query = _records_query(widget, ctx, workflow)
    items = list(query.order_by(Record.updated_at.desc()).limit(widget.most()))
    if not widget.mine:
        with_owners(items)  # the list names each case's owner
    due: dict[int, Deadline] = {}
    if items:
        open_ = Deadline.select().where(
            Deadline.record.in_([r.id for r in items]) & Deadline.closed_at.is_null()
        )
        # sorted here, not by the database: ORDER BY due_on lured SQLite into walking every
        # open deadline in date order instead of looking up these few records' (issue 21)
        for deadline in sorted(open_, key=lambda d: (d.due_on, d.id), reverse=True):
            due[deadline.record_id] = deadline  # the soonest wins (ordered last)
    return {
        "title": _title(widget, workflow.title),
        "workflow": workflow,
        "items": items,
        # from the record tally, like by_state: a COUNT over the records' index found a
        # case manager's 500 cases among a million by reading all of the workflow's entries
        "total": sum(_tallied(widget, ctx, workflow, ["state"]).values()),
        "due": due,
        "mine": widget.mine,
    }


def by_state(widget: Widget, ctx: Context):
    workflow = _workflow(widget, ctx)
    if workflow is None:
        return None
    counts = _tallied(widget, ctx, workflow, ["state"])
    shown = _states(widget, workflow) or [s.id for s in workflow.states]
    shown = [s for s in shown if workflow.state(s)]
    order = [s.id for s in workflow.states]
    bars = [(workflow.state(s).label, counts.get(s, 0)) for s in shown]
    colours = [BAR_COLOURS[order.index(s) % len(BAR_COLOURS)] for s in shown]
    title = _title(widget, f"{workflow.title} nach Zustand")
    chart = bar_chart(bars, title, colours=colours)
    return {"title": title, "chart": chart, "bars": bars, "total": sum(counts.values())}


def by_owner(widget: Widget, ctx: Context):
    workflow = _workflow(widget, ctx)
    if workflow is None:
        return None
    counts = _tallied(widget, ctx, workflow, ["owner", "state"])
    state_ids = [s for s in (_states(widget, workflow) or [s.id for s in workflow.states])]
    states = [s for s in state_ids if any(counts.get((o, s)) for o, _ in counts)]
    per_person = Counter()
    for (owner, _state), count in counts.items():
        per_person[owner] += count
    # the people with the most records (ties: the lower id), shown by name; the rest summed
    shown_ids = sorted(per_person, key=lambda o: (-per_person[o], o or 0))[
        : widget.most(OWNERS_SHOWN)
    ]
    owners = {u.id: str(u) for u in User.select().where(User.id.in_(shown_ids))}
    people = sorted(shown_ids, key=lambda o: owners.get(o, "~").casefold())
    rows = [(owners.get(o, "(niemand)"), [counts.get((o, s), 0) for s in states]) for o in people]
    shown = set(shown_ids)
    hidden = [o for o in per_person if o not in shown]
    labels = [workflow.state(s).label for s in states]
    # the same colour for a state as in the by_state chart: its place in the workflow
    order = [s.id for s in workflow.states]
    colours = [BAR_COLOURS[order.index(s) % len(BAR_COLOURS)] for s in states]
    title = _title(widget, f"{workflow.title} je Person und Zustand")
    return {
        "title": title,
        "chart": stacked_bar_chart(rows, labels, title, colours=colours),
        "rows": rows,
        "states": labels,
        "total": sum(counts.values()),
        # not drawn as a bar: their sum would squeeze every person's bar to a sliver
        "others": len(hidden),
        "others_total": sum(per_person[o] for o in hidden),
        "workflow": workflow,
    }


def statistic(widget: Widget, ctx: Context):
    workflow = ctx.defs.workflows.get(widget.workflow)
    if workflow is None or not holds(ctx.user, "statistics_roles"):
        return None
    if not may_see_workflow(ctx.user, workflow):
        return None  # statistics respect read_roles like every other view
    min_cell = max(1, int(ctx.settings.section("privacy").get("min_cell", 5)))
    period = default_period(widget.period)  # None for "all"
    try:
        table = count_table(
            ctx.defs,
            workflow,
            widget.rows,
            None,
            min_cell,
            widget.where or None,
            period,
            noise=from_settings(ctx.settings),  # the same figures as the statistics page
        )
    except ServiceError:
        return None
    except StillFilling:  # no partial count: the widget says the figures are being built
        title = _title(widget, workflow.title)
        return {"title": title, "building": True, "workflow": workflow, "rows": widget.rows}
    counts = dict(zip(table.rows, (cells[0] for cells in table.cells), strict=True))
    order = _label_order(ctx.defs, workflow, widget.rows)
    labels = sorted(
        (label for label in table.rows if label != "(keine Angabe)"),
        key=lambda label: (order.index(label) if label in order else len(order), label),
    )
    bars = [(label, counts[label]) for label in labels]
    title = _title(widget, table.row_label)
    if period is not None:  # which figures these are belongs in the heading, not a footnote
        title = f"{title} – {period.label}"
    return {
        "title": title,
        # a number kept secret shows as "x", as on the statistics page
        "chart": bar_chart(bars, title),
        "bars": bars,
        "total": table.total,
        "unit": table.unit,
        "min_cell": min_cell,
        "noise_note": note(table.noise),
        "workflow": workflow,
        "rows": widget.rows,
        "period": period,
    }


def _label_order(defs: Definitions, workflow: WorkflowDef, key: str) -> list[str]:
    """The labels of a dimension in the order of the workflow's states or the field's choices."""
    if key == "state":
        return [s.label for s in workflow.states]
    form_id, _, rest = key.partition(".")
    form = defs.forms.get(form_id)
    name, _, column = rest.partition(".")
    found = form.field(name) if form else None
    if found is not None and column:
        found = next((c for c in found.columns if c.name == column), None)
    return [found.choice_label(c.value) for c in found.choices] if found is not None else []


def register(widget: Widget, ctx: Context):
    try:
        figures = register_figures(ctx.defs, ctx.settings, ctx.user)
    except ServiceError:
        return None
    labels = dict(register_service.STATUSES)
    counts = figures.by_status
    bars = [("überfällig", counts.get("ueberfaellig", 0))]
    bars += [(labels[s], counts.get(s, 0)) for s, _ in register_service.STATUSES]
    title = _title(widget, register_service.register_config(ctx.settings).title)
    return {
        "title": title,
        # overdue in red, the statuses in the calm colours of the other charts
        "chart": bar_chart(bars, "Maßnahmen nach Stand", colours=[OVERDUE, *BAR_COLOURS[:4]]),
        "bars": bars,
        "decisions": figures.decisions,
        "measures": figures.measures,
        "escalations": figures.escalations,
        "upcoming": figures.open_measures[: widget.most()],
    }


def upcoming(widget: Widget, ctx: Context):
    workflow = _workflow(widget, ctx)
    if workflow is None:
        return None
    until = ctx.today + dt.timedelta(days=widget.days)
    # the states as no index condition on PostgreSQL: the date index (records/date_indexes.py)
    # finds the few coming dates; through (workflow, state, …) every open meeting's JSON
    state = unindexed_on_postgresql(Record.state)
    query = _records_query(widget, ctx, workflow).where(
        state.in_([s.id for s in workflow.states if not s.final])
    )
    items = dated_between(query, widget.date, ctx.today, until, widget.most())
    return {
        "title": _title(widget, f"Anstehend: {workflow.title}"),
        "items": items,
        "workflow": workflow,
        "days": widget.days,
    }


def workflows(widget: Widget, ctx: Context):
    visible = [w for w in ctx.defs.workflows.values() if may_see_workflow(ctx.user, w)]
    # one grouped count for every workflow the person works in
    working = [w.id for w in visible if scope_in(ctx.defs, ctx.user, w) != "none"]
    counts = counts_per_workflow(ctx.defs, ctx.user, working)
    visible = [w for w in visible if w.id in counts]
    return {"title": _title(widget, "Ihre Bereiche"), "workflows": visible, "counts": counts}


def recent(widget: Widget, ctx: Context):
    base = readable_records(ctx.defs, ctx.user)
    items = list(base.order_by(Record.updated_at.desc()).limit(widget.most()))
    return {"title": _title(widget, "Zuletzt geändert"), "items": items}


BUILDERS = {
    "deadlines": deadlines,
    "records": records,
    "by_state": by_state,
    "by_owner": by_owner,
    "statistic": statistic,
    "register": register,
    "upcoming": upcoming,
    "workflows": workflows,
    "recent": recent,
}
