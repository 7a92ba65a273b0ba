"""部门联办 in the 预审工作台, in Chromium: the comprehensive window takes a joint case in (claim, materials,
pre-review, acceptance) and pushes it to its departments; a department officer finds it in the queue, reads
the earlier step's result in the step panel and approves its own step, which starts the serial step; a
department returns the case for a supplement, and a colleague's stale page shows the server's refusal."""

from __future__ import annotations

import pytest
from playwright.async_api import FilePayload, expect

from server.staff import accounts
from tests.miniprogram_api.case_factories import download
from tests.server.cases.joint_factories import (
    DOMAIN,
    FIRE,
    MARKET,
    citizen_case,
    publish_joint_guide,
    started,
    step_path,
    step_states,
    steps_by_id,
    taken_in,
    window_officer,
)
from tests.server.cases.staff_factories import officer, required_slots
from tests.server.console.conftest import OpenPage, StartConsoleServer
from tests.server.console.workbench_steps import open_slot
from tests.support.browser import screenshot, sign_in
from tests.support.staff import STAFF_PASSWORD, create_staff

pytestmark = pytest.mark.asyncio(loop_scope="module")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_payload(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


async def test_window_pushes_a_joint_case_and_a_department_approves_its_step(
        start_console_server: StartConsoleServer, new_page: OpenPage) -> None:
    server, _ = await started(start_console_server)
    guide = await publish_joint_guide(server)
    await accounts.create_user(server.deps, username="window-li", password=STAFF_PASSWORD, roles=["window"],
                               domains=[DOMAIN])
    await create_staff(server, "officer-market", roles=["officer"], departments=[MARKET])
    fire = await officer(server, "officer-fire", departments=(FIRE,))
    token, case_id = await citizen_case(server, guide)
    number = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json["number"]

    # --- the comprehensive window: claim, check the materials, pass, accept, push
    window = await new_page()
    await sign_in(window, server, "window-li", hash_path="workbench")
    row = window.locator(".queue-row", has_text=number)
    await expect(row.locator(".badge-joint")).to_have_text("联办")
    await row.locator("[data-action=claim]").click()
    await expect(row.locator(".claim-mine")).to_have_text("我已领取")
    await row.locator("a.case-link").click()
    panel = window.locator("#joint-panel")
    await expect(panel).to_contain_text("牵头部门：区市场监管局")
    await expect(panel.locator("[data-step=filing]")).to_contain_text("前置步骤：许可审查、消防审验")
    for slot_id in required_slots(guide):
        await open_slot(window, slot_id)
        await window.locator("#verdict-ok").click()
        await expect(window.locator(f"#slot-list [data-slot={slot_id}] .verdict-ok")).to_be_visible()
    await window.locator("#action-pass").click()
    await window.locator("dialog [data-role=ok]").click()
    await expect(window.locator("#case-state")).to_have_text("预审通过")
    await window.locator("#action-accept").click()
    await expect(window.locator("#case-state")).to_have_text("已受理")
    # The single-department processing is refused for joint cases, so it is not offered.
    await expect(window.locator("#action-start, #action-approve, #action-deny")).to_have_count(0)
    await window.locator("#action-joint-push").click()
    await expect(window.locator("dialog")).to_contain_text("许可审查（区市场监管局）、消防审验（区消防救援大队）")
    await window.locator("dialog .btn-primary").click()
    await expect(window.locator("#case-state")).to_have_text("办理中")
    await expect(panel.locator("[data-step=licence] .step-badge")).to_have_text("办理中")
    await expect(panel.locator("[data-step=fire] .step-badge")).to_have_text("办理中")
    await expect(panel.locator("[data-step-action]")).to_have_count(0)  # the window decides no step

    # --- the fire brigade approves its parallel step (over HTTP)
    fired = await fire.post(step_path(case_id, "fire", "approve"), json={
        "opinion": "消防设施符合要求", "result_name": "消防安全检查合格证", "result_no": "XF2026-0815"})
    assert fired.status == 200, fired.body

    # --- the market regulator's officer: queue, case, the earlier result, its own step
    market = await new_page()
    await sign_in(market, server, "officer-market", hash_path="workbench")
    await market.locator("#queue-state").select_option("accepted,in_process,suspended")
    await market.locator(".queue-row", has_text=number).locator("a.case-link").click()
    panel = market.locator("#joint-panel")
    fire_card, licence = panel.locator("[data-step=fire]"), panel.locator("[data-step=licence]")
    await expect(fire_card).to_contain_text("消防安全检查合格证 XF2026-0815")
    await expect(fire_card).to_contain_text("消防设施符合要求")
    await expect(fire_card.locator("[data-step-action]")).to_have_count(0)
    await expect(panel.locator("[data-step=licence] .badge.warn-none")).to_have_text("期限 2026/11/19")
    # The licence it issues goes with its step, for the later step and the window to open.
    await expect(fire_card.locator("[data-step-files]")).to_have_count(0)
    upload = licence.locator("[data-step-files=licence]")
    await upload.set_input_files(files=[pdf_payload("现场核查.pdf")])
    await expect(licence.locator(".step-file-link")).to_have_text(["现场核查.pdf"])
    await upload.set_input_files(files=[pdf_payload("食品经营许可证.pdf")])
    await expect(licence.locator(".step-file-link")).to_have_text(["现场核查.pdf", "食品经营许可证.pdf"])
    await licence.locator(".step-file", has_text="现场核查.pdf").locator("[data-remove-file]").click()
    await expect(licence.locator(".step-file-link")).to_have_text(["食品经营许可证.pdf"])
    await licence.locator("[data-step-action=approve]").click()
    await market.locator("#step-approve-opinion").fill("符合许可条件")
    await market.locator("#step-approve-result-name").fill("食品经营许可证")
    await market.locator("#step-approve-result-no").fill("JY15116020001234")
    await market.locator("dialog [data-role=ok]").click()
    await expect(licence.locator(".step-badge")).to_have_text("已通过")
    await expect(licence).to_contain_text("食品经营许可证 JY15116020001234")
    await expect(licence.locator(".step-file-link")).to_have_text(["食品经营许可证.pdf"])
    await expect(licence.locator("[data-step-files], [data-remove-file]")).to_have_count(0)
    await expect(panel.locator("[data-step=filing] .step-badge")).to_have_text("办理中")
    await expect(market.locator("#joint-holding")).to_contain_text("当前办理：")
    await screenshot(market, "26-joint-steps")

    status = (await fire.get(f"/staff/v1/cases/{case_id}")).json
    assert step_states(status) == {"licence": "approved", "fire": "approved", "filing": "running"}
    decided = steps_by_id(status)["licence"]["decision"]
    assert (decided["opinion"], decided["result_name"], decided["result_no"], decided["by"]["name"]) == (
        "符合许可条件", "食品经营许可证", "JY15116020001234", "officer-market")
    (issued,) = steps_by_id(status)["licence"]["files"]
    link = await fire.get(f"{step_path(case_id, 'licence', 'files')}/{issued['id']}")
    assert await download(link.json["url"]) == PDF


async def test_a_department_returns_the_case_and_a_stale_page_shows_the_refusal(
        start_console_server: StartConsoleServer, new_page: OpenPage) -> None:
    server, _ = await started(start_console_server)
    guide = await publish_joint_guide(server)
    window = await window_officer(server, "window-wang")
    await create_staff(server, "officer-fire", roles=["officer"], departments=[FIRE])
    await create_staff(server, "officer-market", roles=["officer"], departments=[MARKET])
    token, case_id = await citizen_case(server, guide)
    await taken_in(window, guide, case_id)
    assert (await window.post(f"/staff/v1/cases/{case_id}/joint/push")).status == 200
    plan = guide["materials"][1]

    market = await new_page(width=1024)
    await sign_in(market, server, "officer-market", hash_path=f"workbench/{case_id}")
    await expect(market.locator("#joint-panel [data-step=licence] [data-step-action=approve]")).to_be_visible()

    fire = await new_page()
    await sign_in(fire, server, "officer-fire", hash_path=f"workbench/{case_id}")
    await fire.locator("#joint-panel [data-step=fire] [data-step-action=return]").click()
    dialog = fire.locator("#step-return-dialog")
    await dialog.locator(f"input.supplement-pick[data-slot={plan['id']}]").check()
    await fire.locator("dialog [data-role=ok]").click()  # no reason yet: refused in the dialog
    await expect(fire.locator("dialog .field-error")).to_have_text("请填写退回原因")
    await fire.locator("#step-return-reason").fill("消防通道未标注")
    await fire.locator("dialog [data-role=ok]").click()
    await expect(fire.locator("dialog .field-error")).to_have_text("勾选的每项材料都要写明问题")
    await dialog.locator(f"textarea[data-slot={plan['id']}]").fill("请在平面图上标出消防通道和安全出口")
    await fire.locator("dialog [data-role=ok]").click()
    await expect(fire.locator("#case-state")).to_have_text("待补正")
    await expect(fire.locator("#joint-panel .joint-returned")).to_contain_text("「消防审验」已退回申请人补正")
    await expect(fire.locator("#joint-panel [data-step-action]")).to_have_count(0)

    seen = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert seen["state"] == "supplement_requested"
    assert [(i["slot_id"], i["reason"]) for i in seen["supplement"]["items"]] == [
        (plan["id"], "请在平面图上标出消防通道和安全出口")]
    assert seen["supplement"]["note"] == "消防通道未标注"

    # The market officer's page still offers the approval: the server's refusal is shown as its message.
    await market.locator("#joint-panel [data-step=licence] [data-step-action=approve]").click()
    await market.locator("dialog [data-role=ok]").click()
    await expect(market.locator("#banner")).to_contain_text("办件当前状态为「待补正」，不能执行此操作")
