"""/staff/v1/audit: the editorial audit log, by object, user and time."""

from __future__ import annotations

from datetime import datetime

from cms.content import audit
from server.http.api import PAGE_QUERY, Route, endpoint, page_of, string
from server.http.base import BaseHandler, InvalidParameter
from server.settings import Settings
from server.staff.roles import Role

AUDIT_READERS = (Role.ADMIN.value, Role.SUPERVISOR.value, Role.REVIEWER.value, Role.EDITOR.value)


def _moment(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParameter(f"参数 {name} 不是有效的时间", parameter=name) from None
    if moment.tzinfo is None:
        raise InvalidParameter(f"参数 {name} 必须带时区", parameter=name)
    return moment


class AuditHandler(BaseHandler):
    @endpoint("Editorial audit log, newest first", tags=["staff-audit"], auth="staff", roles=AUDIT_READERS,
              query={"object": string(minLength=1, maxLength=64, description="Content item, department or "
                                      "theme id"),
                     "user": string(minLength=1, maxLength=64, description="Staff user id"),
                     "since": string(maxLength=40, description="ISO 8601 with offset, inclusive"),
                     "until": string(maxLength=40, description="ISO 8601 with offset, exclusive"),
                     **PAGE_QUERY},
              responses={200: page_of(audit.ENTRY_SCHEMA)})
    async def get(self) -> None:
        query = audit.AuditQuery(object_id=self.query.get("object"), actor_id=self.query.get("user"),
                                 since=_moment("since", self.query.get("since")),
                                 until=_moment("until", self.query.get("until")),
                                 offset=self.query["offset"], limit=self.query["limit"])
        entries, total = await audit.find(self.deps, query)
        self.write_json({"items": entries, "total": total, "offset": query.offset, "limit": query.limit})


def routes(settings: Settings) -> list[Route]:
    return [Route("/staff/v1/audit", AuditHandler)]
