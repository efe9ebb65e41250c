"""Run a real `annotator serve` and talk to it like a browser would (aiohttp's WebSocket client).

Every server runs in its own process group and is stopped (SIGTERM, then SIGKILL) when the
`with` block ends; its session processes are checked to be gone too.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from annotator.model import Document, Span
from annotator.store import ImportRecord, Store

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P^_].*?(?:\x07|\x1b\\)|\x1b[@-Z\\-_]", re.S)
LINK = re.compile(r"(http://\S+/s/[A-Za-z0-9_-]+)")


def make_db(path: Path, assign: list[str] | None = None) -> Document:
    """One article with one PERSON suggestion (and its assignment to each name in `assign`)."""
    doc = Document.from_text(TEXT)
    with Store(path) as s:
        s.import_records([ImportRecord(doc)])
        s.replace_suggestions(doc.id, "test", "1", [(Span(0, 13, "PERSON"), "test-rule", 0.9)])
        if assign:
            s.add_assignments([(doc.id, n) for n in assign])
    return doc


def layer(db: Path, doc: Document, name: str) -> list[tuple[int, int, str, str]]:
    with Store(db) as s:
        return [(a.value.start, a.value.end, a.value.label, a.status) for a in s.items(doc.id, name)]


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Served:
    """`annotator serve ARGS --port 0` in its own process group; `links` maps each printed name to its link."""

    def __init__(self, tmp: Path, *args: str, expect_links: int = 1, name: str = "serve"):
        self.out, self.err = tmp / f"{name}.out", tmp / f"{name}.err"
        self.args = [sys.executable, "-m", "annotator", "serve", *args, "--port", "0", "--no-suggest"]
        self.expect_links = expect_links
        self.proc: subprocess.Popen | None = None
        self.links: dict[str, str] = {}
        self.session_pids: set[int] = set()
        self.base = ""

    def __enter__(self) -> "Served":
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = self.out.read_text()
            self.links = parse_links(out)
            base = re.search(r"^Serving .* on (http://[^/\s]+)", out, re.M)
            if base and len(self.links) >= self.expect_links and "Ctrl+C to stop" in self.err.read_text():
                self.base = base.group(1)
                if self._answers():
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"serve did not start: {self.out.read_text()} {self.err.read_text()}")

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(self.base + "/", timeout=2)
        except urllib.error.HTTPError:
            return True  # 403: the server is up
        except OSError:
            return False
        return True

    def note_sessions(self) -> list[int]:
        """Remember the session processes running now (to check they are gone at the end)."""
        pids = children(self.proc.pid)
        self.session_pids.update(pids)
        return pids

    def stop(self) -> int:
        assert self.proc is not None
        self.note_sessions()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        deadline = time.monotonic() + 15
        while any(alive(p) for p in self.session_pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [p for p in self.session_pids if alive(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        assert not left, f"session processes outlived the server: {left}"
        return self.proc.returncode

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def stderr(self) -> str:
        return self.err.read_text()

    def link(self, name: str) -> str:
        return self.links[name]

    def origin(self) -> str:
        """The origin of the printed links (what a browser on their pages sends)."""
        return self.base


def parse_links(text: str) -> dict[str, str]:
    """{name: link} from serve's stdout ("Serving annotator for NAME on LINK" or "  NAME  LINK")."""
    links = {}
    for line in text.splitlines():
        m = LINK.search(line)
        if not m:
            continue
        solo = re.match(r"Serving annotator for (.+) on ", line)
        name = solo.group(1) if solo else line[: m.start()].strip()
        links[name] = m.group(1)
    return links


def ws_url(link: str) -> str:
    return "ws" + link[len("http"):] + "/ws?width=120&height=40"


class Terminal:
    """One session over a plain WebSocket, speaking textual-serve's protocol."""

    def __init__(self, ws):
        self.ws = ws
        self.raw = b""
        self.closed: tuple[int | None, str] | None = None

    def text(self, since: int = 0) -> str:
        return ANSI.sub("", self.raw[since:].decode("utf-8", "replace"))

    async def pump(self, seconds: float) -> None:
        import aiohttp

        end = time.monotonic() + seconds
        while self.closed is None and time.monotonic() < end:
            try:
                msg = await self.ws.receive(timeout=max(0.05, end - time.monotonic()))
            except asyncio.TimeoutError:
                return
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.raw += msg.data
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                self.closed = (self.ws.close_code, msg.extra or "")

    async def wait_for(self, needle: str, timeout: float = 60, since: int = 0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.closed is None:
            if needle in self.text(since):
                return True
            await self.pump(0.3)
        return needle in self.text(since)

    async def wait_closed(self, timeout: float = 30) -> tuple[int | None, str] | None:
        end = time.monotonic() + timeout
        while self.closed is None and time.monotonic() < end:
            await self.pump(0.5)
        return self.closed

    async def press(self, key: str) -> None:
        await self.ws.send_json(["stdin", key])


async def connect(http, link: str, origin: str | None = "same", query: str = "", **headers):
    """Open the session of `link` ("same": the Origin a browser on the link's page sends)."""
    if origin == "same":
        origin = link.split("/s/")[0]
    if origin is not None:
        headers["Origin"] = origin
    ws = await http.ws_connect(ws_url(link) + query, headers=headers, max_msg_size=0)
    term = Terminal(ws)
    await ws.send_json(["focus"])
    return term


def run(coro, timeout: float = 180):
    """Run a test coroutine with an overall timeout."""
    return asyncio.run(asyncio.wait_for(coro, timeout))
