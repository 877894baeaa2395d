"""Rendering in a child process that a hard limit can stop: time, memory and output size.

Jinja's sandbox keeps a template from reaching anything, but not from working for ever or
filling the memory: a template that unpacks into 40 MB of paragraphs or loops a billion times
would hold the worker (and every document behind it) for minutes. So documents are rendered
in a child process:

* memory: the child runs under ``RLIMIT_AS`` (``[documents] render_memory_mb``); an
  allocation past it fails inside the child (MemoryError, or the child dies), never in the
  worker;
* time: the worker waits at most ``[documents] render_seconds`` (and at most 90 % of the
  job's ``[queue] job_timeout``) for the answer, then kills the child with SIGKILL; the child
  also ends itself a little later (its own timer, and the parent-death signal), so even a
  killed worker leaves nothing running;
* size: the XML a template produces is counted while Jinja writes it, and the .docx is
  measured (``[documents] output_max_bytes``).

The child is long-lived: it keeps the compiled templates (a third of the render time, see
:class:`~.render.CachingDocumentEnvironment`) from one document to the next and is started
again only after it was killed or died. Each limit breach is a :class:`~.render.TemplateFailed`
with a German reason: it fails the same way every time, so the job is not retried.

Protocol: the parent sends ``length + pickle((content, name, context, max_output))`` (the
parent's own data); the child (:mod:`.sandbox_child`) answers ``kind + length + payload``
with ``O`` (the .docx), ``F`` (a German reason) or ``X`` (a reason, and the child exits
because its state can no longer be trusted). The parent never unpickles anything from the
child. A worker or web process starts the child as a new Python process; an RQ work horse
forks it (:func:`fork_render_children`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import select
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .docx_check import template_limits, unpack_problems
from .render import TemplateFailed
from .sandbox_child import HEADER, LENGTH, ForkedChild

log = logging.getLogger(__name__)

STARTUP_SECONDS = 60  # importing docxtpl on a busy machine; not counted as render time
GRACE_SECONDS = 5  # the child's own timer ends it this long after the parent's limit


class RendererUnavailable(RuntimeError):
    """The render child could not be started or answered nonsense: not the template's fault,
    so the job is retried like any other passing fault."""


@dataclass(frozen=True)
class RenderLimits:
    """Hard limits of one render (see ``[documents]`` in config.toml)."""

    seconds: float = 60.0
    memory_mb: int = 1024
    output_bytes: int = 50 * 1024 * 1024


def render_limits(settings: Any) -> RenderLimits:
    """The limits configured for ``settings``; the time never exceeds the job timeout."""
    section = settings.section("documents")
    queue = settings.section("queue")
    seconds = float(section.get("render_seconds", RenderLimits.seconds))
    job_timeout = float(queue.get("job_timeout", 0) or 0)
    if job_timeout > 0:
        # below RQ's own alarm, which also counts the database work of the job and would
        # count as a passing fault (retried) rather than the template's
        seconds = min(seconds, job_timeout * 0.9)
    return RenderLimits(
        seconds=max(seconds, 0.1),
        memory_mb=int(section.get("render_memory_mb", RenderLimits.memory_mb)),
        output_bytes=int(section.get("output_max_bytes", RenderLimits.output_bytes)),
    )


class RenderSandbox:
    """One render child and the limits it runs under; thread-safe (renders one at a time)."""

    def __init__(self, limits: RenderLimits):
        self.limits = limits
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self.started = 0  # how many children were started (tests and logs)

    # parent side -------------------------------------------------------------------------
    def render(self, content: bytes, name: str, context: dict[str, Any]) -> bytes:
        """The rendered .docx; TemplateFailed (German reason) when the template fails or
        runs into a limit, RendererUnavailable when no child can be had."""
        request = pickle.dumps((content, name, context, self.limits.output_bytes), protocol=5)
        with self._lock:
            proc = self._ensure_child()
            deadline = time.monotonic() + self.limits.seconds
            try:
                _write_all(proc, LENGTH.pack(len(request)) + request)
                kind, payload = self._answer(proc, deadline, name)
            except BaseException as exc:
                # the limit, the job timeout's alarm, a stop signal: the child goes with it
                log.warning("render process for %s stopped: %s", name, type(exc).__name__)
                self._kill()
                if type(exc).__name__ == "JobTimeoutException":
                    # RQ's alarm struck while the template was rendering: its fault too
                    raise TemplateFailed(
                        f"Die Vorlage „{name}“ wurde abgebrochen: der Auftrag hat seine Zeit "
                        "([queue] job_timeout) überschritten. Sie rechnet zu lange, z. B. in "
                        "verschachtelten Schleifen."
                    ) from None
                raise
            if kind == b"O":
                return payload
            if kind == b"X":
                self._kill()
            raise TemplateFailed(payload.decode("utf-8", "replace"))

    def start(self) -> None:
        """Start the child now (a worker does so before its first job)."""
        with self._lock:
            self._ensure_child()

    def close(self) -> None:
        """Stop the child (it would also end by itself when this process ends)."""
        with self._lock:
            self._kill()

    def _answer(self, proc: subprocess.Popen, deadline: float, name: str) -> tuple[bytes, bytes]:
        try:
            kind, size = HEADER.unpack(_read_exact(proc, HEADER.size, deadline))
        except TimeoutError:
            raise TemplateFailed(
                f"Die Vorlage „{name}“ wurde nach {_seconds(self.limits.seconds)} abgebrochen "
                "(Grenze [documents] render_seconds). Sie rechnet zu lange, z. B. in "
                "verschachtelten Schleifen."
            ) from None
        except EOFError:
            raise TemplateFailed(
                f"Die Vorlage „{name}“ hat den Render-Prozess beendet, vermutlich an der "
                f"Speichergrenze von {self.limits.memory_mb} MB ([documents] "
                "render_memory_mb)."
            ) from None
        if kind not in (b"O", b"F", b"X") or size > self.limits.output_bytes + 65536:
            raise RendererUnavailable("unexpected answer from the render child")
        try:
            return kind, _read_exact(proc, size, deadline)
        except (TimeoutError, EOFError):
            raise RendererUnavailable("the render child broke off its answer") from None

    def _ensure_child(self) -> subprocess.Popen:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._kill()
        backstop = self.limits.seconds + GRACE_SECONDS
        try:
            if _fork_start:
                proc = ForkedChild(self.limits.memory_mb, backstop)
            else:
                root = str(Path(__file__).resolve().parents[2])
                env = dict(os.environ)
                env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
                command = [sys.executable, "-m", "server.documents.sandbox_child"]
                command += [str(self.limits.memory_mb), str(backstop)]
                proc = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=root
                )
        except OSError as exc:
            raise RendererUnavailable(f"render child not started: {exc}") from None
        self._proc = proc
        self.started += 1
        try:
            ready = _read_exact(proc, 1, time.monotonic() + STARTUP_SECONDS)
        except (TimeoutError, EOFError):
            self._kill()
            raise RendererUnavailable("render child did not start") from None
        if ready != b"R":
            self._kill()
            raise RendererUnavailable("render child did not start")
        return proc

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignored
            pass


def _seconds(value: float) -> str:
    return f"{value:g} s".replace(".", ",")


def _write_all(proc: subprocess.Popen, data: bytes) -> None:
    try:
        proc.stdin.write(data)
        proc.stdin.flush()
    except (BrokenPipeError, ValueError, OSError):
        raise EOFError from None


def _read_exact(proc: subprocess.Popen, size: int, deadline: float) -> bytes:
    """``size`` bytes from the child; TimeoutError past ``deadline``, EOFError if it died."""
    fd = proc.stdout.fileno()
    parts: list[bytes] = []
    missing = size
    while missing:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        readable, _, _ = select.select([fd], [], [], left)
        if not readable:
            continue
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


_fork_start = False


def fork_render_children() -> None:
    """Fork render children from this process instead of starting Python anew: for RQ work
    horses, which are single-threaded, have everything imported and live for one job (a new
    interpreter per job would cost a second each)."""
    global _fork_start
    _fork_start = True


_sandboxes: dict[RenderLimits, RenderSandbox] = {}
_sandboxes_lock = threading.Lock()


def shared_sandbox(limits: RenderLimits) -> RenderSandbox:
    """The render child of this process for ``limits`` (one per process and limits)."""
    with _sandboxes_lock:
        sandbox = _sandboxes.get(limits)
        if sandbox is None:
            sandbox = _sandboxes[limits] = RenderSandbox(limits)
        return sandbox


_unpack_verdicts: dict[tuple[str, tuple[int, int]], list[str]] = {}


def _unpack_refusals(settings: Any, content: bytes) -> list[str]:
    """The zip-bomb limits of the upload check, for templates that never went through it
    (shipped in exports/, stored before the check existed); one verdict per content."""
    limits = template_limits(settings)
    key = (hashlib.sha256(content).hexdigest(), limits)
    with _sandboxes_lock:
        known = _unpack_verdicts.get(key)
    if known is not None:
        return known
    try:
        verdict = unpack_problems(content, *limits)
    except zipfile.BadZipFile:
        verdict = []  # not a zip at all: rendering says so
    with _sandboxes_lock:  # web processes render from several threads
        _unpack_verdicts[key] = verdict
        while len(_unpack_verdicts) > 64:
            _unpack_verdicts.pop(next(iter(_unpack_verdicts)))
    return verdict


def render_limited(settings: Any, content: bytes, name: str, context: dict[str, Any]) -> bytes:
    """Render ``content`` in this process's render child under the configured limits."""
    refusals = _unpack_refusals(settings, content)
    if refusals:
        raise TemplateFailed(f"Die Vorlage „{name}“ wird nicht verwendet: {refusals[0]}")
    return shared_sandbox(render_limits(settings)).render(content, name, context)
