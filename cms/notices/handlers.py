"""/staff/v1/notices...: the editorial API of notices (the engine's routes for the notice type)."""

from __future__ import annotations

from cms.content.handlers import staff_routes
from cms.notices.spec import SPEC
from server.http.api import Route
from server.settings import Settings


def routes(settings: Settings) -> list[Route]:
    return list(staff_routes(SPEC, base="/staff/v1/notices", id_param="notice_id", noun="notice"))
