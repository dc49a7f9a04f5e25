"""Flask application factory: wires the blueprints, error shapes and fault hooks."""

from __future__ import annotations

from flask import Flask, Response

from localdev.xero import authorize, connections, controls, identity
from localdev.xero.accounting import routes as accounting
from localdev.xero.context import Services
from localdev.xero.errors import (
    BearerError,
    OAuthError,
    oauth_error_response,
    unauthorized_response,
)


def create_app(services: Services) -> Flask:
    app = Flask(__name__)
    # Keep Xero's field order in JSON bodies instead of Flask's alphabetical default.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    services.attach(app)

    app.register_blueprint(authorize.blueprint)
    app.register_blueprint(identity.blueprint)
    app.register_blueprint(connections.blueprint)
    app.register_blueprint(controls.blueprint)

    @app.errorhandler(OAuthError)
    def _oauth_error(error: OAuthError) -> Response:
        return oauth_error_response(error)

    @app.errorhandler(BearerError)
    def _bearer_error(error: BearerError) -> Response:
        return unauthorized_response(error)

    # Hook order matters: count every request, then the Accounting gate (auth, tenant,
    # rate limits), then faults, so a delayed request holds its concurrency slot.
    services.kit.count_calls(app)
    accounting.install(app)
    services.kit.inject_faults(app)
    return app
