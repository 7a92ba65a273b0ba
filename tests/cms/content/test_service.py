"""The engine's workflow through its service functions, on the notice type (guides in tests/cms/guides)."""

import asyncio
from datetime import timedelta

import pytest

from cms.content import audit, delivery, service
from cms.content.errors import (
    ActionNotPermitted,
    CommentRequired,
    ContentInvalid,
    IncompleteContent,
    InvalidTransition,
    NothingToPublish,
    NotPublished,
    RevisionNotFound,
    ScheduleInvalid,
    StaleRevision,
)
from cms.content.states import State
from cms.notices.spec import SPEC
from tests.cms.factories import create_catalog, editor, editor_reviewer, notice_content, reviewer


async def live_title(deps, item_id: str) -> str:
    live = (await delivery.live_item(deps, "notice", item_id)).live
    assert live is not None
    return str(live["title"])


async def published_notice(deps, **content):
    created = await service.create(deps, SPEC, editor(), notice_content(**content))
    return await service.publish(deps, SPEC, reviewer(), created.item.id)


@pytest.mark.asyncio
async def test_drafts_are_revisions_and_the_live_version_waits_for_a_publish(server) -> None:
    deps = server.deps
    live = await published_notice(deps, title="第一版")
    assert live.item.is_live
    assert live.item.state is State.PUBLISHED
    assert not live.item.has_unpublished_changes

    edited = await service.save_draft(deps, SPEC, editor(), live.item.id, notice_content(title="第二版"),
                                      base_version=live.item.version, note="改标题")
    assert edited.item.state is State.DRAFT
    assert edited.item.has_unpublished_changes
    assert edited.draft.number == 2
    assert edited.draft.content["title"] == "第二版"
    assert edited.draft.created_by.name == "编辑甲"
    assert edited.draft.note == "改标题"
    assert edited.live is not None
    assert edited.live.content["title"] == "第一版"
    assert await live_title(deps, live.item.id) == "第一版"

    republished = await service.publish(deps, SPEC, reviewer(), live.item.id)
    assert republished.item.live_number == 2
    assert await live_title(deps, live.item.id) == "第二版"
    assert [r.number for r in await service.revisions(deps, SPEC, live.item.id)] == [2, 1]


@pytest.mark.asyncio
async def test_only_reviewers_publish_and_only_editors_edit(server) -> None:
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content())
    with pytest.raises(ActionNotPermitted):
        await service.publish(deps, SPEC, editor(), created.item.id)
    with pytest.raises(ActionNotPermitted):
        await service.save_draft(deps, SPEC, reviewer(), created.item.id, notice_content(), base_version=1)
    with pytest.raises(ActionNotPermitted):
        await service.create(deps, SPEC, reviewer(), notice_content())
    # An editor who is also a reviewer may publish their own draft.
    own = await service.create(deps, SPEC, editor_reviewer(), notice_content())
    assert (await service.publish(deps, SPEC, editor_reviewer(), own.item.id)).item.is_live


@pytest.mark.asyncio
async def test_a_stale_save_is_refused_and_overwrites_nothing(server) -> None:
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content())
    base = created.item.version
    first = await service.save_draft(deps, SPEC, editor(), created.item.id, notice_content(title="甲的修改"),
                                     base_version=base)
    with pytest.raises(StaleRevision) as refused:
        await service.save_draft(deps, SPEC, editor(), created.item.id, notice_content(title="乙的修改"),
                                 base_version=base)
    assert refused.value.status == 409
    assert refused.value.details["current_version"] == first.item.version
    current = await service.get(deps, SPEC, created.item.id)
    assert current.draft.content["title"] == "甲的修改"
    assert [r.number for r in await service.revisions(deps, SPEC, created.item.id)] == [2, 1]


@pytest.mark.asyncio
async def test_review_submit_reject_with_comments_and_resubmit(server) -> None:
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content())
    item_id = created.item.id
    with pytest.raises(InvalidTransition):
        await service.reject(deps, SPEC, reviewer(), item_id, comment="还没提交")
    submitted = await service.submit(deps, SPEC, editor(), item_id, comment="请审核")
    assert submitted.item.state is State.IN_REVIEW
    with pytest.raises(InvalidTransition):
        await service.submit(deps, SPEC, editor(), item_id)
    with pytest.raises(CommentRequired):
        await service.reject(deps, SPEC, reviewer(), item_id, comment="  ")
    rejected = await service.reject(deps, SPEC, reviewer(), item_id, comment="正文缺少办理时间")
    assert rejected.item.state is State.REJECTED
    assert rejected.item.review is not None
    assert rejected.item.review["comment"] == "正文缺少办理时间"
    assert rejected.item.review["by"]["name"] == "审核乙"
    fixed = await service.save_draft(deps, SPEC, editor(), item_id, notice_content(body="办理时间：9:00"),
                                     base_version=rejected.item.version)
    assert fixed.item.state is State.DRAFT
    await service.submit(deps, SPEC, editor(), item_id)
    # Saving while in review withdraws the draft from review.
    in_review = await service.get(deps, SPEC, item_id)
    withdrawn = await service.save_draft(deps, SPEC, editor(), item_id, notice_content(body="再改"),
                                         base_version=in_review.item.version)
    assert withdrawn.item.state is State.DRAFT
    entries, _ = await audit.find(deps, audit.AuditQuery(object_id=item_id, limit=100))
    assert [(e["action"], e["from_state"], e["to_state"]) for e in reversed(entries)] == [
        ("create", None, "draft"), ("submit", "draft", "in_review"), ("reject", "in_review", "rejected"),
        ("save", "rejected", "draft"), ("submit", "draft", "in_review"), ("save", "in_review", "draft")]
    assert entries[-3]["comment"] == "正文缺少办理时间"


@pytest.mark.asyncio
async def test_submit_and_publish_need_complete_content(server) -> None:
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content(body=""))
    with pytest.raises(IncompleteContent) as missing:
        await service.submit(deps, SPEC, editor(), created.item.id)
    assert missing.value.details["missing"] == ["body"]
    with pytest.raises(IncompleteContent):
        await service.publish(deps, SPEC, reviewer(), created.item.id)


@pytest.mark.asyncio
async def test_content_problems_are_reported_with_paths(server) -> None:
    deps = server.deps
    await create_catalog(deps)
    with pytest.raises(ContentInvalid) as invalid:
        await service.create(deps, SPEC, editor(), notice_content(category="gossip", department_id="nope",
                                                                  attachments=[{"key": "cms/x/y", "name": "a"}]))
    assert [p["path"] for p in invalid.value.problems] == ["/category"]
    with pytest.raises(ContentInvalid) as invalid:
        await service.create(deps, SPEC, editor(), notice_content(department_id="nope",
                                                                  attachments=[{"key": "cms/x/y", "name": "a"}]))
    assert {(p["path"], p["code"]) for p in invalid.value.problems} == {
        ("/attachments/0/key", "unknown_file"), ("/department_id", "unknown_department")}


@pytest.mark.asyncio
async def test_rollback_saves_an_old_revision_as_a_new_draft(server) -> None:
    deps = server.deps
    live = await published_notice(deps, title="原标题")
    first = live.draft.id
    edited = await service.save_draft(deps, SPEC, editor(), live.item.id, notice_content(title="错误的标题"),
                                      base_version=live.item.version)
    with pytest.raises(StaleRevision):
        await service.rollback(deps, SPEC, editor(), live.item.id, first, base_version=live.item.version)
    rolled = await service.rollback(deps, SPEC, editor(), live.item.id, first, base_version=edited.item.version)
    assert rolled.draft.number == 3
    assert rolled.draft.origin == "rollback"
    assert rolled.draft.rolled_back_from == first
    assert rolled.draft.content == live.draft.content
    assert rolled.item.state is State.DRAFT
    assert rolled.live is not None
    assert rolled.live.id == first
    with pytest.raises(RevisionNotFound):
        await service.rollback(deps, SPEC, editor(), live.item.id, "000000000000000000000000",
                               base_version=rolled.item.version)
    changes = (await service.diff_revisions(deps, SPEC, live.item.id, edited.draft.id, "draft")).changes
    assert [(c.path, c.before, c.after) for c in changes] == [("title", "错误的标题", "原标题")]


@pytest.mark.asyncio
async def test_unpublish_takes_the_item_offline_and_keeps_the_draft(server) -> None:
    deps = server.deps
    live = await published_notice(deps)
    offline = await service.unpublish(deps, SPEC, reviewer(), live.item.id, comment="过期")
    assert not offline.item.is_live
    assert offline.live is None
    assert offline.item.state is State.DRAFT
    assert offline.draft.id == live.draft.id
    with pytest.raises(NotPublished):
        await service.unpublish(deps, SPEC, reviewer(), live.item.id)
    with pytest.raises(NothingToPublish):
        await service.publish(deps, SPEC, reviewer(), (await published_notice(deps)).item.id)


@pytest.mark.asyncio
async def test_every_publish_and_unpublish_is_numbered_for_pollers(server) -> None:
    deps = server.deps
    start, changed = await delivery.changed_since(deps, "notice", 0)
    assert (start, changed) == (0, [])
    live = await published_notice(deps)
    other = await published_notice(deps, title="另一条")
    cursor, changed = await delivery.changed_since(deps, "notice", 0)
    assert cursor == 2
    assert [i.id for i in changed] == [live.item.id, other.item.id]
    await service.unpublish(deps, SPEC, reviewer(), live.item.id)
    cursor2, changed = await delivery.changed_since(deps, "notice", cursor)
    assert cursor2 == 3
    assert [(i.id, i.is_live) for i in changed] == [(live.item.id, False)]


@pytest.mark.asyncio
async def test_schedule_is_checked(server) -> None:
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content())
    now = deps.clock.now().replace(microsecond=0)
    with pytest.raises(ScheduleInvalid):
        await service.schedule(deps, SPEC, reviewer(), created.item.id, publish_at=now - timedelta(minutes=1),
                               unpublish_at=None)
    with pytest.raises(ScheduleInvalid):
        await service.schedule(deps, SPEC, reviewer(), created.item.id, publish_at=None,
                               unpublish_at=now + timedelta(days=1))
    with pytest.raises(ScheduleInvalid):
        await service.schedule(deps, SPEC, reviewer(), created.item.id, publish_at=now + timedelta(days=2),
                               unpublish_at=now + timedelta(days=1))
    with pytest.raises(ActionNotPermitted):
        await service.schedule(deps, SPEC, editor(), created.item.id, publish_at=now + timedelta(days=1),
                               unpublish_at=None)
    scheduled = await service.schedule(deps, SPEC, reviewer(), created.item.id,
                                       publish_at=now + timedelta(days=1), unpublish_at=now + timedelta(days=8))
    assert scheduled.item.publish_at == now + timedelta(days=1)
    assert scheduled.item.publish_revision == created.draft.id
    cleared = await service.schedule(deps, SPEC, reviewer(), created.item.id, publish_at=None, unpublish_at=None)
    assert cleared.item.publish_at is None
    assert cleared.item.unpublish_at is None


@pytest.mark.asyncio
async def test_concurrent_saves_from_one_version_have_exactly_one_winner(server) -> None:
    deps = server.deps
    created = await service.create(deps, SPEC, editor(), notice_content())
    results = await asyncio.gather(*(
        service.save_draft(deps, SPEC, editor(), created.item.id, notice_content(title=f"版本{n}"),
                           base_version=created.item.version) for n in range(6)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, service.ItemView)]
    assert len(winners) == 1
    assert all(isinstance(r, StaleRevision) for r in results if r not in winners)
    current = await service.get(deps, SPEC, created.item.id)
    assert current.draft.content["title"] == winners[0].draft.content["title"]
    # Revisions written by the losers are never listed.
    assert [r.number for r in await service.revisions(deps, SPEC, created.item.id)] == [2, 1]
    with pytest.raises(StaleRevision):
        await service.publish(deps, SPEC, reviewer(), created.item.id, base_version=created.item.version)
