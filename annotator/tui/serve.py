"""`annotator serve`: the terminal UI in a browser, for its owner(s) only.

textual-serve (the optional ``web`` extra) has no authentication, so :mod:`annotator.tui.web`
puts a small aiohttp layer in front of it. This module holds what needs neither aiohttp nor
Textual: who may open which session (private links), the address to listen on and to
advertise, and the command each session runs.

Private links carry an unguessable token (``secrets.token_urlsafe``) in their path:
``http://HOST:PORT/s/TOKEN``. With one annotator (``serve --annotator NAME``) the token lives
in memory and changes with every start, as Jupyter's does. For a team (``--annotators``,
``--team``, ``--reviewer``) each person gets a link stored in the database — only the
token's sha256, so a copy of the database opens nothing — which therefore survives a
restart but cannot be printed again: ``--new-links`` (or ``annotator links revoke NAME``
and a restart) issues new ones.

Every session is ``python -m annotator annotate`` (or ``review``), started without a shell;
the database and the person's name reach it through the environment, so no string a user
typed or a database held is ever parsed by a shell.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from annotator import validate
from annotator.errors import AnnotatorError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
TOKEN_BYTES = 32  # 256 bits, 43 URL-safe characters
ANNOTATE, REVIEW = "annotate", "review"
ROLES = (ANNOTATE, REVIEW)
DEFAULT_MAX_SESSIONS = 4
PLAIN_HTTP_WARNING = (
    "warning: serving beyond this machine over plain http: a private link seen on the network "
    "opens its session. Prefer an ssh tunnel (ssh -L {port}:127.0.0.1:{port} this-host) or an https "
    "proxy (--public-url https://...).")


# --- who: people, names, tokens ------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """Whom a link opens a session for: `name` annotating, or `name` reviewing."""

    role: str
    name: str

    def describe(self) -> str:
        return self.name if self.role == ANNOTATE else f"{self.name} (review)"


def check_name(name: str, role: str = ANNOTATE) -> str:
    """A name usable for a served session, or a one-line error (names are printed and put in titles)."""
    return validate.check_name(name, "reviewer name" if role == REVIEW else "annotator name")


def shown(text: str) -> str:
    """A name (or any database string) as printed: as is if printable, else escaped like Python's repr."""
    return text if text.isprintable() else validate.shown(text)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token (sha256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Links:
    """Which token opens whose session.

    Memory tokens (one annotator, this run only) are compared with ``hmac.compare_digest``;
    database tokens are looked up by their sha256 (equality of hashes leaks nothing usable
    about a token). A database link opens a session only for the people this server serves,
    and is checked again while the session runs, so ``annotator links revoke`` takes effect
    at once.
    """

    def __init__(self, db_path: str | Path | None = None, served: set[Person] | None = None):
        self._memory: list[tuple[str, Person]] = []
        self._db_path = db_path
        self._served = set(served or ())
        self._store = None

    def add(self, person: Person) -> str:
        """A new in-memory token for `person` (valid until the server stops)."""
        token = new_token()
        self._memory.append((token, person))
        return token

    @property
    def uses_database(self) -> bool:
        return self._db_path is not None

    def resolve(self, token: str) -> Person | None:
        """The person this token opens a session for, or None."""
        if not token or len(token) > 200:
            return None
        found = None
        for known, person in self._memory:
            if hmac.compare_digest(known.encode(), token.encode()):
                found = person
        if found is None and self._db_path is not None:
            row = self._open().link_by_hash(token_hash(token))
            if row is not None and Person(*row) in self._served:
                found = Person(*row)
        return found

    def _open(self):
        if self._store is None:
            from annotator.store import Store

            self._store = Store(self._db_path, create=False)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def issue_team_links(store, people: list[Person], renew: bool) -> list[tuple[Person, str | None, str | None]]:
    """(person, new token or None, when the kept link was issued) for each person.

    A person without a link (or everyone, with `renew`) gets a new one, replacing the old.
    """
    existing = {(r["role"], r["name"]): r["created"] for r in store.links()}
    out = []
    for person in people:
        created = existing.get((person.role, person.name))
        if created is not None and not renew:
            out.append((person, None, created))
            continue
        token = new_token()
        store.put_link(person.role, person.name, token_hash(token))
        out.append((person, token, None))
    return out


# --- where: hosts, sockets, URLs -----------------------------------------------------

def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, public: bool) -> None:
    """Refuse a non-loopback host unless ``public`` is set."""
    if not is_loopback(host) and not public:
        raise AnnotatorError(
            f"--host {host} would expose the annotation server beyond this machine; add --public if you mean "
            "it (or keep the default 127.0.0.1 and use an ssh tunnel)")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a one-line error (port in use, unknown host, ...)."""
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise AnnotatorError(f"cannot listen on {where}: unknown host ({exc})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise AnnotatorError(f"cannot listen on {where}: the port is in use (another server?); "
                                 "choose another --port") from None
        raise AnnotatorError(f"cannot listen on {where}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def _url_host(name: str) -> str:
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def outward_address() -> str | None:
    """This machine's address on its default route (no packet is sent), or None."""
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                address = s.getsockname()[0]
        except OSError:
            continue
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_unspecified or ip.is_link_local):
            return address
    return None


def public_url(host: str, port: int, given: str | None = None) -> str:
    """The address printed in links (and the origin browsers are expected to come from).

    `given` (``--public-url``) wins. A wildcard bind (0.0.0.0, ::) is advertised under this
    machine's outward address — never as localhost, which on another machine is that machine;
    if there is none, the user must say (--public-url).
    """
    if given:
        from yarl import URL

        try:
            url = URL(given)
        except ValueError:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise AnnotatorError(f"--public-url {given!r} is not an http(s) address like http://host.example:8000")
        return given.rstrip("/")
    name = host.strip("[]")
    try:
        unspecified = ipaddress.ip_address(name).is_unspecified
    except ValueError:
        unspecified = False
    if unspecified:
        name = outward_address()
        if name is None:
            raise AnnotatorError(f"--host {host} listens on every address, but this machine has no address other "
                                 "machines could use; pass --public-url http://NAME:PORT")
    return f"http://{_url_host(name)}:{port}"


# --- what: the command each session runs ---------------------------------------------

def session_argv(person: Person, *, no_suggest: bool = False) -> list[str]:
    """The program each browser session runs (no shell: nothing in it comes from a user)."""
    argv = [sys.executable, "-m", "annotator", person.role]
    if person.role == ANNOTATE and no_suggest:
        argv.append("--no-suggest")
    return argv


def session_environment(db_path: str | Path, person: Person, schema_path: str | Path | None = None) -> dict[str, str]:
    """Variables the session reads for --db, --annotator / --reviewer and --schema (the server's)."""
    name_var = "ANNOTATOR_NAME" if person.role == ANNOTATE else "ANNOTATOR_REVIEWER"
    env = {"ANNOTATOR_DB": str(Path(db_path).resolve()), name_var: person.name}
    if schema_path:
        env["ANNOTATOR_SCHEMA"] = str(Path(schema_path).resolve())
    return env


def require_web() -> None:
    """A one-line error unless the `web` extra (textual-serve) is installed."""
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        raise AnnotatorError("textual-serve is not installed; install the web extra: "
                             "pip install 'annotator[web]'") from None


def make_server(links: Links, sock: socket.socket, url: str, *, db_path: str | Path, schema_path: str | None = None,
                no_suggest: bool = False, max_sessions: int = DEFAULT_MAX_SESSIONS, bound_loopback: bool = True,
                url_given: bool = False):
    """The guarded textual-serve server (see :mod:`annotator.tui.web`) on an already bound socket."""
    require_web()
    from annotator.tui.web import GuardedServer

    return GuardedServer(links, sock, url, db_path=db_path, schema_path=schema_path, no_suggest=no_suggest,
                         max_sessions=max_sessions, bound_loopback=bound_loopback, url_given=url_given)
