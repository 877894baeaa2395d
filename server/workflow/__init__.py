"""The workflow engine: plain Python, no Flask, no database."""

from .engine import (
    GuardFailed,
    GuardTooExpensive,
    NotAllowedFromState,
    RoleForbidden,
    TransitionRefused,
    allowed_transitions,
    check_transition,
    expression_context,
)

__all__ = [
    "GuardFailed",
    "GuardTooExpensive",
    "NotAllowedFromState",
    "RoleForbidden",
    "TransitionRefused",
    "allowed_transitions",
    "check_transition",
    "expression_context",
]
