"""Archiving a finished case (电子档案): materials, decisions and history fixed in one manifest, every file
with the SHA-256 of its stored bytes; the check afterwards finds a changed or missing file."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server import jsonutil
from server.cases.file_journal_repo import JOURNAL
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import stored_keys
from tests.server.cases.staff_factories import (
    delivered_case,
    officer,
    passed_case,
    publish_guide,
    started_on_monday,
)
from tests.support.server import TestServer
from tests.support.staff import StaffBrowser


async def delivered(start_server: StartServer) -> tuple[TestServer, StaffBrowser, dict[str, Any]]:
    server = await started_on_monday(start_server)
    alice = await officer(server, "alice")
    return server, alice, await delivered_case(server, alice, await publish_guide(server))


async def manifest_of(server: TestServer, record: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    body = b"".join([chunk async for chunk in server.deps.store.get(record["key"])])
    return body, jsonutil.loads(body)


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.mark.asyncio
async def test_a_delivered_case_is_archived_with_every_file_checksummed(start_server: StartServer) -> None:
    server, alice, case = await delivered(start_server)
    base = f"/staff/v1/cases/{case['id']}"
    assert (await alice.get(f"{base}/archive")).error_code == "case_not_archived"

    archived = await alice.post(f"{base}/archive")
    assert archived.status == 200, archived.body
    assert archived.json["state"] == "archived"
    record = archived.json["archive"]
    pages = [key for key in await stored_keys(server.deps, "cases/") if not key.endswith(".thumb.jpg")]
    assert record["files"] == len(pages) == 2
    assert archived.json["history"][-1]["data"] == {"archive_sha256": record["sha256"], "files": record["files"]}

    body, manifest = await manifest_of(server, record)
    assert hashlib.sha256(body).hexdigest() == record["sha256"]
    assert manifest["format"] == "yiwang-case-archive/1"
    assert manifest["case"]["number"] == case["number"]
    assert manifest["case"]["decision"]["licence_no"] == "BA-1"
    assert manifest["case"]["delivery"]["method"] == "pickup"
    assert [entry["action"] for entry in manifest["history"]][-3:] == ["accept", "approve", "deliver"]
    assert manifest["case"]["applicant"]["id_masked"] == "1101**********002X"
    for file in manifest["files"]:
        stored = b"".join([chunk async for chunk in server.deps.store.get(file["key"])])
        assert (file["sha256"], file["size"]) == (hashlib.sha256(stored).hexdigest(), len(stored))
        assert file["kind"] == "material_page"
        assert file["key"] in pages

    checked = await alice.get(f"{base}/archive")
    assert checked.status == 200, checked.body
    assert (checked.json["intact"], checked.json["problems"], checked.json["sha256"]) == (True, [], record["sha256"])
    again = await alice.post(f"{base}/archive")
    assert (again.status, again.error_code) == (409, "illegal_transition")
    assert [entry async for entry in server.deps.db[JOURNAL].find({})] == []


@pytest.mark.asyncio
async def test_the_check_names_a_changed_file_a_missing_file_and_a_changed_manifest(
        start_server: StartServer) -> None:
    server, alice, case = await delivered(start_server)
    base = f"/staff/v1/cases/{case['id']}"
    record = (await alice.post(f"{base}/archive")).json["archive"]
    _, manifest = await manifest_of(server, record)
    first, second = manifest["files"][0]["key"], manifest["files"][1]["key"]

    await server.deps.store.put(first, _one(b"%PDF-1.4 altered"), max_bytes=1024)
    await server.deps.store.delete(second)
    checked = (await alice.get(f"{base}/archive")).json
    assert checked["intact"] is False
    assert checked["problems"] == [{"key": first, "problem": "changed"}, {"key": second, "problem": "missing"}]

    await server.deps.store.put(record["key"], _one(b"{}"), max_bytes=1024)
    checked = (await alice.get(f"{base}/archive")).json
    assert checked["problems"] == [{"key": record["key"], "problem": "changed"}]


@pytest.mark.asyncio
async def test_a_case_whose_file_changed_since_it_was_recorded_is_not_archived(start_server: StartServer) -> None:
    server, alice, case = await delivered(start_server)
    base = f"/staff/v1/cases/{case['id']}"
    page_key = next(key for key in await stored_keys(server.deps) if not key.endswith(".thumb.jpg"))
    await server.deps.store.put(page_key, _one(b"%PDF-1.4 swapped"), max_bytes=1024)

    refused = await alice.post(f"{base}/archive")
    assert (refused.status, refused.error_code) == (409, "archive_file_changed")
    assert refused.json["error"]["key"] == page_key
    assert (await alice.get(base)).json["state"] == "delivered"
    assert await stored_keys(server.deps, "archives/") == []


@pytest.mark.asyncio
async def test_an_unfinished_case_is_not_archived_and_leaves_no_manifest(start_server: StartServer) -> None:
    server = await started_on_monday(start_server)
    alice = await officer(server, "alice")
    case = await passed_case(server, alice, await publish_guide(server))
    refused = await alice.post(f"/staff/v1/cases/{case['id']}/archive")
    assert (refused.status, refused.error_code) == (409, "illegal_transition")
    assert await stored_keys(server.deps, "archives/") == []
