"""The web server's access log names no person: no query strings, no referrers.

Searches carry names (``/records/beratung/?search=Amira``, ``/datenschutz/auskunft/?q=…``);
the audit log keeps them only as a keyed hash, so the access log must not keep them in clear.
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from server.config import load_settings
from server.serve import web_command


def access_line(config_dir, path: str, query: str, referer: str) -> str:
    """The line gunicorn, started as ``verbund serve`` starts it, logs for one request."""
    command = web_command(load_settings(str(config_dir / "config.toml")), "127.0.0.1", 5000, 1, 1)
    args = command[command.index("gunicorn") + 1 :]
    config = Config()
    parsed = config.parser().parse_args(args)
    for name, value in vars(parsed).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    logger = Logger(config)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger.access_log.addHandler(Keep())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(seconds=0.05))
    assert lines, "the access log is off"
    return lines[-1]


def test_searches_for_a_person_do_not_reach_the_access_log(config_dir):
    line = access_line(
        config_dir,
        "/datenschutz/auskunft/",
        "q=Amira+Beispiel&q2=1990",
        "https://verbund.example/records/beratung/?search=Amira",
    )
    assert "/datenschutz/auskunft/" in line and " 200 " in line and "10.0.0.7" in line
    assert "Amira" not in line and "1990" not in line
