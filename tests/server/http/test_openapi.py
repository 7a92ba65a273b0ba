"""/openapi.json is the route table: every route and method is documented and nothing else is."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from server.app import collect_routes
from server.http.openapi import HTTP_METHODS
from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_document_is_valid_openapi_3_1(server: TestServer) -> None:
    response = await server.get("/openapi.json")
    assert response.status == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.asyncio
async def test_every_route_and_method_is_documented_and_nothing_else(server: TestServer) -> None:
    document = (await server.get("/openapi.json")).json
    implemented = set()
    for route in collect_routes(server.settings):
        if not route.documented:
            continue
        for method in HTTP_METHODS:
            if method.upper() in getattr(route.handler, "SUPPORTED_METHODS", ()) and \
                    getattr(route.handler, method) is not getattr(_base(), method):
                implemented.add((route.template, method))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert implemented == documented


@pytest.mark.asyncio
async def test_every_operation_declares_responses_and_path_parameters(server: TestServer) -> None:
    document = (await server.get("/openapi.json")).json
    for path, item in document["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        for method, operation in item.items():
            assert operation["summary"], (path, method)
            assert any(code.startswith("2") or code.startswith("3") for code in operation["responses"])
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method)
            assert path.startswith(("/mp/v1/", "/staff/v1/", "/open/v1/", "/objects/", "/healthz", "/readyz",
                                    "/openapi.json", "/console", "/_sandbox/", "/payments/v1/")), path


def _base() -> type:
    from server.http.base import BaseHandler

    return BaseHandler
