"""Integration routes: list, add, read, authorise, finish consent, choose organisation,
disconnect."""

from __future__ import annotations

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.presenters import integration_json
from chalicelib.api.routing import answers_problems, caller, json_response, parse_body
from chalicelib.bootstrap import container

integrations = Blueprint(__name__)


class AddIntegration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app: str = Field(min_length=1, max_length=40)


class FinishConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    handle: str = Field(min_length=1, max_length=200)


class ChooseOrganisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: str = Field(min_length=1, max_length=100)


@integrations.route("/v1/integrations", methods=["GET"])
@answers_problems
def list_integrations() -> object:
    principal = caller(integrations.current_request)
    params = integrations.current_request.query_params or {}
    include_disconnected = "disconnected" in (params.get("include") or "").split(",")
    found = container().integrations.list(principal.tenant_id, include_disconnected)
    return json_response({"integrations": [integration_json(i) for i in found]})


@integrations.route("/v1/integrations", methods=["POST"])
@answers_problems
def add_integration() -> object:
    request = integrations.current_request
    principal = caller(request, admin=True)
    body = parse_body(request, AddIntegration)
    integration, authorize_url = container().integrations.add(
        principal.tenant_id, body.app, principal.user_id
    )
    return json_response(
        {**integration_json(integration), "authorize_url": authorize_url},
        status=201,
        headers={"Location": f"/v1/integrations/{integration.id}"},
    )


@integrations.route("/v1/integrations/{integration_id}", methods=["GET"])
@answers_problems
def get_integration(integration_id: str) -> object:
    principal = caller(integrations.current_request)
    integration = container().integrations.get(principal.tenant_id, integration_id)
    return json_response(integration_json(integration))


@integrations.route("/v1/integrations/{integration_id}/authorize", methods=["POST"])
@answers_problems
def authorize_integration(integration_id: str) -> object:
    principal = caller(integrations.current_request, admin=True)
    url = container().integrations.authorize(principal.tenant_id, integration_id, principal.user_id)
    return json_response({"authorize_url": url})


@integrations.route("/v1/integrations/{integration_id}/consent", methods=["POST"])
@answers_problems
def finish_consent(integration_id: str) -> object:
    """The web client's half of the callback: only the user who started it may finish."""
    request = integrations.current_request
    principal = caller(request, admin=True)
    body = parse_body(request, FinishConsent)
    integration = container().consent.finish(
        principal.tenant_id, principal.user_id, integration_id, body.handle
    )
    return json_response(integration_json(integration))


@integrations.route("/v1/integrations/{integration_id}/organisation", methods=["PUT"])
@answers_problems
def choose_organisation(integration_id: str) -> object:
    request = integrations.current_request
    principal = caller(request, admin=True)
    body = parse_body(request, ChooseOrganisation)
    integration = container().integrations.choose_organisation(
        principal.tenant_id, integration_id, body.organisation_id
    )
    return json_response(integration_json(integration))


@integrations.route("/v1/integrations/{integration_id}", methods=["DELETE"])
@answers_problems
def disconnect_integration(integration_id: str) -> object:
    principal = caller(integrations.current_request, admin=True)
    container().integrations.disconnect(principal.tenant_id, integration_id)
    return Response(body="", status_code=204)
