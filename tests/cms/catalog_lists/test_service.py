"""The import side of the lists: ensure_department / ensure_theme are idempotent."""

import pytest

from cms.catalog_lists.service import DEPARTMENTS, THEMES, ensure_department, ensure_theme, list_entries
from cms.content import audit
from cms.content.errors import ContentInvalid


@pytest.mark.asyncio
async def test_ensure_creates_updates_and_otherwise_writes_nothing(server) -> None:
    deps = server.deps
    await ensure_department(deps, id="083372204", name="区教科体局", credit_code=None, region_code="511602000000")
    await ensure_department(deps, id="083372204", name="区教科体局", credit_code=None, region_code="511602000000")
    await ensure_department(deps, id="083372204", name="区教育和科学技术局", credit_code=None,
                            region_code="511602000000")
    await ensure_theme(deps, id="birth", name="生育收养")
    await ensure_theme(deps, id="birth", name="生育收养")
    departments = await list_entries(deps, DEPARTMENTS, active_only=True)
    assert [(d["id"], d["name"]) for d in departments] == [("083372204", "区教育和科学技术局")]
    assert [t["name"] for t in await list_entries(deps, THEMES, active_only=True)] == ["生育收养"]
    entries, _ = await audit.find(deps, audit.AuditQuery(object_id="083372204"))
    assert [e["action"] for e in entries] == ["department.update", "department.create"]
    assert entries[0]["actor"]["kind"] == "system"


@pytest.mark.asyncio
async def test_ensure_refuses_malformed_entries(server) -> None:
    with pytest.raises(ContentInvalid) as invalid:
        await ensure_department(server.deps, id="bad id", name="", credit_code="not-a-code", region_code=None)
    assert sorted(p["path"] for p in invalid.value.problems) == ["/credit_code", "/id", "/name"]
