"""/mp/v1/departments and /mp/v1/themes."""

import pytest

from cms.catalog_lists.service import DEPARTMENTS, ensure_department, update_entry
from cms.content.caller import Caller
from tests.cms.factories import create_catalog


@pytest.mark.asyncio
async def test_public_lists_show_active_entries_and_change_their_etag(server) -> None:
    await create_catalog(server.deps)
    departments = await server.get("/mp/v1/departments")
    assert departments.status == 200
    assert {d["name"] for d in departments.json["items"]} == {"区经信局", "区教科体局"}
    assert set(departments.json["items"][0]) == {"id", "name"}
    themes = await server.get("/mp/v1/themes")
    assert {t["id"] for t in themes.json["items"]} == {"birth", "business"}
    etag = departments.headers["ETag"]
    assert (await server.get("/mp/v1/departments", headers={"If-None-Match": etag})).status == 304

    await update_entry(server.deps, Caller.system("test"), DEPARTMENTS, "083372204", {"active": False})
    changed = await server.get("/mp/v1/departments", headers={"If-None-Match": etag})
    assert changed.status == 200
    assert [d["name"] for d in changed.json["items"]] == ["区经信局"]
    # An import that changes nothing keeps the ETag.
    etag = changed.headers["ETag"]
    await ensure_department(server.deps, id="11511301008778183N", name="区经信局", credit_code="11511301008778183N",
                            region_code="511602000000")
    assert (await server.get("/mp/v1/departments", headers={"If-None-Match": etag})).status == 304
