"""Demo data for local use and the README's run command (sandbox mode only, idempotent)."""

from __future__ import annotations

import logging

from cms.importing.demo import load_demo_guides
from server.deps import Deps
from server.staff.demo import ensure_demo_staff

log = logging.getLogger("yiwang.demo")


async def load_demo_data(deps: Deps) -> None:
    if deps.settings.is_live:
        log.warning("demo data is never loaded in live mode")
        return
    accounts = await ensure_demo_staff(deps)
    lines = [f"  {username:<12} {password:<24} {', '.join(roles)}" for username, password, roles in accounts]
    log.info("demo staff accounts (console at %s/console):\n%s", deps.settings.base_url, "\n".join(lines))
    await load_demo_guides(deps)
