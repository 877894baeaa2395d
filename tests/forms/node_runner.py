"""Running the browser's show_if scripts under node, one long-lived process per module."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

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

    def hidden(self, spec: dict, raw: dict) -> set[str]:
        self.process.stdin.write(json.dumps({"spec": spec, "raw": raw}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise AssertionError(f"verbund-input.js or verbund-expr.js failed: {answer['error']}")
        return set(answer["hidden"])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
