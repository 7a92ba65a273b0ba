"""The guide API other packages use: import, live guides for cases, changes for search."""

import pytest

from cms.content import service
from cms.content.errors import ContentInvalid
from cms.guides.errors import GuideNotLive
from cms.guides.service import get_live_guide, import_guide, live_guides_changed_since
from cms.guides.spec import SPEC
from server.actor import Actor
from tests.cms.factories import create_catalog, editor, guide_content, material, reviewer

IMPORTER = Actor.system("catalog_import")


@pytest.mark.asyncio
async def test_import_creates_then_updates_only_on_change_and_keeps_slot_ids(server) -> None:
    deps = server.deps
    await create_catalog(deps)
    created = await import_guide(deps, IMPORTER, guide_content(), publish=True)
    assert (created.status, created.published, created.is_live) == ("created", True, True)
    again = await import_guide(deps, IMPORTER, guide_content(), publish=True)
    assert (again.status, again.published, again.guide_id) == ("unchanged", False, created.guide_id)
    assert again.version == created.version

    changed = guide_content(materials=[material("营业执照", medium="electronic", accepts_e_licence=True),
                                       material("法定代表人身份证")])
    updated = await import_guide(deps, IMPORTER, changed, publish=False)
    assert (updated.status, updated.published) == ("updated", False)
    found = await service.get(deps, SPEC, created.guide_id)
    assert [(m["id"], m["name"]) for m in found.draft.content["materials"]] == [("m2", "营业执照"),
                                                                                ("m3", "法定代表人身份证")]
    assert found.draft.origin == "import"
    assert found.item.has_unpublished_changes
    live = await get_live_guide(deps, created.guide_id)
    assert [m["id"] for m in live["materials"]] == ["m1", "m2"]  # not published yet
    published = await import_guide(deps, IMPORTER, changed, publish=True)
    assert (published.status, published.published) == ("unchanged", True)
    assert [m["id"] for m in (await get_live_guide(deps, created.guide_id))["materials"]] == ["m2", "m3"]


@pytest.mark.asyncio
async def test_import_reports_every_problem_with_its_path(server) -> None:
    deps = server.deps
    await create_catalog(deps)
    with pytest.raises(ContentInvalid) as invalid:
        await import_guide(deps, IMPORTER, guide_content(item_type="99", online_depth=7), publish=False)
    assert sorted(p["path"] for p in invalid.value.problems) == ["/item_type", "/online_depth"]
    with pytest.raises(ContentInvalid) as invalid:
        await import_guide(deps, IMPORTER, guide_content(department_id="unknown"), publish=False)
    assert invalid.value.status == 422
    assert invalid.value.problems[0]["code"] == "unknown_department"


@pytest.mark.asyncio
async def test_live_guide_for_cases(server) -> None:
    deps = server.deps
    await create_catalog(deps)
    created = await service.create(deps, SPEC, editor(), guide_content(
        fees={"charged": True, "items": [{"name": "工本费", "amount_fen": 1000}]}))
    with pytest.raises(GuideNotLive):
        await get_live_guide(deps, created.item.id)
    with pytest.raises(GuideNotLive):
        await get_live_guide(deps, "no-such-guide")
    await service.publish(deps, SPEC, reviewer(), created.item.id)
    guide = await get_live_guide(deps, created.item.id)
    assert guide["id"] == created.item.id
    assert guide["revision"] == 1
    assert guide["fees"]["items"][0]["amount_fen"] == 1000
    assert guide["promised_time_limit"] == {"value": 1, "unit": "working_days"}
    assert {m["id"]: m["accepts_e_licence"] for m in guide["materials"]} == {"m1": False, "m2": True}


@pytest.mark.asyncio
async def test_search_pollers_learn_of_publishes_and_unpublishes(server) -> None:
    deps = server.deps
    await create_catalog(deps)
    cursor, changes = await live_guides_changed_since(deps, 0)
    assert (cursor, changes) == (0, [])
    first = await import_guide(deps, IMPORTER, guide_content(code="a"), publish=True)
    await import_guide(deps, IMPORTER, guide_content(code="b"), publish=False)
    cursor, changes = await live_guides_changed_since(deps, cursor)
    assert [(c["id"], c["live"]) for c in changes] == [(first.guide_id, True)]
    assert changes[0]["guide"]["implementation_code"] == "a"
    await service.unpublish(deps, SPEC, reviewer(), first.guide_id)
    cursor, changes = await live_guides_changed_since(deps, cursor)
    assert [(c["id"], c["live"], c["guide"]) for c in changes] == [(first.guide_id, False, None)]
    assert await live_guides_changed_since(deps, cursor) == (cursor, [])
