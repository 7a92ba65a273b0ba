from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.uploads.intake.factories import GOOD, zip_archive
from uploads.intake.errors import CaseQuotaExceeded, EmptyFile, FileTooLarge, TruncatedFile, UnsupportedFileType
from uploads.intake.sniff import FileKind
from uploads.intake.spool import SpooledUpload


def chunks(data: bytes, size: int = 1000) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


def write_all(upload: SpooledUpload, data: bytes, size: int = 1000) -> None:
    for chunk in chunks(data, size):
        upload.write(chunk)


def test_chunks_land_on_disk_hashed(tmp_path: Path) -> None:
    data = (GOOD / "flower.jpg").read_bytes()
    upload = SpooledUpload(tmp_path, max_bytes=len(data))
    for chunk in chunks(data, 7):
        upload.write(chunk)
    spooled = upload.finish(expected_size=len(data))
    assert spooled.path.read_bytes() == data
    assert spooled.size == len(data)
    assert spooled.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.kind is FileKind.JPEG
    spooled.discard()
    assert list(tmp_path.iterdir()) == []


def test_over_the_limit_is_refused_and_removed(tmp_path: Path) -> None:
    data = (GOOD / "flower.jpg").read_bytes()
    upload = SpooledUpload(tmp_path, max_bytes=len(data) - 1)
    with pytest.raises(FileTooLarge) as refused:
        write_all(upload, data)
    assert refused.value.status == 413
    assert refused.value.details == {"max_bytes": len(data) - 1}
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError):
        upload.write(b"more")


def test_declared_length_over_the_limit_is_refused_before_the_body(tmp_path: Path) -> None:
    upload = SpooledUpload(tmp_path, max_bytes=20 * 1024 * 1024)
    with pytest.raises(FileTooLarge):
        upload.expect(21 * 1024 * 1024)
    upload.abort()
    assert list(tmp_path.iterdir()) == []


def test_case_total(tmp_path: Path) -> None:
    data = (GOOD / "flower.jpg").read_bytes()
    upload = SpooledUpload(tmp_path, max_bytes=len(data), case_remaining_bytes=1000)
    with pytest.raises(CaseQuotaExceeded) as refused:
        write_all(upload, data)
    assert refused.value.code == "case_total_too_large"
    assert refused.value.status == 413
    assert list(tmp_path.iterdir()) == []


def test_unsupported_type_is_refused_on_its_first_bytes(tmp_path: Path) -> None:
    upload = SpooledUpload(tmp_path, max_bytes=10**6)
    with pytest.raises(UnsupportedFileType):
        write_all(upload, zip_archive(), 16)
    assert upload.size < 64
    assert list(tmp_path.iterdir()) == []


def test_stream_cut_short_is_truncated_and_removed(tmp_path: Path) -> None:
    data = (GOOD / "flower.jpg").read_bytes()
    upload = SpooledUpload(tmp_path, max_bytes=len(data))
    upload.write(data[:5000])
    with pytest.raises(TruncatedFile) as refused:
        upload.finish(expected_size=len(data))
    assert refused.value.details == {"received": 5000, "expected": len(data)}
    assert list(tmp_path.iterdir()) == []


def test_client_gone_mid_upload(tmp_path: Path) -> None:
    upload = SpooledUpload(tmp_path, max_bytes=10**6)
    upload.write((GOOD / "flower.jpg").read_bytes()[:5000])
    assert len(list(tmp_path.iterdir())) == 1
    upload.abort()
    upload.abort()
    assert list(tmp_path.iterdir()) == []


def receive_then_lose_the_client(directory: Path) -> None:
    with SpooledUpload(directory, max_bytes=10**6) as upload:
        upload.write(b"\xff\xd8\xff" + bytes(100))
        raise ConnectionResetError


def test_failure_inside_the_block_removes_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConnectionResetError):
        receive_then_lose_the_client(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_empty_body(tmp_path: Path) -> None:
    upload = SpooledUpload(tmp_path, max_bytes=10**6)
    with pytest.raises(EmptyFile):
        upload.finish()
    assert list(tmp_path.iterdir()) == []


def test_short_file_is_sniffed_at_the_end(tmp_path: Path) -> None:
    upload = SpooledUpload(tmp_path, max_bytes=10**6)
    upload.write(b"GIF89a")
    with pytest.raises(UnsupportedFileType):
        upload.finish()
    assert list(tmp_path.iterdir()) == []
