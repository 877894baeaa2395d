"""Imports from tables (.csv, .xlsx): organisations, people and the service directory.

``verbund import users|organisations|services FILE [--dry-run]`` (server/cli_import.py) reads
the file (:mod:`.tables`), checks every line and reports each bad one as ``file:line:
message``; only when all lines are good does it write, in one transaction. Re-importing
updates by the natural key (user name, organisation short name, service name).
"""

from .accounts import ImportSummary, import_organisations, import_users
from .service_directory import import_services
from .tables import ImportProblems, read_table

__all__ = [
    "ImportProblems",
    "ImportSummary",
    "import_organisations",
    "import_services",
    "import_users",
    "read_table",
]
