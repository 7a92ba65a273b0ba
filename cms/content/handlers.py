"""Staff endpoints of a content type, built once for every type: ``staff_routes(spec, ...)``.

For guides: /staff/v1/guides, /staff/v1/guides/schema (for the console's editor), /staff/v1/guides/{guide_id}
and its /submit, /publish, /reject, /unpublish, /schedule, /revisions, /revisions/{revision_id}, /diff,
/rollback and /attachments.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import ClassVar

from cms.content import service
from cms.content.caller import Caller
from cms.content.errors import EmptyFile, ScheduleInvalid
from cms.content.spec import ContentType
from cms.content.states import EDITOR_ROLES, READER_ROLES, REVIEWER_ROLES, State
from cms.content.views import (
    DIFF,
    ITEM_SUMMARY,
    REVISION_SUMMARY,
    diff_json,
    item_json,
    item_schema,
    item_summary_json,
    revision_json,
    revision_schema,
    revision_summary_json,
)
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
from server.http.spooled_body import SpooledBodyHandler

_NOTE = string(maxLength=500, description="What changed (shown in the revision list)")
_COMMENT = string(maxLength=2000)
_BASE_VERSION = integer(minimum=1, description="The item version the client started from")
_REVISION_REF = string(minLength=1, maxLength=40, description="A revision id, or draft / live")

UPLOADED_FILE: Schema = obj({"key": string(), "name": string(), "content_type": string(),
                             "size": integer(minimum=0)}, required=["key", "name", "content_type", "size"])


class ContentHandler(BaseHandler):
    spec: ClassVar[ContentType]
    id_param: ClassVar[str]

    @property
    def caller(self) -> Caller:
        return Caller.staff(self.principal)

    @property
    def item_id(self) -> str:
        return str(self.path_kwargs[self.id_param])

    def write_item(self, found: service.ItemView, status: int = 200) -> None:
        self.write_json(item_json(found), status)


def _parse_moment(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ScheduleInvalid(f"{name} 不是有效的时间", field=name) from None


@functools.cache
def staff_routes(spec: ContentType, *, base: str, id_param: str, noun: str) -> tuple[Route, ...]:
    """The staff routes of ``spec`` under ``base`` (e.g. /staff/v1/guides) with ``{id_param}``.

    Built once per process: every app made from the same settings shares the handler classes.
    """
    tags = [f"staff-{spec.kind}s"]
    item_out = item_schema(spec.schema)
    action_body = obj({"base_version": _BASE_VERSION, "comment": _COMMENT})
    # A reviewer approves the version they saw: without it, a publish would put live whatever the draft
    # is by then, edits nobody reviewed included.
    approval_body = obj({"base_version": _BASE_VERSION, "comment": _COMMENT}, required=["base_version"])
    list_query = {list_filter.name: list_filter.schema for list_filter in spec.list_filters}

    class Bound(ContentHandler):
        pass

    Bound.spec = spec
    Bound.id_param = id_param

    class CollectionHandler(Bound):
        @endpoint(f"List {noun}s with their state", tags=tags, auth="staff", roles=READER_ROLES,
                  query={"q": string(minLength=1, maxLength=100, description="Part of the title"),
                         "state": string(enum=[s.value for s in State]),
                         "key": string(minLength=1, maxLength=120, description="Exact key (guides: "
                                       "implementation code)"),
                         "live": boolean(), **list_query, **PAGE_QUERY},
                  responses={200: page_of(ITEM_SUMMARY)})
        async def get(self) -> None:
            state = self.query.get("state")
            items, total = await service.list_items(
                self.deps, self.spec, title_contains=self.query.get("q"), state=State(state) if state else None,
                key=self.query.get("key"), is_live=self.query.get("live"),
                filters={name: self.query.get(name) for name in list_query}, offset=self.query["offset"],
                limit=self.query["limit"])
            self.write_json({"items": [item_summary_json(item) for item in items], "total": total,
                             "offset": self.query["offset"], "limit": self.query["limit"]})

        @endpoint(f"Create a {noun} (its first draft)", tags=tags, auth="staff", roles=EDITOR_ROLES,
                  request=obj({"content": spec.schema, "note": _NOTE}, required=["content"]),
                  responses={201: item_out}, errors=(409,),
                  description="422 content_invalid lists every problem with its path; 409 when the key "
                              "is taken.")
        async def post(self) -> None:
            found = await service.create(self.deps, self.spec, self.caller, self.body["content"],
                                         note=self.body.get("note", ""))
            self.set_header("Location", f"{base}/{found.item.id}")
            self.write_item(found, 201)

    class SchemaHandler(Bound):
        @endpoint(f"JSON schema of a {noun}'s content (the console builds its editor from it)", tags=tags,
                  auth="staff", roles=READER_ROLES,
                  responses={200: obj({"kind": string(), "schema": obj({}, additional=True),
                                       "enum_labels": obj({}, additional=True,
                                                          description="Labels of coded values by dotted "
                                                                      "field path")},
                                      required=["kind", "schema", "enum_labels"])})
        async def get(self) -> None:
            self.write_json({"kind": self.spec.kind, "schema": self.spec.schema,
                             "enum_labels": self.spec.enum_labels})

    class ItemHandler(Bound):
        @endpoint(f"A {noun}: draft, live version, workflow state and schedule", tags=tags, auth="staff",
                  roles=READER_ROLES, responses={200: item_out}, errors=(404,))
        async def get(self, **_: str) -> None:
            self.write_item(await service.get(self.deps, self.spec, self.item_id))

        @endpoint(f"Save a new draft of a {noun}", tags=tags, auth="staff", roles=EDITOR_ROLES,
                  request=obj({"base_version": _BASE_VERSION, "content": spec.schema, "note": _NOTE},
                              required=["base_version", "content"]),
                  responses={200: item_out}, errors=(404, 409),
                  description="409 stale_revision (with current_version) when the item changed since "
                              "base_version: nothing is overwritten. The live version is unchanged.")
        async def put(self, **_: str) -> None:
            self.write_item(await service.save_draft(
                self.deps, self.spec, self.caller, self.item_id, self.body["content"],
                base_version=self.body["base_version"], note=self.body.get("note", "")))

    class SubmitHandler(Bound):
        @endpoint(f"Submit the draft of a {noun} for review", tags=tags, auth="staff", roles=EDITOR_ROLES,
                  request=action_body, responses={200: item_out}, errors=(404, 409))
        async def post(self, **_: str) -> None:
            self.write_item(await service.submit(self.deps, self.spec, self.caller, self.item_id,
                                                 base_version=self.body.get("base_version"),
                                                 comment=self.body.get("comment", "")))

    class PublishHandler(Bound):
        @endpoint(f"Publish the draft of a {noun} (reviewers)", tags=tags, auth="staff", roles=REVIEWER_ROLES,
                  request=approval_body, responses={200: item_out}, errors=(404, 409),
                  description="base_version is the version the reviewer saw; 409 stale_revision (with "
                              "current_version) when the item changed since, and nothing is published.")
        async def post(self, **_: str) -> None:
            self.write_item(await service.publish(self.deps, self.spec, self.caller, self.item_id,
                                                  base_version=self.body["base_version"],
                                                  comment=self.body.get("comment", "")))

    class RejectHandler(Bound):
        @endpoint(f"Send a submitted {noun} back with comments (reviewers)", tags=tags, auth="staff",
                  roles=REVIEWER_ROLES,
                  request=obj({"base_version": _BASE_VERSION, "comment": string(minLength=1, maxLength=2000)},
                              required=["comment"]),
                  responses={200: item_out}, errors=(404, 409))
        async def post(self, **_: str) -> None:
            self.write_item(await service.reject(self.deps, self.spec, self.caller, self.item_id,
                                                 comment=self.body["comment"],
                                                 base_version=self.body.get("base_version")))

    class UnpublishHandler(Bound):
        @endpoint(f"Take a {noun} offline (reviewers)", tags=tags, auth="staff", roles=REVIEWER_ROLES,
                  request=action_body, responses={200: item_out}, errors=(404, 409))
        async def post(self, **_: str) -> None:
            self.write_item(await service.unpublish(self.deps, self.spec, self.caller, self.item_id,
                                                    base_version=self.body.get("base_version"),
                                                    comment=self.body.get("comment", "")))

    class ScheduleHandler(Bound):
        @endpoint(f"Schedule publishing the current draft and/or taking the {noun} offline (reviewers)",
                  tags=tags, auth="staff", roles=REVIEWER_ROLES,
                  request=obj({"publish_at": nullable(DATETIME), "unpublish_at": nullable(DATETIME),
                               "base_version": _BASE_VERSION, "comment": _COMMENT},
                              required=["publish_at", "unpublish_at", "base_version"]),
                  responses={200: item_out}, errors=(404, 409),
                  description="null clears that part of the schedule. Times must have a time zone and lie "
                              "in the future, at most five years ahead (422 schedule_invalid with field). "
                              "base_version is the version the reviewer saw (409 stale_revision otherwise): "
                              "the draft of that version is the one scheduled. A reject of that draft or an "
                              "unpublish cancels the scheduled publish. The worker carries it out even if "
                              "no request comes in.")
        async def put(self, **_: str) -> None:
            self.write_item(await service.schedule(
                self.deps, self.spec, self.caller, self.item_id,
                publish_at=_parse_moment("publish_at", self.body["publish_at"]),
                unpublish_at=_parse_moment("unpublish_at", self.body["unpublish_at"]),
                base_version=self.body["base_version"], comment=self.body.get("comment", "")))

    class RevisionsHandler(Bound):
        @endpoint(f"Revisions of a {noun}, newest first", tags=tags, auth="staff", roles=READER_ROLES,
                  responses={200: obj({"items": array(REVISION_SUMMARY)}, required=["items"])}, errors=(404,))
        async def get(self, **_: str) -> None:
            found = await service.revisions(self.deps, self.spec, self.item_id)
            self.write_json({"items": [revision_summary_json(r) for r in found]})

    class RevisionHandler(Bound):
        @endpoint(f"One revision of a {noun} (full snapshot)", tags=tags, auth="staff", roles=READER_ROLES,
                  responses={200: revision_schema(spec.schema)}, errors=(404,))
        async def get(self, **path: str) -> None:
            found = await service.revision(self.deps, self.spec, self.item_id, path["revision_id"])
            self.write_json(revision_json(found))

    class DiffHandler(Bound):
        @endpoint(f"Field-level differences between two revisions of a {noun}", tags=tags, auth="staff",
                  roles=READER_ROLES, query={"from": _REVISION_REF, "to": _REVISION_REF},
                  required_query=("from", "to"), responses={200: DIFF}, errors=(404,))
        async def get(self, **_: str) -> None:
            result = await service.diff_revisions(self.deps, self.spec, self.item_id, self.query["from"],
                                                  self.query["to"])
            self.write_json(diff_json(result))

    class RollbackHandler(Bound):
        @endpoint(f"Save an earlier revision of a {noun} as a new draft", tags=tags, auth="staff",
                  roles=EDITOR_ROLES,
                  request=obj({"revision_id": string(minLength=1, maxLength=40), "base_version": _BASE_VERSION,
                               "note": _NOTE}, required=["revision_id", "base_version"]),
                  responses={200: item_out}, errors=(404, 409))
        async def post(self, **_: str) -> None:
            self.write_item(await service.rollback(self.deps, self.spec, self.caller, self.item_id,
                                                   self.body["revision_id"], base_version=self.body["base_version"],
                                                   note=self.body.get("note", "")))

    class AttachmentsHandler(SpooledBodyHandler, Bound):
        """Raw body (any Content-Type; the type is sniffed), the file's name in ``?filename=``."""

        @endpoint(f"Upload a file for a {noun} (blank form, sample, attachment)", tags=tags, auth="staff",
                  roles=EDITOR_ROLES, request=string(format="binary"),
                  request_content_type="application/octet-stream",
                  query={"filename": string(minLength=1, maxLength=200)}, required_query=("filename",),
                  responses={201: UPLOADED_FILE}, errors=(404,),
                  description="PDF, DOC, DOCX, XLS, XLSX, JPEG or PNG, decided from the bytes (415 "
                              "unsupported_file_type otherwise); at most MAX_UPLOAD_BYTES (413). Put the "
                              "returned object into the draft and save it.")
        async def post(self, **_: str) -> None:
            path, size = self.spooled()
            if size == 0:
                raise EmptyFile()
            ref = await service.attach_file(self.deps, self.spec, self.caller, self.item_id, path,
                                            self.query["filename"])
            self.write_json(ref, 201)

    item_path = f"{base}/{{{id_param}}}"
    handlers: list[tuple[str, type[ContentHandler]]] = [
        # The literal /schema before /{id}: the router takes the first match.
        (base, CollectionHandler), (f"{base}/schema", SchemaHandler), (item_path, ItemHandler),
        (f"{item_path}/submit", SubmitHandler),
        (f"{item_path}/publish", PublishHandler), (f"{item_path}/reject", RejectHandler),
        (f"{item_path}/unpublish", UnpublishHandler), (f"{item_path}/schedule", ScheduleHandler),
        (f"{item_path}/revisions", RevisionsHandler), (f"{item_path}/revisions/{{revision_id}}", RevisionHandler),
        (f"{item_path}/diff", DiffHandler), (f"{item_path}/rollback", RollbackHandler),
        (f"{item_path}/attachments", AttachmentsHandler),
    ]
    for _, handler in handlers:
        # OpenAPI operation ids are built from class names: one set per content type.
        handler.__name__ = handler.__qualname__ = f"{spec.label}{handler.__name__}"
    return tuple(Route(template, handler) for template, handler in handlers)
