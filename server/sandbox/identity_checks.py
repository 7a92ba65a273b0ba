"""Simulated identity checks: WeChat's 人脸核身 result (``cityservice/face/identify/getinfo``) and Alipay's
身份验证 (``alipay.user.certify.open.initialize`` / ``.query``, through the gateway's ``METHODS``).

No face is ever scanned here: a test (or a person trying the sandbox) decides each outcome through the
sandbox's controls. ``mint_face_check`` stands for a phone that ran ``wx.startFacialRecognitionVerify`` and got
a ``verifyResult``; ``finish_certification`` stands for a citizen who went through ``my.startAPVerify``.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock
from server.sandbox import repository
from server.sandbox.alipay import METHODS, GatewayContext, GatewayRefusal

# How long getinfo answers for a verifyResult; our backend wants it far sooner anyway.
FACE_CHECK_SECONDS = 3600
CERTIFICATION_SECONDS = 24 * 3600
# WeChat's identify_ret is 0 for a match and a non-zero code for every kind of failure.
_FACE_NOT_MATCHED = 10003
_BIZ_CODES = {"FACE", "CERT_PHOTO", "CERT_PHOTO_FACE", "SMART_FACE"}
_OUTER_ORDER_NO = re.compile(r"[A-Za-z0-9]{1,32}")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# ------------------------------------------------------------------------------------------ WeChat
async def mint_face_check(db: AsyncDatabase[dict[str, Any]], clock: Clock, *, openid: str, name: str,
                          id_number: str, passed: bool) -> str:
    """The verifyResult of a face check that ``openid`` just did as (name, id_number), matched or not."""
    verify_result = secrets.token_urlsafe(48)
    now, finished = clock.now(), int(clock.timestamp())
    await repository.record_face_check(db, {
        "_id": verify_result, "openid": openid, "identify_ret": 0 if passed else _FACE_NOT_MATCHED,
        "id_card_number_md5": _md5(id_number.upper()), "name_utf8_md5": _md5(name),
        "identify_time": finished - 5, "finish_time": finished, "created_at": now,
        "expires_at": now + timedelta(seconds=FACE_CHECK_SECONDS)})
    return verify_result


async def face_getinfo(db: AsyncDatabase[dict[str, Any]], clock: Clock, body: Mapping[str, Any]) -> dict[str, Any]:
    """WeChat's answer to ``getinfo`` for ``{"verify_result": ...}``."""
    verify_result = body.get("verify_result")
    check = await repository.face_check(db, verify_result) if isinstance(verify_result, str) else None
    if check is None or check["expires_at"] <= clock.now():
        return {"errcode": 40097, "errmsg": "invalid args"}
    return {"errcode": 0, "errmsg": "ok", "identify_ret": check["identify_ret"],
            "identify_time": check["identify_time"], "validate_data": secrets.token_hex(8),
            "openid": check["openid"], "user_id_key": secrets.token_hex(16), "finish_time": check["finish_time"],
            "id_card_number_md5": check["id_card_number_md5"], "name_utf8_md5": check["name_utf8_md5"]}


# ------------------------------------------------------------------------------------------ Alipay
def _biz(params: Mapping[str, str]) -> dict[str, Any]:
    try:
        content = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        content = None
    if not isinstance(content, dict):
        raise GatewayRefusal("40002", "isv.invalid-biz-content", "biz_content格式错误")
    return content


async def certify_initialize(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    content = _biz(params)
    outer_order_no = content.get("outer_order_no")
    identity = content.get("identity_param")
    merchant = content.get("merchant_config")
    if not isinstance(outer_order_no, str) or not _OUTER_ORDER_NO.fullmatch(outer_order_no):
        raise GatewayRefusal("40002", "isv.invalid-parameter", "outer_order_no参数不合法")
    if content.get("biz_code") not in _BIZ_CODES:
        raise GatewayRefusal("40002", "isv.invalid-parameter", "biz_code参数不合法")
    if not isinstance(identity, dict) or identity.get("identity_type") != "CERT_INFO" or \
            identity.get("cert_type") != "IDENTITY_CARD" or not identity.get("cert_name") or \
            not identity.get("cert_no"):
        raise GatewayRefusal("40002", "isv.invalid-parameter", "identity_param参数不合法")
    if not isinstance(merchant, dict) or not merchant.get("return_url"):
        raise GatewayRefusal("40001", "isv.missing-parameter", "缺少merchant_config.return_url参数")
    existing = await repository.certification_of_order(context.db, context.app_id, outer_order_no)
    if existing is not None:
        return {"code": "10000", "msg": "Success", "certify_id": existing["_id"]}
    certify_id = secrets.token_hex(16)
    now = context.clock.now()
    # Only what the simulator needs: the person's numbers stay with the product.
    await repository.record_certification(context.db, {
        "_id": certify_id, "app_id": context.app_id, "outer_order_no": outer_order_no, "state": "init",
        "created_at": now, "expires_at": now + timedelta(seconds=CERTIFICATION_SECONDS)})
    return {"code": "10000", "msg": "Success", "certify_id": certify_id}


async def certify_query(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    certify_id = _biz(params).get("certify_id")
    certification = (await repository.certification(context.db, certify_id)
                     if isinstance(certify_id, str) else None)
    if certification is None or certification["app_id"] != context.app_id:
        raise GatewayRefusal("40004", "CERTIFY_ID_INVALID", "认证单据不存在")
    if certification["state"] != "passed":
        # Alipay says "F" both before the citizen finished and after a failed check.
        return {"code": "10000", "msg": "Success", "passed": "F"}
    return {"code": "10000", "msg": "Success", "passed": "T", "material_info": json.dumps({}),
            "identity_info": json.dumps({"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD"})}


async def finish_certification(db: AsyncDatabase[dict[str, Any]], clock: Clock, certify_id: str,
                               passed: bool) -> bool:
    """The citizen went through my.startAPVerify for ``certify_id``; False if there is no such certification."""
    return await repository.set_certification_outcome(db, certify_id, passed, clock.now())


METHODS.update({
    "alipay.user.certify.open.initialize": certify_initialize,
    "alipay.user.certify.open.query": certify_query,
})
