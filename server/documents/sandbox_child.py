"""The render child of :mod:`.sandbox_process`: reads requests, renders, answers.

Started as ``python -m server.documents.sandbox_child MEMORY_MB BACKSTOP_SECONDS`` (by a
worker, a web process) or forked from an RQ work horse (:class:`ForkedChild`: the horse is
single-threaded and has everything imported, so a fork costs milliseconds where starting
Python costs a second). Either way it runs under ``RLIMIT_AS``, ends itself when its parent
dies or when a render runs past the backstop, and answers with ``O`` (the .docx), ``F`` (a
German reason) or ``X`` (a reason, then it exits: after a failed allocation its state is not
to be trusted).
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import time

from .render import TemplateFailed, render_bytes

HEADER = struct.Struct(">cI")
LENGTH = struct.Struct(">I")


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the parent dies (a killed worker leaves no child)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux: stdin EOF still ends it
        pass


def _read_request(stream) -> bytes | None:
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        return None
    (size,) = LENGTH.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def serve(stream, out, memory_mb: int, backstop_seconds: float) -> None:
    """Answer render requests from ``stream`` on ``out`` until ``stream`` ends."""
    import resource  # Unix only, and only the child needs it

    _die_with_parent()
    # past the parent's limit, the child ends itself (also if the parent cannot kill it)
    signal.signal(signal.SIGALRM, lambda *_: os._exit(3))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker; EOF ends us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked child drops the horse's handler
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # never more than this process may have anyway
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def answer(kind: bytes, payload: bytes) -> None:
        out.write(HEADER.pack(kind, len(payload)) + payload)
        out.flush()

    out.write(b"R")  # ready: imports done, limits set
    out.flush()
    while True:
        request = _read_request(stream)
        if request is None:
            return  # the parent closed the pipe: it is gone or done
        signal.setitimer(signal.ITIMER_REAL, backstop_seconds)
        try:
            content, name, context, max_output = pickle.loads(request)
            del request
            document = render_bytes(content, name, context, max_output)
        except TemplateFailed as exc:
            answer(b"F", str(exc).encode("utf-8"))
        except MemoryError:
            context = document = None
            answer(
                b"X",
                f"Die Vorlage braucht mehr Speicher als erlaubt ({memory_mb} MB, Grenze "
                "[documents] render_memory_mb).".encode(),
            )
            os._exit(4)
        except RecursionError:
            answer(b"F", b"Die Vorlage ist zu tief verschachtelt.")
        except Exception as exc:  # noqa: BLE001 - whatever a template trips, it is its fault
            answer(
                b"F",
                f"Die Vorlage kann nicht ausgefüllt werden ({type(exc).__name__}).".encode(),
            )
        else:
            answer(b"O", document)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        content = context = document = None


class ForkedChild:
    """A render child forked from this process, with the part of Popen's surface that
    :class:`~.sandbox_process.RenderSandbox` uses (stdin, stdout, pid, poll, kill, wait)."""

    def __init__(self, memory_mb: int, backstop_seconds: float):
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            try:
                os.close(down_write)
                os.close(up_read)
                serve(
                    os.fdopen(down_read, "rb"),
                    os.fdopen(up_write, "wb"),
                    memory_mb,
                    backstop_seconds,
                )
            finally:
                os._exit(0)
        os.close(down_read)
        os.close(up_write)
        self.pid = pid
        self.stdin = os.fdopen(down_write, "wb")
        self.stdout = os.fdopen(up_read, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0


def main() -> None:
    """Entry point of the started (not forked) child."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, not into the answers
    serve(sys.stdin.buffer, out, int(sys.argv[1]), float(sys.argv[2]))


if __name__ == "__main__":
    main()
