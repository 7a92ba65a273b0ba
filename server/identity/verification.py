"""Real-name verification: before a binding, the provider proves that the caller is the person named.

WeChat (小程序人脸核身): starting records the person; the phone runs ``wx.startFacialRecognitionVerify`` with
the same name and number and hands us its ``verifyResult``. WeChat's ``getinfo`` must then say that the face
matched (``identify_ret`` 0), for the caller's own openid, for this name and number (MD5s), after the
verification was started.

Alipay (支付宝身份验证): starting asks Alipay for a ``certify_id`` for this person and records it; the phone
runs ``my.startAPVerify``; Alipay's query must then say ``passed`` "T". We made that certify_id for this
account, name and number, so nothing else needs comparing.

A verification belongs to the channel account (identity) that started it, is good for
``REAL_NAME_VERIFICATION_SECONDS`` and is used once, pass or fail: whoever moves it from ``started`` to
``checking`` is the one request that asks the provider. A citizen starts at most
``REAL_NAME_VERIFICATIONS_PER_DAY`` a day (China time), which bounds both guessing and the paid provider calls.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from server.clock import china_date
from server.identity import repository
from server.identity.citizens import ID_NUMBER_LABEL, NAME_LABEL, resolve_citizen
from server.identity.codes import CHINA_TZ, mask_citizen_id, validate_citizen_id
from server.identity.errors import (
    RealNameAlreadyBound,
    VerificationExpired,
    VerificationFailed,
    VerificationLimitReached,
    VerificationNotFound,
    VerificationUsed,
    VerifyResultRequired,
)
from server.identity.models import Channel, Verification, VerificationMethod, VerificationState
from server.identity.names import validate_person_name

if TYPE_CHECKING:
    from server.deps import Deps
    from server.identity.sessions import CitizenPrincipal

log = logging.getLogger("yiwang.identity.verification")

# The record outlives its validity so that a late request is told "expired", not "not found".
_KEPT = timedelta(days=1)
# Our clock and WeChat's may disagree a little about when a face check finished.
_CLOCK_SKEW_SECONDS = 60
_METHODS = {Channel.WECHAT: VerificationMethod.WECHAT_FACE, Channel.ALIPAY: VerificationMethod.ALIPAY_CERTIFY}


@dataclass(frozen=True)
class StartedVerification:
    id: str
    channel: Channel
    certify_id: str | None  # Alipay only: what my.startAPVerify needs
    valid_until: datetime


@dataclass(frozen=True)
class VerifiedPerson:
    """Whom the provider recognised: the name and number as they were verified."""

    name: str
    id_number: str
    method: VerificationMethod

    def __repr__(self) -> str:
        return f"VerifiedPerson({mask_citizen_id(self.id_number)}, {self.method.value})"


async def start_verification(deps: Deps, principal: CitizenPrincipal, *, name: str,
                             id_number: str) -> StartedVerification:
    """Start proving that the caller is this person.

    Raises ``InvalidPersonName``/``InvalidCitizenId`` (422), ``RealNameAlreadyBound`` (409: the caller is
    bound to another number, so no face check could help), ``VerificationLimitReached`` (429).
    """
    person = validate_person_name(name)
    now = deps.clock.now()
    number = validate_citizen_id(id_number, today=china_date(now)).number
    citizen = await resolve_citizen(deps.db, principal.citizen_id)
    if citizen.real_name is not None and \
            citizen.real_name.id_number_index != deps.pii.blind_index(ID_NUMBER_LABEL, number):
        raise RealNameAlreadyBound()
    await _take_quota(deps, citizen.id, now)
    verification_id = secrets.token_hex(16)  # 32 letters and digits: also Alipay's outer_order_no
    certify_id = None
    if principal.channel is Channel.ALIPAY:
        certify_id = await deps.alipay.start_certify(verification_id, name=person, id_number=number)
    verification = Verification(
        id=verification_id, citizen_id=citizen.id, identity_id=principal.identity_id, channel=principal.channel,
        name_sealed=deps.pii.seal(NAME_LABEL, person), id_number_sealed=deps.pii.seal(ID_NUMBER_LABEL, number),
        certify_id=certify_id, state=VerificationState.STARTED, created_at=now,
        valid_until=now + timedelta(seconds=deps.settings.real_name_verification_seconds), expires_at=now + _KEPT)
    await repository.insert_verification(deps.db, verification)
    return StartedVerification(id=verification.id, channel=verification.channel, certify_id=certify_id,
                               valid_until=verification.valid_until)


async def _take_quota(deps: Deps, citizen_id: str, now: datetime) -> None:
    day = china_date(now)
    tomorrow = datetime.combine(day + timedelta(days=1), datetime.min.time(), CHINA_TZ)
    if not await repository.take_verification_quota(deps.db, f"{citizen_id}:{day.isoformat()}",
                                                     deps.settings.real_name_verifications_per_day,
                                                     expires_at=tomorrow + timedelta(days=1)):
        raise VerificationLimitReached(retry_after=max(1, int((tomorrow - now).total_seconds())))


async def use_verification(deps: Deps, principal: CitizenPrincipal, verification_id: str,
                           verify_result: str | None) -> VerifiedPerson:
    """The person the caller proved to be; the verification is spent whatever the provider says.

    Raises ``VerificationNotFound`` (404: unknown, or another account's), ``VerificationUsed`` /
    ``VerificationExpired`` / ``VerificationFailed`` (409), ``VerifyResultRequired`` (422, WeChat); a
    provider that cannot answer (502) leaves the verification usable.
    """
    verification = await repository.get_verification(deps.db, verification_id)
    if verification is None or verification.identity_id != principal.identity_id:
        raise VerificationNotFound()
    if verification.state is not VerificationState.STARTED:
        raise VerificationUsed()
    now = deps.clock.now()
    if now > verification.valid_until:
        raise VerificationExpired()
    if verification.channel is Channel.WECHAT and not verify_result:
        raise VerifyResultRequired()
    if not await repository.move_verification(deps.db, verification.id, VerificationState.STARTED,
                                              VerificationState.CHECKING, now):
        raise VerificationUsed()
    person = VerifiedPerson(name=deps.pii.open(NAME_LABEL, verification.name_sealed),
                            id_number=deps.pii.open(ID_NUMBER_LABEL, verification.id_number_sealed),
                            method=_METHODS[verification.channel])
    try:
        refusal = await _provider_refusal(deps, verification, person, verify_result or "", now)
    except Exception:
        # The provider did not answer: nothing was learnt, so the citizen may try again with the same one.
        await repository.move_verification(deps.db, verification.id, VerificationState.CHECKING,
                                           VerificationState.STARTED, now)
        raise
    outcome = VerificationState.FAILED if refusal else VerificationState.PASSED
    await repository.move_verification(deps.db, verification.id, VerificationState.CHECKING, outcome, now)
    if refusal:
        log.info("real-name verification %s of citizen %s failed: %s", verification.id, principal.citizen_id,
                 refusal)
        raise VerificationFailed()
    return person


async def _provider_refusal(deps: Deps, verification: Verification, person: VerifiedPerson, verify_result: str,
                            now: datetime) -> str | None:
    """Why the provider's answer does not prove the person (a short reason for the log), or None if it does."""
    if verification.channel is Channel.ALIPAY:
        assert verification.certify_id is not None
        return None if await deps.alipay.certify_passed(verification.certify_id) else "not passed"
    identity = await repository.get_identity(deps.db, verification.identity_id)
    face = await deps.wechat.face_identification(verify_result)
    if face.errcode != 0:
        return f"errcode {face.errcode}"
    if face.identify_ret != 0:
        return f"identify_ret {face.identify_ret}"
    if identity is None or face.openid != identity.subject:
        return "another openid"
    if face.id_card_number_md5 != _md5(person.id_number) or face.name_utf8_md5 != _md5(person.name):
        return "another person"
    started = verification.created_at.timestamp()
    if face.finish_time is None or not started - _CLOCK_SKEW_SECONDS <= face.finish_time <= \
            now.timestamp() + _CLOCK_SKEW_SECONDS:
        return "not done for this verification"
    digest = hashlib.sha256(verify_result.encode()).hexdigest()
    if not await repository.use_face_result_once(deps.db, digest, now, verification.expires_at):
        return "result used before"
    return None


def _md5(text: str) -> str:
    # WeChat hashes the number with an upper-case X, as validate_citizen_id normalises it, and the UTF-8 name.
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
