"""Logging in through the sandbox simulators, as the mini-programs do."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from server.identity import repository
from server.identity.citizens import ID_NUMBER_LABEL, MOBILE_LABEL, NAME_LABEL
from server.identity.codes import mask_citizen_id, mask_mobile
from server.identity.models import IdClaim, RealName
from server.identity.sessions import authenticate_token
from tests.support.server import Response, TestServer

VALID_ID = "11010519491231002X"  # GB 11643's own example
OTHER_VALID_ID = "440524188001010014"  # GB 11643's other example
INVALID_ID = "110105194912310021"  # check character should be X
MOBILE = "13812345678"

_attempts = itertools.count()


def sandbox_code(user: str) -> str:
    """A fresh one-time code that logs ``user`` in (the same user is always the same account)."""
    return f"sandbox-{user}.{next(_attempts)}"


async def login(server: TestServer, channel: str, user: str) -> dict[str, Any]:
    response = await server.post(f"/mp/v1/auth/{channel}/login", json={"code": sandbox_code(user)})
    assert response.status == 200, response.body
    return response.json


async def wechat_login(server: TestServer, user: str) -> str:
    return str((await login(server, "wechat", user))["token"])


async def alipay_login(server: TestServer, user: str) -> str:
    return str((await login(server, "alipay", user))["token"])


async def openid_of(server: TestServer, token: str) -> str:
    """The WeChat openid (or Alipay user) behind a token: who a face check on that phone would be done by."""
    principal = await authenticate_token(server.deps, token)
    identity = await repository.get_identity(server.deps.db, principal.identity_id)
    assert identity is not None
    return identity.subject


async def start_verification(server: TestServer, token: str, name: str = "张三丰",
                             id_number: str = VALID_ID) -> Response:
    return await server.post("/mp/v1/me/real-name/verifications", json={"name": name, "id_number": id_number},
                             token=token)


async def face_check(server: TestServer, token: str, started: Response, name: str = "张三丰",
                     id_number: str = VALID_ID, *, passed: bool = True) -> dict[str, str]:
    """What the phone does between the two steps, through the sandbox: the extra fields of step 2.

    WeChat: a face check by this account as (name, id_number) whose verifyResult the phone sends on;
    Alipay: the citizen going through my.startAPVerify for the certify_id (the person is the one started).
    """
    certify_id = started.json["certify_id"]
    if certify_id:
        finished = await server.post(f"/_sandbox/alipay/certifications/{certify_id}", json={"passed": passed})
        assert finished.status == 204, finished.body
        return {}
    # The mini-program passes what the citizen typed, trimmed, to wx.startFacialRecognitionVerify.
    minted = await server.post("/_sandbox/wechat/face-checks", json={
        "openid": await openid_of(server, token), "name": name.strip(), "id_number": id_number.strip(),
        "passed": passed})
    assert minted.status == 201, minted.body
    return {"verify_result": str(minted.json["verify_result"])}


async def finish_binding(server: TestServer, token: str, verification_id: str, mobile: str = MOBILE,
                         **extra: str) -> Response:
    return await server.post("/mp/v1/me/real-name", json={"verification_id": verification_id, "mobile": mobile,
                                                          **extra}, token=token)


async def bind(server: TestServer, token: str, name: str = "张三丰", id_number: str = VALID_ID,
               mobile: str = MOBILE) -> Response:
    """Real-name binding the way the mini-program does it: verification, a passed face check, binding.

    Answers the first step's response if that one refuses.
    """
    started = await start_verification(server, token, name, id_number)
    if started.status != 201:
        return started
    extra = await face_check(server, token, started, name, id_number)
    return await finish_binding(server, token, str(started.json["verification_id"]), mobile, **extra)


async def legacy_binding(server: TestServer, citizen_id: str, name: str, id_number: str = VALID_ID) -> None:
    """A binding as one was made before verifications existed (a month ago): whatever name was typed, no proof."""
    pii, now = server.deps.pii, server.deps.clock.now() - timedelta(days=30)
    index = pii.blind_index(ID_NUMBER_LABEL, id_number)
    assert await repository.claim_id_number(server.deps.db, IdClaim(index, citizen_id,
                                                                    pii.blind_index(NAME_LABEL, name), now))
    assert await repository.set_real_name_if_unbound(server.deps.db, citizen_id, RealName(
        name=name, id_number_sealed=pii.seal(ID_NUMBER_LABEL, id_number), id_number_index=index,
        id_number_masked=mask_citizen_id(id_number), mobile_sealed=pii.seal(MOBILE_LABEL, MOBILE),
        mobile_index=pii.blind_index(MOBILE_LABEL, MOBILE), mobile_masked=mask_mobile(MOBILE), bound_at=now))
