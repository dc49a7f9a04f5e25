from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
import requests

from localdev.emukit.serving import public_url, serve_in_thread


def hello_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"hello {environ['PATH_INFO']}".encode()]


def test_serves_on_a_free_port_until_stopped() -> None:
    server = serve_in_thread(hello_app)
    try:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert requests.get(f"{server.url}/there", timeout=5).text == "hello /there"
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=5)


def test_context_manager_stops_the_server() -> None:
    with serve_in_thread(hello_app) as server:
        assert requests.get(server.url, timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url, timeout=5)


def test_public_url_is_reachable_from_this_machine() -> None:
    assert public_url("0.0.0.0", 8101) == "http://127.0.0.1:8101"  # noqa: S104 - a wildcard bind
    assert public_url("", 8101) == "http://127.0.0.1:8101"
    assert public_url("::1", 8101) == "http://[::1]:8101"
    assert public_url("localhost", 8101) == "http://localhost:8101"
