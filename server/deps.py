"""What handlers, domain functions and jobs get from the app factory instead of module globals."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from server.calendar.service import CalendarCache
from server.clock import Clock
from server.http.auth import Authenticator
from server.identity.pii import PersonalDataCipher
from server.objects.base import ObjectStore
from server.payments.gateway import PaymentGateway
from server.providers.alipay import AlipayApi
from server.providers.wechat import WechatApi
from server.settings import Settings

if TYPE_CHECKING:
    # cms.search reaches back into server.deps, so the type is imported for checking only.
    from cms.search.service import SearchService


@dataclass
class Deps:
    settings: Settings
    clock: Clock
    mongo: AsyncMongoClient[dict[str, Any]]
    db: AsyncDatabase[dict[str, Any]]
    store: ObjectStore
    pii: PersonalDataCipher
    wechat: WechatApi
    alipay: AlipayApi
    calendar: CalendarCache
    # Decodes uploaded photos: its size bounds concurrent decodes, and so the memory they take.
    intake_executor: Executor
    # The in-memory guide index of this process (built on first use or at web start-up).
    search: SearchService
    authenticators: dict[str, Authenticator] = field(default_factory=dict)
    # WeChat Pay and Alipay by provider name (server.payments).
    payments: dict[str, PaymentGateway] = field(default_factory=dict)
