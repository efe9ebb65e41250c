"""Run the real `annotator` CLI in a pseudo-terminal (for kill -9 tests): type keys, read the screen's bytes."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    """``annotator ARGS`` on an 80x24 pty; output is drained in a thread so the app never blocks."""

    def __init__(self, args: list[str], home: Path, size: tuple[int, int] = (80, 24), timeout: float = 60.0) -> None:
        self.args, self.home, self.size, self.timeout = args, home, size, timeout
        self.output = bytearray()
        self.pid = 0
        self.fd = -1

    def __enter__(self) -> "Terminal":
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(self.home),
               "COLUMNS": str(self.size[0]), "LINES": str(self.size[1])}
        env.pop("ANNOTATOR_KEYS", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the app
            os.execve(sys.executable, [sys.executable, "-m", "annotator", *self.args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.size[1], self.size[0], 0, 0))
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if ready:
                    chunk = os.read(self.fd, 65536)
                    if not chunk:
                        return
                    self.output += chunk
            except OSError:
                return

    def wait_until(self, ok, what: str = "the condition") -> None:
        deadline = time.monotonic() + self.timeout
        while not ok():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen bytes: {bytes(self.output[-400:])!r}")
            time.sleep(0.02)

    def wait_for(self, text: str) -> None:
        self.wait_until(lambda: text.encode() in self.output, repr(text))

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind runs in the app."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0

    def __exit__(self, *exc) -> None:
        self.kill()
        try:
            os.close(self.fd)
        except OSError:
            pass
