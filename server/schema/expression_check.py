"""Refusing at publish what cannot pass: each condition is evaluated under its work limits.

A condition that exceeds its limits (:mod:`.expression_budget`) with no data at all, such as
``9**999**999 > 0`` or ``('a' * 10**7)|length``, would fail for every record; one that does
so with ordinary values (``intake.consent and …`` only does the work once consent is given)
would fail for most. So ``verbund check`` and every publication evaluate each ``when`` and
``show_if`` three times: with nothing saved, with "low" sample values (false, 0, the first
choice, nothing selected) and with "high" ones (true, the maximum, every choice, a few table
rows), shaped by the field types. Only a stopped evaluation is a problem here; a condition
that is simply false or raises an ordinary error is judged at run time as always.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import clock
from .definitions import FieldDef, FormDef, TransitionDef, WorkflowDef
from .expression_budget import ExpressionBudgetExceeded
from .expressions import evaluate_condition
from .fieldtypes import field_type

_TEXT = {False: "x", True: "Beispiel Beispiel"}


def sample_value(field: FieldDef, high: bool) -> Any:
    """A typical typed value of ``field`` (as expressions see it); ``high`` picks the big end."""
    return field_type(field.type).sample(field, high)


def _form_values(form: FormDef, high: bool) -> dict[str, Any]:
    return {f.name: sample_value(f, high) for f in form.fields}


def _record(state: str, high: bool) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": 1,
        "title": _TEXT[high],
        "state": state,
        "state_label": state,
        "organisation": _TEXT[high],
        "owner": _TEXT[high],
        "created": now,
        "updated": now,
        "version": 1,
        "consent_given": high,
        "consent_withdrawn": not high,
    }


def when_contexts(
    forms: Mapping[str, FormDef], workflow: WorkflowDef, transition: TransitionDef
) -> list[dict[str, Any]]:
    """Contexts for a transition's ``when``: empty, low and high samples of every form."""
    concrete = [s for s in transition.from_states if s != "*"]
    state = concrete[0] if concrete else workflow.initial
    contexts: list[dict[str, Any]] = [{}]
    for high in (False, True):
        context = {
            form_id: _form_values(forms[form_id], high)
            for form_id in workflow.form_ids
            if form_id in forms
        }
        context["record"] = _record(state, high)
        contexts.append(context)
    return contexts


def show_if_contexts(form: FormDef) -> list[dict[str, Any]]:
    """Contexts for a ``show_if``, named as :func:`server.forms.validation.visible_fields`
    names them: the form's id and every field's bare name."""
    contexts: list[dict[str, Any]] = [{}]
    for high in (False, True):
        values = _form_values(form, high)
        contexts.append({form.id: values, **values})
    return contexts


def budget_problem(source: str, contexts: Iterable[Mapping[str, Any]]) -> str | None:
    """The German message when evaluating ``source`` exceeds its limits in any of
    ``contexts``, else None (also for a source that does not compile: reported elsewhere)."""
    for context in contexts:
        try:
            evaluate_condition(source, context)
        except ExpressionBudgetExceeded as exc:
            return exc.message
    return None
