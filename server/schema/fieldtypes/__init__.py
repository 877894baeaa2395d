"""The registry of field types: one class per type (see :mod:`.base` for what a type is).

The built-in types are registered below, in the order ``verbund check`` lists them; a
plug-in or a test adds its own with :func:`register` and takes it away with
:func:`unregister`. Every part of Verbund that needs to know about a type – reading TOML,
cleaning input, showing values, the widgets of the screens, the browser's ``show_if``, Word
templates and their checks – asks the registry, never ``field.type == "…"``.
"""

from ..definitions import FIELD_TYPES
from .base import (
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
from .choices import BooleanType, MultiselectType, SelectType
from .links import FileType, Links, ReferenceType
from .moments import DateTimeType, TimeType
from .money import MoneyType
from .numbers import DateType, DecimalType, IntegerType
from .phone import PhoneType
from .scale import ScaleType
from .table import TableType
from .template_data import ANY, VALUE, ChoiceValue, Moment, Money, ScaleValue, Shape
from .text import EmailType, TextareaType, TextType

BUILT_IN = (
    TextType,
    TextareaType,
    IntegerType,
    DecimalType,
    DateType,
    BooleanType,
    SelectType,
    MultiselectType,
    EmailType,
    TableType,
    ReferenceType,
    FileType,
    TimeType,
    DateTimeType,
    PhoneType,
    MoneyType,
    ScaleType,
)
assert tuple(cls.name for cls in BUILT_IN) == FIELD_TYPES, "definitions.FIELD_TYPES lists them"
for _cls in BUILT_IN:
    register(_cls)

__all__ = [
    "ANY",
    "BUILT_IN",
    "REGISTRY",
    "VALUE",
    "ChoiceValue",
    "FieldError",
    "FieldType",
    "Links",
    "Money",
    "Moment",
    "ScaleValue",
    "Shape",
    "count",
    "field_type",
    "is_empty",
    "quoted",
    "register",
    "type_names",
    "unregister",
]
