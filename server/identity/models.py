"""What the identity repository hands out: citizens, their channel identities, sessions, legal persons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    WECHAT = "wechat"
    ALIPAY = "alipay"


class CitizenStatus(StrEnum):
    # A citizen exists from the first login; real-name binding fills in ``real_name``. A citizen whose
    # ID number turned out to belong to an existing citizen is ``merged`` into that one and never used again.
    ACTIVE = "active"
    MERGED = "merged"


@dataclass(frozen=True)
class RealName:
    """A bound natural person. Only the masked numbers are readable without the personal-data cipher."""

    name: str
    id_number_sealed: str
    id_number_index: str
    id_number_masked: str
    mobile_sealed: str
    mobile_index: str
    mobile_masked: str
    bound_at: datetime
    # How the provider proved the person (a ``VerificationMethod``); None for bindings made before that was
    # required, which nothing proves.
    verification: str | None = None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> RealName:
        fields: dict[str, Any] = {name: doc.get(name) for name in cls.__dataclass_fields__}
        return cls(**fields)

    def to_doc(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class VerificationMethod(StrEnum):
    WECHAT_FACE = "wechat_face"  # 微信小程序人脸核身 (cityservice face identify)
    ALIPAY_CERTIFY = "alipay_certify"  # 支付宝身份验证 (alipay.user.certify.open)


class VerificationState(StrEnum):
    STARTED = "started"
    CHECKING = "checking"  # one request is asking the provider; nobody else may use it meanwhile
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class Verification:
    """A real-name verification one channel account started for one person; it binds at most once."""

    id: str
    citizen_id: str
    identity_id: str
    channel: Channel
    name_sealed: str
    id_number_sealed: str
    certify_id: str | None
    state: VerificationState
    created_at: datetime
    valid_until: datetime
    expires_at: datetime  # when the record goes (TTL), well after it stopped being valid

    def __repr__(self) -> str:  # the sealed numbers have no business in a log line either
        return f"Verification({self.id}, {self.channel.value}, {self.state.value})"

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Verification:
        return cls(id=doc["_id"], citizen_id=doc["citizen_id"], identity_id=doc["identity_id"],
                   channel=Channel(doc["channel"]), name_sealed=doc["name_sealed"],
                   id_number_sealed=doc["id_number_sealed"], certify_id=doc.get("certify_id"),
                   state=VerificationState(doc["state"]), created_at=doc["created_at"],
                   valid_until=doc["valid_until"], expires_at=doc["expires_at"])

    def to_doc(self) -> dict[str, Any]:
        return {"_id": self.id, "citizen_id": self.citizen_id, "identity_id": self.identity_id,
                "channel": self.channel.value, "name_sealed": self.name_sealed,
                "id_number_sealed": self.id_number_sealed, "certify_id": self.certify_id,
                "state": self.state.value, "created_at": self.created_at, "valid_until": self.valid_until,
                "expires_at": self.expires_at}


@dataclass(frozen=True)
class Citizen:
    id: str
    status: CitizenStatus
    real_name: RealName | None
    merged_into: str | None
    created_at: datetime

    @property
    def is_merged(self) -> bool:
        return self.status is CitizenStatus.MERGED

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Citizen:
        real_name = doc.get("real_name")
        return cls(id=doc["_id"], status=CitizenStatus(doc["status"]),
                   real_name=RealName.from_doc(real_name) if real_name else None,
                   merged_into=doc.get("merged_into"), created_at=doc["created_at"])


@dataclass(frozen=True)
class CitizenIdentity:
    """One login account (a WeChat openid or an Alipay user id of one app) and the citizen it belongs to."""

    id: str
    channel: Channel
    app_id: str
    subject: str
    union_id: str | None
    citizen_id: str
    created_at: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CitizenIdentity:
        return cls(id=doc["_id"], channel=Channel(doc["channel"]), app_id=doc["app_id"], subject=doc["subject"],
                   union_id=doc.get("union_id"), citizen_id=doc["citizen_id"], created_at=doc["created_at"])


@dataclass(frozen=True)
class CitizenSession:
    id: str
    citizen_id: str
    identity_id: str
    channel: Channel
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CitizenSession:
        return cls(id=doc["_id"], citizen_id=doc["citizen_id"], identity_id=doc["identity_id"],
                   channel=Channel(doc["channel"]), created_at=doc["created_at"], expires_at=doc["expires_at"],
                   revoked_at=doc.get("revoked_at"))


@dataclass(frozen=True)
class IdClaim:
    """Who holds an ID number: the claim document's key is the number's blind index."""

    id_number_index: str
    citizen_id: str
    name_digest: str
    created_at: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> IdClaim:
        return cls(id_number_index=doc["_id"], citizen_id=doc["citizen_id"], name_digest=doc["name_digest"],
                   created_at=doc["created_at"])


@dataclass(frozen=True)
class LegalPerson:
    """An enterprise or organisation a citizen acts for, keyed by its unified social credit code."""

    id: str
    citizen_id: str
    credit_code: str
    name: str
    bound_at: datetime

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> LegalPerson:
        return cls(id=doc["_id"], citizen_id=doc["citizen_id"], credit_code=doc["credit_code"], name=doc["name"],
                   bound_at=doc["bound_at"])
