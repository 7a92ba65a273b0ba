"""/staff/v1/guides...: the editorial API of service guides (the engine's routes for the guide type)."""

from __future__ import annotations

from cms.content.handlers import staff_routes
from cms.guides.spec import SPEC
from server.http.api import Route
from server.settings import Settings


def routes(settings: Settings) -> list[Route]:
    return list(staff_routes(SPEC, base="/staff/v1/guides", id_param="guide_id", noun="guide"))
