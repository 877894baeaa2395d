"""What the workflow builder's buttons do to the draft: posted inputs -> WorkflowModel edits.

Translation only; the edits are :class:`server.schema.builder.workflow_model.WorkflowModel`'s.
A guard (``when``) is edited as condition rows over ``form.field`` names like a ``show_if``.
"""

from __future__ import annotations

from ..schema.builder.conditions import (
    Condition,
    clause_from_input,
    compares_as_number,
    read_condition,
    write_condition,
)
from ..schema.builder.form_model import BuilderError
from ..schema.builder.workflow_model import WorkflowModel
from .form_builder_edits import technical_name


def guard_fields(defs, model: WorkflowModel) -> dict[str, tuple[str, str]]:
    """``form.field`` -> (German name, type) for every field of the workflow's forms."""
    out = {}
    for state in model.states():
        for form_id in state.forms:
            form = defs.forms.get(form_id)
            for field in form.fields if form else ():
                out[f"{form_id}.{field.name}"] = (f"{form.title}: {field.label}", field.type)
    return out


def add_state(model: WorkflowModel, form) -> str:
    """Add the state of the „Zustand hinzufügen“ form; it takes the forms and editing roles
    of the state it follows (a phase between two others usually works like its neighbour)."""
    label = " ".join(str(form.get("new-state-label", "")).split())
    if not label:
        raise BuilderError("Bitte eine Bezeichnung für den neuen Zustand angeben.")
    state_id = str(form.get("new-state-id", "")).strip() or technical_name(label)
    after = str(form.get("new-state-after", "")).strip()
    model.add_state(state_id, label, after=after)
    neighbour = next((s for s in model.states() if s.id == after), None)
    if neighbour is not None:
        if neighbour.forms:
            model.set_state(state_id, "forms", list(neighbour.forms))
        if neighbour.edit_roles:
            model.set_state(state_id, "edit_roles", list(neighbour.edit_roles))
    return state_id


def save_state(model: WorkflowModel, state_id: str, form, forms: list[str], roles: list[str]):
    """Apply the state editor (only what changed)."""
    view = next((s for s in model.states() if s.id == state_id), None)
    if view is None:
        raise BuilderError(f"Den Zustand „{state_id}“ gibt es nicht (mehr).")
    label = " ".join(str(form.get("label", view.label)).split())
    if label != view.label:
        model.set_state(state_id, "label", label)
    if (form.get("final") == "1") != view.final:
        model.set_state(state_id, "final", form.get("final") == "1")
    chosen_forms = [f for f in forms if f in form.getlist("forms")]
    if tuple(chosen_forms) != view.forms and set(chosen_forms) != set(view.forms):
        model.set_state(state_id, "forms", chosen_forms)
    chosen_roles = [r for r in roles if r in form.getlist("edit_roles")]
    if set(chosen_roles) != set(view.edit_roles):
        model.set_state(state_id, "edit_roles", chosen_roles)


def add_transition(model: WorkflowModel, form) -> int:
    sources = form.getlist("new-from")
    if not sources:
        raise BuilderError("Bitte mindestens einen Zustand wählen, aus dem der Übergang führt.")
    # next to the transitions that leave the same state, where a reader of the file looks
    same = [t.index for t in model.transitions() if set(t.sources) & set(sources)]
    return model.add_transition(
        sources,
        str(form.get("new-to", "")),
        str(form.get("new-transition-label", "")),
        [],
        after=max(same) if same else -2,
    )


def save_transition(model: WorkflowModel, index: int, form, guards, roles: list[str]):
    """Apply the transition editor (only what changed)."""
    views = model.transitions()
    if not 0 <= index < len(views):
        raise BuilderError(f"Den Übergang Nr. {index + 1} gibt es nicht (mehr).")
    view = views[index]
    label = " ".join(str(form.get("label", view.label)).split())
    if not label:
        raise BuilderError("Die Bezeichnung eines Übergangs darf nicht leer sein.")
    if label != view.label:
        model.set_transition(index, "label", label)
    sources = [s.id for s in model.states() if s.id in form.getlist("from")]
    if sources and set(sources) != set(view.sources):
        model.set_transition(index, "from", sources)
    to = str(form.get("to", view.to))
    if to != view.to:
        model.set_transition(index, "to", to)
    chosen = [r for r in roles if r in form.getlist("roles")]
    if set(chosen) != set(view.roles):
        model.set_transition(index, "roles", chosen)
    message = " ".join(str(form.get("message", view.message)).split())
    if message != view.message:
        model.set_transition(index, "message", message)
    _apply_guard(model, index, view.when, form, guards)


def _apply_guard(model, index, current_text, form, guards) -> None:
    if form.get("cond-mode") == "text":
        text = " ".join(str(form.get("when", "")).split())
        if text != current_text:
            model.set_transition(index, "when", text)
        return
    if form.get("cond-mode") != "rows":
        return
    rows = int(form.get("cond-rows", "0")) if str(form.get("cond-rows", "")).isdigit() else 0
    clauses = []
    for i in range(min(rows, 20)):
        field = form.get(f"cond-field-{i}", "")
        if field not in guards:
            continue
        try:
            clauses.append(
                clause_from_input(
                    field,
                    form.get(f"cond-op-{i}", ""),
                    form.get(f"cond-value-{i}", ""),
                    compares_as_number(guards[field][1]),
                )
            )
        except ValueError as exc:
            raise BuilderError(f"Bedingung, Zeile {i + 1}: {exc}") from None
    join = form.get("cond-join") if form.get("cond-join") in ("and", "or") else "and"
    wanted = Condition(tuple(clauses), join)
    if read_condition(current_text, "", guards) != wanted:
        model.set_transition(index, "when", write_condition(wanted))
