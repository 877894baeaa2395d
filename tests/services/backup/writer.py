"""A second process that commits while a backup runs: ``python writer.py URL STOP_FILE``.

Each transaction adds one organisation and one audit entry, so in any consistent copy both
tables grew by the same number of rows. Prints ``bereit`` after its first commit and stops
when STOP_FILE exists.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import time
from pathlib import Path


def main(url: str, stop: Path) -> None:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///") :], timeout=30, isolation_level=None)
        mark = "?"
    else:
        import psycopg2

        conn = psycopg2.connect(url)
        conn.autocommit = True
        mark = "%s"
    n = 0
    while not stop.exists():
        now = dt.datetime(2026, 1, 1) + dt.timedelta(seconds=n)
        cur = conn.cursor()
        cur.execute("BEGIN")
        cur.execute(
            f"INSERT INTO organisation (name, label, created_at) VALUES ({mark}, {mark}, {mark})",
            (f"schreiber-{n}", f"Schreiber {n}", now),
        )
        cur.execute(
            "INSERT INTO audit_entry (at, username, organisation, action, object_type, "
            f"object_id, detail, remote_addr) VALUES ({mark}, '', '', 'test.write', '', "
            f"{mark}, '{{}}', '')",
            (now, str(n)),
        )
        cur.execute("COMMIT")
        n += 1
        if n == 1:
            print("bereit", flush=True)
        time.sleep(0.002)
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
