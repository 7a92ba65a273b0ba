"""Plain factories for payment tests: a case with fees, ready to pay, and the sandbox's payment controls."""

from __future__ import annotations

from typing import Any

from server.actor import Actor
from server.cases import repository
from server.cases.states import Action
from server.cases.workflow import transition
from server.staff.roles import Role
from tests.cms.factories import DEPARTMENT_ID
from tests.miniprogram_api.case_factories import citizen, draft, live_guide
from tests.miniprogram_api.factories import VALID_ID, alipay_login, bind
from tests.support.server import Response, TestServer
from tests.support.staff import StaffBrowser, signed_in_staff

FEE_FEN = 1500
SECOND_FEE_FEN = 2000
FEES = {"charged": True, "items": [{"name": "工本费", "amount_fen": FEE_FEN},
                                   {"name": "证书费", "amount_fen": SECOND_FEE_FEN}]}
# For tests that move a frozen clock on by the better part of an hour.
LONG_SESSIONS: dict[str, Any] = {"staff_session_idle_seconds": 90 * 86400, "staff_session_max_seconds": 90 * 86400,
                                 "citizen_token_ttl_seconds": 90 * 86400}


async def submitted_case(server: TestServer, token: str) -> str:
    """A case of the caller past submission (fees are payable), through the workflow."""
    guide_id = await live_guide(server.deps, fees=FEES)
    case_id = str((await draft(server, token, guide_id))["id"])
    case = await repository.get_case(server.deps.db, case_id)
    assert case is not None
    await transition(server.deps, case, Action.SUBMIT, Actor("citizen", case["applicant"]["citizen_id"], "申请人"),
                     as_role="citizen")
    return case_id


async def wechat_citizen_case(server: TestServer) -> tuple[str, str]:
    token = await citizen(server)
    return token, await submitted_case(server, token)


async def alipay_citizen_case(server: TestServer) -> tuple[str, str]:
    token = await alipay_login(server, "ali-user")
    bound = await bind(server, token, name="张三丰", id_number=VALID_ID)
    assert bound.status == 200, bound.body
    return token, await submitted_case(server, token)


async def pay(server: TestServer, token: str, case_id: str, provider: str, fee_id: str = "f1") -> dict[str, Any]:
    response = await server.post(f"/mp/v1/cases/{case_id}/fees/{fee_id}/pay", json={"provider": provider}, token=token)
    assert response.status == 200, response.body
    return dict(response.json)


async def sandbox(server: TestServer, provider: str, out_trade_no: str, action: str, **options: Any) -> Response:
    return await server.post(f"/_sandbox/payments/{provider}/trades/{out_trade_no}/{action}", json=options)


async def fees(server: TestServer, token: str, case_id: str) -> dict[str, dict[str, Any]]:
    response = await server.get(f"/mp/v1/cases/{case_id}/fees", token=token)
    assert response.status == 200, response.body
    return {item["fee_id"]: item for item in response.json["items"]}


async def stored_case(server: TestServer, case_id: str) -> dict[str, Any]:
    case = await repository.get_case(server.deps.db, case_id)
    assert case is not None
    return case


def paid_messages(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for entry in case.get("outbox", []) if entry["kind"] == "paid"]


def order_of(case: dict[str, Any], out_trade_no: str) -> dict[str, Any]:
    return dict(case["fees"]["orders"][out_trade_no])


async def paid_order(server: TestServer, provider: str) -> tuple[str, str]:
    """(case id, out_trade_no) of a fee paid through ``provider``'s sandbox, its notice applied."""
    token, case_id = await (wechat_citizen_case(server) if provider == "wechat" else alipay_citizen_case(server))
    out_trade_no = str((await pay(server, token, case_id, provider))["order"]["out_trade_no"])
    paid = await sandbox(server, provider, out_trade_no, "pay")
    assert paid.status == 200, paid.body
    return case_id, out_trade_no


async def officer(server: TestServer, username: str = "officer", department: str = DEPARTMENT_ID) -> StaffBrowser:
    return await signed_in_staff(server, username, roles=[Role.OFFICER.value], departments=[department])


def refund_path(case_id: str, order_id: str) -> str:
    return f"/staff/v1/cases/{case_id}/fees/{order_id}/refund"


async def staff_order(browser: StaffBrowser, case_id: str, out_trade_no: str) -> dict[str, Any]:
    """The order as staff see it in the case's fees (with its refunds)."""
    response = await browser.get(f"/staff/v1/cases/{case_id}/fees")
    assert response.status == 200, response.body
    return next(order for fee in response.json["items"] for order in fee["orders"] if order["id"] == out_trade_no)
