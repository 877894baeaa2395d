"""The form engine: field types, validation, and the values expressions and templates see."""

from . import links as _links  # noqa: F401  (registers reference and file)
from .types import REGISTRY, FieldError, FieldType, field_type, register
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
    "validate_form",
]
