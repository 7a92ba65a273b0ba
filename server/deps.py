"""What handlers, domain functions and jobs get from the app factory instead of module globals."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from server.calendar.service import CalendarCache
from server.clock import Clock
from server.http.auth import Authenticator
from server.identity.pii import PersonalDataCipher
from server.objects.base import ObjectStore
from server.providers.alipay import AlipayApi
from server.providers.wechat import WechatApi
from server.settings import Settings


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
    authenticators: dict[str, Authenticator] = field(default_factory=dict)
