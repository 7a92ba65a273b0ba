"""Scheduled publishing runs in the worker: no HTTP request triggers it."""

from datetime import timedelta

import pytest

from cms.content import audit, delivery, service
from cms.content import repository as repo
from cms.content.models import PENDING_SEQ
from cms.content.schedule import JOB_NAME
from cms.notices.spec import SPEC
from server.clock import FrozenClock
from server.worker.runner import run_due_jobs
from tests.cms.factories import editor, notice_content, reviewer


@pytest.mark.asyncio
async def test_publish_window_is_carried_out_on_time_and_runs_are_idempotent(start_server) -> None:
    clock = FrozenClock()
    deps = (await start_server(clock=clock)).deps
    created = await service.create(deps, SPEC, editor(), notice_content(title="窗口期通知"))
    start = clock.now()
    await service.schedule(deps, SPEC, reviewer(), created.item.id, publish_at=start + timedelta(hours=1),
                           unpublish_at=start + timedelta(hours=2))

    clock.advance(minutes=59)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    assert not (await service.get(deps, SPEC, created.item.id)).item.is_live

    clock.advance(minutes=1)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    live = (await service.get(deps, SPEC, created.item.id)).item
    assert live.is_live
    assert live.publish_at is None
    assert live.unpublish_at == start + timedelta(hours=2)
    version = live.version
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    assert (await service.get(deps, SPEC, created.item.id)).item.version == version

    clock.advance(hours=1)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    offline = (await service.get(deps, SPEC, created.item.id)).item
    assert not offline.is_live
    assert offline.unpublish_at is None
    entries, _ = await audit.find(deps, audit.AuditQuery(object_id=created.item.id))
    assert [(e["action"], e["actor"]["kind"]) for e in entries[:2]] == [
        ("scheduled_unpublish", "system"), ("scheduled_publish", "system")]


@pytest.mark.asyncio
async def test_the_scheduled_revision_goes_live_not_later_edits(start_server) -> None:
    clock = FrozenClock()
    deps = (await start_server(clock=clock)).deps
    created = await service.create(deps, SPEC, editor(), notice_content(title="已审核"))
    scheduled = await service.schedule(deps, SPEC, reviewer(), created.item.id,
                                       publish_at=clock.now() + timedelta(minutes=10), unpublish_at=None)
    await service.save_draft(deps, SPEC, editor(), created.item.id, notice_content(title="未审核的修改"),
                             base_version=scheduled.item.version)
    clock.advance(minutes=10)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    found = await service.get(deps, SPEC, created.item.id)
    assert found.item.is_live
    assert found.live is not None
    assert found.live.content["title"] == "已审核"
    assert found.item.has_unpublished_changes
    assert found.draft.content["title"] == "未审核的修改"


@pytest.mark.asyncio
async def test_a_publish_whose_writer_died_gets_its_sequence_number(start_server) -> None:
    clock = FrozenClock()
    deps = (await start_server(clock=clock)).deps
    created = await service.create(deps, SPEC, editor(), notice_content())
    live = await service.publish(deps, SPEC, reviewer(), created.item.id)
    # As if the process died between the publish write and the sequence number.
    await repo.update_item(deps.db, live.item.id, live.item.version,
                           {"live_seq": PENDING_SEQ, "live_change": "lost-writer", "live_changed_at": clock.now()})
    cursor, changed = await delivery.changed_since(deps, "notice", 1)
    assert [i.id for i in changed] == [live.item.id]  # pending counts as changed: pollers never miss it
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    assert (await service.get(deps, SPEC, live.item.id)).item.live_seq == PENDING_SEQ  # within the grace period
    clock.advance(minutes=2)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    assert (await service.get(deps, SPEC, live.item.id)).item.live_seq == cursor + 1


@pytest.mark.asyncio
async def test_a_revision_rejected_while_scheduled_never_goes_live(start_server) -> None:
    clock = FrozenClock()
    deps = (await start_server(clock=clock)).deps
    created = await service.create(deps, SPEC, editor(), notice_content(title="错误的收费标准"))
    scheduled = await service.schedule(deps, SPEC, reviewer(), created.item.id,
                                       publish_at=clock.now() + timedelta(hours=1), unpublish_at=None)
    # As a reject left it before rejects cancelled the schedule of the revision they reject.
    rejected = await repo.update_item(deps.db, created.item.id, scheduled.item.version, {"state": "rejected"})
    assert rejected is not None

    clock.advance(hours=1)
    await run_due_jobs(deps, "test", only=JOB_NAME, force=True)
    found = (await service.get(deps, SPEC, created.item.id)).item
    assert (found.is_live, found.state.value, found.publish_at) == (False, "rejected", None)
    entries, _ = await audit.find(deps, audit.AuditQuery(object_id=created.item.id))
    assert (entries[0]["action"], entries[0]["details"]["skipped"]) == ("scheduled_publish", "rejected")
