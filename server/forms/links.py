"""What the form engine asks the database about references and files (:class:`Links`).

The ``reference`` and ``file`` types and their helpers live in
:mod:`server.schema.fieldtypes.links`; this module names them for the callers above the
engine (the services pass a :class:`Links` bound to a user and a record,
:mod:`server.services.records.form_links`).
"""

from ..schema.fieldtypes.links import (
    MAX_ID,
    FileType,
    Links,
    ReferenceType,
    accepted,
    file_problem,
    size_label,
)

__all__ = ["MAX_ID", "FileType", "Links", "ReferenceType", "accepted", "file_problem", "size_label"]
