"""What a backup or restore did: the command's last line and the audit entry read it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...german import megabytes, number


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore did, for the command's last line."""

    path: Path
    counts: dict[str, int]
    size: int
    encrypted: bool

    def describe(self, verb: str) -> str:
        records = self.counts.get("record", 0)
        entries = self.counts.get("audit_entry", 0)
        kind = "verschlüsselt" if self.encrypted else "unverschlüsselt"
        return (
            f"{self.path} {verb} ({kind}, {megabytes(self.size)}): {number(records)} Fälle, "
            f"{number(sum(self.counts.values()))} Zeilen in {len(self.counts)} Tabellen, "
            f"{number(entries)} Protokolleinträge."
        )
