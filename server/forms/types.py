"""The field types as the form engine uses them; they live in :mod:`server.schema.fieldtypes`.

Kept as the engine's name for the registry, so code above the schema layer keeps importing
``server.forms.types``; new code may import the registry directly.
"""

from ..schema.fieldtypes import (
    REGISTRY,
    FieldError,
    FieldType,
    count,
    field_type,
    is_empty,
    quoted,
    register,
    type_names,
    unregister,
)
from ..schema.fieldtypes.text import EMAIL_RE, MAX_TEXT, PATTERN_SECONDS

__all__ = [
    "EMAIL_RE",
    "MAX_TEXT",
    "PATTERN_SECONDS",
    "REGISTRY",
    "FieldError",
    "FieldType",
    "count",
    "field_type",
    "is_empty",
    "quoted",
    "register",
    "type_names",
    "unregister",
]
