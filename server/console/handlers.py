"""/console: the staff console's page and static files (not API: absent from the OpenAPI document).

The console is plain HTML, CSS and native ES modules, served as they are in the repository: no build
step. Every response carries a strict Content-Security-Policy (scripts and styles only from this
origin, no inline code), so an injected string can never run as script. Files are revalidated on
every load (``no-cache`` with ETag/Last-Modified): module imports carry no version hash, and a stale
module mixed with fresh ones would break the app after a deploy.
"""

from __future__ import annotations

from pathlib import Path

import tornado.web

from server.http.api import Route
from server.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


def _secure(handler: tornado.web.RequestHandler) -> None:
    for name, value in _SECURITY_HEADERS.items():
        handler.set_header(name, value)


class ConsoleRedirectHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.redirect("/console/", permanent=False)


class ConsoleStaticHandler(tornado.web.StaticFileHandler):
    def set_default_headers(self) -> None:
        _secure(self)

    def set_extra_headers(self, path: str) -> None:
        if path.endswith(".js"):
            # Module scripts must be served with a JavaScript MIME type under nosniff.
            self.set_header("Content-Type", "text/javascript; charset=utf-8")

    def get_cache_time(self, path: str, modified: object, mime_type: str) -> int:
        return 0


class ConsoleIndexHandler(ConsoleStaticHandler):
    async def get(self, path: str = "", include_body: bool = True) -> None:
        await super().get("index.html", include_body)

    async def head(self, path: str = "") -> None:
        await self.get(path, include_body=False)


def routes(settings: Settings) -> list[Route]:
    static = {"path": str(STATIC_DIR)}
    return [
        Route("/console", ConsoleRedirectHandler, documented=False),
        Route("/console/", ConsoleIndexHandler, static, documented=False),
        Route("/console/static/{path:path}", ConsoleStaticHandler, static, documented=False),
    ]
