"""Third-party apps, registered by an admin: id, secret, scopes, rate limit, webhook.

The HMAC secret must be recoverable (the server computes the same signature), so it cannot be hashed: it
is sealed with the personal-data cipher (AES-GCM under the encryption key) and shown once, at registration.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.errors import NotFound, Unprocessable
from server.jsonutil import iso
from server.open import repository
from server.open.destinations import refuse_internal_destination

if TYPE_CHECKING:
    from server.deps import Deps

SECRET_LABEL = "open_app_secret"  # noqa: S105 (the cipher label, not a secret)
ACTIVE, INACTIVE = "active", "inactive"


class Scope(StrEnum):
    GUIDES = "guides"  # item search and guide detail
    CASE_PROGRESS = "case_progress"  # progress of a verified case, webhooks of the app's own cases
    NOTICES = "notices"


class OpenAppNotFound(NotFound):
    code = "open_app_not_found"


class UnknownPlatform(Unprocessable):
    code = "unknown_platform"
    default_message = "来源平台未登记、已停用或无权接收办件进度"


async def register_app(deps: Deps, actor: Actor, *, name: str, scopes: list[str],
                       rate_limit_per_minute: int) -> tuple[dict[str, Any], str]:
    """The stored app and its secret (returned this once, never again)."""
    secret = secrets.token_urlsafe(32)
    app = {"_id": f"ya{secrets.token_hex(8)}", "name": name.strip(), "scopes": sorted({Scope(s).value for s in scopes}),
           "rate_limit_per_minute": rate_limit_per_minute, "status": ACTIVE,
           "secret_sealed": deps.pii.seal(SECRET_LABEL, secret), "webhook": None,
           "created_at": deps.clock.now(), "created_by": actor.to_doc()}
    await repository.insert_app(deps.db, app)
    return app, secret


def app_secret(deps: Deps, app: dict[str, Any]) -> str:
    return deps.pii.open(SECRET_LABEL, app["secret_sealed"])


async def app_of(deps: Deps, app_id: str) -> dict[str, Any]:
    app = await repository.get_app(deps.db, app_id)
    if app is None:
        raise OpenAppNotFound()
    return app


async def platform_of_new_case(deps: Deps, app_id: str) -> str:
    """The app a citizen came from to apply, which hears of the case's changes by webhook: registered,
    active and with the case_progress scope; 422 unknown_platform otherwise."""
    app = await repository.get_app(deps.db, app_id)
    if app is None or not hears_of_cases(app):
        raise UnknownPlatform()
    return str(app["_id"])


def hears_of_cases(app: dict[str, Any]) -> bool:
    """Active, with the case_progress scope: may be told of its cases' changes."""
    return app.get("status") == ACTIVE and Scope.CASE_PROGRESS.value in app.get("scopes", ())


async def set_status(deps: Deps, actor: Actor, app_id: str, status: str) -> dict[str, Any]:
    """Suspend a platform (its calls are refused and it hears of no case any more) or let it back in."""
    if not await repository.set_app_status(deps.db, app_id, status,
                                           {"at": deps.clock.now(), "by": actor.to_doc()}):
        raise OpenAppNotFound()
    return await app_of(deps, app_id)


async def all_apps(deps: Deps) -> list[dict[str, Any]]:
    return await repository.list_apps(deps.db)


def app_view(app: dict[str, Any]) -> dict[str, Any]:
    webhook = app.get("webhook")
    return {"app_id": app["_id"], "name": app["name"], "scopes": list(app["scopes"]),
            "rate_limit_per_minute": int(app["rate_limit_per_minute"]), "status": app["status"],
            "webhook_url": webhook["url"] if webhook else None, "created_at": iso(app["created_at"])}


async def subscribe_webhook(deps: Deps, app_id: str, url: str | None) -> dict[str, Any]:
    if url and not deps.settings.webhook_private_addresses:
        await refuse_internal_destination(url)
    await repository.set_webhook(deps.db, app_id, {"url": url, "since": deps.clock.now()} if url else None)
    return app_view(await app_of(deps, app_id))
