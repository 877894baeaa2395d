"""The audit entries of ``verbund backup`` and ``verbund restore``: who, what, when.

Who is the operating-system account and machine that ran the command (there is no Verbund
login on the command line); what is the file name, its size, whether it is encrypted and
how many rows of how many tables it holds; when is the entry's own time. No content of the
backup and no personal data of the people in it.

A backup's entry is written after the copy is taken, so it is not in that backup; a
restore's entry is written into the restored database, next to the history it brought back.
"""

from __future__ import annotations

import getpass
import socket

from ...models import transaction
from ..audit import audit
from .summary import BackupSummary


def _operator() -> dict[str, str]:
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # a container without a passwd entry for its uid
        account = ""
    return {"os_user": account[:64], "host": socket.gethostname()[:128]}


def _detail(summary: BackupSummary) -> dict:
    return {
        **_operator(),
        "file": summary.path.name[:200],
        "size": summary.size,
        "encrypted": summary.encrypted,
        "tables": len(summary.counts),
        "rows": sum(summary.counts.values()),
    }


def note_backup(summary: BackupSummary) -> None:
    """Record that the backup ``summary`` describes was written (database open)."""
    with transaction():
        audit("backup.create", None, object_type="backup", object_id=summary.path.name[:200],
              detail=_detail(summary))  # fmt: skip


def note_restore(summary: BackupSummary) -> None:
    """Record in the restored database that it came from the backup ``summary`` describes."""
    with transaction():
        audit("backup.restore", None, object_type="backup", object_id=summary.path.name[:200],
              detail=_detail(summary))  # fmt: skip
