"""The OAuth callback the app's consent page redirects the browser to."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from chalice import Blueprint, Response

from chalicelib.api.routing import answers_problems
from chalicelib.bootstrap import container

if TYPE_CHECKING:
    from chalicelib.services.consent import ConsentOutcome

oauth = Blueprint(__name__)


@oauth.route("/v1/oauth/{app}/callback", methods=["GET"])
@answers_problems
def oauth_callback(app: str) -> object:
    params = oauth.current_request.query_params or {}
    outcome = container().consent.receive(
        app, params.get("state"), params.get("code"), params.get("error"), params
    )
    return Response(
        body="",
        status_code=302,
        headers={
            "Location": return_url(container().settings.web_return_url, outcome),
            # The address carries a completion handle: keep it out of caches.
            "Cache-Control": "no-store",
        },
    )


def return_url(base: str, outcome: ConsentOutcome) -> str:
    query = {"integration_id": outcome.integration_id, "result": outcome.result.value}
    if outcome.handle:
        query["handle"] = outcome.handle
    if outcome.message:
        query["message"] = outcome.message
    parts = urlsplit(base)
    joined = "&".join(filter(None, [parts.query, urlencode(query)]))
    return urlunsplit(parts._replace(query=joined))
