"""The citizen's own account: masked profile, real-name binding, legal persons."""

from __future__ import annotations

from typing import Any

from server.http.api import DATETIME, Route, array, endpoint, nullable, obj, string
from server.http.base import BaseHandler
from server.identity.citizens import CitizenProfile, get_profile
from server.identity.legal_persons import bind_legal_person, list_legal_persons
from server.identity.models import Channel, LegalPerson
from server.identity.names import mask_person_name
from server.identity.real_name import bind_real_name
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
_REAL_NAME_REQUEST = obj({
    "name": string(minLength=1, maxLength=64),
    "id_number": {"description": "Citizen ID number (18 characters, GB 11643)"},
    "mobile": {"description": "Mainland mobile number"},
}, required=["name", "id_number", "mobile"])

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


class RealNameHandler(BaseHandler):
    @endpoint("Bind the caller to a natural person (name, citizen ID number, mobile)", tags=TAGS, auth="citizen",
              request=_REAL_NAME_REQUEST, responses={200: PROFILE}, errors=(404, 409),
              description="Binding the same ID number from another channel joins that channel's account to the "
                          "citizen already bound (one citizen, many channels). The same data again is a no-op; "
                          "a new mobile replaces the old. 409 real_name_mismatch: the number is bound under "
                          "another name; 409 real_name_already_bound: this account has another number; 422 "
                          "invalid_name / invalid_id_number / invalid_mobile.")
    async def post(self) -> None:
        profile = await bind_real_name(self.deps, self.principal.citizen_id, name=self.body["name"],
                                       id_number=self.body["id_number"], mobile=self.body["mobile"])
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
        Route("/mp/v1/me/legal-persons", LegalPersonsHandler),
    ]
