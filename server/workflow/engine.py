"""Which transitions a record may take, and whether a given one may happen now.

The engine sees definitions and plain dicts only, so it is tested without a server and used
the same way by the screens, the API and background jobs.
"""

from __future__ import annotations

import logging
from typing import Any

from ..forms.validation import typed_values
from ..schema.definitions import Definitions, DocumentDef, TransitionDef, WorkflowDef
from ..schema.expression_budget import ExpressionBudgetExceeded
from ..schema.expressions import evaluate_condition

log = logging.getLogger(__name__)


class TransitionRefused(Exception):
    """Base of the reasons a transition cannot happen; ``message`` is German."""

    status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowedFromState(TransitionRefused):
    status = 409


class RoleForbidden(TransitionRefused):
    status = 403


class GuardFailed(TransitionRefused):
    status = 422


class GuardTooExpensive(GuardFailed):
    """The guard was stopped by its work limits: a configuration problem, not the user's."""


def expression_context(
    defs: Definitions, workflow: WorkflowDef, record: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    """Names a ``when`` expression sees: each form of the workflow by id, and ``record``."""
    context: dict[str, Any] = {}
    for form_id in workflow.form_ids:
        form = defs.forms.get(form_id)
        if form is not None:
            context[form_id] = typed_values(form, data.get(form_id) or {})
    context["record"] = record
    return context


def transitions_from(workflow: WorkflowDef, state_id: str) -> list[TransitionDef]:
    """Every transition that may start in ``state_id``, whoever asks."""
    state = workflow.state(state_id)
    if state is None:
        # the state was removed from the workflow: only "*" transitions lead out, so a
        # stranded record is never stuck (see docs/architecture.md, "Versionen")
        return [t for t in workflow.transitions if t.from_states == ("*",)]
    return [t for t in workflow.transitions if t.leaves(state) and t.to != state_id]


def role_may(transition: TransitionDef, roles: set[str] | frozenset[str]) -> bool:
    """An empty role list means everybody who may edit the record may take it."""
    return not transition.roles or bool(roles & set(transition.roles))


def allowed_transitions(
    workflow: WorkflowDef, state_id: str, roles: set[str] | frozenset[str]
) -> list[TransitionDef]:
    """Transitions from ``state_id`` that a person with ``roles`` may take (guards aside)."""
    return [t for t in transitions_from(workflow, state_id) if role_may(t, roles)]


def documents_in_state(workflow: WorkflowDef, state_id: str) -> list[DocumentDef]:
    """Documents of ``workflow`` that may be produced while a record is in ``state_id``."""
    return [d for d in workflow.documents if d.states is None or state_id in d.states]


def check_transition(
    workflow: WorkflowDef,
    state_id: str,
    to: str,
    roles: set[str] | frozenset[str],
    context: dict[str, Any],
) -> TransitionDef:
    """The transition from ``state_id`` to ``to`` if it may happen now, else raise why not.

    Several transitions may lead to the same state (for different roles or guards); the first
    one whose roles and guard pass wins, and the most telling refusal is raised otherwise.
    """
    target = workflow.state(to)
    if target is None:
        raise NotAllowedFromState(f"Den Zustand „{to}“ gibt es in diesem Ablauf nicht.")
    candidates = [t for t in transitions_from(workflow, state_id) if t.to == to]
    if not candidates:
        current = workflow.state(state_id)
        label = current.label if current else state_id
        raise NotAllowedFromState(f"Von „{label}“ führt kein Schritt nach „{target.label}“.")
    permitted = [t for t in candidates if role_may(t, roles)]
    if not permitted:
        raise RoleForbidden(f"Ihre Rolle darf den Schritt nach „{target.label}“ nicht ausführen.")
    failed: TransitionDef | None = None
    stopped: GuardTooExpensive | None = None
    for transition in permitted:
        try:
            if not transition.when or evaluate_condition(transition.when, context):
                return transition
        except ExpressionBudgetExceeded as exc:
            stopped = stopped or _too_expensive(workflow, transition, target.label, exc)
        failed = failed or transition
    assert failed is not None
    if stopped is not None:  # says more than "requirements missing", which would mislead
        raise stopped
    raise GuardFailed(
        failed.message or f"Die Voraussetzungen für „{failed.label or target.label}“ fehlen."
    )


def _too_expensive(
    workflow: WorkflowDef, transition: TransitionDef, target: str, exc: ExpressionBudgetExceeded
) -> GuardTooExpensive:
    # the log names the configuration (workflow, transition, expression), never record data
    log.warning(
        "Ablauf %s, Übergang nach %s (Zeile %s): %s",
        workflow.id,
        transition.to,
        transition.line,
        exc.message,
    )
    return GuardTooExpensive(
        f"Die Bedingung des Schritts „{transition.label or target}“ ist zu aufwendig und wurde "
        "abgebrochen; bitte die Administration informieren."
    )
