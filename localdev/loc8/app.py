"""Flask application factory: the tenant API behind the service credential, controls, faults."""

from __future__ import annotations

from flask import Blueprint, Flask, Response
from werkzeug.exceptions import HTTPException

from localdev.loc8 import controls, customers, invoices, line_items, tax_types
from localdev.loc8.auth import require_service_token
from localdev.loc8.context import Services
from localdev.loc8.problems import Problem


def create_app(services: Services) -> Flask:
    app = Flask(__name__)
    services.attach(app)

    tenant_api = Blueprint("tenant_api", __name__, url_prefix="/v1/tenants/<tenant_id>")
    tenant_api.before_request(require_service_token)
    for part in (customers, line_items, tax_types, invoices):
        tenant_api.register_blueprint(part.blueprint)
    app.register_blueprint(tenant_api)
    app.register_blueprint(controls.blueprint)

    @app.errorhandler(Problem)
    def _problem(problem: Problem) -> Response:
        return problem.response()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        # Unknown paths and methods get problem+json too, never Flask's HTML page.
        status = error.code or 500
        slug = {404: "not-found", 405: "method-not-allowed"}.get(status, "http-error")
        return Problem(status, slug, error.name, error.description or error.name).response()

    # Counted and faulted before the service token is checked, so refused calls count.
    services.kit.count_calls(app)
    services.kit.inject_faults(app)
    return app
