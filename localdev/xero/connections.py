"""api.xero.com/connections: which tenants the user has connected to the app."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, jsonify, request

from localdev.xero.bearer import authenticated_grant
from localdev.xero.context import services
from localdev.xero.errors import problem_response
from localdev.xero.serialize import connection_json

blueprint = Blueprint("xero_connections", __name__)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# Xero's paths are case-insensitive and its SDKs call /Connections; the rule registered first
# (the lowercase one, nearest the function) is the canonical one.
@blueprint.get("/Connections")
@blueprint.get("/connections")
def list_connections() -> Response:
    grant = authenticated_grant()
    auth_event_id = request.args.get("authEventId")
    if auth_event_id is not None and not _is_uuid(auth_event_id):
        return problem_response(400, "Bad Request", "authEventId must be a GUID")
    state = services().state
    with state.lock:
        body = [
            connection_json(connection, state.organisations[connection.tenant_id])
            for connection in services().oauth.connections_for(grant, auth_event_id)
        ]
    return jsonify(body)


# The placeholder is named as in Xero's spec so call counts read "DELETE /connections/{id}".
@blueprint.delete("/Connections/<id>")
@blueprint.delete("/connections/<id>")
def delete_connection(id: str) -> Response:
    grant = authenticated_grant()
    if not services().oauth.delete_connection(grant, id):
        return problem_response(404, "Not Found", "Resource not found")
    return Response(status=204)
