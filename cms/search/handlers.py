"""Search care in the console: what citizens search for, what finds nothing, and the synonym list."""

from __future__ import annotations

import uuid
from typing import Any

from cms.search import repository
from server.actor import Actor
from server.errors import NotFound
from server.http.api import DATETIME, Route, array, boolean, endpoint, integer, obj, string
from server.http.base import BaseHandler
from server.settings import Settings
from server.staff.roles import Role

_TAGS = ["staff-search"]
_CARE = (Role.EDITOR, Role.REVIEWER, Role.SUPERVISOR)

QUERY_ROW = obj({"query": string(), "count": integer(), "no_result_count": integer(), "last_at": DATETIME},
                required=["query", "count", "no_result_count"])
SYNONYM_GROUP = obj({"id": string(), "terms": array(string()), "one_way": boolean(), "created_at": DATETIME,
                     "created_by": string()}, required=["id", "terms", "one_way"])


class SynonymNotFound(NotFound):
    code = "synonym_not_found"
    default_message = "同义词组不存在"


def _group_json(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], "terms": doc["terms"], "one_way": bool(doc.get("one_way")),
            "created_at": doc["created_at"].isoformat(), "created_by": doc.get("created_by", {}).get("name", "")}


class QueryLogHandler(BaseHandler):
    @endpoint("Most frequent searches, or those that found nothing", tags=_TAGS, auth="staff", roles=_CARE,
              query={"kind": string(enum=["top", "no_result"], default="no_result"),
                     "limit": integer(minimum=1, maximum=200, default=50)},
              responses={200: obj({"items": array(QUERY_ROW)}, required=["items"])},
              description="Queries are logged a few seconds after they are made (buffered per process).")
    async def get(self) -> None:
        rows = await repository.top_queries(self.deps.db, limit=self.query["limit"],
                                            no_result_only=self.query["kind"] == "no_result")
        self.write_json({"items": [{"query": r["_id"], "count": int(r["count"]),
                                    "no_result_count": int(r.get("no_result_count", 0)),
                                    "last_at": r["last_at"].isoformat()} for r in rows]})


class SynonymsHandler(BaseHandler):
    @endpoint("Editor-managed synonym groups", tags=_TAGS, auth="staff", roles=_CARE,
              responses={200: obj({"items": array(SYNONYM_GROUP)}, required=["items"])})
    async def get(self) -> None:
        self.write_json({"items": [_group_json(d) for d in await repository.synonym_groups(self.deps.db)]})

    @endpoint("Add a synonym group (searchable in every process within a second)", tags=_TAGS, auth="staff",
              roles=(Role.EDITOR,),
              request=obj({"terms": array(string(minLength=1, maxLength=30), minItems=2, maxItems=20,
                                          uniqueItems=True),
                           "one_way": boolean(description="Only the first term expands to the others")},
                          required=["terms"]),
              responses={201: SYNONYM_GROUP})
    async def post(self) -> None:
        principal = self.principal
        doc = {"_id": uuid.uuid4().hex[:16], "terms": [t.strip() for t in self.body["terms"]],
               "one_way": bool(self.body.get("one_way", False)), "created_at": self.deps.clock.now(),
               "created_by": Actor("staff", principal.user_id, principal.display_name).to_doc()}
        await repository.insert_synonym_group(self.deps.db, doc)
        self.write_json(_group_json(doc), 201)


class SynonymHandler(BaseHandler):
    @endpoint("Remove a synonym group", tags=_TAGS, auth="staff", roles=(Role.EDITOR,), responses={204: None},
              errors=(404,))
    async def delete(self, group_id: str) -> None:
        if not await repository.delete_synonym_group(self.deps.db, group_id):
            raise SynonymNotFound()
        self.set_status(204)
        self.finish()


def routes(settings: Settings) -> list[Route]:
    return [Route("/staff/v1/search/queries", QueryLogHandler), Route("/staff/v1/search/synonyms", SynonymsHandler),
            Route("/staff/v1/search/synonyms/{group_id}", SynonymHandler)]
