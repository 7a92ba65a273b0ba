from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from server.errors import AppError
from tests.uploads.intake.factories import GOOD, HOSTILE, encode, jpeg_with_orientation, pages_pdf, sharp_picture
from uploads.intake.errors import FileTooLarge, PolyglotFile, ProcessingTimeout
from uploads.intake.params import IntakeParams
from uploads.intake.pipeline import IntakeResult, process_file, process_upload
from uploads.intake.spool import SpooledUpload

PARAMS = IntakeParams()
SECONDS_PER_FILE = 5.0
SAMPLES = sorted(path for folder in (HOSTILE, GOOD) for path in folder.iterdir() if path.name != "INDEX.md")


def refusal_or_result(process: Callable[[], IntakeResult]) -> AppError | IntakeResult:
    try:
        return process()
    except AppError as refusal:
        return refusal


def leftovers(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def upload_and_work_dirs(tmp_path: Path) -> tuple[Path, Path]:
    uploads, work = tmp_path / "uploads", tmp_path / "work"
    uploads.mkdir()
    work.mkdir()
    return uploads, work


def assert_valid_result(result: IntakeResult) -> None:
    if result.kind == "pdf":
        assert result.pages is not None
        assert result.pages >= 1
        return
    assert result.thumbnail is not None
    with Image.open(result.stored_path) as stored:
        stored.load()
        assert stored.format in ("JPEG", "PNG")
        assert stored.size == (result.width, result.height)
        assert max(stored.size) <= PARAMS.max_side
        assert not stored.getexif()
    with Image.open(result.thumbnail.path) as thumbnail:
        thumbnail.load()
        assert max(thumbnail.size) <= PARAMS.thumbnail_side


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{path.parent.name}/{path.name}" for path in SAMPLES])
def test_every_sample_is_refused_with_4xx_or_accepted_as_valid(tmp_path: Path, sample: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "upload"
    shutil.copyfile(sample, upload)
    started = time.monotonic()
    outcome = refusal_or_result(lambda: process_file(upload, PARAMS, work))
    assert time.monotonic() - started < SECONDS_PER_FILE
    if isinstance(outcome, AppError):
        assert 400 <= outcome.status < 500
        assert leftovers(work) == []  # nothing of a refused upload remains
    else:
        assert_valid_result(outcome)
        outcome.cleanup(upload)
        assert leftovers(work) == []
    assert upload.exists()  # the upload belongs to its spool, which removes it


@pytest.mark.asyncio
async def test_hostile_set_through_the_async_api_with_a_bounded_executor(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    executor = ThreadPoolExecutor(max_workers=2)
    hostile = sorted(path for path in HOSTILE.iterdir() if path.name != "INDEX.md")

    async def one(path: Path) -> str:
        upload = uploads / path.name
        shutil.copyfile(path, upload)
        try:
            result = await process_upload(upload, PARAMS, work_dir=work, executor=executor)
        except AppError as refusal:
            return f"{refusal.status} {refusal.code}"
        result.cleanup(upload)
        return "accepted"

    try:
        outcomes = await asyncio.gather(*(one(path) for path in hostile))
    finally:
        executor.shutdown(wait=True)
    assert all(outcome == "accepted" or 400 <= int(outcome.split()[0]) < 500 for outcome in outcomes)
    assert not any(outcome.endswith("processing_timeout") for outcome in outcomes)
    assert outcomes.count("415 unsupported_file_type") >= 110
    assert leftovers(work) == []


@pytest.mark.asyncio
async def test_upright_photo_without_gps_from_spool_to_result(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    data = jpeg_with_orientation(sharp_picture((1200, 900)), 6)
    with SpooledUpload(uploads, max_bytes=PARAMS.max_file_bytes) as upload:
        for start in range(0, len(data), 65536):
            upload.write(data[start : start + 65536])
        spooled = upload.finish(expected_size=len(data))
        result = await process_upload(spooled.path, PARAMS, work_dir=work, sha256_original=spooled.sha256)
    assert (result.kind, result.source_mime, result.stored_mime) == ("image", "image/jpeg", "image/jpeg")
    assert (result.width, result.height) == (900, 1200)
    assert result.size == len(data)
    assert result.sha256_original == hashlib.sha256(data).hexdigest()
    assert result.sha256_normalised == hashlib.sha256(result.stored_path.read_bytes()).hexdigest()
    assert result.problems == ()
    assert_valid_result(result)
    result.cleanup(spooled.path)
    spooled.discard()
    assert leftovers(work) == leftovers(uploads) == []


def test_original_hash_is_computed_when_not_given(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "flower"
    shutil.copyfile(GOOD / "flower.jpg", upload)
    result = process_file(upload, PARAMS, work)
    assert result.sha256_original == hashlib.sha256(upload.read_bytes()).hexdigest()
    assert [problem.code for problem in result.problems] == ["too_small"]
    result.cleanup(upload)


def test_pdf_is_stored_as_is(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "form"
    upload.write_bytes(pages_pdf(3))
    result = process_file(upload, PARAMS, work)
    assert (result.kind, result.pages, result.stored_path, result.stored_mime) == ("pdf", 3, upload, "application/pdf")
    assert result.sha256_normalised == result.sha256_original
    assert result.thumbnail is None
    result.cleanup(upload)
    assert upload.exists()


def test_polyglot_refused_and_nothing_written(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "polyglot"
    upload.write_bytes(encode(sharp_picture((640, 480)), "JPEG") + pages_pdf(1))
    with pytest.raises(PolyglotFile):
        process_file(upload, PARAMS, work)
    assert list(work.iterdir()) == []


def test_file_over_the_limit(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "big"
    shutil.copyfile(GOOD / "flower.jpg", upload)
    with pytest.raises(FileTooLarge):
        process_file(upload, dataclasses.replace(PARAMS, max_file_bytes=1000), work)


async def finish_background_work(executor: ThreadPoolExecutor) -> None:
    """Let the abandoned work end, then let the loop run the clean-up callbacks it queued."""
    await asyncio.to_thread(executor.shutdown, True)
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_timeout_is_a_4xx_and_late_results_are_deleted(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "photo"
    upload.write_bytes(encode(sharp_picture((2400, 1800)), "JPEG"))
    executor = ThreadPoolExecutor(max_workers=1)
    with pytest.raises(ProcessingTimeout) as refused:
        await process_upload(upload, dataclasses.replace(PARAMS, timeout_seconds=0.001), work_dir=work,
                             executor=executor)
    assert refused.value.status == 422
    await finish_background_work(executor)
    assert leftovers(work) == []


@pytest.mark.asyncio
async def test_cancelled_request_leaves_nothing(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "photo"
    upload.write_bytes(encode(sharp_picture((2400, 1800)), "JPEG"))
    executor = ThreadPoolExecutor(max_workers=1)
    task = asyncio.create_task(process_upload(upload, PARAMS, work_dir=work, executor=executor))
    await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await finish_background_work(executor)
    assert leftovers(work) == []


@pytest.mark.asyncio
async def test_default_executor(tmp_path: Path) -> None:
    uploads, work = upload_and_work_dirs(tmp_path)
    upload = uploads / "webp"
    shutil.copyfile(GOOD / "hopper.webp", upload)
    result = await process_upload(upload, PARAMS, work_dir=work)
    assert (result.source_mime, result.stored_mime, result.width) == ("image/webp", "image/jpeg", 128)
    result.cleanup(upload)
