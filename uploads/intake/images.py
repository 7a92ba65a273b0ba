"""Photo normalisation: decode once, small and upright, with no metadata left.

Order matters for speed (engineering notes, Photos): JPEGs are decoded with DCT scaling when the target
allows it, everything is resized before the colour transform, and the rotation from EXIF Orientation is
applied last, on the small image.

Metadata policy: nothing of the original's metadata is written: no EXIF (so no GPS, camera serials or
timestamps), no XMP, IPTC, comments or MPF, and no ICC profile. A non-sRGB ICC profile (Display P3
from iPhones, Adobe RGB, CMYK press profiles) is applied first, converting the pixels to sRGB, so the
untagged output shows the same colours. Output is JPEG, except that PNG uploads (mostly screenshots and
scans, where lossless text matters) and images with real transparency stay PNG. The thumbnail is always
JPEG, transparency flattened on white.
"""

from __future__ import annotations

import functools
import hashlib
import io
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageCms

from uploads.intake.errors import CorruptFile, ImageTooLarge
from uploads.intake.params import IntakeParams
from uploads.intake.pillow_guard import decoding_guard
from uploads.intake.quality import QualityProblem, assess
from uploads.intake.sniff import FileKind

# Image.open only ever tries the plugin of the sniffed type: no other Pillow decoder sees user bytes.
PILLOW_FORMATS = {
    FileKind.JPEG: ("JPEG",),
    FileKind.PNG: ("PNG",),
    FileKind.WEBP: ("WEBP",),
    FileKind.HEIF: ("HEIF",),
}
ORIENTATION_TAG = 0x0112
TRANSPOSITIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_heif_lock = threading.Lock()
_heif_enabled = False


def enable_heif() -> None:
    """Register pillow-heif's opener (idempotent). Called before the first HEIF decode, or at startup."""
    global _heif_enabled
    with _heif_lock:
        if _heif_enabled:
            return
        from pillow_heif import register_heif_opener

        # Only the primary image is used, so do not decode thumbnails, depth maps or auxiliary images.
        register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
        _heif_enabled = True


@dataclass(frozen=True)
class EncodedFile:
    path: Path
    mime: str
    size: int
    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class NormalisedImage:
    image: EncodedFile
    thumbnail: EncodedFile
    # Upright size of the upload before downscaling.
    original_width: int
    original_height: int
    problems: tuple[QualityProblem, ...]


def normalise_image(path: Path, kind: FileKind, params: IntakeParams, work_dir: Path) -> NormalisedImage:
    """Decode ``path`` (already sniffed and structure-checked) and write the normalised image and its
    thumbnail into ``work_dir``. Raises only ``AppError`` subclasses; on error nothing is left behind."""
    if kind is FileKind.HEIF:
        enable_heif()
    with decoding_guard():
        picture, orientation, icc_profile, original_size = _decode(path, kind, params)
        picture = _downscale(picture, params.max_side)
        picture = _to_srgb(picture, icc_profile)
        picture = _upright(picture, orientation)
        if orientation in (5, 6, 7, 8):
            original_size = (original_size[1], original_size[0])
        problems = assess(picture, params.quality)
        thumbnail = _thumbnail(picture, params.thumbnail_side)
        keep_png = kind is FileKind.PNG or picture.mode == "RGBA"
    token = secrets.token_hex(12)
    written: list[Path] = []
    try:
        if keep_png:
            image_file = _write(picture, work_dir / f"{token}.png", written, "PNG", {})
        else:
            image_file = _write(
                picture, work_dir / f"{token}.jpg", written, "JPEG", {"quality": params.jpeg_quality}
            )
        thumbnail_file = _write(
            thumbnail, work_dir / f"{token}.thumb.jpg", written, "JPEG", {"quality": params.thumbnail_quality}
        )
    except BaseException:
        for created in written:
            created.unlink(missing_ok=True)
        raise
    return NormalisedImage(image_file, thumbnail_file, original_size[0], original_size[1], problems)


def _decode(
    path: Path, kind: FileKind, params: IntakeParams
) -> tuple[Image.Image, int, bytes | None, tuple[int, int]]:
    # Not `with Image.open(...)`: closing the image would also drop the pixels we return.
    with path.open("rb") as fp:
        opened = Image.open(fp, formats=PILLOW_FORMATS[kind])
        width, height = opened.size
        if width <= 0 or height <= 0:
            raise CorruptFile(reason="empty_image")
        if width * height > params.max_pixels:
            raise ImageTooLarge(pixels=width * height, max_pixels=params.max_pixels)
        orientation = _orientation(opened)
        icc_profile = opened.info.get("icc_profile") or None
        if kind is FileKind.JPEG:
            _draft(opened, params)
        opened.load()
        picture = _working_mode(opened)
    return picture, orientation, icc_profile, (width, height)


def _orientation(image: Image.Image) -> int:
    """EXIF (or XMP / PNG raw profile) Orientation; 1 when absent or unreadable, as viewers do."""
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and value in TRANSPOSITIONS else 1


def _draft(image: Image.Image, params: IntakeParams) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 while the result stays at least ``min_draft_side`` long."""
    width, height = image.size
    floor = min(params.max_side, params.min_draft_side)
    longest = max(width, height)
    for scale in (8, 4, 2):
        if longest // scale >= floor:
            image.draft(None, (max(1, width // scale), max(1, height // scale)))
            return


def _working_mode(image: Image.Image) -> Image.Image:
    """The decoded image in L, RGB, RGBA or CMYK (CMYK waits for its ICC profile)."""
    mode = image.mode
    if mode in ("L", "RGB", "CMYK"):
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale PNG: Pillow's convert("L") clips at 255 instead of scaling.
        wide = np.asarray(image, dtype=np.uint32)
        return Image.fromarray((np.clip(wide, 0, 65535) >> 8).astype(np.uint8))
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha_low, _ = rgba.getchannel("A").getextrema()
        return rgba.convert("RGB") if alpha_low == 255 else rgba
    if mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def _downscale(image: Image.Image, max_side: int) -> Image.Image:
    longest = max(image.size)
    if longest <= max_side:
        return image
    scale = max_side / longest
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap only changes anything for large reductions (big PNG/WebP/HEIF): box-reduce first.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """L, RGB or RGBA pixels in sRGB; an unreadable or mismatched profile is ignored."""
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            if "srgb" not in (ImageCms.getProfileDescription(source) or "").lower():
                output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
                converted = ImageCms.profileToProfile(image, source, _srgb(), outputMode=output_mode)
                if converted is not None:
                    image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    if image.mode == "CMYK":
        image = image.convert("RGB")
    return image


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    method = TRANSPOSITIONS.get(orientation)
    return image if method is None else image.transpose(method)


def _thumbnail(image: Image.Image, side: int) -> Image.Image:
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    scale = min(1.0, side / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size == image.size:
        return image.copy()
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def _write(
    image: Image.Image, path: Path, written: list[Path], image_format: str, options: dict[str, Any]
) -> EncodedFile:
    # Encoders fall back to image.info for some metadata (PNG iCCP, JPEG comments): start from nothing.
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    data = buffer.getbuffer()
    with path.open("xb") as out:
        written.append(path)
        out.write(data)
    mime = "image/png" if image_format == "PNG" else "image/jpeg"
    return EncodedFile(path, mime, len(data), hashlib.sha256(data).hexdigest(), image.width, image.height)
