"""`annotator serve`: hosts, URLs, names, tokens and links, the CLI's one-line errors, and
chromium end to end (one person, and two people at once). The WebSocket-level checks (who
is refused, where keys land) are in tests/test_serve_ws.py."""

import asyncio
import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.store import Store
from annotator.tui import serve as sv
from tests.serve_helpers import ANSI, Served, layer, make_db


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


def test_public_url_is_never_localhost_for_a_wildcard_bind(monkeypatch):
    assert sv.public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert sv.public_url("::1", 8000) == "http://[::1]:8000"
    assert sv.public_url("192.168.1.10", 8000) == "http://192.168.1.10:8000"
    assert sv.public_url("0.0.0.0", 80, "https://annotate.example.org/") == "https://annotate.example.org"
    monkeypatch.setattr(sv, "outward_address", lambda: "10.1.2.3")
    assert sv.public_url("0.0.0.0", 8000) == "http://10.1.2.3:8000"
    assert sv.public_url("::", 8000) == "http://10.1.2.3:8000"
    monkeypatch.setattr(sv, "outward_address", lambda: None)
    with pytest.raises(AnnotatorError, match="pass --public-url"):
        sv.public_url("0.0.0.0", 8000)
    for bad in ("annotate.example.org", "ftp://x", "javascript:alert(1)"):
        with pytest.raises(AnnotatorError, match="not an http"):
            sv.public_url("0.0.0.0", 8000, bad)


def test_outward_address_is_not_loopback():
    address = sv.outward_address()
    assert address is None or not sv.is_loopback(address)


def test_session_command_has_no_shell_and_names_travel_in_the_environment(tmp_path):
    hostile_db, hostile_name = tmp_path / "x; rm -rf ~ $(id).db", "--db=/etc/passwd'; touch /tmp/pwned #"
    alice = sv.Person(sv.ANNOTATE, hostile_name)
    assert sv.session_argv(alice, no_suggest=True) == [sys.executable, "-m", "annotator", "annotate", "--no-suggest"]
    assert sv.session_environment(hostile_db, alice) == {"ANNOTATOR_DB": str(hostile_db.resolve()),
                                                         "ANNOTATOR_NAME": hostile_name}
    carol = sv.Person(sv.REVIEW, "carol")
    assert sv.session_argv(carol, no_suggest=True) == [sys.executable, "-m", "annotator", "review"]
    assert sv.session_environment(hostile_db, carol)["ANNOTATOR_REVIEWER"] == "carol"


def test_the_servers_schema_travels_to_every_session(tmp_path, monkeypatch):
    schema = tmp_path / "labels.yaml"
    schema.write_text("name: mine\nentities: [PERSON, ORG]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for person in (sv.Person(sv.ANNOTATE, "alice"), sv.Person(sv.REVIEW, "carol")):
        env = sv.session_environment("s.db", person, "labels.yaml")
        assert env["ANNOTATOR_SCHEMA"] == str(schema.resolve())  # absolute: the session may run elsewhere
    assert "ANNOTATOR_SCHEMA" not in sv.session_environment("s.db", sv.Person(sv.ANNOTATE, "alice"))


@pytest.mark.parametrize("name, problem", [
    ("", "empty"), ("  ", "empty"), ("al\x1b[2Jice", "control"), ("bob\u202e", "control"), ("a\nb", "control"),
    ("review", "adjudication layer"), ("suggestions", "reserved"), ("suggester:entities", "reserved")])
def test_names_that_cannot_be_served(name, problem):
    with pytest.raises(AnnotatorError, match=problem):
        sv.check_name(name)


def test_reviewer_names_are_checked_as_review_checks_them():
    # the same rules as `annotator review --reviewer`, which the reviewer's session runs
    assert sv.check_name("carol", sv.REVIEW) == "carol"
    with pytest.raises(AnnotatorError, match="adjudication layer"):
        sv.check_name("review", sv.REVIEW)
    with pytest.raises(AnnotatorError, match="reviewer name"):
        sv.check_name("x\x07", sv.REVIEW)


def test_tokens_are_unguessable_and_compared_whole():
    tokens = {sv.new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(len(t) >= 43 for t in tokens)
    links = sv.Links()
    alice = sv.Person(sv.ANNOTATE, "alice")
    token = links.add(alice)
    assert links.resolve(token) == alice
    for wrong in ("", token[:-1], token + "x", token.upper() if token.upper() != token else token.lower(), "x" * 500):
        assert links.resolve(wrong) is None


def test_database_links_store_only_a_hash_and_open_only_served_people(tmp_path):
    db = tmp_path / "t.db"
    make_db(db)
    alice, bob, carol = (sv.Person(sv.ANNOTATE, "alice"), sv.Person(sv.ANNOTATE, "bob"),
                         sv.Person(sv.REVIEW, "carol"))
    with Store(db) as s:
        issued = sv.issue_team_links(s, [alice, bob, carol], renew=False)
        tokens = {p: t for p, t, _ in issued}
        assert all(tokens.values()) and len(set(tokens.values())) == 3
        again = sv.issue_team_links(s, [alice, bob, carol], renew=False)
        assert [(t, created is not None) for _, t, created in again] == [(None, True)] * 3
        rows = list(s.db.execute("select * from serve_links"))
    dump = db.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("t.db-*"))
    for token in tokens.values():
        assert token.encode() not in dump and sv.token_hash(token).encode() in dump
    assert len(rows) == 3
    links = sv.Links(db, served={alice, carol})
    try:
        assert links.resolve(tokens[alice]) == alice and links.resolve(tokens[carol]) == carol
        assert links.resolve(tokens[bob]) is None  # bob has a link, but this server does not serve him
        assert links.resolve(sv.token_hash(tokens[alice])) is None  # the stored hash is not a key
        with Store(db) as s:
            assert s.revoke_links("alice") == 1
        assert links.resolve(tokens[alice]) is None
        with Store(db) as s:
            renewed = sv.issue_team_links(s, [carol], renew=True)
        assert links.resolve(tokens[carol]) is None and links.resolve(renewed[0][1]) == carol
    finally:
        links.close()


def test_bind_reports_a_port_in_use_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(AnnotatorError, match=f"cannot listen on 127.0.0.1:{port}: the port is in use"):
            sv.bind("127.0.0.1", port)
    with pytest.raises(AnnotatorError, match="unknown host"):
        sv.bind("no-such-host.invalid", 0)
    sock = sv.bind("127.0.0.1", 0)
    assert sock.getsockname()[1] > 0
    sock.close()


# --- the CLI ---------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_serve_refuses_bad_requests_in_one_line(tmp_path):
    db = tmp_path / "s.db"
    make_db(db, assign=["alice"])
    cases = [
        (["--host", "0.0.0.0"], "--public"),
        (["--annotator", "alice", "--annotators", "bob"], "--annotator serves one person"),
        (["--new-links"], "--new-links is for team links"),
        (["--team", "--annotators", "bob"], "either --annotators or --team"),
        (["--annotators", "bob,review"], "'review' is the adjudication layer"),
        (["--annotators", "al\x1bice"], "control"),
        (["--annotator", ""], "--annotator: name is empty"),
        (["--host", "0.0.0.0", "--public", "--public-url", "annotate.example.org"], "not an http"),
        (["--max-sessions", "0"], "0 is not in the range"),
        (["--schema", str(tmp_path / "missing.yaml")], "missing.yaml: no such schema file"),
    ]
    for args, message in cases:
        r = run("serve", "--db", str(db), *args)
        assert r.exit_code != 0 and message in r.output, (args, r.output)
        assert "Traceback" not in r.output and "\x1b" not in r.output
    r = CliRunner().invoke(cli, ["serve", "--db", str(db)], env={"ANNOTATOR_NAME": "eve\x1b]0;pwned\x07"})
    assert r.exit_code == 1 and "contains control" in r.output and "\x1b" not in r.output and "\x07" not in r.output
    r = run("serve", "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 1 and "no such database" in r.output
    with Store(db) as s:
        assert s.links() == []  # nothing was issued by a refused command


def test_team_without_assignments_says_what_to_do(tmp_path):
    db = tmp_path / "s.db"
    make_db(db)
    r = run("serve", "--db", str(db), "--team")
    assert r.exit_code == 1 and "has no assignments; run `annotator assign` first" in r.output


@pytest.mark.slow
def test_serve_on_a_port_in_use_is_one_line_and_issues_no_link(tmp_path):
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (the 'web' extra)")
    db = tmp_path / "s.db"
    make_db(db, assign=["alice"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "annotator", "serve", "--db", str(db), "--team", "--port", str(port)],
                           capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use (another server?); choose another --port"]
    assert r.stdout == ""
    with Store(db) as s:
        assert s.links() == []


def test_links_list_and_revoke(tmp_path):
    db = tmp_path / "s.db"
    make_db(db)
    r = run("links", "list", "--db", str(db))
    assert r.exit_code == 0 and "no links in" in r.output
    with Store(db) as s:
        sv.issue_team_links(s, [sv.Person(sv.ANNOTATE, "alice"), sv.Person(sv.REVIEW, "alice"),
                                sv.Person(sv.ANNOTATE, "bob")], renew=False)
    r = run("links", "list", "--db", str(db))
    lines = r.output.splitlines()
    assert r.exit_code == 0 and lines[0].split() == ["name", "opens", "issued", "(UTC)"]
    assert [ln.split()[:2] for ln in lines[1:]] == [["alice", "annotate"], ["alice", "review"], ["bob", "annotate"]]
    r = run("links", "revoke", "--db", str(db), "bob", "carol")
    assert r.exit_code == 1 and "no link for carol" in r.output and "nothing revoked" in r.output
    r = run("links", "revoke", "--db", str(db), "alice", "--only", "review")
    assert r.exit_code == 0 and "revoked 1 link (alice)" in r.output
    r = run("links", "revoke", "--db", str(db))
    assert r.exit_code == 1 and "or say --all" in r.output
    r = run("links", "revoke", "--db", str(db), "--all")
    assert r.exit_code == 0 and "revoked 2 links (alice, bob)" in r.output
    with Store(db) as s:
        assert s.links() == []


def test_links_list_shows_hostile_names_inert(tmp_path):
    db = tmp_path / "s.db"
    make_db(db)
    with Store(db) as s:
        s.put_link("annotate", "eve\x1b]0;pwned\x07", "0" * 64)
    r = run("links", "list", "--db", str(db))
    assert r.exit_code == 0 and "\x1b" not in r.output and "\x07" not in r.output and "eve␛]0;pwned␇" in r.output


# --- chromium end to end ---------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """Just enough of the Chrome DevTools Protocol for one tab: navigate, press keys, read the terminal."""

    def __init__(self, ws):
        self.ws, self.n, self.frames, self.closed_reason = ws, 0, [], None

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
        return ANSI.sub("", b"".join(self.frames[since:]).decode("utf-8", "replace"))

    async def wait_for_text(self, needle, timeout=60, since=0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.screen_text(since):
                return True
            await self.drain(0.5)
        return False

    async def body_text(self) -> str:
        result = await self.call("Runtime.evaluate", expression="document.body.innerText")
        return result["result"].get("value", "")

    async def open(self, url):
        await self.call("Network.enable")
        await self.call("Page.enable")
        await self.call("Page.navigate", url=url)

    async def focus_terminal(self):
        await self.call("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")

    async def press(self, key):
        await self.call("Input.dispatchKeyEvent", type="keyDown", key=key, text=key, unmodifiedText=key,
                        code=f"Key{key.upper()}", windowsVirtualKeyCode=ord(key.upper()))
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=f"Key{key.upper()}",
                        windowsVirtualKeyCode=ord(key.upper()))


class Chromium:
    """Headless chromium in its own process group; `page()` opens a new tab to drive."""

    def __init__(self, profile: str):
        self.profile = profile

    async def __aenter__(self):
        import aiohttp

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={self.profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(600):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.1)
        else:
            self._stop()
            raise AssertionError(f"{CHROMIUM} did not start within 60 s (no DevToolsActivePort)")
        self.cdp = f"http://127.0.0.1:{int(port_file.read_text().split()[0])}"
        self.http = aiohttp.ClientSession()
        self.sockets = []
        return self

    async def page(self) -> Page:
        target = await (await self.http.put(f"{self.cdp}/json/new?about:blank")).json()
        ws = await self.http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        self.sockets.append(ws)
        return Page(ws)

    async def __aexit__(self, *exc):
        for ws in self.sockets:
            await ws.close()
        await self.http.close()
        self._stop()

    def _stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        except ProcessLookupError:
            self.proc.wait(timeout=20)


needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="chromium is not installed (apt-get install chromium; .ci/run does)")


def _browser_prerequisites():
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (the 'web' extra)")
    pytest.importorskip("aiohttp")


@pytest.mark.slow
@needs_chromium
def test_browser_end_to_end(tmp_path):
    _browser_prerequisites()
    db = tmp_path / "web.db"
    doc = make_db(db)

    async def scenario(link, origin):
        with tempfile.TemporaryDirectory() as profile:
            async with Chromium(profile) as chrome:
                refused = await chrome.page()
                await refused.open(origin + "/")  # no token: a page saying so, and no session
                await refused.drain(1.0)
                assert "Private link needed" in await refused.body_text()
                b = await chrome.page()
                await b.open(link)
                assert await b.wait_for_text("Angela Merkel"), "the article never appeared:\n" + b.screen_text()[-2000:]
                assert await b.wait_for_text("alice"), "the annotator is not shown"
                await b.focus_terminal()
                mark = len(b.frames)
                await b.press("a")  # accept the focused suggestion
                for _ in range(60):
                    if layer(db, doc, "alice"):
                        break
                    await b.drain(0.5)
                assert layer(db, doc, "alice") == [(0, 13, "PERSON", "accepted")]
                await b.drain(1.0)
                assert len(b.frames) > mark, "the screen did not change after the key press"
                assert "PERSON" in b.screen_text(mark)

    with Served(tmp_path, "--db", str(db), "--annotator", "alice") as server:
        asyncio.run(asyncio.wait_for(scenario(server.link("alice"), server.origin()), 240))


@pytest.mark.slow
@needs_chromium
def test_browser_team_two_people_at_once_and_a_full_server(tmp_path):
    _browser_prerequisites()
    db = tmp_path / "team.db"
    doc = make_db(db, assign=["alice", "bob"])

    async def scenario(server):
        with tempfile.TemporaryDirectory() as profile:
            async with Chromium(profile) as chrome:
                alice, bob = await chrome.page(), await chrome.page()
                await alice.open(server.link("alice"))
                await bob.open(server.link("bob"))
                for page, name in ((alice, "alice"), (bob, "bob")):
                    assert await page.wait_for_text("Angela Merkel"), page.screen_text()[-2000:]
                    assert await page.wait_for_text(name)
                await alice.focus_terminal()
                await alice.press("a")
                await bob.focus_terminal()
                await bob.press("x")
                for _ in range(60):
                    if layer(db, doc, "alice") and layer(db, doc, "bob"):
                        break
                    await alice.drain(0.25)
                    await bob.drain(0.25)
                assert layer(db, doc, "alice") == [(0, 13, "PERSON", "accepted")]
                assert layer(db, doc, "bob") == [(0, 13, "PERSON", "rejected")]
                # both places are taken: a third tab gets a page that says so
                third = await chrome.page()
                await third.open(server.link("alice"))
                await third.drain(1.0)
                text = await third.body_text()
                assert "Server full" in text and "2 of 2 sessions open" in text
                # revoking alice's link closes her tab, which says why
                r = CliRunner().invoke(cli, ["links", "revoke", "--db", str(db), "alice"])
                assert r.exit_code == 0, r.output
                for _ in range(40):
                    if "this link was revoked" in await alice.body_text():
                        break
                    await alice.drain(0.25)
                assert "Session ended." in await alice.body_text()
                assert "this link was revoked" in await alice.body_text()

    with Served(tmp_path, "--db", str(db), "--team", "--max-sessions", "2", expect_links=2) as server:
        asyncio.run(asyncio.wait_for(scenario(server), 300))
