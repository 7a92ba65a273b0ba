"""Editorial actions. Each one ``check()``s (roles, version, preconditions, workflow state) and then
``execute()``s: one conditional write of the item, then its audit entry.

The rules (who, from which state, to which state) are in ``states.RULES``; an action adds only what is
particular to it. Every write is conditioned on the item version the action was built from, so two
actions racing on one item cannot both win: the loser gets ``stale_revision``.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cms.content import audit, counters_repo, files_repo
from cms.content import repository as repo
from cms.content.caller import Caller
from cms.content.errors import (
    ActionNotPermitted,
    CommentRequired,
    ContentNotFound,
    IncompleteContent,
    InvalidTransition,
    NothingToPublish,
    NotPublished,
    RevisionNotFound,
    ScheduleInvalid,
    StaleRevision,
)
from cms.content.files import check_file_refs, object_key, read_chunks, sniff_file
from cms.content.models import NEVER, PENDING_SEQ, Item, Revision
from cms.content.spec import ContentType, Prepared, list_facets
from cms.content.states import RULES, Action, Rule, State
from cms.content.validation import raise_if_any, schema_problems

if TYPE_CHECKING:
    from server.deps import Deps

# The latest moment a schedule may name, from now. A date further out is a typo (2062 for 2026) or a
# sentinel, and one at or past NEVER would be stored as "not scheduled" and silently never carried out.
SCHEDULE_HORIZON = timedelta(days=5 * 365 + 1)


async def prepare_content(deps: Deps, spec: ContentType, item_id: str, content: dict[str, Any],
                          type_state: dict[str, Any]) -> Prepared:
    """Schema, file ownership and the type's own checks; raises ContentInvalid with every problem."""
    raise_if_any(schema_problems(spec.schema, content))
    working = copy.deepcopy(content)
    file_problems = await check_file_refs(deps, spec, item_id, working)
    prepared = await spec.prepare(deps, working, type_state)
    raise_if_any([*file_problems, *prepared.problems])
    return prepared


class EditorialAction(ABC):
    action: ClassVar[Action]

    def __init__(self, deps: Deps, spec: ContentType, caller: Caller, item: Item | None, *,
                 base_version: int | None = None, comment: str = "") -> None:
        self.deps = deps
        self.spec = spec
        self.caller = caller
        self._item = item
        self.base_version = base_version
        self.comment = comment.strip()
        self.revision_id: str | None = None  # the revision the audit entry names

    @property
    def item(self) -> Item:
        assert self._item is not None
        return self._item

    @property
    def rule(self) -> Rule:
        return RULES[self.action]

    @property
    def now(self) -> datetime:
        return self.deps.clock.now()

    async def check(self) -> None:
        if not self.caller.has_any(self.rule.roles):
            raise ActionNotPermitted(roles=sorted(self.rule.roles), action=self.action.value)
        if self._item is not None and self.base_version is not None and self.base_version != self.item.version:
            raise StaleRevision(self.item.version)
        await self.check_preconditions()
        if self._item is not None and self.item.state not in self.rule.allowed_from:
            raise InvalidTransition(f"状态为 {self.item.state.value} 时不能执行 {self.action.value}",
                                    state=self.item.state.value, action=self.action.value)

    async def check_preconditions(self) -> None:
        """What this action needs besides roles and state (may read the database)."""
        return None

    async def execute(self) -> Item:
        await self.check()
        before_state = self._item.state.value if self._item is not None else None
        after = await self.apply()
        await audit.record(self.deps, self.caller, self.action.value, object_kind=self.spec.kind,
                           object_id=after.id, object_title=after.title,
                           revision_id=self.revision_id, from_state=before_state, to_state=after.state.value,
                           comment=self.comment, details=self.audit_details(after))
        return after

    @abstractmethod
    async def apply(self) -> Item: ...

    def audit_details(self, after: Item) -> dict[str, Any]:
        return {"version": after.version}

    # ------------------------------------------------------------------ shared writes
    async def write(self, changes: dict[str, Any]) -> Item:
        updated = await repo.update_item(self.deps.db, self.item.id, self.item.version, {
            **changes, "updated_at": self.now, "updated_by": self.caller.actor.to_doc()})
        if updated is None:
            raise await self._why_not_written(changes)
        return updated

    async def _why_not_written(self, changes: dict[str, Any]) -> Exception:
        current = await repo.find_item(self.deps.db, self.spec.kind, self.item.id)
        if current is None:
            return ContentNotFound()
        if current.version == self.item.version and "key" in changes:
            return self.spec.key_taken(changes["key"])
        return StaleRevision(current.version)

    def review(self, decision: str) -> dict[str, Any]:
        return {"action": decision, "by": self.caller.actor.to_doc(), "at": self.now, "comment": self.comment}

    async def revision(self, revision_id: str) -> Revision:
        found = await repo.find_revision(self.deps.db, self.item.id, revision_id)
        if found is None:
            raise RevisionNotFound()
        return found

    async def require_complete(self, revision_id: str) -> None:
        content = (await self.revision(revision_id)).content
        missing = self.spec.missing_for_publish(content)
        if missing:
            raise IncompleteContent(missing)

    async def go_live(self, revision: Revision, extra: dict[str, Any]) -> Item:
        content = revision.content
        token = repo.new_id()
        updated = await self.write({
            "state": (State.PUBLISHED if revision.id == self.item.draft_revision else self.item.state).value,
            "live_revision": revision.id, "live_number": revision.number, "live": self.spec.render(content),
            "live_summary": self.spec.summary(content), "facets": self.spec.facets(content), "is_live": True,
            "published_at": self.now, "published_by": self.caller.actor.to_doc(),
            "live_seq": PENDING_SEQ, "live_change": token, "live_changed_at": self.now, **extra})
        self.revision_id = revision.id
        return await self._numbered(updated, token)

    async def go_offline(self, extra: dict[str, Any]) -> Item:
        token = repo.new_id()
        state = State.DRAFT if self.item.state is State.PUBLISHED else self.item.state
        updated = await self.write({
            "state": state.value, "live_revision": None, "live_number": None, "live": None, "live_summary": None,
            "facets": {}, "is_live": False, "live_seq": PENDING_SEQ, "live_change": token,
            "live_changed_at": self.now, "unpublish_at": NEVER, **extra})
        self.revision_id = self.item.live_revision
        return await self._numbered(updated, token)

    async def _numbered(self, updated: Item, token: str) -> Item:
        seq = await counters_repo.increment(self.deps.db, counters_repo.live_counter(self.spec.kind))
        await repo.assign_live_seq(self.deps.db, updated.id, token, seq)
        return dataclasses.replace(updated, live_seq=seq)


# ---------------------------------------------------------------------------------------- drafts
class CreateItem(EditorialAction):
    action = Action.CREATE

    def __init__(self, deps: Deps, spec: ContentType, caller: Caller, content: dict[str, Any], *,
                 note: str = "", origin: str = "create") -> None:
        super().__init__(deps, spec, caller, None, comment=note)
        self.content = content
        self.origin = origin

    async def apply(self) -> Item:
        item_id = repo.new_id()
        prepared = await prepare_content(self.deps, self.spec, item_id, self.content, {})
        now, actor = self.now, self.caller.actor.to_doc()
        revision = _revision_doc(self.spec.kind, item_id, 1, prepared.content, now, actor, self.origin,
                                 self.comment, 0, None)
        await repo.insert_revision(self.deps.db, revision)
        key = self.spec.key(prepared.content, item_id)
        doc = {
            "_id": item_id, "kind": self.spec.kind, "key": key, "version": 1,
            "title": self.spec.title(prepared.content), "state": State.DRAFT.value,
            "list_facets": list_facets(self.spec, prepared.content),
            "draft_revision": revision["_id"], "draft_number": 1, "revision_count": 1,
            "live_revision": None, "live_number": None, "live": None, "live_summary": None, "facets": {},
            "is_live": False, "published_at": None, "published_by": None, "live_seq": 0, "live_change": None,
            "live_changed_at": None, "review": None, "publish_at": NEVER, "publish_revision": None,
            "unpublish_at": NEVER, "type_state": prepared.type_state, "created_at": now, "created_by": actor,
            "updated_at": now, "updated_by": actor,
        }
        if not await repo.insert_item(self.deps.db, doc):
            await repo.discard_revision(self.deps.db, revision["_id"])
            raise self.spec.key_taken(key)
        await repo.adopt_revision(self.deps.db, revision["_id"])
        self.revision_id = revision["_id"]
        return Item.from_doc(doc)


class SaveDraft(EditorialAction):
    """A new head revision; the live version (if any) is untouched until a publish."""

    action = Action.SAVE

    def __init__(self, deps: Deps, spec: ContentType, caller: Caller, item: Item, content: dict[str, Any], *,
                 base_version: int, note: str = "", origin: str = "save",
                 rolled_back_from: str | None = None) -> None:
        super().__init__(deps, spec, caller, item, base_version=base_version, comment=note)
        self.content = content
        self.origin = origin
        self.rolled_back_from = rolled_back_from

    async def apply(self) -> Item:
        item = self.item
        prepared = await prepare_content(self.deps, self.spec, item.id, self.content, item.type_state)
        key = self.spec.key(prepared.content, item.id)
        if key != item.key and key_is_fixed(item) and key != await self._live_key():
            raise self.spec.key_fixed(item.key)
        number = item.revision_count + 1
        revision = _revision_doc(self.spec.kind, item.id, number, prepared.content, self.now,
                                 self.caller.actor.to_doc(), self.origin, self.comment, item.version,
                                 self.rolled_back_from)
        await repo.insert_revision(self.deps.db, revision)
        try:
            updated = await self.write({
                "draft_revision": revision["_id"], "draft_number": number, "revision_count": number,
                "title": self.spec.title(prepared.content), "key": key,
                "list_facets": list_facets(self.spec, prepared.content), "state": State.DRAFT.value,
                "type_state": prepared.type_state})
        except BaseException:
            await repo.discard_revision(self.deps.db, revision["_id"])
            raise
        await repo.adopt_revision(self.deps.db, revision["_id"])
        self.revision_id = revision["_id"]
        return updated

    async def _live_key(self) -> str | None:
        """The key of the live revision: an item whose draft key drifted from it (saved before keys were
        fixed) may always go back to it."""
        if self.item.live_revision is None:
            return None
        return self.spec.key((await self.revision(self.item.live_revision)).content, self.item.id)

    def audit_details(self, after: Item) -> dict[str, Any]:
        details: dict[str, Any] = {"version": after.version, "number": after.draft_number, "origin": self.origin}
        if self.rolled_back_from:
            details["rolled_back_from"] = self.rolled_back_from
        return details


class Rollback(SaveDraft):
    """The content of an earlier revision, saved as a new draft (history is never rewritten)."""

    action = Action.ROLLBACK


# -------------------------------------------------------------------------------------- workflow
class Submit(EditorialAction):
    action = Action.SUBMIT

    async def check_preconditions(self) -> None:
        await self.require_complete(self.item.draft_revision)

    async def apply(self) -> Item:
        self.revision_id = self.item.draft_revision
        return await self.write({"state": State.IN_REVIEW.value, "review": self.review("submit")})


class Reject(EditorialAction):
    action = Action.REJECT

    async def check_preconditions(self) -> None:
        if not self.comment:
            raise CommentRequired()

    async def apply(self) -> Item:
        self.revision_id = self.item.draft_revision
        changes: dict[str, Any] = {"state": State.REJECTED.value, "review": self.review("reject")}
        if self.item.publish_revision == self.item.draft_revision:
            # A publish scheduled before the review would otherwise put the rejected revision live.
            changes.update(_CANCELLED_PUBLISH)
        return await self.write(changes)

    def audit_details(self, after: Item) -> dict[str, Any]:
        return {"version": after.version, **_cancelled_publish_details(self.item, after)}


class Publish(EditorialAction):
    action = Action.PUBLISH

    async def check_preconditions(self) -> None:
        if not self.item.has_unpublished_changes:
            raise NothingToPublish()
        await self.require_complete(self.item.draft_revision)

    async def apply(self) -> Item:
        revision = await self.revision(self.item.draft_revision)
        # A manual publish supersedes a scheduled one, which would otherwise put an older revision back.
        return await self.go_live(revision, {"review": self.review("publish"), "publish_at": NEVER,
                                             "publish_revision": None})


class Unpublish(EditorialAction):
    action = Action.UNPUBLISH

    async def check_preconditions(self) -> None:
        if not self.item.is_live:
            raise NotPublished()

    async def apply(self) -> Item:
        # A reviewer who takes the item offline means it to stay offline: a pending scheduled publish
        # would bring it back. Publishing again (now or on a new schedule) is an explicit decision.
        return await self.go_offline(dict(_CANCELLED_PUBLISH))

    def audit_details(self, after: Item) -> dict[str, Any]:
        return {"version": after.version, **_cancelled_publish_details(self.item, after)}


class Schedule(EditorialAction):
    """Publish the current draft at ``publish_at`` and/or take the item offline at ``unpublish_at``.

    The revision scheduled is the draft as it is now, the one the reviewer approves by scheduling;
    later edits wait for their own review.
    """

    action = Action.SCHEDULE

    def __init__(self, deps: Deps, spec: ContentType, caller: Caller, item: Item, *,
                 publish_at: datetime | None, unpublish_at: datetime | None, base_version: int | None = None,
                 comment: str = "") -> None:
        super().__init__(deps, spec, caller, item, base_version=base_version, comment=comment)
        self.publish_at = publish_at
        self.unpublish_at = unpublish_at

    async def check_preconditions(self) -> None:
        now = self.now
        latest = now + SCHEDULE_HORIZON
        for name, moment in (("publish_at", self.publish_at), ("unpublish_at", self.unpublish_at)):
            if moment is None:
                continue
            if moment.tzinfo is None or moment <= now:
                raise ScheduleInvalid(f"{name} 必须是带时区的将来时间", field=name)
            if moment > latest:
                raise ScheduleInvalid(f"{name} 不能晚于 {latest.date().isoformat()}（五年内）", field=name,
                                      latest=latest.isoformat())
        if self.publish_at is not None:
            if not self.item.has_unpublished_changes:
                raise NothingToPublish()
            await self.require_complete(self.item.draft_revision)
        if self.unpublish_at is not None:
            if self.publish_at is None and not self.item.is_live:
                raise ScheduleInvalid("内容未发布，不能只设置定时下线", field="unpublish_at")
            if self.publish_at is not None and self.unpublish_at <= self.publish_at:
                raise ScheduleInvalid("下线时间必须晚于发布时间", field="unpublish_at")

    async def apply(self) -> Item:
        self.revision_id = self.item.draft_revision if self.publish_at else None
        return await self.write({
            "publish_at": self.publish_at or NEVER,
            "publish_revision": self.item.draft_revision if self.publish_at else None,
            "unpublish_at": self.unpublish_at or NEVER})

    def audit_details(self, after: Item) -> dict[str, Any]:
        return {"version": after.version,
                "publish_at": self.publish_at.isoformat() if self.publish_at else None,
                "unpublish_at": self.unpublish_at.isoformat() if self.unpublish_at else None}


class ScheduledPublish(EditorialAction):
    action = Action.SCHEDULED_PUBLISH

    @property
    def rejected_since_scheduled(self) -> bool:
        """A reject cancels the schedule of the revision it rejects; items rejected before it did still
        carry one, and a rejected revision must not go live."""
        return self.item.state is State.REJECTED and self.item.publish_revision == self.item.draft_revision

    def audit_details(self, after: Item) -> dict[str, Any]:
        if self.rejected_since_scheduled:
            return {"version": after.version, "skipped": "rejected", "revision": self.item.publish_revision}
        return {"version": after.version}

    async def check_preconditions(self) -> None:
        if self.item.publish_at is None or self.item.publish_at > self.now or self.item.publish_revision is None:
            raise InvalidTransition("没有到期的定时发布", action=self.action.value, state=self.item.state.value)

    async def apply(self) -> Item:
        cleared = {"publish_at": NEVER, "publish_revision": None}
        assert self.item.publish_revision is not None
        if self.item.live_revision == self.item.publish_revision or self.rejected_since_scheduled:
            return await self.write(cleared)
        revision = await self.revision(self.item.publish_revision)
        return await self.go_live(revision, cleared)


class ScheduledUnpublish(EditorialAction):
    action = Action.SCHEDULED_UNPUBLISH

    async def check_preconditions(self) -> None:
        if self.item.unpublish_at is None or self.item.unpublish_at > self.now:
            raise InvalidTransition("没有到期的定时下线", action=self.action.value, state=self.item.state.value)

    async def apply(self) -> Item:
        if not self.item.is_live:
            return await self.write({"unpublish_at": NEVER})
        return await self.go_offline({})


_CANCELLED_PUBLISH: dict[str, Any] = {"publish_at": NEVER, "publish_revision": None}


def _cancelled_publish_details(before: Item, after: Item) -> dict[str, Any]:
    """What the audit entry says about a scheduled publish the action called off, if it did."""
    if before.publish_at is None or after.publish_at is not None:
        return {}
    return {"cancelled_publish_at": before.publish_at.isoformat(),
            "cancelled_publish_revision": before.publish_revision}


def key_is_fixed(item: Item) -> bool:
    """Whether the item's key may no longer change: once a reviewer has published it (even if it is
    offline now) or scheduled its publish.

    Guides: the implementation code identifies the item to citizens, cases and the catalogue, and
    re-imports find the guide by it. If a draft could change the code of a published guide, the live
    code would be free while still delivered: a re-import or a new guide could take it, and two live
    guides would share one code. Before the first publish the code can be corrected freely; a published
    code is replaced by creating a guide with the new code and taking the old one offline.
    """
    return item.published_at is not None or item.publish_at is not None


def _revision_doc(kind: str, item_id: str, number: int, content: dict[str, Any], now: datetime,
                  actor: dict[str, Any], origin: str, note: str, based_on_version: int,
                  rolled_back_from: str | None) -> dict[str, Any]:
    return {"_id": repo.new_id(), "item_id": item_id, "kind": kind, "number": number, "content": content,
            "created_at": now, "created_by": actor, "origin": origin, "note": note,
            "based_on_version": based_on_version, "rolled_back_from": rolled_back_from}


class AttachFile(EditorialAction):
    """Store an uploaded file for this item (a blank form, a sample, an attachment).

    The file is only stored; it becomes part of the content when a draft refers to it.
    """

    action = Action.UPLOAD

    def __init__(self, deps: Deps, spec: ContentType, caller: Caller, item: Item, *, path: Path,
                 filename: str) -> None:
        super().__init__(deps, spec, caller, item)
        self.path = path
        self.filename = filename.strip() or "file"
        self.file_ref: dict[str, Any] = {}

    async def apply(self) -> Item:
        file_type = await asyncio.to_thread(sniff_file, self.path)
        file_id = repo.new_id()
        key = object_key(self.spec.kind, self.item.id, file_id, file_type)
        info = await self.deps.store.put(key, read_chunks(self.path), max_bytes=self.deps.settings.max_upload_bytes,
                                         content_type=file_type.content_type)
        await files_repo.insert_file(self.deps.db, {
            "_id": key, "item_kind": self.spec.kind, "item_id": self.item.id, "name": self.filename,
            "content_type": file_type.content_type, "size": info.size, "sha256": info.sha256,
            "uploaded_at": self.now, "uploaded_by": self.caller.actor.to_doc()})
        self.file_ref = {"key": key, "name": self.filename, "content_type": file_type.content_type,
                         "size": info.size}
        return self.item

    def audit_details(self, after: Item) -> dict[str, Any]:
        return dict(self.file_ref)
