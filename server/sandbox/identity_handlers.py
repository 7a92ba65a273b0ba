"""HTTP face of the identity-check simulators, under ``/_sandbox`` in sandbox mode only.

``/wechat/cityservice/face/identify/getinfo`` speaks WeChat's format (the Alipay methods answer through the
gateway). ``/wechat/face-checks`` and ``/alipay/certifications/{certify_id}`` are the sandbox's own test
controls: a face check's outcome on WeChat, a certification's on Alipay.
"""

from __future__ import annotations

from typing import Any

from server.errors import NotFound, Unprocessable
from server.http.api import Route, boolean, endpoint, obj, string
from server.http.base import BaseHandler
from server.sandbox import identity_checks, login_codes
from server.sandbox.wechat import WechatSimulator
from server.sandbox.wechat_api import WechatApiHandler

_FACE_CHECK_REQUEST = obj({
    "user": string(pattern=login_codes.USER_PATTERN, description="Sandbox user (as in login codes) who did it"),
    "openid": string(minLength=1, maxLength=64, description="Or the openid itself"),
    "name": string(minLength=1, maxLength=64, description="Name passed to wx.startFacialRecognitionVerify"),
    "id_number": string(minLength=1, maxLength=32, description="idCardNumber passed to it"),
    "passed": boolean(description="Whether the face matched that person (default true)"),
}, required=["name", "id_number"])
_FACE_CHECK_RESPONSE = obj({"verify_result": string(), "openid": string()}, required=["verify_result", "openid"])
_CERTIFICATION_REQUEST = obj({"passed": boolean(description="Whether the citizen passed the check")},
                             required=["passed"])


class CertificationNotFound(NotFound):
    code = "certification_not_found"
    default_message = "认证单据不存在"


class WechatFaceInfoHandler(WechatApiHandler):
    async def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        return await identity_checks.face_getinfo(self.deps.db, self.deps.clock, body)


class FaceCheckHandler(BaseHandler):
    def initialize(self, wechat: WechatSimulator) -> None:
        self.wechat = wechat

    @endpoint("Do a sandbox WeChat face check: the verifyResult a phone would get", tags=["sandbox"],
              request=_FACE_CHECK_REQUEST, responses={201: _FACE_CHECK_RESPONSE})
    async def post(self) -> None:
        body = self.body
        if ("user" in body) == ("openid" in body):
            raise Unprocessable("请给出 user 或 openid 之一")
        openid = body["openid"] if "openid" in body else self.wechat.openid_of(body["user"])
        verify_result = await identity_checks.mint_face_check(
            self.deps.db, self.deps.clock, openid=openid, name=body["name"], id_number=body["id_number"],
            passed=body.get("passed", True))
        self.write_json({"verify_result": verify_result, "openid": openid}, 201)


class CertificationHandler(BaseHandler):
    @endpoint("Finish a sandbox Alipay certification: passed or failed", tags=["sandbox"],
              request=_CERTIFICATION_REQUEST, responses={204: None}, errors=(404,))
    async def post(self, certify_id: str) -> None:
        if not await identity_checks.finish_certification(self.deps.db, self.deps.clock, certify_id,
                                                          self.body["passed"]):
            raise CertificationNotFound()
        self.set_status(204)
        self.finish()


def identity_check_routes(prefix: str, wechat: WechatSimulator) -> list[Route]:
    simulator = {"wechat": wechat}
    return [
        Route(f"{prefix}/wechat/cityservice/face/identify/getinfo", WechatFaceInfoHandler, simulator,
              documented=False),
        Route(f"{prefix}/wechat/face-checks", FaceCheckHandler, simulator, documented=False),
        Route(f"{prefix}/alipay/certifications/{{certify_id}}", CertificationHandler, documented=False),
    ]
