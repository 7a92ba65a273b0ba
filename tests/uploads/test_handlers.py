"""Uploading material pages over HTTP: normalised and clean photos, PDFs, HEIC, quality advice,
duplicates, removal, limits, and uploads that never complete."""

from __future__ import annotations

import asyncio
import io
import urllib.parse

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.conftest import StartServer
from tests.miniprogram_api.case_factories import (
    GOOD,
    ID_CARD,
    PHOTO,
    citizen,
    download,
    draft,
    live_guide,
    pages_path,
    spool_files,
    stored_keys,
    until,
    upload,
    upload_ok,
)
from tests.support.server import TestServer
from tests.uploads.intake.factories import encode, heic, pages_pdf, sharp_picture, zip_archive

GPS_IFD = 0x8825


async def ready_case(server: TestServer) -> tuple[str, str]:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    return token, (await draft(server, token, guide_id))["id"]


def upright_marked(size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """A sharp picture with a red block in its top-left corner, so orientation can be told."""
    picture = sharp_picture(size)
    picture.paste((255, 0, 0), (0, 0, 200, 200))
    return picture


def phone_jpeg(upright: Image.Image, orientation: int = 6) -> bytes:
    """As a phone stores it: sensor pixels (rotated), EXIF Orientation to turn them upright, and a GPS fix."""
    sensor = upright.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 37.0, 39.54), 3: "E", 4: (119.0, 44.0, 19.56)})
    return encode(sensor, "JPEG", quality=92, exif=exif.tobytes())


def noisy_jpeg(size: tuple[int, int], seed: int) -> bytes:
    """Noise compresses badly: a JPEG whose size grows with its pixel count (about 0.9 bytes per pixel)."""
    noise = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return encode(Image.fromarray(noise), "JPEG", quality=90)


def no_metadata(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return len(image.getexif()) == 0 and not any(k in image.info for k in ("exif", "xmp", "icc_profile"))


def is_red(image: Image.Image, xy: tuple[int, int]) -> bool:
    pixel = image.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    red, green, blue = pixel
    return bool(red > 200 and green < 60 and blue < 60)


@pytest.mark.asyncio
async def test_a_phone_photo_is_stored_upright_without_metadata(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    response = await upload(server, token, case_id, PHOTO, phone_jpeg(upright_marked()),
                            **{"X-File-Name": urllib.parse.quote("身份证 正面.jpg")})
    assert response.status == 201, response.body
    page = response.json["page"]
    assert response.json["duplicate"] is False
    assert (page["kind"], page["content_type"], page["source"]) == ("image", "image/jpeg", "upload")
    assert (page["width"], page["height"]) == (1200, 900)
    assert page["file_name"] == "身份证 正面.jpg"
    assert page["problems"] == []
    assert len(page["sha256"]) == 64
    stored = await download(page["url"])
    assert no_metadata(stored)
    assert b"GPS" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (1200, 900)
        assert is_red(image, (50, 50))
        assert not is_red(image, (1150, 50))
    with Image.open(io.BytesIO(await download(page["thumbnail_url"]))) as thumbnail:
        assert max(thumbnail.size) == 320
        assert thumbnail.format == "JPEG"
    keys = await stored_keys(server.deps)
    base = f"cases/{case_id}/{PHOTO}/{page['id']}"
    assert keys == [f"{base}.jpg", f"{base}.thumb.jpg"]
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    slot = next(s for s in detail["materials"] if s["slot_id"] == PHOTO)
    assert [p["id"] for p in slot["pages"]] == [page["id"]]
    assert slot["source"] == "upload"
    assert detail["uploaded_bytes"] > 0
    assert spool_files(server.deps) == []


@pytest.mark.asyncio
async def test_real_phone_photos_lose_their_gps(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    # ultrahdr.jpg (Pixel 6, real GPS) is a truncated copy: its EXIF block goes onto a whole photo.
    with Image.open(GOOD / "ultrahdr.jpg") as truncated:
        pixel_exif = truncated.info["exif"]
    samples = {"pixel6": encode(sharp_picture((800, 600)), "JPEG", exif=pixel_exif)}
    for name in ("exif_gps.jpg", "hopper_orientation_8.jpg", "xmp_tags_orientation.png", "xmp_test.jpg"):
        samples[name] = (GOOD / name).read_bytes()
    for name, data in samples.items():
        page = await upload_ok(server, token, case_id, ID_CARD, data)
        stored = await download(page["url"])
        assert no_metadata(stored), name
        assert b"Pixel 6" not in stored, name
    truncated_original = await upload(server, token, case_id, ID_CARD, (GOOD / "ultrahdr.jpg").read_bytes())
    assert (truncated_original.status, truncated_original.error_code) == (422, "truncated_file")
    with Image.open(GOOD / "orientation_rectangle.jpg") as original:
        assert original.size == (2, 1)
    page = await upload_ok(server, token, case_id, PHOTO, (GOOD / "orientation_rectangle.jpg").read_bytes())
    assert (page["width"], page["height"]) == (1, 2)


@pytest.mark.asyncio
async def test_heic_and_webp_become_jpeg_and_pdf_is_kept_with_its_page_count(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    heic_page = await upload_ok(server, token, case_id, PHOTO, heic(sharp_picture((1000, 800))))
    assert (heic_page["content_type"], heic_page["width"], heic_page["height"]) == ("image/jpeg", 1000, 800)
    webp_page = await upload_ok(server, token, case_id, PHOTO, (GOOD / "hopper.webp").read_bytes())
    assert webp_page["content_type"] == "image/jpeg"
    document = pages_pdf(3)
    pdf_page = await upload_ok(server, token, case_id, ID_CARD, document)
    assert (pdf_page["kind"], pdf_page["content_type"], pdf_page["pages"]) == ("pdf", "application/pdf", 3)
    assert pdf_page["thumbnail_url"] is None
    assert pdf_page["problems"] == []
    assert await download(pdf_page["url"]) == document


@pytest.mark.asyncio
async def test_quality_problems_come_with_the_upload(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    dark = sharp_picture((1200, 900), low=0, high=30)
    blurry = sharp_picture((1200, 900)).filter(ImageFilter.GaussianBlur(8))
    tiny = sharp_picture((400, 300))
    found = {}
    for name, picture in (("dark", dark), ("blurry", blurry), ("tiny", tiny)):
        page = await upload_ok(server, token, case_id, PHOTO, encode(picture, "JPEG", quality=90))
        found[name] = {problem["code"] for problem in page["problems"]}
        assert all(problem["message"] for problem in page["problems"])
    assert found == {"dark": {"too_dark"}, "blurry": {"too_blurry"}, "tiny": {"too_small"}}


@pytest.mark.asyncio
async def test_quality_thresholds_come_from_settings(start_server: StartServer) -> None:
    server = await start_server(quality_min_short_side=200, quality_dark_max_mean=0.0)
    token, case_id = await ready_case(server)
    tiny = await upload_ok(server, token, case_id, PHOTO, encode(sharp_picture((400, 300)), "JPEG", quality=90))
    dark = await upload_ok(server, token, case_id, PHOTO,
                           encode(sharp_picture((1200, 900), low=0, high=30), "JPEG", quality=90))
    assert tiny["problems"] == []
    assert "too_dark" not in {p["code"] for p in dark["problems"]}


@pytest.mark.asyncio
async def test_the_same_file_twice_in_a_slot_is_one_page(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    data = (GOOD / "flower.jpg").read_bytes()
    first = await upload(server, token, case_id, PHOTO, data)
    again = await upload(server, token, case_id, PHOTO, data)
    assert (first.status, again.status) == (201, 200)
    assert again.json["duplicate"] is True
    assert again.json["page"]["id"] == first.json["page"]["id"]
    assert len(await stored_keys(server.deps)) == 2
    elsewhere = await upload(server, token, case_id, ID_CARD, data)
    assert elsewhere.status == 201
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert [len(slot["pages"]) for slot in detail["materials"]] == [1, 0, 1]


@pytest.mark.asyncio
async def test_concurrent_pages_of_one_case_are_all_recorded(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    pictures = [encode(sharp_picture((700, 600), seed=seed), "JPEG", quality=85) for seed in range(6)]
    responses = await asyncio.gather(*(upload(server, token, case_id, PHOTO, data) for data in pictures))
    assert [r.status for r in responses] == [201] * 6
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert len(detail["materials"][2]["pages"]) == 6
    assert len(await stored_keys(server.deps)) == 12


@pytest.mark.asyncio
async def test_a_removed_page_takes_its_objects_along(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    page = await upload_ok(server, token, case_id, PHOTO, (GOOD / "flower.jpg").read_bytes())
    path = f"{pages_path(case_id, PHOTO)}/{page['id']}"
    assert (await server.request("DELETE", path, token=token)).status == 204
    assert await stored_keys(server.deps) == []
    again = await server.request("DELETE", path, token=token)
    assert (again.status, again.error_code) == (404, "material_page_not_found")
    unknown_slot = await upload(server, token, case_id, "m99", (GOOD / "flower.jpg").read_bytes())
    assert (unknown_slot.status, unknown_slot.error_code) == (404, "material_slot_not_found")
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert detail["uploaded_bytes"] == 0
    assert detail["materials"][2]["source"] is None


@pytest.mark.asyncio
async def test_refused_files_leave_nothing(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    empty = await upload(server, token, case_id, PHOTO, b"")
    archive = await upload(server, token, case_id, PHOTO, zip_archive())
    truncated = await upload(server, token, case_id, PHOTO, (GOOD / "flower.jpg").read_bytes()[:5000])
    assert [(r.status, r.error_code) for r in (empty, archive)] == [(400, "empty_file"), (415, "unsupported_file_type")]
    assert truncated.status == 422
    assert await stored_keys(server.deps) == []
    assert spool_files(server.deps) == []


@pytest.mark.asyncio
async def test_file_and_case_size_limits(start_server: StartServer) -> None:
    server = await start_server(max_upload_bytes=100_000, max_case_upload_bytes=150_000)
    token, case_id = await ready_case(server)
    big = noisy_jpeg((380, 330), seed=3)
    assert 100_000 < len(big) < 150_000
    too_big = await upload(server, token, case_id, PHOTO, big)
    assert (too_big.status, too_big.error_code) == (413, "file_too_large")
    first, second = noisy_jpeg((330, 260), seed=1), noisy_jpeg((330, 260), seed=2)
    assert 60_000 < len(first) < 100_000
    assert 60_000 < len(second) < 100_000
    assert (await upload(server, token, case_id, PHOTO, first)).status == 201
    over_total = await upload(server, token, case_id, PHOTO, second)
    assert (over_total.status, over_total.error_code) == (413, "case_total_too_large")
    assert len(await stored_keys(server.deps)) == 2
    assert spool_files(server.deps) == []


@pytest.mark.asyncio
async def test_an_upload_cut_off_midway_leaves_nothing(server: TestServer) -> None:
    token, case_id = await ready_case(server)
    data = (GOOD / "xmp_test.jpg").read_bytes()
    port = int(server.url.rsplit(":", 1)[1])
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST {pages_path(case_id, PHOTO)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Type: image/jpeg\r\n"
                  f"Content-Length: {len(data)}\r\n\r\n").encode() + data[: len(data) // 2])
    await writer.drain()
    assert await until(lambda: len(spool_files(server.deps)) == 1)
    writer.close()
    await writer.wait_closed()
    assert await until(lambda: spool_files(server.deps) == [])
    await asyncio.sleep(0.2)
    assert await stored_keys(server.deps) == []
    detail = (await server.get(f"/mp/v1/cases/{case_id}", token=token)).json
    assert detail["materials"][2]["pages"] == []
