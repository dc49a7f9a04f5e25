"""Serve an emulator on a real socket: on a background thread (tests, benches) or in the
foreground until interrupted (`python -m localdev.<emulator>`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, make_server

from localdev.emukit.access_log import RedactingRequestHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def public_url(host: str, port: int) -> str:
    """The URL a client on this machine uses for a server bound to ``host``."""
    # A wildcard bind is reachable on loopback; the wildcard itself is not a usable URL.
    host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class RunningServer:
    """A started server. Use ``stop()`` or a ``with`` block to shut it down."""

    def __init__(self, server: BaseWSGIServer, thread: threading.Thread, host: str) -> None:
        self._server = server
        self._thread = thread
        self._host = host

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def host(self) -> str:
        return self._host

    @property
    def url(self) -> str:
        return public_url(self._host, self.port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(
    wsgi_app: WSGIApplication, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve ``wsgi_app`` on a daemon thread; ``port=0`` picks a free port.

    The server is threaded so a slow request (e.g. an injected latency) does not
    block others, like a real service.
    """
    server = make_server(
        host, port, wsgi_app, threaded=True, request_handler=RedactingRequestHandler
    )
    thread = threading.Thread(
        # A short poll interval keeps stop() quick (shutdown waits for the next poll).
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"wsgi-{host}:{server.server_port}",
        daemon=True,
    )
    thread.start()
    return RunningServer(server, thread, host)


def serve_until_interrupted(
    wsgi_app: WSGIApplication,
    host: str,
    port: int,
    banner: Callable[[str], Iterable[str]],
) -> None:
    """Serve in the foreground until Ctrl-C; ``banner(base_url)`` gives the lines to
    print once the socket is bound (never secrets: they come from the environment)."""
    server = make_server(
        host, port, wsgi_app, threaded=True, request_handler=RedactingRequestHandler
    )
    for line in banner(public_url(host, server.server_port)):
        print(line, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
