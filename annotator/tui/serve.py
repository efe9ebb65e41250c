"""Serve the terminal UI in a browser through textual-serve (the optional ``web`` extra).

Each browser tab runs its own ``annotator annotate`` process against the same database
file (WAL: several people can work at once). textual-serve has no authentication, so
the server binds to loopback unless ``--public`` is given explicitly, and then warns.
No Textual import here: the TUI runs in the child process.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path

from annotator.errors import AnnotatorError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
WARNING = ("warning: textual-serve has no authentication: anyone who can reach {url} can read and change "
           "every annotation in {db}. Serve on 127.0.0.1 and use an ssh tunnel unless the network is trusted.")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, public: bool) -> None:
    """Refuse a non-loopback host unless ``public`` is set."""
    if not is_loopback(host) and not public:
        raise AnnotatorError(
            f"--host {host} would expose the annotation server beyond this machine, and textual-serve has no "
            "authentication; add --public if you mean it (or keep the default 127.0.0.1 and use an ssh tunnel)")


def public_url(host: str, port: int, given: str | None = None) -> str:
    """The URL browsers use (the page's websocket address is built from it)."""
    if given:
        return given.rstrip("/")
    name = host
    try:
        if ipaddress.ip_address(host.strip("[]")).is_unspecified:  # 0.0.0.0 / ::
            name = socket.getfqdn()
    except ValueError:
        pass
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"http://{name}:{port}"


def app_command(*, app: str = "annotate", extra: list[str] | None = None) -> str:
    """The shell command textual-serve runs for each browser session.

    textual-serve starts it through a shell, so nothing a user typed goes into it: the
    database and the annotator travel in the environment (see :func:`app_environment`).
    """
    return shlex.join([sys.executable, "-m", "annotator", app, *(extra or [])])


def app_environment(db_path: str | Path, annotator: str) -> dict[str, str]:
    """Variables the served sessions read for --db and --annotator."""
    return {"ANNOTATOR_DB": str(Path(db_path).resolve()), "ANNOTATOR_NAME": annotator}


def make_server(command: str, host: str, port: int, url: str, title: str, environment: dict[str, str] | None = None):
    """A textual-serve server; `environment` is added to this process's, which each session inherits."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise AnnotatorError("textual-serve is not installed; install the web extra: "
                             "pip install 'annotator[web]'") from None
    os.environ.update(environment or {})
    return Server(command, host=host, port=port, title=title, public_url=url)
