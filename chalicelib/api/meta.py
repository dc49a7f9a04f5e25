"""Health and the app catalogue."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.presenters import app_json
from chalicelib.api.routing import answers_problems, caller, json_response
from chalicelib.bootstrap import container
from chalicelib.domain.apps import CATALOGUE

meta = Blueprint(__name__)


@meta.route("/v1/health", methods=["GET"])
@answers_problems
def health() -> object:
    return json_response({"status": "ok"})


@meta.route("/v1/apps", methods=["GET"])
@answers_problems
def list_apps() -> object:
    caller(meta.current_request)
    registry = container().provider_registry
    return json_response(
        {
            "apps": [
                app_json(app, registry.profile_for(app.key) if app.available else None)
                for app in CATALOGUE
            ]
        }
    )
