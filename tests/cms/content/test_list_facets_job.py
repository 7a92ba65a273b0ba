"""Items saved before list filters existed get their facets from the worker, once."""

import pytest

from cms.content.list_facets_job import JOB_NAME, fill_missing_list_facets
from server.worker.registry import registered_jobs
from tests.cms.factories import DEPARTMENT_ID, THEME_ID, create_catalog, guide_content
from tests.support.staff import signed_in_staff


@pytest.mark.asyncio
async def test_old_items_are_filled_once_and_then_found_by_the_filters(server) -> None:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    created = await editor.post("/staff/v1/guides", json={"content": guide_content(
        code="g-old", department_id=DEPARTMENT_ID, themes=[THEME_ID])})
    assert created.status == 201, created.body
    # As data written before the filters existed looks.
    await server.deps.db["cms_items"].update_one({"_id": created.json["id"]}, {"$unset": {"list_facets": ""}})
    path = f"/staff/v1/guides?department={DEPARTMENT_ID}&theme={THEME_ID}"
    assert (await editor.get(path)).json["total"] == 0

    assert JOB_NAME in registered_jobs()
    assert await fill_missing_list_facets(server.deps) == {"filled": 1}
    found = await editor.get(path)
    assert [item["key"] for item in found.json["items"]] == ["g-old"]
    assert await fill_missing_list_facets(server.deps) == {"filled": 0}
