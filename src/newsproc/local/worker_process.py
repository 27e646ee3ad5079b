"""One worker process of a built function and its pipe: JSON lines in on stdin, JSON lines out on the
original stdout, stderr kept as the function's log (newsproc.local.built starts and drives it)."""

from __future__ import annotations

import collections
import json
import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO


@dataclass
class Invocation:
    """What one invoke did (kept as `BuiltFunction.last_invocation` and in `invocations`)."""

    request_id: str
    function_error: str | None
    duration_s: float  # wall time seen by the parent, including a cold start
    cold: bool  # this invoke started the worker
    handler_ms: float | None = None  # the handler's own time (from the worker)
    max_memory_used_mb: float | None = None
    error_type: str | None = None


class Worker:
    """One worker process with its reader threads (a killed worker's lines never reach its successor)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, sink: TextIO | None, tail: int) -> None:
        self.spawned = time.perf_counter()
        self.process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="surrogatepass", bufsize=1,
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.logs: collections.deque[str] = collections.deque(maxlen=tail)
        self.init: dict[str, Any] | None = None
        self.first_invoke_done = False
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True, name=f"lambda-worker-{self.process.pid}-out"),
            threading.Thread(target=self._read_stderr, args=(sink,), daemon=True,
                             name=f"lambda-worker-{self.process.pid}-err"),
        ]  # fmt: skip
        for thread in self._threads:
            thread.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read_stderr(self, sink: TextIO | None) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.logs.append(line.rstrip("\n"))
            if sink is not None:
                try:
                    sink.write(line)
                    sink.flush()
                except (OSError, ValueError):
                    sink = None
        # EOF: the process closed stderr (it exited)

    def next_message(self, timeout: float | None) -> dict[str, Any] | None:
        """The next protocol message; None on EOF (the worker died); raises queue.Empty on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            line = self.lines.get(timeout=remaining)
            if line is None:
                self.lines.put(None)  # keep reporting EOF
                return None
            line = line.strip()
            if line:
                return json.loads(line)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.stop()

    def stop(self, grace_s: float = 2.0) -> None:
        """Close stdin (the worker exits), then terminate, then kill: done within about 2 * grace_s."""
        process = self.process
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.close()
            except (OSError, ValueError):
                pass
            try:
                process.wait(timeout=min(grace_s, 0.5))
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout=grace_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=grace_s)
        for thread in self._threads:
            thread.join(timeout=grace_s)
        for stream in (process.stdin, process.stdout, process.stderr):
            try:
                if stream is not None:
                    stream.close()
            except (OSError, ValueError):
                pass
