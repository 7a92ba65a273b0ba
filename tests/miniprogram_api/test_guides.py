"""/mp/v1/guides: live content only, filters, pagination, conditional requests."""

import pytest

from cms.content import service
from cms.guides.service import import_guide
from cms.guides.spec import SPEC
from server.actor import Actor
from tests.cms.factories import OTHER_DEPARTMENT_ID, THEME_ID, create_catalog, guide_content, reviewer

IMPORTER = Actor.system("test")


async def catalogue(deps) -> dict[str, str]:
    await create_catalog(deps)
    guides = {
        "birth": guide_content(code="c-birth", name="出生登记", department_id=OTHER_DEPARTMENT_ID, themes=[THEME_ID],
                               level="3", item_type="07", service_objects=["1"], online_depth=3, visits_required=1,
                               payment_online=False),
        "licence": guide_content(code="c-licence", name="营业执照", level="4", item_type="01",
                                 service_objects=["2", "5"], online_depth=4, visits_required=0, payment_online=True),
        "fee": guide_content(code="c-fee", name="社保缴费", level="4", item_type="20", service_objects=["1", "2"],
                             online_depth=2, visits_required=2, payment_online=True),
    }
    ids = {}
    for name, content in guides.items():
        ids[name] = (await import_guide(deps, IMPORTER, content, publish=True)).guide_id
    await import_guide(deps, IMPORTER, guide_content(code="c-draft", name="未发布"), publish=False)
    return ids


async def names(server, query: str = "") -> list[str]:
    response = await server.get(f"/mp/v1/guides{query}")
    assert response.status == 200, response.body
    return [item["name"] for item in response.json["items"]]


@pytest.mark.asyncio
async def test_filters_select_live_guides(server) -> None:
    await catalogue(server.deps)
    assert sorted(await names(server)) == ["出生登记", "社保缴费", "营业执照"]
    assert await names(server, f"?department={OTHER_DEPARTMENT_ID}") == ["出生登记"]
    assert await names(server, f"?theme={THEME_ID}") == ["出生登记"]
    assert await names(server, "?level=3") == ["出生登记"]
    assert await names(server, "?item_type=01") == ["营业执照"]
    assert sorted(await names(server, "?service_object=2")) == ["社保缴费", "营业执照"]
    assert await names(server, "?online_depth=4") == ["营业执照"]
    assert sorted(await names(server, "?visits=1")) == ["出生登记", "营业执照"]
    assert sorted(await names(server, "?payment_online=true")) == ["社保缴费", "营业执照"]
    assert await names(server, "?payment_online=false") == ["出生登记"]
    assert await names(server, "?service_object=2&online_depth=2") == ["社保缴费"]
    assert await names(server, "?department=nobody") == []


@pytest.mark.asyncio
async def test_pagination_and_summaries(server) -> None:
    ids = await catalogue(server.deps)
    first = await server.get("/mp/v1/guides?limit=2")
    second = await server.get("/mp/v1/guides?limit=2&offset=2")
    assert first.json["total"] == 3
    assert len(first.json["items"]) == 2
    assert len(second.json["items"]) == 1
    assert {g["id"] for g in first.json["items"] + second.json["items"]} == set(ids.values())
    birth = next(g for g in first.json["items"] + second.json["items"] if g["id"] == ids["birth"])
    assert birth["department"] == {"id": OTHER_DEPARTMENT_ID, "name": "区教科体局"}
    assert birth["themes"] == [{"id": THEME_ID, "name": "生育收养"}]
    assert birth["visits_required"] == 1
    assert birth["published_at"]


@pytest.mark.asyncio
@pytest.mark.parametrize(("query", "parameter"), [
    ("level=9", "level"), ("item_type=abc", "item_type"), ("service_object=7", "service_object"),
    ("online_depth=5", "online_depth"), ("visits=-1", "visits"), ("payment_online=maybe", "payment_online"),
    ("department=../x", "department"), ("theme=A%20B", "theme"), ("limit=1000", "limit"), ("offset=x", "offset"),
    ("sort=name", "sort"),
])
async def test_bad_filters_are_400_naming_the_parameter(server, query: str, parameter: str) -> None:
    response = await server.get(f"/mp/v1/guides?{query}")
    assert response.status == 400
    assert response.error_code in ("invalid_parameter", "unknown_parameter")
    assert response.json["error"]["parameter"] == parameter


@pytest.mark.asyncio
async def test_etag_304_and_a_publish_shows_on_the_next_request(server) -> None:
    ids = await catalogue(server.deps)
    listed = await server.get("/mp/v1/guides")
    detail = await server.get(f"/mp/v1/guides/{ids['licence']}")
    for response in (listed, detail):
        assert response.headers["ETag"].startswith('W/"')
        assert response.headers["Cache-Control"].startswith("public, max-age=0")
    same = await server.get("/mp/v1/guides", headers={"If-None-Match": listed.headers["ETag"]})
    assert same.status == 304
    assert same.body == b""
    assert (await server.get(f"/mp/v1/guides/{ids['licence']}",
                             headers={"If-None-Match": detail.headers["ETag"]})).status == 304
    other_filter = await server.get("/mp/v1/guides?level=4", headers={"If-None-Match": listed.headers["ETag"]})
    assert other_filter.status == 200

    # Publish a change: both the list and the detail answer in full with a new ETag at once.
    draft = await service.get(server.deps, SPEC, ids["licence"])
    await import_guide(server.deps, IMPORTER, {**draft.draft.content, "name": "营业执照（新）"}, publish=True)
    changed = await server.get("/mp/v1/guides", headers={"If-None-Match": listed.headers["ETag"]})
    assert changed.status == 200
    assert changed.headers["ETag"] != listed.headers["ETag"]
    assert "营业执照（新）" in [g["name"] for g in changed.json["items"]]
    fresh = await server.get(f"/mp/v1/guides/{ids['licence']}", headers={"If-None-Match": detail.headers["ETag"]})
    assert fresh.status == 200
    assert fresh.json["name"] == "营业执照（新）"
    assert fresh.json["revision"] == 2


@pytest.mark.asyncio
async def test_unpublished_and_unknown_guides_are_404(server) -> None:
    ids = await catalogue(server.deps)
    await service.unpublish(server.deps, SPEC, reviewer(), ids["fee"])
    for guide_id in (ids["fee"], "does-not-exist"):
        response = await server.get(f"/mp/v1/guides/{guide_id}")
        assert response.status == 404
        assert response.error_code == "guide_not_live"
    assert "社保缴费" not in await names(server)
