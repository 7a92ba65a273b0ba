"""Every hostile file of tests/data/images/hostile, uploaded as a material: a 4xx with a stable code, or
accepted as a valid image; never a 5xx, a crash or a hang, and nothing of a refused one is kept."""

from __future__ import annotations

import pytest

from tests.miniprogram_api.case_factories import (
    HOSTILE,
    PHOTO,
    citizen,
    draft,
    live_guide,
    spool_files,
    stored_keys,
    upload,
)
from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_every_hostile_file_is_refused_cleanly_or_accepted(server: TestServer) -> None:
    token = await citizen(server)
    case_id = (await draft(server, token, await live_guide(server.deps)))["id"]
    files = sorted(path for path in HOSTILE.iterdir() if path.name != "INDEX.md")
    assert len(files) >= 140
    outcomes: dict[str, tuple[int, str | None]] = {}
    kept: set[str] = set()
    for path in files:
        response = await upload(server, token, case_id, PHOTO, path.read_bytes(), **{"X-File-Name": path.name})
        outcomes[path.name] = (response.status, response.error_code)
        assert response.status in (200, 201) or 400 <= response.status < 500, (path.name, response.body)
        if response.status >= 400:
            assert response.error_code, path.name
        else:
            kept.add(response.json["page"]["id"])
    refused = {name: code for name, (status, code) in outcomes.items() if status >= 400}
    assert len(refused) > len(files) // 2
    assert outcomes["decompression_bomb.gif"] == (415, "unsupported_file_type")
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    pages = next(slot for slot in detail["materials"] if slot["slot_id"] == PHOTO)["pages"]
    assert {page["id"] for page in pages} == kept
    # Only the accepted pages' objects (file + thumbnail) are in the store; nothing is left in the spool.
    assert {key.rsplit("/", 1)[1].split(".")[0] for key in await stored_keys(server.deps)} == kept
    assert len(await stored_keys(server.deps)) == len(kept) + sum(1 for page in pages if page["thumbnail_url"])
    assert spool_files(server.deps) == []
    assert (await server.get("/healthz")).status == 200
