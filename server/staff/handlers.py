"""/staff/v1 endpoints: console login and session, own password, account administration (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.http.api import (
    DATETIME,
    PAGE_QUERY,
    Route,
    Schema,
    array,
    boolean,
    endpoint,
    integer,
    nullable,
    obj,
    page_of,
    string,
)
from server.http.base import BaseHandler
from server.settings import Settings
from server.staff import accounts, sessions
from server.staff.accounts import MAX_DISPLAY_NAME_LENGTH
from server.staff.models import StaffSession, StaffUser
from server.staff.passwords import MAX_PASSWORD_LENGTH
from server.staff.principal import StaffPrincipal
from server.staff.roles import (
    DEPARTMENT_CODE_PATTERN,
    DOMAIN_CODE_PATTERN,
    MAX_DEPARTMENTS,
    MAX_DOMAINS,
    ROLE_NAMES,
    Role,
)

ADMIN = (Role.ADMIN.value,)
_TAGS = ["staff"]

_ROLES = array(string(enum=list(ROLE_NAMES)), minItems=1, uniqueItems=True)
_DEPARTMENTS = array(string(pattern=DEPARTMENT_CODE_PATTERN), maxItems=MAX_DEPARTMENTS, uniqueItems=True,
                     description="Department codes; required for department-scoped roles (officer).")
_DOMAINS = array(string(pattern=DOMAIN_CODE_PATTERN), maxItems=MAX_DOMAINS, uniqueItems=True,
                 description="Domain ids (商事登记...); required for domain-scoped roles (window).")
_DISPLAY_NAME = string(minLength=1, maxLength=MAX_DISPLAY_NAME_LENGTH)
# Generous bounds: the policy (with its own error codes) decides, the schema only caps the body.
_PASSWORD = string(minLength=1, maxLength=MAX_PASSWORD_LENGTH * 4)

USER: Schema = obj({
    "id": string(),
    "username": string(),
    "display_name": string(),
    "roles": array(string(enum=list(ROLE_NAMES))),
    "departments": array(string()),
    "domains": array(string()),
    "disabled": boolean(),
    "locked": boolean(),
    "locked_until": nullable(DATETIME),
    "failed_logins": integer(minimum=0),
    "created_at": DATETIME,
    "last_login_at": nullable(DATETIME),
}, required=["id", "username", "display_name", "roles", "departments", "domains", "disabled", "locked",
             "locked_until",
             "failed_logins", "created_at", "last_login_at"])

SESSION: Schema = obj({
    "user": USER,
    "csrf_token": string(description="Send as X-CSRF-Token on every POST/PUT/PATCH/DELETE."),
    "expires_at": DATETIME,
    "absolute_expires_at": DATETIME,
    "idle_timeout_seconds": integer(minimum=1),
}, required=["user", "csrf_token", "expires_at", "absolute_expires_at", "idle_timeout_seconds"])


def user_json(user: StaffUser, now: datetime) -> dict[str, Any]:
    locked = user.is_locked(now)
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": [role.value for role in user.roles],
        "departments": list(user.departments),
        "domains": list(user.domains),
        "disabled": user.disabled,
        "locked": locked,
        "locked_until": user.locked_until.isoformat() if locked and user.locked_until else None,
        "failed_logins": user.failed_logins,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


class StaffHandler(BaseHandler):
    @property
    def staff(self) -> StaffPrincipal:
        principal: StaffPrincipal = self.principal
        return principal

    def write_session(self, session: StaffSession, user: StaffUser) -> None:
        idle = sessions.idle_timeout(self.deps.settings)
        self.write_json({
            "user": user_json(user, self.deps.clock.now()),
            "csrf_token": session.csrf_token,
            "expires_at": session.idle_expires_at(idle).isoformat(),
            "absolute_expires_at": session.absolute_expires_at.isoformat(),
            "idle_timeout_seconds": int(idle.total_seconds()),
        })

    def write_user(self, user: StaffUser, status: int = 200) -> None:
        self.write_json(user_json(user, self.deps.clock.now()), status)

    def write_no_content(self) -> None:
        self.set_status(204)
        self.finish()


class LoginHandler(StaffHandler):
    @endpoint("Console login: sets the session cookie, returns the CSRF token", tags=_TAGS,
              request=obj({"username": string(minLength=1, maxLength=64), "password": _PASSWORD},
                          required=["username", "password"]),
              responses={200: SESSION}, errors=(401, 403, 429),
              description="401 login_failed for an unknown user and a wrong password alike; 429 "
                          "account_locked (with Retry-After) after too many failures; 403 account_disabled.")
    async def post(self) -> None:
        opened = await sessions.login(self.deps, self.body["username"], self.body["password"])
        self.set_cookie(sessions.COOKIE_NAME, opened.token, **sessions.cookie_options(self.deps.settings))
        self.write_session(opened.session, opened.user)


class LogoutHandler(StaffHandler):
    @endpoint("Console logout: ends this session", tags=_TAGS, auth="staff", responses={204: None})
    async def post(self) -> None:
        await sessions.logout(self.deps, self.staff.session_id)
        self.clear_cookie(sessions.COOKIE_NAME, **sessions.cookie_options(self.deps.settings))
        self.write_no_content()


class SessionHandler(StaffHandler):
    @endpoint("The signed-in user, roles, departments, CSRF token and expiry", tags=_TAGS, auth="staff",
              responses={200: SESSION},
              description="401 session_missing, session_invalid or session_expired when not signed in.")
    async def get(self) -> None:
        session, user = await sessions.current_session(self.deps, self.staff.session_id)
        self.write_session(session, user)


class OwnPasswordHandler(StaffHandler):
    @endpoint("Change one's own password (other sessions end)", tags=_TAGS, auth="staff",
              request=obj({"current_password": _PASSWORD, "new_password": _PASSWORD},
                          required=["current_password", "new_password"]),
              responses={204: None}, errors=(429,))
    async def post(self) -> None:
        await accounts.change_own_password(self.deps, self.staff, self.body["current_password"],
                                           self.body["new_password"])
        self.write_no_content()


class UsersHandler(StaffHandler):
    @endpoint("List staff accounts", tags=_TAGS, auth="staff", roles=ADMIN, query=PAGE_QUERY,
              responses={200: page_of(USER)})
    async def get(self) -> None:
        offset, limit = self.query["offset"], self.query["limit"]
        users, total = await accounts.list_users(self.deps, offset=offset, limit=limit)
        now = self.deps.clock.now()
        self.write_json({"items": [user_json(user, now) for user in users], "total": total,
                         "offset": offset, "limit": limit})

    @endpoint("Create a staff account", tags=_TAGS, auth="staff", roles=ADMIN,
              request=obj({"username": string(minLength=1, maxLength=64), "display_name": _DISPLAY_NAME,
                           "roles": _ROLES, "departments": _DEPARTMENTS, "domains": _DOMAINS,
                           "password": _PASSWORD},
                          required=["username", "roles", "password"]),
              responses={201: USER}, errors=(409,))
    async def post(self) -> None:
        body = self.body
        user = await accounts.create_user(
            self.deps, username=body["username"], password=body["password"], roles=body["roles"],
            departments=body.get("departments", ()), display_name=body.get("display_name"),
            domains=body.get("domains", ()))
        self.write_user(user, 201)


class UserHandler(StaffHandler):
    @endpoint("One staff account", tags=_TAGS, auth="staff", roles=ADMIN, responses={200: USER},
              errors=(404,))
    async def get(self, user_id: str) -> None:
        self.write_user(await accounts.get_user(self.deps, user_id))

    @endpoint("Change display name, roles, departments or disabled", tags=_TAGS, auth="staff", roles=ADMIN,
              request=obj({"display_name": _DISPLAY_NAME, "roles": _ROLES, "departments": _DEPARTMENTS,
                           "domains": _DOMAINS, "disabled": boolean()}) | {"minProperties": 1},
              responses={200: USER}, errors=(404, 409),
              description="Disabling ends every session of the account. Administrators cannot disable "
                          "themselves or drop their own admin role (409). Departments are only for "
                          "department-scoped roles: when changing to or from officer, send both (the same for domains "
                          "and the window role).")
    async def patch(self, user_id: str) -> None:
        body = self.body
        user = await accounts.update_user(
            self.deps, user_id, actor=self.staff, display_name=body.get("display_name"),
            roles=body.get("roles"), departments=body.get("departments"), disabled=body.get("disabled"),
            domains=body.get("domains"))
        self.write_user(user)


class UserPasswordHandler(StaffHandler):
    @endpoint("Set a new password for an account (its sessions end)", tags=_TAGS, auth="staff", roles=ADMIN,
              request=obj({"new_password": _PASSWORD}, required=["new_password"]),
              responses={204: None}, errors=(404,))
    async def post(self, user_id: str) -> None:
        await accounts.reset_password(self.deps, user_id, self.body["new_password"])
        self.write_no_content()


class UserUnlockHandler(StaffHandler):
    @endpoint("Lift a login lockout", tags=_TAGS, auth="staff", roles=ADMIN, responses={200: USER},
              errors=(404,))
    async def post(self, user_id: str) -> None:
        self.write_user(await accounts.unlock_user(self.deps, user_id))


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/staff/v1/auth/login", LoginHandler),
        Route("/staff/v1/auth/logout", LogoutHandler),
        Route("/staff/v1/auth/session", SessionHandler),
        Route("/staff/v1/auth/password", OwnPasswordHandler),
        Route("/staff/v1/users", UsersHandler),
        Route("/staff/v1/users/{user_id}", UserHandler),
        Route("/staff/v1/users/{user_id}/password", UserPasswordHandler),
        Route("/staff/v1/users/{user_id}/unlock", UserUnlockHandler),
    ]
