"""The app factory: every route of every package, one Tornado application, dependencies injected."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import tornado.web

from server.deps import Deps
from server.http.api import Route
from server.http.base import NotFoundHandler
from server.http.openapi import build_document
from server.http.routing import IndexedApplication
from server.settings import Settings

# Each module defines ``routes(settings) -> list[Route]``.
ROUTE_MODULES: tuple[str, ...] = (
    "server.http.health",
    "server.http.openapi",
    "server.objects.handlers",
    "server.staff.handlers",
    "server.sandbox.handlers",
    "server.sandbox.message_handlers",
    "miniprogram_api.auth",
    "miniprogram_api.me",
    "cms.guides.handlers",
    "cms.notices.handlers",
    "cms.catalog_lists.handlers",
    "cms.content.audit_handlers",
    "miniprogram_api.guides",
    "miniprogram_api.notices",
    "miniprogram_api.catalog",
    "miniprogram_api.search",
    "cms.search.handlers",
    "miniprogram_api.cases",
    "miniprogram_api.messages",
    "server.open.handlers",
    "uploads.handlers",
    "server.cases.staff_handlers",
    "server.cases.joint_handlers",
    "server.calendar.handlers",
    "server.cases.report_handlers",
    "miniprogram_api.payments",
    "server.payments.handlers",
    "server.console.handlers",
)


def collect_routes(settings: Settings, modules: Sequence[str] = ROUTE_MODULES) -> list[Route]:
    collected: list[Route] = []
    seen: set[str] = set()
    for name in modules:
        for route in importlib.import_module(name).routes(settings):
            if route.template in seen:
                raise RuntimeError(f"route {route.template} is declared twice")
            seen.add(route.template)
            collected.append(route)
    return collected


def make_app(deps: Deps, *, extra_routes: Sequence[Route] = ()) -> tornado.web.Application:
    routes = [*collect_routes(deps.settings), *extra_routes]
    handlers = [tornado.web.url(route.regex, route.handler, dict(route.kwargs) or None) for route in routes]
    return IndexedApplication(
        handlers,
        deps=deps,
        routes=routes,
        openapi=build_document(routes, deps.settings),
        default_handler_class=NotFoundHandler,
        compress_response=True,
        # Access lines come from BaseHandler.on_finish, with the request id and without the query.
        log_function=lambda handler: None,
    )
