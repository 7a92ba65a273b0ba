"""The demo catalogue: the theme list, the 1,135 items of Guang'an district's list and the fully written
guides, all published.

Loaded once per version of the bundled files: the database records a fingerprint of what it loaded,
so a restart neither spends seconds re-checking 1,135 guides nor overwrites what an editor changed in
the demo since. Loading again is harmless anyway (unchanged guides are left alone).
The written guides carry the implementation codes of catalogue items; those catalogue rows are left out
so that a load does not first overwrite the full guide with the bare list entry and then restore it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from cms.catalog_lists.service import ensure_theme
from cms.importing import repository
from cms.importing.catalogue import map_catalogue_row
from cms.importing.importer import import_source
from cms.importing.report import ImportReport
from cms.importing.sources import Source, read_source
from server.deps import Deps

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo_data"
CATALOGUE_FILE = DEMO_DATA / "catalog_guangan.jsonl"
GUIDES_FILE = DEMO_DATA / "demo_guides.json"
THEMES_FILE = DEMO_DATA / "themes.json"
DATA_SET = "demo_catalogue"

# The crawled list names each item but says nothing about these fields, which a published guide must
# have. Level Ⅰ (information only) and handling type 其他 are what the list truly tells us; the service
# objects are a demo assumption, to be corrected by editors.
CATALOGUE_DEFAULTS: dict[str, Any] = {"online_depth": 1, "handling_type": "9", "service_objects": ["1", "2"]}

log = logging.getLogger("yiwang.demo")


def demo_guides() -> list[dict[str, Any]]:
    guides: list[dict[str, Any]] = json.loads(GUIDES_FILE.read_text(encoding="utf-8"))
    return guides


def demo_themes() -> list[dict[str, str]]:
    themes: list[dict[str, str]] = json.loads(THEMES_FILE.read_text(encoding="utf-8"))
    return themes


def _demo_sources() -> tuple[Source, Source]:
    guides = read_source(GUIDES_FILE)
    written = {row.cells.get("implementation_code") for row in guides.rows}
    catalogue = read_source(CATALOGUE_FILE)
    listed = {row.cells.get("item_code"): row for row in catalogue.rows}
    catalogue.rows = [row for row in catalogue.rows if row.cells.get("item_code") not in written]
    # The written guide takes its department's name and credit code from the list row it replaces.
    for row in guides.rows:
        list_row = listed.get(row.cells.get("implementation_code"))
        if list_row is not None:
            department = map_catalogue_row(list_row.cells).department
            row.cells.update(department=department.name, department_credit_code=department.credit_code)
    return catalogue, guides


def demo_fingerprint() -> str:
    digest = hashlib.sha256(json.dumps(CATALOGUE_DEFAULTS, sort_keys=True).encode())
    for path in (THEMES_FILE, CATALOGUE_FILE, GUIDES_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()


async def load_demo_guides(deps: Deps, *, force: bool = False) -> list[ImportReport]:
    """Import the demo catalogue unless this database already holds this version of it (then: [])."""
    fingerprint = await asyncio.to_thread(demo_fingerprint)
    if not force and await repository.loaded_fingerprint(deps.db, DATA_SET) == fingerprint:
        log.info("demo catalogue already loaded")
        return []
    themes = await asyncio.to_thread(demo_themes)
    for theme in themes:
        await ensure_theme(deps, id=theme["id"], name=theme["name"])
    catalogue, guides = await asyncio.to_thread(_demo_sources)
    reports = [await import_source(deps, catalogue, name=CATALOGUE_FILE.name, publish=True,
                                   defaults=CATALOGUE_DEFAULTS),
               await import_source(deps, guides, name=GUIDES_FILE.name, publish=True)]
    for report in reports:
        log.info("demo %s: %s (%.1f s)", report.file, report.summary(), report.seconds)
        for problem in report.sorted_problems():
            log.warning("demo %s %s", report.file, problem.describe())
    if all(report.ok for report in reports):
        await repository.record_loaded(deps.db, DATA_SET, fingerprint, deps.clock.now())
    return reports
