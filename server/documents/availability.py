"""Why a document of a workflow cannot be made in a record's current state, in German.

A document follows its ``states`` list (no list: every state). The record page and the JSON
API show the documents that are not open now with the phases they are open in, so nobody has
to guess why a button is missing.
"""

from __future__ import annotations

from ..schema.definitions import WorkflowDef


def _state_label(workflow: WorkflowDef, state_id: str) -> str:
    state = workflow.state(state_id)
    return state.label if state else state_id


def unavailable_documents(workflow: WorkflowDef, state_id: str) -> list[dict[str, str]]:
    """``{"id", "label", "reason"}`` for each document not open in state ``state_id``."""
    current = _state_label(workflow, state_id)
    out = []
    for document in workflow.documents:
        if document.states is None or state_id in document.states:
            continue
        phases = ", ".join(f"„{_state_label(workflow, s)}“" for s in document.states)
        reason = (
            f"nur in {phases} – jetzt „{current}“"
            if phases
            else f"in keiner Phase vorgesehen – jetzt „{current}“"
        )
        out.append({"id": document.id, "label": document.label, "reason": reason})
    return out
