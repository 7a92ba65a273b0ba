"""The OpenAPI 3.1 document, built from the routes and their ``@endpoint`` declarations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.http.api import ERROR_SCHEMA, Operation, Route, endpoint, obj, operation_of
from server.http.base import BaseHandler
from server.settings import Settings

HTTP_METHODS = ("get", "post", "put", "patch", "delete")

_SECURITY: dict[str, dict[str, list[str]]] = {
    "citizen": {"citizenToken": []},
    "staff": {"staffSession": []},
    "open": {"openSignature": []},
}
_ERROR_TEXT = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
               409: "Conflict", 413: "Body too large", 415: "Wrong content type", 422: "Validation failed",
               429: "Too many requests", 502: "Provider error", 503: "Dependency unavailable"}


def documented_operations(routes: Sequence[Route]) -> list[tuple[Route, str, Operation]]:
    found = []
    for route in routes:
        if not route.documented:
            continue
        for method in HTTP_METHODS:
            op = operation_of(route.handler, method)
            if op is not None:
                found.append((route, method, op))
    return found


def build_document(routes: Sequence[Route], settings: Settings) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route, method, op in documented_operations(routes):
        paths.setdefault(route.template, {})[method] = _operation(route, method, op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "yiwang 一网通办 API", "version": "1.0.0",
                 "description": "Mini-program (/mp/v1), staff console (/staff/v1) and open (/open/v1) APIs. "
                                "Every error is {\"error\": {\"code\", \"message\", ...}}."},
        "servers": [{"url": settings.base_url}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "citizenToken": {"type": "http", "scheme": "bearer",
                                 "description": "Session token from /mp/v1/auth/*/login"},
                "staffSession": {"type": "apiKey", "in": "cookie", "name": "yiwang_staff",
                                 "description": "Console session; unsafe methods also need X-CSRF-Token"},
                "openSignature": {"type": "apiKey", "in": "header", "name": "X-Signature",
                                  "description": "HMAC-SHA256 request signature of a registered app, with "
                                                 "X-App-Id, X-Timestamp and X-Nonce"},
            },
        },
    }


def _operation(route: Route, method: str, op: Operation) -> dict[str, Any]:
    handler = route.handler
    doc: dict[str, Any] = {
        "operationId": f"{handler.__module__.rsplit('.', 1)[-1]}_{handler.__name__}_{method}",
        "summary": op.summary,
        "tags": list(op.tags),
        "responses": {},
    }
    if op.description:
        doc["description"] = op.description
    if op.auth in _SECURITY:
        doc["security"] = [_SECURITY[op.auth]]
    if op.roles:
        doc["x-roles"] = list(op.roles)
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in route.path_params]
    parameters += [{"name": name, "in": "query", "required": name in op.required_query, "schema": schema}
                   for name, schema in op.query.items()]
    if parameters:
        doc["parameters"] = parameters
    if op.request is not None:
        doc["requestBody"] = {"required": True, "content": {op.request_content_type: {"schema": op.request}}}
    for status, schema in op.responses.items():
        content = {op.response_content_type: {"schema": schema}} if schema is not None else None
        doc["responses"][str(status)] = {"description": _ERROR_TEXT.get(status, "OK")}
        if content:
            doc["responses"][str(status)]["content"] = content
    error_statuses = set(op.errors) | {400}
    if op.request is not None:
        error_statuses |= {413, 415, 422}
    if op.auth != "none":
        error_statuses |= {401, 403}
    error_statuses |= {503}
    for status in sorted(error_statuses):
        doc["responses"].setdefault(str(status), {
            "description": _ERROR_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        })
    return doc


class OpenApiHandler(BaseHandler):
    @endpoint("This OpenAPI document", tags=["meta"], responses={200: obj({}, additional=True)})
    async def get(self) -> None:
        self.write_json(self.application.settings["openapi"])


def routes(settings: Settings) -> list[Route]:
    return [Route("/openapi.json", OpenApiHandler)]
