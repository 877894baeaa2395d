"""Running the browser's show_if scripts under node, one long-lived process per module."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("show_if_runner.js")


class NodeShowIf:
    """Ask the browser's evaluator which fields a form's conditions hide for raw input."""

    def __init__(self):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed")
        self.process = subprocess.Popen(
            [node, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, request: dict) -> dict:
        """One request to the runner (see show_if_runner.js); a script error fails the test."""
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise AssertionError(f"verbund-input.js or verbund-expr.js failed: {answer['error']}")
        return answer

    def hidden(self, spec: dict, raw: dict) -> set[str]:
        return set(self.ask({"spec": spec, "raw": raw})["hidden"])

    def computed(self, spec: dict, raw: dict) -> dict[str, str | None]:
        """The computed fields' stored values as the browser computes them."""
        return self.ask({"op": "compute", "spec": spec, "raw": raw})["values"]

    def row(self, field_spec: dict, raw_row: dict) -> tuple[set[str], set[str]]:
        """(hidden, required) columns of one table row, as the browser decides them."""
        answer = self.ask({"op": "row", "field": field_spec, "raw": raw_row})
        return set(answer["hidden"]), set(answer["required"])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def node():
    """One node process per test module; the module is skipped where node is not installed."""
    try:
        runner = NodeShowIf()
    except RuntimeError:
        pytest.skip("node is not installed: the browser side cannot be run")
    yield runner
    runner.close()
