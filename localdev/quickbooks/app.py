"""Flask application factory: wires the blueprints, error shapes and fault hooks."""

from __future__ import annotations

import secrets

from flask import Flask, Response, request

from localdev.emukit import CONTROL_PREFIX
from localdev.quickbooks import authorize, controls, identity
from localdev.quickbooks.accounting import routes as accounting
from localdev.quickbooks.context import Services
from localdev.quickbooks.errors import (
    BearerError,
    OAuthError,
    RealmForbidden,
    forbidden_response,
    oauth_error_response,
    unauthorized_response,
)

# Intuit's transaction id header: support asks for it, clients log it.
TRANSACTION_ID_HEADER = "intuit_tid"


def _transaction_id() -> str:
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


def create_app(services: Services) -> Flask:
    app = Flask(__name__)
    # Keep Intuit's field order in JSON bodies instead of Flask's alphabetical default.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    services.attach(app)

    app.register_blueprint(authorize.blueprint)
    app.register_blueprint(identity.blueprint)
    app.register_blueprint(controls.blueprint)

    @app.errorhandler(OAuthError)
    def _oauth_error(error: OAuthError) -> Response:
        return oauth_error_response(error)

    @app.errorhandler(BearerError)
    def _bearer_error(error: BearerError) -> Response:
        return unauthorized_response(error, services.clock.now())

    @app.errorhandler(RealmForbidden)
    def _realm_forbidden(error: RealmForbidden) -> Response:
        return forbidden_response(services.clock.now())

    @app.after_request
    def _tag(response: Response) -> Response:
        if not request.path.startswith(CONTROL_PREFIX):
            response.headers.setdefault(TRANSACTION_ID_HEADER, _transaction_id())
        return response

    # Hook order matters: count every request, then the Accounting gate (auth, realm,
    # rate limits), then faults, so a delayed request holds its concurrency slot.
    services.kit.count_calls(app)
    accounting.install(app)
    services.kit.inject_faults(app)
    return app
