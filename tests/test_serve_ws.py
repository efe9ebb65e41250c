"""`annotator serve` driven by a plain WebSocket client: who gets in, who is refused, and where
each keystroke lands. Each test runs a real server (tests/serve_helpers.py stops it and checks
that its session processes are gone)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from annotator.store import Store
from tests.serve_helpers import Served, connect, layer, make_db, run, ws_url

pytestmark = [pytest.mark.slow]
aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve", reason="textual-serve is not installed (the 'web' extra)")

ACCEPTED_PERSON = [(0, 13, "PERSON", "accepted")]


def http_get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


async def refused(http, url: str, **headers) -> int:
    """The HTTP status of a refused WebSocket handshake (fails if the handshake succeeds)."""
    try:
        ws = await http.ws_connect(url, headers=headers)
    except aiohttp.WSServerHandshakeError as e:
        return e.status
    await ws.close()
    raise AssertionError(f"the WebSocket at {url} was accepted")


def wait_for_layer(db, doc, name, expected, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if layer(db, doc, name) == expected:
            return True
        time.sleep(0.3)
    return False


def test_only_the_link_with_the_right_origin_opens_a_session(tmp_path):
    db = tmp_path / "web.db"
    doc = make_db(db)
    with Served(tmp_path, "--db", str(db), "--annotator", "alice") as server:
        link = server.link("alice")
        origin = server.origin()
        base = origin
        token = link.rsplit("/", 1)[1]
        assert len(token) >= 40  # secrets.token_urlsafe(32)

        # the page needs the token
        assert http_get(base + "/")[0] == 403
        assert http_get(base + "/s/")[0] == 403
        assert http_get(base + "/s/" + token[:-1] + "x")[0] == 403
        status, page = http_get(link)
        assert status == 200 and "alice" in page and token in page  # the page's own WebSocket address

        async def scenario():
            async with aiohttp.ClientSession() as http:
                # no token, wrong token, foreign or opaque Origin, a DNS-rebinding Host: all refused
                assert await refused(http, base.replace("http", "ws") + "/ws", Origin=origin) in (403, 404)
                assert await refused(http, ws_url(base + "/s/" + "A" * 43), Origin=origin) == 403
                assert await refused(http, ws_url(base + "/s/"), Origin=origin) in (403, 404)
                assert await refused(http, ws_url(link), Origin="http://evil.example") == 403
                assert await refused(http, ws_url(link), Origin="http://127.0.0.1:1") == 403  # another local port
                assert await refused(http, ws_url(link), Origin="null") == 403
                assert await refused(http, ws_url(link), Origin=origin, Host="rebound.example:80") == 403
                assert layer(db, doc, "alice") == []
                # the right link from its own page: the TUI starts and a key lands in alice's layer
                term = await connect(http, link)
                assert await term.wait_for("Angela Merkel"), term.text()[-1500:]
                assert await term.wait_for("alice")
                await term.press("a")
                for _ in range(60):
                    if layer(db, doc, "alice"):
                        break
                    await term.pump(0.5)
                assert layer(db, doc, "alice") == ACCEPTED_PERSON
                server.note_sessions()
                await term.ws.close()

        run(scenario())
        log = server.stderr
        assert "refused a session for alice opened from another site (Origin 'http://evil.example')" in log
        assert "refused a session: unknown or revoked link" in log
        assert token not in log and token not in server.out.read_text().replace(link, "")
    with Store(db) as s:
        assert s.links() == []  # a one-person server stores nothing


def test_a_missing_origin_is_a_non_browser_client_and_needs_the_token(tmp_path):
    db = tmp_path / "web.db"
    doc = make_db(db)
    with Served(tmp_path, "--db", str(db), "--annotator", "bob") as server:
        async def scenario():
            async with aiohttp.ClientSession() as http:
                assert await refused(http, ws_url(server.origin() + "/s/nope")) == 403
                term = await connect(http, server.link("bob"), origin=None)
                assert await term.wait_for("Angela Merkel")
                await term.press("x")  # reject
                assert wait_for_layer(db, doc, "bob", [(0, 13, "PERSON", "rejected")])
                await term.ws.close()

        run(scenario())


def test_sessions_over_the_cap_are_refused_with_a_reason(tmp_path):
    db = tmp_path / "web.db"
    make_db(db)
    with Served(tmp_path, "--db", str(db), "--annotator", "alice", "--max-sessions", "1") as server:
        link = server.link("alice")

        async def scenario():
            async with aiohttp.ClientSession() as http:
                first = await connect(http, link)
                assert await first.wait_for("Angela Merkel")
                status, page = http_get(link)
                assert status == 503 and "Server full" in page and "--max-sessions" in page
                second = await connect(http, link)
                code, reason = await second.wait_closed()
                assert code == 1013 and "server full: 1 of 1 sessions open" in reason
                assert second.text() == ""  # no process was started for it
                assert len(server.note_sessions()) == 1
                await first.ws.close()
                # a place frees up when a tab closes
                for _ in range(40):
                    if http_get(link)[0] == 200:
                        break
                    time.sleep(0.25)
                third = await connect(http, link)
                assert await third.wait_for("Angela Merkel")
                await third.ws.close()

        run(scenario())
        assert "turned away alice: server full" in server.stderr


def test_public_server_never_advertises_localhost(tmp_path, monkeypatch):
    db = tmp_path / "web.db"
    make_db(db)
    with Served(tmp_path, "--db", str(db), "--annotator", "alice", "--host", "0.0.0.0", "--public") as server:
        link = server.link("alice")
        assert "localhost" not in link and "0.0.0.0" not in link and "127.0.0.1" not in link
        assert "warning: serving beyond this machine over plain http" in server.stderr
        status, page = http_get(link)
        assert status == 200
        host = link.split("/")[2]
        assert f'data-session-websocket-url="ws://{host}/s/' in page  # where the browser came from
        assert "localhost" not in page
        # reached by another name (here loopback), the page points its WebSocket there, not at localhost
        port = host.rsplit(":", 1)[1]
        status, page = http_get(link.replace(host, f"127.0.0.1:{port}"))
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/s/' in page


def test_team_links_two_people_at_once_each_in_their_own_layer(tmp_path):
    db = tmp_path / "team.db"
    doc = make_db(db, assign=["alice", "bob"])
    with Served(tmp_path, "--db", str(db), "--team", "--reviewer", "carol", expect_links=3) as server:
        assert set(server.links) == {"alice", "bob", "carol (review)"}
        assert len(set(server.links.values())) == 3
        alice, bob = server.link("alice"), server.link("bob")

        async def scenario():
            async with aiohttp.ClientSession() as http:
                # nothing in the request chooses the person: only the token does
                a = await connect(http, alice, query="&annotator=bob&role=review&db=other.db")
                b = await connect(http, bob)
                assert await a.wait_for("alice") and await b.wait_for("bob")
                assert await a.wait_for("Angela Merkel") and await b.wait_for("Angela Merkel")
                assert len(server.note_sessions()) == 2
                await a.press("a")  # alice accepts
                await b.press("x")  # bob rejects
                assert wait_for_layer(db, doc, "alice", ACCEPTED_PERSON)
                assert wait_for_layer(db, doc, "bob", [(0, 13, "PERSON", "rejected")])
                await a.ws.close()
                await b.ws.close()

        run(scenario())
        assert layer(db, doc, "carol") == [] and layer(db, doc, "review") == []
    with Store(db) as s:
        stored = s.links()
        hashes = [r[0] for r in s.db.execute("select token_sha256 from serve_links")]
    assert [(r["role"], r["name"]) for r in stored] == [("annotate", "alice"), ("annotate", "bob"), ("review", "carol")]
    for token in (alice, bob):
        assert token.rsplit("/", 1)[1] not in db.read_bytes().decode("latin-1")  # only hashes are stored
    assert all(len(h) == 64 for h in hashes)


def test_reviewer_link_opens_review_and_decides_in_the_review_layer(tmp_path):
    db = tmp_path / "team.db"
    doc = make_db(db, assign=["alice", "bob"])
    with Store(db) as s:
        from dataclasses import replace

        from annotator.model import Annotation, new_id

        [sug] = s.suggestions(doc.id)
        for name, value in (("alice", sug.value), ("bob", replace(sug.value, label="ORG"))):  # they disagree
            s.apply(name, doc.id, "accept", [(None, Annotation(new_id(), doc.id, name, value, "accepted",
                                                                  sug.id, "suggestion"))])
    with Served(tmp_path, "--db", str(db), "--reviewer", "carol") as server:
        async def scenario():
            async with aiohttp.ClientSession() as http:
                term = await connect(http, server.link("carol (review)"))
                assert await term.wait_for("Angela Merkel"), term.text()[-1500:]
                assert await term.wait_for("carol")
                await term.press("1")  # take annotator 1's (alice's) version
                assert wait_for_layer(db, doc, "review", ACCEPTED_PERSON)
                await term.ws.close()

        run(scenario())
    assert layer(db, doc, "carol") == []


def test_a_session_that_cannot_start_says_why(tmp_path):
    db = tmp_path / "team.db"
    make_db(db)
    # nobody has annotated anything: review refuses to start, and the page is told why
    with Served(tmp_path, "--db", str(db), "--reviewer", "carol") as server:
        async def scenario():
            async with aiohttp.ClientSession() as http:
                term = await connect(http, server.link("carol (review)"))
                code, reason = await term.wait_closed(60)
                assert code == 1011 and reason.startswith("error: needs at least 2 annotators")

        run(scenario())
        assert "note: carol's review link opens nothing yet" in server.stderr
        assert "carol (review): error: needs at least 2 annotators" in server.stderr  # the session's own error
        assert "error: needs" not in server.out.read_text()  # the links on stdout stay clean


def test_team_links_survive_a_restart_and_revoking_closes_the_session(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "team.db"
    doc = make_db(db, assign=["alice", "bob"])
    with Served(tmp_path, "--db", str(db), "--annotators", "alice,bob", expect_links=2, name="first") as first:
        links = dict(first.links)
    assert first.proc.returncode == 0

    with Served(tmp_path, "--db", str(db), "--annotators", "alice,bob", expect_links=0, name="second") as second:
        out = second.out.read_text()
        assert "/s/" not in out and out.count("still valid; not shown again") == 2  # kept links stay unprinted
        assert "--new-links gives everyone one" in second.stderr

        async def scenario():
            async with aiohttp.ClientSession() as http:
                term = await connect(http, links["alice"].replace(first.origin(), second.origin()))
                assert await term.wait_for("Angela Merkel")
                await term.press("a")
                assert wait_for_layer(db, doc, "alice", ACCEPTED_PERSON)
                r = CliRunner().invoke(cli, ["links", "revoke", "--db", str(db), "alice"])
                assert r.exit_code == 0 and "revoked 1 link (alice)" in r.output
                code, reason = await term.wait_closed(20)
                assert code == 1008 and reason == "this link was revoked"
                assert await refused(http, ws_url(links["alice"].replace(first.origin(), second.origin())),
                                     Origin=second.origin()) == 403
                bob = await connect(http, links["bob"].replace(first.origin(), second.origin()))
                assert await bob.wait_for("Angela Merkel")  # bob's link still works
                await bob.ws.close()

        run(scenario())

    with Served(tmp_path, "--db", str(db), "--annotators", "alice,bob", "--new-links", expect_links=2,
                name="third") as third:
        assert set(third.links) == {"alice", "bob"}
        old_bob = links["bob"].replace(first.origin(), third.origin())
        assert third.links["bob"] != old_bob and http_get(old_bob)[0] == 403
        assert http_get(third.links["bob"])[0] == 200


def test_a_link_opens_only_people_this_server_serves(tmp_path):
    db = tmp_path / "team.db"
    make_db(db, assign=["alice", "bob"])
    with Served(tmp_path, "--db", str(db), "--team", expect_links=2, name="team") as team:
        bob = team.link("bob")
    with Served(tmp_path, "--db", str(db), "--annotators", "alice", expect_links=0, name="alice") as only_alice:
        assert http_get(bob.replace(team.origin(), only_alice.origin()))[0] == 403


def test_names_and_file_names_are_inert_in_the_page(tmp_path):
    db = tmp_path / "<img src=x onerror=alert(1)>.db"
    make_db(db)
    name = '"><script>alert(1)</script>'
    with Served(tmp_path, "--db", str(db), "--annotator", name) as server:
        status, page = http_get(server.link(name))
    assert status == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;.db" in page
