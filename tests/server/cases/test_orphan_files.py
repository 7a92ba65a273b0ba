"""Objects no case refers to (an upload cut short, a delete that failed) are found and deleted by the sweep.

Material pages here; joint step files in test_joint_files.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.cases.file_journal_repo import JOURNAL, note_file_objects
from server.cases.orphan_files import JOB_NAME, ORPHAN_GRACE, sweep_orphaned_files
from server.clock import FrozenClock
from server.worker.registry import registered_jobs
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import PHOTO, citizen, draft, live_guide, pages_path, stored_keys, upload
from tests.support.outages import database_lost, store_deletes_fail
from tests.support.server import TestServer, frozen_clock
from tests.uploads.intake.factories import encode, sharp_picture
from uploads import materials

NOTHING = {"deleted_objects": 0, "recorded_files": 0, "failed_files": 0}


async def started(start_server: StartServer, **settings: Any) -> tuple[TestServer, FrozenClock, str, str]:
    clock = frozen_clock()
    server = await start_server(clock=clock, **settings)
    token = await citizen(server)
    return server, clock, token, (await draft(server, token, await live_guide(server.deps)))["id"]


def picture(seed: int = 1) -> bytes:
    return encode(sharp_picture((1200, 900), seed=seed), "JPEG", quality=95)


async def journal_ids(server: TestServer) -> list[str]:
    return sorted([entry["_id"] async for entry in server.deps.db[JOURNAL].find({})])


async def photo_page_ids(server: TestServer, token: str, case_id: str) -> list[str]:
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    return [page["id"] for page in detail["materials"][2]["pages"]]


@pytest.mark.asyncio
async def test_an_upload_cut_short_after_storing_is_deleted_once_it_is_older_than_any_upload(
        start_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server, clock, token, case_id = await started(start_server)
    # Stored, then neither recorded nor deleted: what a crash between the two leaves.
    database_lost(materials, "change_slot", monkeypatch)
    store_deletes_fail(server, monkeypatch)
    server.check_schemas = False  # an unexpected failure answers an undocumented 500
    assert (await upload(server, token, case_id, PHOTO, picture())).status == 500
    server.check_schemas = True
    monkeypatch.undo()
    left = await stored_keys(server.deps)
    assert len(left) == 2  # the photo and its thumbnail
    assert len(await journal_ids(server)) == 1

    assert JOB_NAME in registered_jobs()
    clock.advance(seconds=ORPHAN_GRACE.total_seconds() - 60)
    assert await sweep_orphaned_files(server.deps) == NOTHING  # could still be on its way
    assert await stored_keys(server.deps) == left

    clock.advance(seconds=120)
    assert await sweep_orphaned_files(server.deps) == {**NOTHING, "deleted_objects": 2}
    assert await stored_keys(server.deps) == []
    assert await journal_ids(server) == []
    assert await sweep_orphaned_files(server.deps) == NOTHING


@pytest.mark.asyncio
async def test_a_refused_upload_whose_objects_could_not_be_deleted_is_swept_later(
        start_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    pictures = [picture(seed) for seed in (1, 2)]
    server, clock, token, case_id = await started(
        start_server, max_case_upload_bytes=max(len(data) for data in pictures) + 1000)
    store_deletes_fail(server, monkeypatch)
    responses = await asyncio.gather(*(upload(server, token, case_id, PHOTO, data) for data in pictures))
    assert sorted((r.status, r.error_code) for r in responses) == [(201, None), (413, "case_total_too_large")]
    monkeypatch.undo()
    assert len(await stored_keys(server.deps)) == 4
    kept = next(r.json["page"] for r in responses if r.status == 201)

    clock.advance(hours=2)
    assert await sweep_orphaned_files(server.deps) == {**NOTHING, "deleted_objects": 2}
    assert [key.split("/")[-1].split(".")[0] for key in await stored_keys(server.deps)] == [kept["id"]] * 2
    assert await photo_page_ids(server, token, case_id) == [kept["id"]]


@pytest.mark.asyncio
async def test_a_removed_page_is_gone_at_once_and_its_objects_follow_when_the_store_is_back(
        start_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server, clock, token, case_id = await started(start_server)
    page = (await upload(server, token, case_id, PHOTO, picture())).json["page"]
    assert await journal_ids(server) == []  # a recorded page is not a candidate
    store_deletes_fail(server, monkeypatch)
    removed = await server.request("DELETE", f"{pages_path(case_id, PHOTO)}/{page['id']}", token=token)
    assert removed.status == 204, removed.body
    monkeypatch.undo()
    assert len(await stored_keys(server.deps)) == 2
    assert await journal_ids(server) == [page["id"]]

    clock.advance(hours=2)
    assert await sweep_orphaned_files(server.deps) == {**NOTHING, "deleted_objects": 2}
    assert await stored_keys(server.deps) == []


@pytest.mark.asyncio
async def test_a_page_recorded_in_its_case_keeps_its_objects_when_its_entry_lingers(
        start_server: StartServer) -> None:
    server, clock, token, case_id = await started(start_server)
    page = (await upload(server, token, case_id, PHOTO, picture())).json["page"]
    # As when clearing the entry failed after the page was recorded.
    keys = await stored_keys(server.deps)
    assert len(keys) == 2
    await note_file_objects(server.deps.db, page["id"], case_id, {"slot_id": PHOTO}, keys, clock.now())

    clock.advance(hours=2)
    assert await sweep_orphaned_files(server.deps) == {**NOTHING, "recorded_files": 1}
    assert await stored_keys(server.deps) == keys
    assert await journal_ids(server) == []
    assert await photo_page_ids(server, token, case_id) == [page["id"]]


@pytest.mark.asyncio
async def test_a_delete_that_keeps_failing_is_retried_on_the_next_run(
        start_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server, clock, token, case_id = await started(start_server)
    page = (await upload(server, token, case_id, PHOTO, picture())).json["page"]
    store_deletes_fail(server, monkeypatch)
    await server.request("DELETE", f"{pages_path(case_id, PHOTO)}/{page['id']}", token=token)

    clock.advance(hours=2)
    assert await sweep_orphaned_files(server.deps) == {**NOTHING, "failed_files": 1}
    assert await journal_ids(server) == [page["id"]]
    monkeypatch.undo()
    assert await sweep_orphaned_files(server.deps) == {**NOTHING, "deleted_objects": 2}
    assert await stored_keys(server.deps) == []
