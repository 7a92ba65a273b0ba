"""Guide-specific rules: material slot ids, references to the department and theme lists."""

import pytest

from cms.content import service
from cms.content.errors import ContentInvalid
from cms.guides.errors import ImplementationCodeTaken
from cms.guides.spec import SPEC
from tests.cms.factories import (
    OTHER_THEME_ID,
    THEME_ID,
    create_catalog,
    editor,
    guide_content,
    material,
    reviewer,
)


async def created_guide(deps, **overrides):
    await create_catalog(deps)
    return await service.create(deps, SPEC, editor(), guide_content(**overrides))


def slots(found) -> list[tuple[str, str]]:
    return [(m["id"], m["name"]) for m in found.draft.content["materials"]]


@pytest.mark.asyncio
async def test_the_server_assigns_slot_ids_and_keeps_them_across_revisions(server) -> None:
    deps = server.deps
    created = await created_guide(deps)
    assert slots(created) == [("m1", "项目备案申请表"), ("m2", "营业执照")]
    materials = created.draft.content["materials"]
    # Reorder, rename one, add one without an id.
    edited = await service.save_draft(deps, SPEC, editor(), created.item.id, guide_content(
        materials=[{**materials[1], "name": "营业执照副本"}, materials[0], material("委托书")]),
        base_version=created.item.version)
    assert slots(edited) == [("m2", "营业执照副本"), ("m1", "项目备案申请表"), ("m3", "委托书")]
    # Remove m3, then add another material: m3 is never handed out again.
    without = await service.save_draft(deps, SPEC, editor(), created.item.id, guide_content(
        materials=edited.draft.content["materials"][:2]), base_version=edited.item.version)
    again = await service.save_draft(deps, SPEC, editor(), created.item.id, guide_content(
        materials=[*without.draft.content["materials"], material("身份证")]), base_version=without.item.version)
    assert slots(again)[-1] == ("m4", "身份证")
    # An id removed earlier may come back with its own material (e.g. by rollback or re-adding).
    restored = await service.save_draft(deps, SPEC, editor(), created.item.id, guide_content(
        materials=edited.draft.content["materials"]), base_version=again.item.version)
    assert slots(restored) == slots(edited)


@pytest.mark.asyncio
async def test_clients_cannot_invent_or_duplicate_slot_ids(server) -> None:
    deps = server.deps
    with pytest.raises(ContentInvalid) as invented:
        await created_guide(deps, materials=[material("身份证", id="m1")])
    assert [(p["path"], p["code"]) for p in invented.value.problems] == [("/materials/0/id", "unknown_material_id")]
    created = await service.create(deps, SPEC, editor(), guide_content(code="other-code"))
    first = created.draft.content["materials"][0]
    with pytest.raises(ContentInvalid) as duplicated:
        await service.save_draft(deps, SPEC, editor(), created.item.id, guide_content(
            code="other-code", materials=[first, {**first, "name": "另一份"}, material("x", id="m9")]),
            base_version=created.item.version)
    assert [(p["path"], p["code"]) for p in duplicated.value.problems] == [
        ("/materials/1/id", "duplicate_material_id"), ("/materials/2/id", "unknown_material_id")]
    # Nothing was saved, and the refused ids were not issued.
    assert (await service.get(deps, SPEC, created.item.id)).item.version == created.item.version


@pytest.mark.asyncio
async def test_department_and_themes_must_be_in_the_lists(server) -> None:
    deps = server.deps
    with pytest.raises(ContentInvalid) as invalid:
        await created_guide(deps, department_id="no-such-dept", themes=[THEME_ID, "no-such-theme"])
    assert {(p["path"], p["code"]) for p in invalid.value.problems} == {
        ("/department_id", "unknown_department"), ("/themes/1", "unknown_theme")}
    created = await service.create(deps, SPEC, editor(), guide_content(themes=[THEME_ID, OTHER_THEME_ID]))
    assert created.draft.content["themes"] == [THEME_ID, OTHER_THEME_ID]


@pytest.mark.asyncio
async def test_implementation_codes_are_unique(server) -> None:
    deps = server.deps
    first = await created_guide(deps)
    with pytest.raises(ImplementationCodeTaken):
        await service.create(deps, SPEC, editor(), guide_content())
    second = await service.create(deps, SPEC, editor(), guide_content(code="another-code"))
    with pytest.raises(ImplementationCodeTaken):
        await service.save_draft(deps, SPEC, editor(), second.item.id, guide_content(), base_version=1)
    assert (await service.get(deps, SPEC, second.item.id)).item.key == "another-code"
    assert first.item.key != second.item.key


@pytest.mark.asyncio
async def test_delivery_form_has_sanitised_html(server) -> None:
    deps = server.deps
    created = await created_guide(deps, conditions='<b onmouseover="x()">条件</b><script>steal()</script>',
                                  faq=[{"question": "问", "answer": "答 <img src=x onerror=alert(1)>"}])
    live = await service.publish(deps, SPEC, reviewer(), created.item.id)
    assert live.item.live is not None
    assert live.item.live["conditions"] == "<p><b>条件</b></p>\n"
    assert live.item.live["faq"][0]["answer"] == '<p>答 <img src="x"></p>\n'
    # The editor's source is kept as typed for the next edit.
    assert live.draft.content["conditions"].startswith('<b onmouseover="x()">')
