"""From a spooled upload to what gets stored: sniff, check, normalise, assess.

``process_file`` is the synchronous, CPU-bound core (picklable arguments and result, so it also runs in
a process pool); ``process_upload`` runs it off the event loop with a time limit.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import mmap
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from uploads.intake.errors import FileTooLarge, ProcessingTimeout
from uploads.intake.images import EncodedFile, normalise_image
from uploads.intake.params import IntakeParams
from uploads.intake.pdf import inspect_pdf
from uploads.intake.quality import QualityProblem
from uploads.intake.sniff import MIME_TYPES, SNIFF_BYTES, FileKind, sniff
from uploads.intake.structure import check_image_structure

HASH_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class IntakeResult:
    kind: Literal["image", "pdf"]
    source_type: FileKind
    source_mime: str
    # The file to store: the normalised image, or the upload itself for a PDF.
    stored_path: Path
    stored_mime: str
    stored_size: int
    size: int  # of the upload
    sha256_original: str
    sha256_normalised: str
    width: int | None = None  # of the stored image
    height: int | None = None
    original_width: int | None = None  # upright, before downscaling
    original_height: int | None = None
    pages: int | None = None
    thumbnail: EncodedFile | None = None
    problems: tuple[QualityProblem, ...] = ()

    def cleanup(self, upload_path: Path) -> None:
        """Delete the files this intake created (never ``upload_path``, which its owner removes)."""
        for path in (self.stored_path, self.thumbnail.path if self.thumbnail else None):
            if path is not None and path != upload_path:
                path.unlink(missing_ok=True)


def process_file(
    path: Path, params: IntakeParams, work_dir: Path | None = None, sha256_original: str | None = None
) -> IntakeResult:
    """Check and normalise the upload at ``path``; new files go to ``work_dir`` (default: beside it).

    Raises only ``AppError`` subclasses for anything wrong with the file; leaves no file behind then.
    """
    work_dir = path.parent if work_dir is None else work_dir
    with path.open("rb") as fp:
        size = fp.seek(0, 2)
        if size > params.max_file_bytes:
            raise FileTooLarge(max_bytes=params.max_file_bytes)
        fp.seek(0)
        kind = sniff(fp.read(SNIFF_BYTES))
        if sha256_original is None:
            fp.seek(0)
            sha256_original = _sha256(fp)
        with mmap.mmap(fp.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            if kind is FileKind.PDF:
                info = inspect_pdf(
                    mapped, max_pages=params.max_pdf_pages, max_inflated_bytes=params.max_pdf_inflated_bytes
                )
            else:
                check_image_structure(mapped, kind, max_padding=params.max_padding)
    if kind is FileKind.PDF:
        return IntakeResult(
            kind="pdf",
            source_type=kind,
            source_mime=MIME_TYPES[kind],
            stored_path=path,
            stored_mime=MIME_TYPES[kind],
            stored_size=size,
            size=size,
            sha256_original=sha256_original,
            sha256_normalised=sha256_original,
            pages=info.pages,
        )
    normalised = normalise_image(path, kind, params, work_dir)
    return IntakeResult(
        kind="image",
        source_type=kind,
        source_mime=MIME_TYPES[kind],
        stored_path=normalised.image.path,
        stored_mime=normalised.image.mime,
        stored_size=normalised.image.size,
        size=size,
        sha256_original=sha256_original,
        sha256_normalised=normalised.image.sha256,
        width=normalised.image.width,
        height=normalised.image.height,
        original_width=normalised.original_width,
        original_height=normalised.original_height,
        thumbnail=normalised.thumbnail,
        problems=normalised.problems,
    )


def _sha256(fp: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := fp.read(HASH_BLOCK):
        digest.update(block)
    return digest.hexdigest()


async def process_upload(
    path: Path,
    params: IntakeParams,
    *,
    work_dir: Path | None = None,
    sha256_original: str | None = None,
    executor: Executor | None = None,
) -> IntakeResult:
    """``process_file`` in ``executor`` (the loop's default one if None), at most ``params.timeout_seconds``.

    Decoding is CPU and memory heavy: the server should pass an executor with as many workers as it
    wants concurrent decodes (about one per core), which also bounds peak memory.
    A thread cannot be stopped: after a timeout (or if the caller is cancelled) the work finishes in the
    background and whatever it produced is deleted then.
    """
    loop = asyncio.get_running_loop()
    work = loop.run_in_executor(
        executor, functools.partial(process_file, path, params, work_dir, sha256_original)
    )
    try:
        return await asyncio.wait_for(asyncio.shield(work), params.timeout_seconds)
    except TimeoutError:
        work.add_done_callback(functools.partial(_discard_late_result, path))
        raise ProcessingTimeout() from None
    except asyncio.CancelledError:
        work.add_done_callback(functools.partial(_discard_late_result, path))
        raise


def _discard_late_result(upload_path: Path, work: asyncio.Future[IntakeResult]) -> None:
    if not work.cancelled() and work.exception() is None:
        work.result().cleanup(upload_path)
