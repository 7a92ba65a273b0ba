"""The WeChat Pay client believes nothing the platform did not sign, and says why a fee cannot be paid."""

from __future__ import annotations

import pytest

from server.payments.signing.rsa_keys import generate_rsa_keypair
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import citizen, draft, live_guide
from tests.server.payments.factories import FEES, fees, wechat_citizen_case


@pytest.mark.asyncio
async def test_answers_not_signed_by_the_platform_key_are_refused(start_server: StartServer) -> None:
    server = await start_server(wechatpay_platform_public_key=generate_rsa_keypair()[1])
    token, case_id = await wechat_citizen_case(server)
    refused = await server.post(f"/mp/v1/cases/{case_id}/fees/f1/pay", json={"provider": "wechat"}, token=token)
    assert (refused.status, refused.error_code) == (502, "wechatpay_upstream_error")
    # The order opened before the prepay stays unpaid; the close job will close it with the provider.
    [order] = (await fees(server, token, case_id))["f1"]["orders"]
    assert order["state"] == "created"


@pytest.mark.asyncio
async def test_unknown_fees_and_providers_are_refused(start_server: StartServer) -> None:
    server = await start_server()
    token, case_id = await wechat_citizen_case(server)
    missing = await server.post(f"/mp/v1/cases/{case_id}/fees/f9/pay", json={"provider": "wechat"}, token=token)
    assert (missing.status, missing.error_code) == (404, "fee_not_found")
    bad = await server.post(f"/mp/v1/cases/{case_id}/fees/f1/pay", json={"provider": "paypal"}, token=token)
    assert bad.status == 422
    other = await server.post("/mp/v1/cases/nope/fees/f1/pay", json={"provider": "wechat"}, token=token)
    assert (other.status, other.error_code) == (404, "case_not_found")


@pytest.mark.asyncio
async def test_a_draft_cannot_be_paid_for(start_server: StartServer) -> None:
    server = await start_server()
    token = await citizen(server)
    case = await draft(server, token, await live_guide(server.deps, fees=FEES))
    refused = await server.post(f"/mp/v1/cases/{case['id']}/fees/f1/pay", json={"provider": "wechat"}, token=token)
    assert (refused.status, refused.error_code) == (409, "fee_not_payable")
