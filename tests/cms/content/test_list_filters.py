"""The staff list's per-type filters (guides: department and theme; notices: category and department)."""

import pytest

from tests.cms.factories import (
    DEPARTMENT_ID,
    OTHER_DEPARTMENT_ID,
    OTHER_THEME_ID,
    THEME_ID,
    create_catalog,
    guide_content,
    notice_content,
)
from tests.support.staff import signed_in_staff


async def keys(client, path: str) -> list[str]:
    response = await client.get(path)
    assert response.status == 200, response.body
    assert response.json["total"] == len(response.json["items"])
    return sorted(item["key"] for item in response.json["items"])


@pytest.mark.asyncio
async def test_guides_filter_by_department_and_theme_of_the_draft(server) -> None:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor", "reviewer"))
    for code, department, themes in (("g-1", DEPARTMENT_ID, [THEME_ID]),
                                     ("g-2", DEPARTMENT_ID, [THEME_ID, OTHER_THEME_ID]),
                                     ("g-3", OTHER_DEPARTMENT_ID, [])):
        created = await editor.post("/staff/v1/guides", json={"content": guide_content(
            code=code, department_id=department, themes=themes)})
        assert created.status == 201, created.body
    await editor.post(f"/staff/v1/guides/{created.json['id']}/publish", json={"base_version": created.json["version"]})

    assert await keys(editor, f"/staff/v1/guides?department={DEPARTMENT_ID}") == ["g-1", "g-2"]
    assert await keys(editor, f"/staff/v1/guides?theme={OTHER_THEME_ID}") == ["g-2"]
    assert await keys(editor, f"/staff/v1/guides?theme={THEME_ID}&department={DEPARTMENT_ID}") == ["g-1", "g-2"]
    assert await keys(editor, f"/staff/v1/guides?department={OTHER_DEPARTMENT_ID}&state=published") == ["g-3"]
    assert await keys(editor, f"/staff/v1/guides?department={DEPARTMENT_ID}&state=published") == []
    assert await keys(editor, "/staff/v1/guides?department=nobody&theme=none") == []


@pytest.mark.asyncio
async def test_saving_a_draft_moves_the_guide_between_filters(server) -> None:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    created = await editor.post("/staff/v1/guides", json={"content": guide_content(code="g-1")})
    saved = await editor.request("PUT", f"/staff/v1/guides/{created.json['id']}", json={
        "base_version": created.json["version"],
        "content": guide_content(code="g-1", department_id=OTHER_DEPARTMENT_ID, themes=[THEME_ID])})
    assert saved.status == 200, saved.body
    assert await keys(editor, f"/staff/v1/guides?department={DEPARTMENT_ID}") == []
    assert await keys(editor, f"/staff/v1/guides?department={OTHER_DEPARTMENT_ID}&theme={THEME_ID}") == ["g-1"]


@pytest.mark.asyncio
async def test_invalid_filter_values_are_refused_with_a_stable_code(server) -> None:
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    for path, parameter in (("/staff/v1/guides?department=", "department"),
                            ("/staff/v1/guides?theme=Not+A+Theme", "theme"),
                            ("/staff/v1/guides?department=a&department=b", "department"),
                            ("/staff/v1/notices?category=gossip", "category")):
        response = await editor.get(path)
        assert response.status == 400, path
        assert response.error_code == "invalid_parameter"
        assert response.json["error"]["parameter"] == parameter
    # Each type has its own filters.
    assert (await editor.get("/staff/v1/notices?theme=birth")).error_code == "unknown_parameter"


@pytest.mark.asyncio
async def test_notices_filter_by_category_and_department(server) -> None:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    for title, category, extra in (("春节安排", "notice", {"department_id": DEPARTMENT_ID}),
                                   ("政策解读一", "policy", {})):
        created = await editor.post("/staff/v1/notices", json={"content": notice_content(
            title=title, category=category, **extra)})
        assert created.status == 201, created.body
    listed = await editor.get("/staff/v1/notices?category=policy")
    assert [item["title"] for item in listed.json["items"]] == ["政策解读一"]
    listed = await editor.get(f"/staff/v1/notices?department={DEPARTMENT_ID}")
    assert [item["title"] for item in listed.json["items"]] == ["春节安排"]


@pytest.mark.asyncio
async def test_openapi_lists_each_types_filters(server) -> None:
    document = (await server.get("/openapi.json")).json
    guides = {p["name"] for p in document["paths"]["/staff/v1/guides"]["get"]["parameters"]}
    notices = {p["name"] for p in document["paths"]["/staff/v1/notices"]["get"]["parameters"]}
    assert {"department", "theme", "state", "q"} <= guides
    assert {"category", "department"} <= notices
    assert "theme" not in notices
