"""A guide's joint process (并联/串联审批) and the managed domain list, through the editorial API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cms.factories import DEPARTMENT_ID, OTHER_DEPARTMENT_ID, create_catalog, guide_content
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser, signed_in_staff


def step(step_id: str, department_id: str, *after: str, days: int = 5) -> dict[str, Any]:
    return {"id": step_id, "name": f"环节{step_id}", "department_id": department_id, "time_limit_days": days,
            "after": list(after)}


def process(*steps: dict[str, Any], domain: str = "business_registration",
            lead: str = DEPARTMENT_ID) -> dict[str, Any]:
    return {"domain": domain, "lead_department_id": lead, "steps": list(steps)}


async def editor_of(server: TestServer) -> StaffBrowser:
    await create_catalog(server.deps)
    return await signed_in_staff(server, "editor1", roles=("editor",))


async def save(editor: StaffBrowser, joint_process: dict[str, Any] | None) -> Any:
    return await editor.post("/staff/v1/guides", json={"content": guide_content(joint_process=joint_process),
                                                        "note": "新建"})


@pytest.mark.asyncio
async def test_a_parallel_then_serial_process_is_saved_and_delivered(server: TestServer) -> None:
    editor = await editor_of(server)
    reviewer = await signed_in_staff(server, "reviewer1", roles=("reviewer",))
    joint = process(step("s1", DEPARTMENT_ID, days=3), step("s2", OTHER_DEPARTMENT_ID, days=4),
                    step("s3", DEPARTMENT_ID, "s1", "s2", days=2))
    saved = await save(editor, joint)
    assert saved.status == 201, saved.body
    assert saved.json["draft"]["content"]["joint_process"] == joint
    published = await reviewer.post(f"/staff/v1/guides/{saved.json['id']}/publish",
                                    json={"base_version": saved.json["version"]})
    assert published.status == 200, published.body
    delivered = await server.get(f"/mp/v1/guides/{saved.json['id']}")
    assert delivered.json["joint_process"] == joint

    plain = await editor.post("/staff/v1/guides", json={"content": guide_content(
        code="511Z07001007-511602000000-000-11511301008778183N-1-00"), "note": "新建"})
    assert plain.json["draft"]["content"]["joint_process"] is None


@pytest.mark.asyncio
async def test_steps_must_be_unique_ordered_and_in_the_managed_lists(server: TestServer) -> None:
    editor = await editor_of(server)
    refused = await save(editor, process(
        step("s1", DEPARTMENT_ID, "s2"),  # waits for a later step: the only way to write a cycle
        step("s2", "no-such-dept", "s1"),
        step("s2", OTHER_DEPARTMENT_ID, "s9"),
        domain="space_travel", lead="nowhere"))
    assert (refused.status, refused.error_code) == (422, "content_invalid")
    problems = {(field["path"], field["code"]) for field in refused.json["error"]["fields"]}
    assert problems == {
        ("/joint_process/steps/0/after/0", "unknown_prior_step"),
        ("/joint_process/steps/1/department_id", "unknown_department"),
        ("/joint_process/steps/2/id", "duplicate_step_id"),
        ("/joint_process/steps/2/after/0", "unknown_prior_step"),
        ("/joint_process/domain", "unknown_domain"),
        ("/joint_process/lead_department_id", "unknown_department"),
    }
    no_steps = await save(editor, process())
    assert no_steps.status == 422
    assert (await save(editor, {"domain": "livelihood", "steps": [step("s1", DEPARTMENT_ID)]})).status == 422


@pytest.mark.asyncio
async def test_the_domain_list_starts_with_the_four_domains_and_is_managed(server: TestServer) -> None:
    editor = await editor_of(server)
    listed = await editor.get("/staff/v1/domains")
    assert [(d["id"], d["name"]) for d in listed.json["items"]] == [
        ("business_registration", "商事登记"), ("investment_construction", "投资建设"),
        ("industrial_products", "工业产品生产"), ("livelihood", "民生服务")]
    added = await editor.post("/staff/v1/domains", json={"id": "social_security", "name": "社会保障", "sort": 50})
    assert added.status == 201, added.body
    assert (await save(editor, process(step("s1", DEPARTMENT_ID), domain="social_security"))).status == 201
    retired = await editor.patch("/staff/v1/domains/livelihood", json={"active": False})
    assert retired.json["active"] is False
    officer = await signed_in_staff(server, "officer1", roles=("officer",), departments=(DEPARTMENT_ID,))
    assert (await officer.post("/staff/v1/domains", json={"id": "x", "name": "无权"})).status == 403
