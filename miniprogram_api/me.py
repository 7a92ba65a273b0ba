"""The citizen's own account: masked profile, real-name verification and binding, legal persons."""

from __future__ import annotations

from typing import Any

from server.http.api import DATETIME, Route, array, endpoint, nullable, obj, string
from server.http.base import BaseHandler
from server.identity.citizens import CitizenProfile, get_profile
from server.identity.legal_persons import bind_legal_person, list_legal_persons
from server.identity.models import Channel, LegalPerson
from server.identity.names import mask_person_name
from server.identity.real_name import bind_real_name
from server.identity.verification import start_verification
from server.jsonutil import iso
from server.settings import Settings

TAGS = ["me"]

REAL_NAME = obj({
    "name": string(description="Masked name, e.g. 张*丰"),
    "id_number": string(description="Masked citizen ID number, e.g. 1101**********002X"),
    "mobile": string(description="Masked mobile number, e.g. 138****5678"),
    "bound_at": DATETIME,
}, required=["name", "id_number", "mobile", "bound_at"])

PROFILE = obj({
    "id": string(description="Citizen id: the same from every channel once real-name binding links them"),
    "real_name": nullable(REAL_NAME),
    "identities": array(obj({"channel": string(enum=[c.value for c in Channel]), "linked_at": DATETIME},
                            required=["channel", "linked_at"])),
    "created_at": DATETIME,
}, required=["id", "real_name", "identities", "created_at"])

LEGAL_PERSON = obj({
    "id": string(),
    "credit_code": string(description="Unified social credit code (GB 32100)"),
    "name": string(),
    "bound_at": DATETIME,
}, required=["id", "credit_code", "name", "bound_at"])

# The numbers are typed "any" on purpose: a schema error message quotes the offending value, and these
# must never come back whole in a response. The domain checks them and its messages never quote them.
_VERIFICATION_REQUEST = obj({
    "name": string(minLength=1, maxLength=64),
    "id_number": {"description": "Citizen ID number (18 characters, GB 11643)"},
}, required=["name", "id_number"])

_VERIFICATION = obj({
    "verification_id": string(description="Send it to POST /mp/v1/me/real-name once the face check is done"),
    "channel": string(enum=[c.value for c in Channel]),
    "certify_id": nullable(string(description="Alipay: pass to my.startAPVerify({certifyId}); WeChat: null")),
    "expires_at": DATETIME,
}, required=["verification_id", "channel", "certify_id", "expires_at"])

_REAL_NAME_REQUEST = obj({
    "verification_id": string(minLength=1, maxLength=64),
    "mobile": {"description": "Mainland mobile number (kept only on a first binding)"},
    "verify_result": string(minLength=1, maxLength=1024,
                            description="WeChat: the verifyResult of wx.startFacialRecognitionVerify"),
}, required=["verification_id", "mobile"])

_LEGAL_PERSON_REQUEST = obj({
    "credit_code": {"description": "Unified social credit code (18 characters, GB 32100)"},
    "name": string(minLength=1, maxLength=200, description="Registered name of the enterprise or organisation"),
}, required=["credit_code", "name"])


def profile_json(profile: CitizenProfile) -> dict[str, Any]:
    citizen = profile.citizen
    real_name = citizen.real_name
    return {
        "id": citizen.id,
        "real_name": None if real_name is None else {
            "name": mask_person_name(real_name.name), "id_number": real_name.id_number_masked,
            "mobile": real_name.mobile_masked, "bound_at": iso(real_name.bound_at)},
        "identities": [{"channel": identity.channel.value, "linked_at": iso(identity.created_at)}
                       for identity in profile.identities],
        "created_at": iso(citizen.created_at),
    }


def legal_person_json(legal_person: LegalPerson) -> dict[str, Any]:
    return {"id": legal_person.id, "credit_code": legal_person.credit_code, "name": legal_person.name,
            "bound_at": iso(legal_person.bound_at)}


class MeHandler(BaseHandler):
    @endpoint("The caller's profile (personal numbers masked)", tags=TAGS, auth="citizen",
              responses={200: PROFILE}, errors=(404,))
    async def get(self) -> None:
        self.write_json(profile_json(await get_profile(self.deps, self.principal.citizen_id)))


class RealNameVerificationsHandler(BaseHandler):
    @endpoint("Start proving that the caller is a natural person (face check by WeChat or Alipay)", tags=TAGS,
              auth="citizen", request=_VERIFICATION_REQUEST, responses={201: _VERIFICATION},
              errors=(404, 409, 429, 502),
              description="Step 1 of real-name binding. WeChat: then call wx.startFacialRecognitionVerify with "
                          "the same name and idCardNumber and keep its verifyResult. Alipay: then call "
                          "my.startAPVerify({certifyId}). Either way, then POST /mp/v1/me/real-name. A "
                          "verification is good for REAL_NAME_VERIFICATION_SECONDS (30 min) and one binding. "
                          "429 real_name_verification_limit: REAL_NAME_VERIFICATIONS_PER_DAY (5) started today "
                          "(Retry-After: seconds to midnight, China time); 409 real_name_already_bound: this "
                          "account has another number; 422 invalid_name / invalid_id_number.")
    async def post(self) -> None:
        started = await start_verification(self.deps, self.principal, name=self.body["name"],
                                           id_number=self.body["id_number"])
        self.write_json({"verification_id": started.id, "channel": started.channel.value,
                         "certify_id": started.certify_id, "expires_at": iso(started.valid_until)}, 201)


class RealNameHandler(BaseHandler):
    @endpoint("Bind the caller to the natural person a passed verification proved", tags=TAGS, auth="citizen",
              request=_REAL_NAME_REQUEST, responses={200: PROFILE}, errors=(404, 409, 502),
              description="Step 2 of real-name binding: the provider is asked whether the face check of this "
                          "verification passed (WeChat: verify_result required; it must be the caller's own, for "
                          "the same name and number, done after step 1). The verification is spent, pass or "
                          "fail. Binding a number already bound from another channel joins this account to "
                          "that citizen (one citizen, many channels), which keeps its mobile; the mobile is "
                          "stored on a first binding only. A number held under another name by a binding made "
                          "without verification is taken from that citizen. 404 real_name_verification_not_found "
                          "(unknown, or another account's); 409 real_name_verification_failed / _used / "
                          "_expired, real_name_already_bound (this account has another number), "
                          "real_name_busy; 422 invalid_mobile / verify_result_required; 502 provider error.")
    async def post(self) -> None:
        profile = await bind_real_name(self.deps, self.principal, verification_id=self.body["verification_id"],
                                       mobile=self.body["mobile"], verify_result=self.body.get("verify_result"))
        self.write_json(profile_json(profile))


class LegalPersonsHandler(BaseHandler):
    @endpoint("Legal persons the caller acts for", tags=TAGS, auth="citizen",
              responses={200: obj({"items": array(LEGAL_PERSON)}, required=["items"])}, errors=(404,))
    async def get(self) -> None:
        legal_persons = await list_legal_persons(self.deps, self.principal.citizen_id)
        self.write_json({"items": [legal_person_json(item) for item in legal_persons]})

    @endpoint("Bind a legal person by unified social credit code (real-name citizens only)", tags=TAGS,
              auth="citizen", request=_LEGAL_PERSON_REQUEST, responses={201: LEGAL_PERSON, 200: LEGAL_PERSON},
              errors=(404,), description="201 when bound now, 200 when the code was already bound. "
                                         "422 invalid_credit_code; 403 real_name_required.")
    async def post(self) -> None:
        legal_person, created = await bind_legal_person(self.deps, self.principal.citizen_id,
                                                        credit_code=self.body["credit_code"], name=self.body["name"])
        self.write_json(legal_person_json(legal_person), 201 if created else 200)


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/mp/v1/me", MeHandler),
        Route("/mp/v1/me/real-name", RealNameHandler),
        Route("/mp/v1/me/real-name/verifications", RealNameVerificationsHandler),
        Route("/mp/v1/me/legal-persons", LegalPersonsHandler),
    ]
