"""The form engine: validation of whole forms and the values expressions and templates see.

The field types themselves are a registry in :mod:`server.schema.fieldtypes`.
"""

from ..schema.fieldtypes import REGISTRY, FieldError, FieldType, field_type, register, unregister
from .validation import FormResult, defaults, raw_from_formdata, typed_values, validate_form

__all__ = [
    "REGISTRY",
    "FieldError",
    "FieldType",
    "FormResult",
    "defaults",
    "field_type",
    "raw_from_formdata",
    "register",
    "typed_values",
    "unregister",
    "validate_form",
]
