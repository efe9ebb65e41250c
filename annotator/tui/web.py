"""The aiohttp layer in front of textual-serve: private links, Origin checks, a session cap.

textual-serve's :class:`~textual_serve.server.Server` serves anyone who can reach it and runs
its command through a shell. :class:`GuardedServer` subclasses it (its message loop, static
files and templates are reused as they are) and replaces the routes:

- ``/s/TOKEN`` is the page and ``/s/TOKEN/ws`` the session; anything else that is not a
  static file is refused. A token is checked for the page and again for the WebSocket.
- The WebSocket's ``Origin`` must be this server: the advertised URL's origin, or the
  address the browser used (its ``Host``), so a page from any other site or port — even
  one that learnt a token — is refused. A handshake without ``Origin`` comes from a
  non-browser client (browsers always send one); it is accepted with a valid token, since
  such a client could send any Origin it liked.
- On a loopback address the ``Host`` header must be a loopback name (or the --public-url
  host), which stops DNS-rebinding pages.
- At most ``max_sessions`` sessions run at once; one more gets a "full" page, or its
  WebSocket is closed with code 1013 and a reason the page shows.
- Sessions run without a shell (:class:`Session`), get SIGTERM if the server dies, and
  are stopped (then killed) when their browser tab goes away or the server stops.
- Nothing logs request paths (they hold tokens); names and headers are logged inert.
"""

from __future__ import annotations

import asyncio
import codecs
import ctypes
import html
import shlex
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int
from yarl import URL

from annotator.tui.serve import Links, Person, is_loopback, session_argv, session_environment
from annotator.tui.textsafe import display_text

TEMPLATES = Path(__file__).parent / "templates"
STOP_TIMEOUT = 8.0
REVOCATION_CHECK_SECONDS = 2.0
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_ERROR = 1011


def inert(text: object, limit: int = 200) -> str:
    """Any string from outside (a header, a name, a child's stderr) made safe for one log line."""
    s = display_text(str(text)).replace("\n", " ")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _die_with_server() -> None:
    """Runs in the session process before exec: SIGTERM it if the server dies, however (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # pragma: no cover - not Linux
        pass


class StderrLog:
    """Reads a session's stderr itself: each line goes to the server's log, inert and prefixed, and the
    last ones are kept (the reason shown when the session fails). textual-serve gets an empty stream."""

    MAX_LOGGED = 200

    def __init__(self, stream: asyncio.StreamReader, say, who: str):
        self.stream, self.say, self.who = stream, say, who
        self.lines: deque[str] = deque(maxlen=20)
        self.logged = 0

    async def pump(self) -> None:
        decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        partial = ""
        while data := await self.stream.read(4096):
            *done, partial = (partial + decode(data)).split("\n")
            for line in done:
                self._line(line)
        self._line(partial + decode(b"", final=True))

    def _line(self, line: str) -> None:
        if not line.strip():
            return
        self.lines.append(line)
        self.logged += 1
        if self.logged <= self.MAX_LOGGED:
            self.say(f"{self.who}: {inert(line, 300)}")
        elif self.logged == self.MAX_LOGGED + 1:
            self.say(f"{self.who}: (more output not shown)")

    def last_line(self) -> str:
        return self.lines[-1] if self.lines else ""


class _NoOutput:
    """Stands in for the stderr stream textual-serve would read and echo unfiltered."""

    async def read(self, n: int = -1) -> bytes:
        return b""


class Session(AppService):
    """One browser tab's process: textual-serve's AppService, started without a shell."""

    def __init__(self, argv: list[str], environment: dict[str, str], *, say, who: str, **kwargs):
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv
        self.extra_environment = environment
        self.finished = asyncio.Event()
        self.say, self.who = say, who
        self.stderr: StderrLog | None = None
        self._stderr_task: asyncio.Task | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.update(self.extra_environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24):
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width, height),
            preexec_fn=_die_with_server if sys.platform.startswith("linux") else None)
        self._stdin = process.stdin
        self.stderr = StderrLog(process.stderr, self.say, self.who)
        self._stderr_task = asyncio.create_task(self.stderr.pump())
        process.stderr = _NoOutput()
        return process

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            self.finished.set()

    async def returncode(self) -> int | None:
        """The exit status (once its stderr is read to the end), None if it is still running."""
        process = self._process
        if process is None:
            return None
        try:
            code = await asyncio.wait_for(process.wait(), 2)
            if self._stderr_task is not None:
                await asyncio.wait_for(self._stderr_task, 2)
        except asyncio.TimeoutError:
            return process.returncode
        return code

    async def stop(self) -> None:
        """Ask the app to quit; terminate, then kill, a process that does not exit."""
        process = self._process
        try:
            await asyncio.wait_for(super().stop(), STOP_TIMEOUT)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError):
            pass
        if process is not None:
            for sig in (None, signal.SIGTERM, signal.SIGKILL):
                try:
                    if sig is not None:
                        process.send_signal(sig)
                    await asyncio.wait_for(process.wait(), 3)
                    break
                except ProcessLookupError:
                    break
                except asyncio.TimeoutError:
                    continue
        if self._stderr_task is not None:
            try:
                await asyncio.wait_for(self._stderr_task, 2)
            except asyncio.TimeoutError:
                pass


@dataclass
class Running:
    """An open session: whose, through which link, on which socket."""

    person: Person
    token: str
    websocket: web.WebSocketResponse


def origin_key(url: URL) -> tuple[str, str, int | None]:
    return (url.scheme.lower(), (url.host or "").lower(), url.port)


class GuardedServer(Server):
    """textual-serve's Server behind private links, an Origin check and a session cap."""

    def __init__(self, links: Links, sock, public_url: str, *, db_path: str | Path, schema_path: str | None = None,
                 no_suggest: bool = False, max_sessions: int = 4, bound_loopback: bool = True, url_given: bool = False,
                 say=None):
        host, port = sock.getsockname()[:2]
        super().__init__("annotator", host=host, port=port, title="annotator", public_url=public_url,
                         templates_path=TEMPLATES)
        self.links = links
        self.sock = sock
        self.db_path = db_path
        self.schema_path = schema_path
        self.no_suggest = no_suggest
        self.max_sessions = max_sessions
        self.bound_loopback = bound_loopback
        self.url_given = url_given
        self.advertised = URL(public_url)
        self.sessions: dict[int, Running] = {}
        self._say = say or (lambda line: print(line, file=sys.stderr, flush=True))
        self._background: asyncio.Task | None = None

    def say(self, line: str) -> None:
        self._say(time.strftime("%H:%M:%S ") + line)

    # --- the aiohttp app ---------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard_host])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/s/{token}", self.handle_index, name="index"),
            web.get("/s/{token}/ws", self.handle_websocket, name="websocket"),
            web.static("/static", self.statics_path, name="static"),
        ])
        app.router.add_route("*", "/{tail:.*}", self.handle_other)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        app.on_response_prepare.append(self.add_headers)
        return app

    @staticmethod
    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Content-Security-Policy",
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'")
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")

    @web.middleware
    async def guard_host(self, request: web.Request, handler):
        """On loopback, serve only requests addressed to a loopback name (no DNS rebinding)."""
        if self.bound_loopback:
            try:
                name = URL(f"http://{request.host}").host or ""
            except ValueError:
                name = ""
            if not (is_loopback(name) or name == (self.advertised.host or "").lower()):
                self.say(f"refused a request for host {inert(request.host, 80)!r} (this server is on loopback)")
                return page(403, "Wrong address", "This annotation server answers only on this machine's own "
                                                  "addresses.")
        return await handler(request)

    async def on_startup(self, app: web.Application) -> None:
        if self.links.uses_database:
            self._background = asyncio.create_task(self._watch_revocations())

    async def on_shutdown(self, app: web.Application) -> None:
        if self._background is not None:
            self._background.cancel()
        for running in list(self.sessions.values()):
            await running.websocket.close(code=CLOSE_GOING_AWAY, message=b"the server is stopping")
        self.links.close()

    def serve(self, debug: bool = False) -> None:
        """Run until SIGINT/SIGTERM; no access log (paths hold tokens), no banner."""
        self.debug = debug
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        web.run_app(self._make_app(), sock=self.sock, handle_signals=False, loop=loop, print=None,
                    access_log=None, shutdown_timeout=STOP_TIMEOUT + 2)

    # --- handlers ----------------------------------------------------------------------

    async def handle_other(self, request: web.Request) -> web.StreamResponse:
        return page(403, "Private link needed",
                    "This annotation server opens only through the private link printed when it started "
                    "(http://…/s/…). Ask whoever runs it for yours.")

    def _person(self, request: web.Request) -> Person | None:
        return self.links.resolve(request.match_info.get("token", ""))

    def _full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def full_reason(self) -> str:
        return f"server full: {len(self.sessions)} of {self.max_sessions} sessions open; close a tab or try later"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        person = self._person(request)
        if person is None:
            return refused_link()
        if self._full():
            self.say(f"turned away {inert(person.describe())}: {self.full_reason()}")
            return page(503, "Server full", self.full_reason() + ". Whoever runs it can allow more with "
                                                                 "--max-sessions.")
        token = request.match_info["token"]
        # the WebSocket goes where the page came from, unless --public-url names the address (a proxy)
        base = self.advertised if self.url_given else URL(f"http://{request.host}")
        ws_scheme = "wss" if base.scheme == "https" else "ws"
        ws_url = str(base.with_scheme(ws_scheme).with_path(f"{base.path.rstrip('/')}/s/{token}/ws"))
        context = {
            "title": f"annotator · {person.describe()} · {Path(self.db_path).name}",
            "websocket_url": ws_url,
            "static_url": "../static/",
            "font_size": max(8, min(40, to_int(request.query.get("fontsize", "16"), 16))),
        }
        return aiohttp_jinja2.render_template("page.html", request, context)

    def origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser; see the module docstring
        try:
            seen = URL(origin)
            host = URL(f"{seen.scheme}://{request.host}")
        except (ValueError, TypeError):
            return False
        if seen.scheme not in ("http", "https") or not seen.host or seen.path not in ("", "/"):
            return False
        return origin_key(seen) in (origin_key(self.advertised), origin_key(host))

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        person = self._person(request)
        if person is None:
            self.say("refused a session: unknown or revoked link")
            return refused_link()
        if not self.origin_allowed(request):
            self.say(f"refused a session for {inert(person.describe())} opened from another site "
                     f"(Origin {inert(request.headers.get('Origin'), 80)!r})")
            return page(403, "Refused", "This session may be opened only from its own page.")
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self._full():
            self.say(f"turned away {inert(person.describe())}: {self.full_reason()}")
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=close_reason(self.full_reason()))
            return websocket
        key = id(websocket)
        self.sessions[key] = Running(person, request.match_info["token"], websocket)
        width = max(10, min(1000, to_int(request.query.get("width", "80"), 80)))
        height = max(5, min(500, to_int(request.query.get("height", "24"), 24)))
        session = Session(session_argv(person, no_suggest=self.no_suggest),
                          session_environment(self.db_path, person, self.schema_path), say=self.say, who=inert(person.describe()),
                          write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
                          download_manager=self.download_manager, debug=self.debug)
        self.say(f"session opened for {inert(person.describe())} ({len(self.sessions)} of {self.max_sessions})")
        reader = None
        try:
            await session.start(width, height)
            reader = asyncio.create_task(self._process_messages(websocket, session))
            ended = asyncio.create_task(session.finished.wait())
            done, _ = await asyncio.wait({reader, ended}, return_when=asyncio.FIRST_COMPLETED)
            ended.cancel()
            if reader in done and reader.exception() is not None:  # a malformed message from the client
                self.say(f"session for {inert(person.describe())}: bad message from the browser "
                         f"({inert(type(reader.exception()).__name__)})")
            if ended in done and not websocket.closed:
                code = await session.returncode()
                if code:  # the app failed (e.g. nothing to review): tell the page why
                    why = inert(session.stderr.last_line() if session.stderr else "", 100)
                    why = why or f"the session exited with {code}"
                    await websocket.close(code=CLOSE_ERROR, message=close_reason(why))
                else:
                    await websocket.close()
        except asyncio.CancelledError:
            await websocket.close(code=CLOSE_GOING_AWAY)
            raise
        except Exception as exc:  # one session's failure must not stop the server
            self.say(f"session for {inert(person.describe())} failed: {inert(type(exc).__name__)}: {inert(exc)}")
        finally:
            if reader is not None:
                reader.cancel()
            await session.stop()
            self.sessions.pop(key, None)
            self.say(f"session closed for {inert(person.describe())} ({len(self.sessions)} open)")
        return websocket

    async def _watch_revocations(self) -> None:
        """Close the sessions whose link was revoked (`annotator links revoke`) while they ran."""
        while True:
            await asyncio.sleep(REVOCATION_CHECK_SECONDS)
            for running in list(self.sessions.values()):
                try:
                    still = self.links.resolve(running.token) == running.person
                except Exception:  # a locked or busy database: check again next time
                    continue
                if not still and not running.websocket.closed:
                    self.say(f"closing the session of {inert(running.person.describe())}: its link was revoked")
                    await running.websocket.close(code=CLOSE_POLICY, message=b"this link was revoked")


def close_reason(text: str) -> bytes:
    """A WebSocket close reason: at most 123 bytes of whole UTF-8 characters."""
    data = text.encode("utf-8")
    if len(data) <= 123:
        return data
    return (data[:120].decode("utf-8", "ignore") + "…").encode("utf-8")


def page(status: int, title: str, message: str) -> web.Response:
    """A small self-contained HTML page (every string escaped)."""
    body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{background:#0c181f;color:#eee;font:16px/1.5 monospace;display:flex;"
            "align-items:center;justify-content:center;height:90vh}main{max-width:40em;background:#12232d;"
            "padding:2em}</style></head>"
            f"<body><main><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></main></body></html>")
    return web.Response(status=status, text=body, content_type="text/html")


def refused_link() -> web.Response:
    return page(403, "Link not valid", "This private link is not valid: it was revoked, replaced, or belongs "
                                       "to an earlier run of the server. Ask whoever runs it for a new one.")
