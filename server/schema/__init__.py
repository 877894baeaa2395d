"""Forms and workflows: the only code that reads their TOML (design §4).

Everything else imports the frozen dataclasses from :mod:`server.schema.definitions` and the
functions below; problems are :class:`Problem` values printed as ``path:line: message``.
"""

from .definitions import (
    FIELD_TYPES,
    SCOPES,
    Choice,
    DeadlineDef,
    Definitions,
    DocumentDef,
    FieldDef,
    FormDef,
    Problem,
    RoleDef,
    StateDef,
    TransitionDef,
    WorkflowDef,
)
from .expression_budget import ExpressionBudgetExceeded
from .expressions import (
    ExpressionError,
    check_expression,
    compile_expression,
    evaluate_condition,
    referenced_names,
)
from .forms import form_sections, parse_form
from .loader import (
    RECORD_ATTRIBUTES,
    TEMPLATE_NAMES,
    build_definitions,
    load_definitions,
    parse_roles,
    read_sources,
)
from .toml_lines import LineMap, decode_error_location, decode_error_message, line_map
from .workflows import parse_workflow

__all__ = [
    "FIELD_TYPES",
    "RECORD_ATTRIBUTES",
    "SCOPES",
    "TEMPLATE_NAMES",
    "Choice",
    "DeadlineDef",
    "Definitions",
    "DocumentDef",
    "ExpressionBudgetExceeded",
    "ExpressionError",
    "FieldDef",
    "FormDef",
    "LineMap",
    "Problem",
    "RoleDef",
    "StateDef",
    "TransitionDef",
    "WorkflowDef",
    "build_definitions",
    "check_expression",
    "compile_expression",
    "decode_error_location",
    "decode_error_message",
    "evaluate_condition",
    "form_sections",
    "line_map",
    "load_definitions",
    "parse_form",
    "parse_roles",
    "parse_workflow",
    "read_sources",
    "referenced_names",
]
