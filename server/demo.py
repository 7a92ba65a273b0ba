"""Demo data for local use and the README's run command (sandbox mode only, idempotent)."""

from __future__ import annotations

import logging

from server.deps import Deps

log = logging.getLogger("yiwang.demo")


async def load_demo_data(deps: Deps) -> None:
    if deps.settings.is_live:
        log.warning("demo data is never loaded in live mode")
        return
    log.info("demo data loaded")
