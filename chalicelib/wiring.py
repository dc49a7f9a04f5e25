"""Registers the blueprints and middleware on the Chalice app (called from app.py)."""

from __future__ import annotations

from chalice import Chalice, ConvertToMiddleware

from chalicelib.api.configuration import configuration
from chalicelib.api.cors import add_preflight_routes, cors_middleware
from chalicelib.api.gateway_problems import answer_like_the_deployed_gateway
from chalicelib.api.integrations import integrations
from chalicelib.api.meta import meta
from chalicelib.api.oauth import oauth
from chalicelib.api.problems import problems_only
from chalicelib.api.sync import sync
from chalicelib.jobs.scheduler import scheduler
from chalicelib.jobs.worker import worker
from chalicelib.observability import logger, metrics, traced


def wire(app: Chalice) -> None:
    for blueprint in (meta, integrations, configuration, sync, oauth, scheduler, worker):
        app.register_blueprint(blueprint)
    add_preflight_routes(app)
    app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
    app.register_middleware(ConvertToMiddleware(traced))
    app.register_middleware(cors_middleware, "http")
    # Inside the CORS middleware, so a converted error still gets the CORS headers.
    app.register_middleware(problems_only, "http")
    answer_like_the_deployed_gateway()
