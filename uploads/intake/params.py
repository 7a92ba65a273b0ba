"""Limits and targets of material intake; server settings fill them, library code only reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from uploads.intake.quality import QualityThresholds

MB = 1024 * 1024


@dataclass(frozen=True)
class IntakeParams:
    max_file_bytes: int = 20 * MB
    # Checked on the header size before any pixel is decoded; 50 MP is above every phone's main camera
    # except the 108-200 MP modes, which also save a binned 12 MP copy by default.
    max_pixels: int = 50_000_000
    max_side: int = 2560
    # JPEG DCT scaling (decode at 1/2, 1/4, 1/8) is only used while the decoded longest side stays at
    # least this long, so a 4000 px phone photo becomes 2000 px (fast) but a 3264 px one is resized to
    # 2560 px instead of shrinking to 1632 px.
    min_draft_side: int = 1920
    thumbnail_side: int = 320
    jpeg_quality: int = 85
    thumbnail_quality: int = 80
    # Bytes of padding (NUL, 0xFF, whitespace) tolerated after an image's end before it counts as
    # data smuggled after the image.
    max_padding: int = 64
    max_pdf_pages: int = 50
    # Objects streams inflated while checking a PDF, in total: bounds the work a compressed PDF can cause.
    max_pdf_inflated_bytes: int = 64 * MB
    timeout_seconds: float = 30.0
    quality: QualityThresholds = field(default_factory=QualityThresholds)
