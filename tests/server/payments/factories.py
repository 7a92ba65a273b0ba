"""Plain factories for payment tests: a case with fees, ready to pay, and the sandbox's payment controls."""

from __future__ import annotations

from typing import Any

from server.actor import Actor
from server.cases import repository
from server.cases.states import Action
from server.cases.workflow import transition
from tests.miniprogram_api.case_factories import citizen, draft, live_guide
from tests.miniprogram_api.factories import VALID_ID, alipay_login, bind
from tests.support.server import Response, TestServer

FEE_FEN = 1500
SECOND_FEE_FEN = 2000
FEES = {"charged": True, "items": [{"name": "工本费", "amount_fen": FEE_FEN},
                                   {"name": "证书费", "amount_fen": SECOND_FEE_FEN}]}


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
