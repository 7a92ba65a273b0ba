"""Is a photo good enough to read? Answered with the upload so the mini-program can ask for a retake.

Problems are advice, not rejections: the upload is stored either way and the applicant decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class QualityThresholds:
    """Filled from settings. Luminance is 0–255 on a grey copy whose longest side is ``analysis_side``."""

    # Sharpness: the variance of the 4-neighbour Laplacian in each cell of a ``blur_grid``² grid, read at
    # the ``blur_percentile`` of the cells, so a sharp photo with a large plain area (sky, wall, white
    # paper) is judged by its textured part. Calibration at 512 px (test_quality.py keeps it true): the
    # sharp photos in tests/data/images/good score 123 (iptc.jpg, a soft 640x480 phone photo), 315-460
    # (flower.jpg, xmp_tags_orientation.png) and 1,300-9,300 (sugarshack.mpo, xmp_test.jpg, hopper);
    # the same photos with a Gaussian blur of radius 2 px at 512 px (10 px on a 2560 px photo) score
    # 8-68, radius 1.5 px 17-159. 90 rejects visibly out-of-focus photos and keeps every sharp sample.
    blur_min_variance: float = 90.0
    blur_grid: int = 8
    blur_percentile: float = 90.0
    # Mean luminance under which a photo is too dark to read.
    dark_max_mean: float = 45.0
    # Share of blown-out pixels (>= bright_clip_level) above which a photo is too bright, but only if
    # even its darkest pixels are light (``bright_floor`` at the 2nd percentile): a screenshot or a scan
    # of a white page with black text is mostly white and fine.
    bright_clip_level: int = 250
    bright_max_clipped_share: float = 0.5
    bright_floor: float = 100.0
    # Shortest side, in pixels of the normalised image, under which text is unlikely to be legible.
    min_short_side: int = 600
    analysis_side: int = 512


@dataclass(frozen=True)
class QualityProblem:
    code: str
    message: str
    value: float
    threshold: float

    def to_dict(self) -> dict[str, str | float]:
        return {"code": self.code, "message": self.message, "value": self.value, "threshold": self.threshold}


MESSAGES = {
    "too_blurry": "照片模糊，请对准焦点后重新拍摄",
    "too_dark": "照片太暗，请在光线充足处重新拍摄",
    "too_bright": "照片过亮或反光，请调整光线后重新拍摄",
    "too_small": "图片尺寸太小，内容可能看不清，请重新拍摄",
}


def _problem(code: str, value: float, threshold: float) -> QualityProblem:
    return QualityProblem(code, MESSAGES[code], round(value, 3), threshold)


def analysis_copy(image: Image.Image, side: int) -> np.ndarray:
    """A float32 grey copy whose longest side is ``side`` (never enlarged), alpha flattened on white."""
    if image.mode in ("RGBA", "LA"):
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image.convert("RGBA"), mask=image.getchannel("A"))
        image = flat
    scale = min(1.0, side / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size != image.size:
        image = image.resize(size, Image.Resampling.BOX)
    return np.asarray(image.convert("L"), dtype=np.float32)


def sharpness(grey: np.ndarray, grid: int, percentile: float) -> float:
    """Laplacian variance of the sharper cells of ``grey`` (see ``QualityThresholds.blur_min_variance``)."""
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    laplacian = (
        grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4.0 * grey[1:-1, 1:-1]
    )
    height, width = laplacian.shape
    cell_h, cell_w = height // grid, width // grid
    if cell_h < 3 or cell_w < 3:
        return float(laplacian.var())
    cells = laplacian[: cell_h * grid, : cell_w * grid].reshape(grid, cell_h, grid, cell_w)
    return float(np.percentile(cells.var(axis=(1, 3)), percentile))


def _dark_end(grey: np.ndarray) -> float:
    return float(np.percentile(grey, 2))


def assess(image: Image.Image, thresholds: QualityThresholds) -> tuple[QualityProblem, ...]:
    """The readability problems of ``image`` (the normalised, upright image), worst first."""
    problems: list[QualityProblem] = []
    short_side = min(image.size)
    if short_side < thresholds.min_short_side:
        problems.append(_problem("too_small", short_side, thresholds.min_short_side))
    grey = analysis_copy(image, thresholds.analysis_side)
    mean = float(grey.mean())
    clipped = float(np.count_nonzero(grey >= thresholds.bright_clip_level)) / grey.size
    if mean < thresholds.dark_max_mean:
        problems.append(_problem("too_dark", mean, thresholds.dark_max_mean))
    elif clipped > thresholds.bright_max_clipped_share and _dark_end(grey) > thresholds.bright_floor:
        problems.append(_problem("too_bright", clipped, thresholds.bright_max_clipped_share))
    # Darkness and glare flatten edges too; only call a photo blurry when exposure is not the cause.
    if not any(p.code in ("too_dark", "too_bright") for p in problems):
        variance = sharpness(grey, thresholds.blur_grid, thresholds.blur_percentile)
        if variance < thresholds.blur_min_variance:
            problems.append(_problem("too_blurry", variance, thresholds.blur_min_variance))
    return tuple(problems)
