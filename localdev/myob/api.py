"""api.myob.com/accountright stand-in: the gate every call passes (API key, per-key rate
limits, API version, bearer token, company-file consent and scope) and the resources.

Lists answer `{"Items", "NextPageLink", "Count"}` with OData paging; every GET carries an
ETag and answers 304 to a matching If-None-Match; POST answers 201 with the new record's
URI in Location (its body only with returnBody=true); PUT needs the current RowVersion.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, g, request

from localdev.myob import odata
from localdev.myob import scopes as scope_rules
from localdev.myob.books import CF_URI, Books
from localdev.myob.context import services
from localdev.myob.errors import MyobError, developer_inactive
from localdev.myob.fields import Body
from localdev.myob.oauth import Bearer, invalid_token
from localdev.myob.resources import RESOURCES, UNIONS, Resource

API_ROOT = "/accountright"
API_VERSION = "v2"

blueprint = Blueprint("myob_api", __name__)


def access_denied(detail: str | None = None) -> MyobError:
    return MyobError(403, "AccessDenied", "Access denied", detail)


def not_found() -> MyobError:
    return MyobError(404, "NotFound", "The requested resource could not be found")


# -- the gate --------------------------------------------------------------------------


def install_gate(app: Flask) -> None:
    @app.before_request
    def _gate() -> None:
        if not request.path.startswith(API_ROOT):
            return
        emulated = services()
        api_key = request.headers.get("x-myobapi-key", "")
        if api_key != emulated.oauth.app.client_id:
            raise developer_inactive()
        emulated.limits.admit(api_key)
        if request.headers.get("x-myobapi-version") != API_VERSION:
            # Stricter: without v2 MYOB falls back to an older API; the emulator refuses.
            raise MyobError(
                400,
                "InvalidApiVersion",
                f"The x-myobapi-version header must be {API_VERSION}",
                "Header: x-myobapi-version",
            )
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise invalid_token()
        g.myob_bearer = emulated.oauth.bearer(token.strip())


def _bearer() -> Bearer:
    bearer: Bearer = g.myob_bearer
    return bearer


def _books(cf: str, resource_path: str) -> Books:
    """The file's books, if this consent reaches the file with the scope the path needs."""
    emulated = services()
    bearer = _bearer()
    books = emulated.files.get(cf)
    if books is None or not bearer.reaches(cf):
        raise access_denied(f"Company file {cf}")
    if not emulated.oauth.consent_is_live(bearer):
        raise access_denied("The consent given for this business has lapsed")
    if not scope_rules.allows(bearer.grant.scopes, resource_path):
        raise access_denied(f"Scope: {scope_rules.scope_for(resource_path)}")
    return books


# -- answers ---------------------------------------------------------------------------


def _cf_root(cf: str) -> str:
    return f"{request.host_url.rstrip('/')}{API_ROOT}/{cf}"


def _json(body: Any, cf: str, status: int = 200) -> Response:
    text = json.dumps(body).replace(CF_URI, _cf_root(cf))
    return Response(text, status=status, mimetype="application/json")


def _with_etag(response: Response) -> Response:
    # MYOB's ETags are quoted signed 32-bit numbers, e.g. "-1674987083".
    digest = int.from_bytes(hashlib.sha256(response.get_data()).digest()[:4], "big", signed=True)
    etag = f'"{digest}"'
    response.headers["ETag"] = etag
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = Response(status=304)
        not_modified.headers["ETag"] = etag
        return not_modified
    return response


def _return_body() -> bool:
    return request.args.get("returnBody", "").lower() == "true"


def _request_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise MyobError(
            400, "SerializationError", "The request body must be a JSON object", None, 50
        )
    return data


# -- handlers --------------------------------------------------------------------------


@blueprint.get(f"{API_ROOT}/", strict_slashes=False)
def list_company_files() -> Response:
    """Legacy file list: what a CompanyFile-scope consent reaches; nothing for granular
    scopes (MYOB stopped listing files for keys from 12 March 2025)."""
    emulated = services()
    grant = _bearer().grant
    if scope_rules.is_granular(grant.scopes) or not emulated.oauth.consent_is_live(_bearer()):
        files: list[dict[str, Any]] = []
    else:
        root = f"{request.host_url.rstrip('/')}{API_ROOT}"
        files = [
            emulated.oauth.company_files[cf].info(root)
            for cf in grant.company_file_ids
            if cf in emulated.oauth.company_files
        ]
    return _with_etag(Response(json.dumps(files), mimetype="application/json"))


@blueprint.get(f"{API_ROOT}/<cf>/", strict_slashes=False)
def company_file(cf: str) -> Response:
    _books(cf, "")
    info = (
        services().oauth.company_files[cf.lower()].info(f"{request.host_url.rstrip('/')}{API_ROOT}")
    )
    resources = [f"{CF_URI}/{path}" for path in RESOURCES]
    return _with_etag(_json({"CompanyFile": info, "Resources": resources}, cf.lower()))


def _list(cf: str, path: str, sources: tuple[str, ...]) -> Response:
    books = _books(cf, path)
    fields = frozenset().union(*(RESOURCES[s].fields for s in sources))
    if len(sources) > 1 or path == "Contact":
        fields |= {"InvoiceType"} if path == "Sale/Invoice" else {"Type"}
    predicate = odata.parse_filter(request.args.get("$filter"), fields)
    keys = odata.parse_orderby(request.args.get("$orderby"), fields)
    top = odata.parse_int("$top", request.args.get("$top"), odata.DEFAULT_TOP, 1, odata.MAX_TOP)
    skip = odata.parse_int("$skip", request.args.get("$skip"), 0, 0, 2**31 - 1)
    with books.lock:
        records = []
        for source in sources:
            for record in books.records(source).values():
                shown = {**record, "Type": "Customer"} if path == "Contact" else record
                if predicate(shown):
                    records.append(shown)
        ordered = odata.order(records, keys)
        window = ordered[skip : skip + top]
        body = {"Items": window, "NextPageLink": None, "Count": len(ordered)}
        if skip + top < len(ordered):
            params = {k: v for k, v in request.args.items() if k not in ("$top", "$skip")}
            params.update({"$top": str(top), "$skip": str(skip + top)})
            body["NextPageLink"] = f"{request.base_url}?{urlencode(params, safe='$')}"
        return _with_etag(_json(body, cf.lower()))


def _get(cf: str, path: str, uid: str) -> Response:
    books = _books(cf, path)
    with books.lock:
        record = books.find(path, uid)
        if record is None:
            raise not_found()
        return _with_etag(_json(record, cf.lower()))


def _post(cf: str, resource: Resource) -> Response:
    books = _books(cf, resource.path)
    data = _request_object()
    if data.get("UID") is not None or data.get("RowVersion") is not None:
        # MYOB: a UID or RowVersion on a POST conflicts with the record it would create.
        raise MyobError(
            409,
            "IncorrectRowVersionSupplied",
            "UID and RowVersion are not sent when creating",
            "UID",
        )
    data = {k: v for k, v in data.items() if k not in resource.computed}
    with books.lock:
        body = Body(data)
        record = resource.build(body, books, None)
        body.raise_if_any()
        books.store(resource.path, books.stamp(resource.path, record))
        resource.after_write(books, record, None)
        answer = _json(record, cf.lower(), 201) if _return_body() else Response(status=201)
        answer.headers["Location"] = record["URI"].replace(CF_URI, _cf_root(cf.lower()))
        return answer


def _put(cf: str, resource: Resource, uid: str) -> Response:
    books = _books(cf, resource.path)
    data = _request_object()
    with books.lock:
        existing = books.find(resource.path, uid)
        if existing is None:
            # PUT only updates: a record that does not exist is a 404, never created.
            raise not_found()
        if str(data.get("UID") or "").lower() != existing["UID"]:
            raise MyobError(400, "UIDMismatch", "The UID in the body must match the URI", "UID")
        if data.get("RowVersion") != existing["RowVersion"]:
            raise MyobError(
                409,
                "IncorrectRowVersionSupplied",
                "The RowVersion supplied is not the record's current RowVersion",
                "RowVersion",
            )
        body = Body({k: v for k, v in data.items() if k not in resource.computed})
        record = resource.build(body, books, existing)
        body.raise_if_any()
        record["UID"] = existing["UID"]
        books.store(resource.path, books.stamp(resource.path, record))
        resource.after_write(books, record, existing)
        return _json(record, cf.lower()) if _return_body() else Response(status=200)


def _delete(cf: str, resource: Resource, uid: str) -> Response:
    books = _books(cf, resource.path)
    with books.lock:
        record = books.find(resource.path, uid)
        if record is None:
            raise not_found()
        resource.before_delete(books, record)
        del books.records(resource.path)[record["UID"]]
        resource.after_delete(books, record)
    return Response(status=200)


def _register(path: str, resource: Resource) -> None:
    name = path.replace("/", "_")
    base = f"{API_ROOT}/<cf>/{path}"

    def collection(cf: str) -> Response:
        if request.method == "POST":
            return _post(cf, resource)
        return _list(cf, path, (path,))

    def single(cf: str, uid: str) -> Response:
        if request.method == "PUT":
            return _put(cf, resource, uid)
        if request.method == "DELETE":
            return _delete(cf, resource, uid)
        return _get(cf, path, uid)

    collection_methods = ["GET", *(["POST"] if "POST" in resource.methods else [])]
    single_methods = ["GET", *sorted(resource.methods & {"PUT", "DELETE"})]
    blueprint.add_url_rule(
        base, f"{name}_list", collection, methods=collection_methods, strict_slashes=False
    )
    blueprint.add_url_rule(
        f"{base}/<uid>", f"{name}_one", single, methods=single_methods, strict_slashes=False
    )


def _register_union(path: str, sources: tuple[str, ...]) -> None:
    def union(cf: str) -> Response:
        return _list(cf, path, sources)

    blueprint.add_url_rule(
        f"{API_ROOT}/<cf>/{path}",
        f"{path.replace('/', '_')}_union",
        union,
        methods=["GET"],
        strict_slashes=False,
    )


for _path, _resource in RESOURCES.items():
    _register(_path, _resource)
for _path, _sources in UNIONS.items():
    _register_union(_path, _sources)
