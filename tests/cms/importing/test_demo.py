from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cms.content import service
from cms.content.validation import missing_fields
from cms.guides.model import PUBLISH_REQUIRED
from cms.guides.spec import SPEC
from cms.importing import demo
from cms.importing.catalogue import map_catalogue_row
from cms.importing.validation import schema_problems
from tests.support.server import TestServer

GUIDES = demo.demo_guides()
CATALOGUE = {row["item_code"]: row for row in map(json.loads, demo.CATALOGUE_FILE.read_text("utf-8").splitlines())}


def test_the_bundled_catalogue_is_the_real_list_of_1135_items() -> None:
    assert len(CATALOGUE) == 1135


@pytest.mark.parametrize("guide", GUIDES, ids=[guide["name"] for guide in GUIDES])
def test_each_written_guide_is_complete_enough_to_publish(guide: dict[str, Any]) -> None:
    assert schema_problems(guide) == []
    assert missing_fields(guide, PUBLISH_REQUIRED) == []
    materials = guide["materials"]
    assert isinstance(materials, list)
    assert len(materials) >= 3
    assert all(material.get("issuing_body") for material in materials)
    assert all(material.get("condition") for material in materials if material.get("requirement") == "conditional")
    assert guide["legal_time_limit"]
    assert guide["promised_time_limit"]
    assert "fees" in guide
    assert guide["aliases"]
    assert guide["faq"]


def test_written_guides_are_catalogue_items_with_the_catalogues_own_facts() -> None:
    assert len(GUIDES) >= 10
    assert len({guide["implementation_code"] for guide in GUIDES}) == len(GUIDES)
    for guide in GUIDES:
        listed = map_catalogue_row(CATALOGUE[guide["implementation_code"]]).guide
        assert {key: guide[key] for key in listed} == listed, guide["name"]


def test_themes_materials_and_fees_make_the_demo_meaningful() -> None:
    theme_ids = {theme["id"] for theme in demo.demo_themes()}
    assert all(set(guide["themes"]) <= theme_ids for guide in GUIDES)
    # Materials several guides ask for, so "reuse my materials" has something to reuse.
    kinds = Counter(material["name"] for guide in GUIDES for material in guide["materials"])
    assert {name for name, count in kinds.items() if count >= 3} >= {"居民身份证", "居民户口簿", "结婚证"}
    paid = [guide for guide in GUIDES if guide["payment_online"]]
    assert paid
    assert all(guide["fees"]["charged"] and guide["fees"]["items"] for guide in paid)
    passport = next(guide for guide in GUIDES if guide["name"] == "普通护照签发")
    assert passport["fees"]["items"][0]["amount_fen"] == 12000


@pytest.mark.asyncio
async def test_demo_load_publishes_everything_once_and_skips_a_loaded_version(
        server: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = [guide["implementation_code"] for guide in GUIDES]
    rows = [*list(CATALOGUE.values())[:10], *(CATALOGUE[code] for code in written)]
    small = tmp_path / "catalogue.jsonl"
    small.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    monkeypatch.setattr(demo, "CATALOGUE_FILE", small)

    first = await demo.load_demo_guides(server.deps)
    assert [(r.created, r.failed) for r in first] == [(10, 0), (len(GUIDES), 0)]
    _live, total = await service.list_items(server.deps, SPEC, is_live=True, limit=100)
    assert total == 10 + len(GUIDES)
    full = await service.find_by_key(server.deps, SPEC, written[0])
    assert full is not None
    assert full.live is not None
    assert len(full.live["materials"]) >= 3  # the written guide, not the bare list entry

    assert await demo.load_demo_guides(server.deps) == []
    again = await demo.load_demo_guides(server.deps, force=True)
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 10), (0, 0, len(GUIDES))]
