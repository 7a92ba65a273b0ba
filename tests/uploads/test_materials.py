"""Recording pages: settings into intake parameters, and races that must not leave stray objects."""

from __future__ import annotations

import asyncio

import pytest

from server.settings import Settings
from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import PHOTO, citizen, draft, live_guide, spool_files, stored_keys, upload
from tests.support.server import TestServer
from tests.uploads.intake.factories import encode, sharp_picture
from uploads.intake.params import IntakeParams
from uploads.materials import intake_params


def test_default_settings_give_the_intake_defaults() -> None:
    assert intake_params(Settings()) == IntakeParams()


def test_settings_reach_the_intake() -> None:
    params = intake_params(Settings(max_upload_bytes=1000, upload_max_side=1024, quality_blur_min_variance=5.0,
                                    quality_bright_max_share=0.9))
    assert (params.max_file_bytes, params.max_side) == (1000, 1024)
    assert (params.quality.blur_min_variance, params.quality.bright_max_clipped_share) == (5.0, 0.9)


async def ready_case(server: TestServer) -> tuple[str, str]:
    token = await citizen(server)
    return token, (await draft(server, token, await live_guide(server.deps)))["id"]


@pytest.mark.asyncio
async def test_the_same_file_uploaded_twice_at_once_is_stored_once(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    data = encode(sharp_picture((1500, 1100)), "JPEG", quality=90)
    first, second = await asyncio.gather(upload(server, token, case_id, PHOTO, data),
                                         upload(server, token, case_id, PHOTO, data))
    assert sorted([first.status, second.status]) == [200, 201]
    assert first.json["page"]["id"] == second.json["page"]["id"]
    assert len(await stored_keys(server.deps)) == 2
    assert spool_files(server.deps) == []


@pytest.mark.asyncio
async def test_the_case_total_holds_against_concurrent_uploads(start_server: StartServer) -> None:
    pictures = [encode(sharp_picture((1200, 900), seed=seed), "JPEG", quality=95) for seed in (1, 2)]
    limit = max(len(data) for data in pictures) + 1000
    server = await start_server(max_case_upload_bytes=limit)
    token, case_id = await ready_case(server)
    responses = await asyncio.gather(*(upload(server, token, case_id, PHOTO, data) for data in pictures))
    assert sorted((r.status, r.error_code) for r in responses) == [(201, None), (413, "case_total_too_large")]
    assert len(await stored_keys(server.deps)) == 2
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert len(detail["materials"][2]["pages"]) == 1
    assert detail["uploaded_bytes"] <= limit
