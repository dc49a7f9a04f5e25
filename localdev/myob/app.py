"""Flask application factory: wires the blueprints, MYOB's error bodies and fault hooks."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import MethodNotAllowed, NotFound

from localdev.myob import api, authorize, controls
from localdev.myob.context import Services
from localdev.myob.errors import (
    MyobError,
    OAuthError,
    ValidationErrors,
    errors_response,
    myob_error_response,
    oauth_error_response,
)


def create_app(services: Services) -> Flask:
    app = Flask(__name__)
    # Keep MYOB's field order in JSON bodies instead of Flask's alphabetical default.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    services.attach(app)

    app.register_blueprint(authorize.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(controls.blueprint)

    @app.errorhandler(MyobError)
    def _myob_error(error: MyobError) -> Response:
        return myob_error_response(error)

    @app.errorhandler(ValidationErrors)
    def _validation(error: ValidationErrors) -> Response:
        return errors_response(400, error.errors)

    @app.errorhandler(OAuthError)
    def _oauth_error(error: OAuthError) -> Response:
        return oauth_error_response(error)

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound) -> Response:
        return myob_error_response(api.not_found())

    @app.errorhandler(MethodNotAllowed)
    def _not_allowed(error: MethodNotAllowed) -> Response:
        response = myob_error_response(
            MyobError(405, "MethodNotAllowed", "The requested method is not allowed here")
        )
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
        return response

    # Hook order matters: count every request, then MYOB's gate (key, rate limits,
    # version, token), then faults, so a refused call is counted but never faulted.
    services.kit.count_calls(app)
    api.install_gate(app)
    services.kit.inject_faults(app)
    return app
