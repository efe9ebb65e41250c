"""`annotator serve`: loopback by default, --public guard, and a browser end-to-end test."""

import asyncio
import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.tui import serve as sv
from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import Document, Span
from annotator.store import ImportRecord, Store

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "[::1]"])
def test_loopback_hosts_need_no_flag(host):
    assert sv.is_loopback(host)
    sv.check_host(host, public=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org"])
def test_other_hosts_need_public(host):
    assert not sv.is_loopback(host)
    with pytest.raises(AnnotatorError, match="--public"):
        sv.check_host(host, public=False)
    sv.check_host(host, public=True)


def test_public_url_and_command(tmp_path):
    assert sv.public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert sv.public_url("::1", 8000) == "http://[::1]:8000"
    assert sv.public_url("0.0.0.0", 8000) != "http://0.0.0.0:8000"  # browsers cannot connect to 0.0.0.0
    assert sv.public_url("0.0.0.0", 80, "https://annotate.example.org/") == "https://annotate.example.org"
    # nothing the user typed reaches the shell textual-serve runs: names travel in the environment
    hostile_db, hostile_name = tmp_path / "x; rm -rf ~ $(id).db", "alice'; touch /tmp/pwned #"
    cmd = sv.app_command(extra=["--no-suggest"])
    assert cmd.endswith("-m annotator annotate --no-suggest") and "alice" not in cmd
    env = sv.app_environment(hostile_db, hostile_name)
    assert env == {"ANNOTATOR_DB": str(hostile_db.resolve()), "ANNOTATOR_NAME": hostile_name}


def make_db(path: Path) -> Document:
    doc = Document.from_text(TEXT)
    with Store(path) as s:
        s.import_records([ImportRecord(doc)])
        s.replace_suggestions(doc.id, "test", "1", [(Span(0, 13, "PERSON"), "test-rule", 0.9)])
    return doc


class FakeServer:
    served = False

    def serve(self):
        FakeServer.served = True


def test_serve_command_guard_and_warning(tmp_path, monkeypatch):
    db = tmp_path / "s.db"
    make_db(db)
    made = {}

    def fake_make(command, host, port, url, title, environment):
        made.update(command=command, host=host, port=port, url=url, environment=environment)
        return FakeServer()

    monkeypatch.setattr(sv, "make_server", fake_make)
    run = CliRunner().invoke
    r = run(cli, ["serve", "--db", str(db), "--host", "0.0.0.0"])
    assert r.exit_code == 1 and "--public" in r.output and not made
    r = run(cli, ["serve", "--db", str(db), "--annotator", "alice"])
    assert r.exit_code == 0, r.output
    assert made["host"] == "127.0.0.1" and made["port"] == 8000 and "no authentication" not in r.output
    assert made["environment"] == {"ANNOTATOR_DB": str(db.resolve()), "ANNOTATOR_NAME": "alice"}
    r = run(cli, ["serve", "--db", str(db), "--host", "0.0.0.0", "--public", "--port", "9000"])
    assert r.exit_code == 0, r.output
    assert "warning: textual-serve has no authentication" in r.output and FakeServer.served
    r = run(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "no such database" in r.output


# --- the browser end-to-end test -------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P^_].*?(?:\x07|\x1b\\)|\x1b[@-Z\\-_]", re.S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of the Chrome DevTools Protocol: navigate, focus, press keys, read the terminal stream."""

    def __init__(self, ws):
        self.ws, self.n, self.frames = ws, 0, []

    async def call(self, method, **params):
        self.n += 1
        await self.ws.send_json({"id": self.n, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json(timeout=30)
            self._event(msg)
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def _event(self, msg):
        if msg.get("method") == "Network.webSocketFrameReceived":
            frame = msg["params"]["response"]
            if frame.get("opcode") == 2:
                self.frames.append(base64.b64decode(frame["payloadData"]))

    async def drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self._event(await self.ws.receive_json(timeout=max(0.05, end - time.monotonic())))
            except asyncio.TimeoutError:
                break

    def screen_text(self, since: int = 0) -> str:
        raw = b"".join(self.frames[since:]).decode("utf-8", "replace")
        return ANSI.sub("", raw)

    async def wait_for_text(self, needle, timeout=60, since=0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.screen_text(since):
                return True
            await self.drain(0.5)
        return False

    async def press(self, key):
        await self.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key, unmodifiedText=key,
                        code=f"Key{key.upper()}", windowsVirtualKeyCode=ord(key.upper()))
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=f"Key{key.upper()}",
                        windowsVirtualKeyCode=ord(key.upper()))


async def drive(url: str, db: Path, doc: Document, profile: str):
    import aiohttp

    chrome = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.1)
        cdp_port = int(port_file.read_text().split()[0])
        async with aiohttp.ClientSession() as http:
            targets = await (await http.get(f"http://127.0.0.1:{cdp_port}/json")).json()
            page = next(t for t in targets if t["type"] == "page")
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                b = Browser(ws)
                await b.call("Network.enable")
                await b.call("Page.enable")
                await b.call("Page.navigate", url=url)
                assert await b.wait_for_text("Angela Merkel"), "the article never appeared:\n" + b.screen_text()[-2000:]
                assert await b.wait_for_text("alice"), "the annotator is not shown"
                await b.call("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")
                mark = len(b.frames)
                await b.press("a")  # accept the focused suggestion
                for _ in range(60):
                    with Store(db) as s:
                        items = s.items(doc.id, "alice")
                    if items:
                        break
                    await b.drain(0.5)
                assert [(a.value.start, a.value.end, a.value.label, a.status) for a in items] == \
                    [(0, 13, "PERSON", "accepted")]
                await b.drain(1.0)
                assert len(b.frames) > mark, "the screen did not change after the key press"
                assert "PERSON" in b.screen_text(mark)
    finally:
        os.killpg(chrome.pid, signal.SIGTERM)
        chrome.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)")
def test_browser_end_to_end(tmp_path):
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (the 'web' extra)")
    pytest.importorskip("aiohttp")
    db = tmp_path / "web.db"
    doc = make_db(db)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "annotator", "serve", "--db", str(db), "--annotator", "alice",
                               "--port", str(port), "--no-suggest"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(150):
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("serve exited: " + server.stderr.read().decode())
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as profile:
            asyncio.run(drive(url, db, doc, profile))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
