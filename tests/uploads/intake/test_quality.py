from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from tests.uploads.intake.factories import GOOD, sharp_picture
from uploads.intake.quality import QualityThresholds, analysis_copy, assess, sharpness

THRESHOLDS = QualityThresholds()


def codes(image: Image.Image, thresholds: QualityThresholds = THRESHOLDS) -> list[str]:
    return [problem.code for problem in assess(image, thresholds)]


def blurred_at_analysis_scale(image: Image.Image, radius: float) -> Image.Image:
    """``image`` blurred so that the blur measures ``radius`` px on the 512 px analysis copy."""
    scale = max(1.0, max(image.size) / THRESHOLDS.analysis_side)
    return image.filter(ImageFilter.GaussianBlur(radius * scale))


def photo(name: str) -> Image.Image:
    with Image.open(GOOD / name) as opened:
        return opened.convert("RGB")


CALIBRATION_PHOTOS = ["flower.jpg", "iptc.jpg", "xmp_test.jpg", "sugarshack.mpo", "xmp_tags_orientation.png"]


def blur_score(image: Image.Image) -> float:
    grey = analysis_copy(image, THRESHOLDS.analysis_side)
    return sharpness(grey, THRESHOLDS.blur_grid, THRESHOLDS.blur_percentile)


@pytest.mark.parametrize("name", CALIBRATION_PHOTOS)
def test_blur_calibration_sharp_photos_pass(name: str) -> None:
    assert blur_score(photo(name)) >= THRESHOLDS.blur_min_variance


@pytest.mark.parametrize("name", CALIBRATION_PHOTOS)
def test_blur_calibration_blurred_photos_fail(name: str) -> None:
    assert blur_score(blurred_at_analysis_scale(photo(name), 2.0)) < THRESHOLDS.blur_min_variance


def test_sharp_well_exposed_picture_has_no_problem() -> None:
    assert assess(sharp_picture((1200, 900)), THRESHOLDS) == ()


def test_blurry_picture() -> None:
    (problem,) = assess(blurred_at_analysis_scale(sharp_picture((1200, 900)), 3.0), THRESHOLDS)
    assert problem.code == "too_blurry"
    assert problem.message == "照片模糊，请对准焦点后重新拍摄"
    assert problem.value < problem.threshold == THRESHOLDS.blur_min_variance


def test_dark_picture() -> None:
    dark = Image.fromarray((np.asarray(sharp_picture((1200, 900))) * 0.15).astype(np.uint8))
    (problem,) = assess(dark, THRESHOLDS)
    assert problem.code == "too_dark"
    assert "太暗" in problem.message
    assert problem.value < THRESHOLDS.dark_max_mean == problem.threshold


def test_washed_out_picture_is_too_bright() -> None:
    lighter = np.asarray(sharp_picture((1200, 900))).astype(np.int16) + 150
    washed = Image.fromarray(np.clip(lighter, 0, 255).astype(np.uint8))
    assert codes(washed) == ["too_bright"]


def test_white_page_with_black_text_is_not_too_bright() -> None:
    page = Image.new("RGB", (1200, 1600), "white")
    draw = ImageDraw.Draw(page)
    for line in range(40):
        for word in range(12):
            draw.rectangle((60 + word * 90, 60 + line * 38, 130 + word * 90, 80 + line * 38), fill="black")
    assert codes(page) == []


def test_small_picture() -> None:
    problems = assess(sharp_picture((800, 450)), THRESHOLDS)
    assert [(p.code, p.value, p.threshold) for p in problems] == [("too_small", 450, 600)]


def test_transparent_areas_count_as_white_not_black() -> None:
    picture = sharp_picture((1200, 900)).convert("RGBA")
    alpha = Image.new("L", picture.size, 0)
    alpha.paste(255, (0, 0, 600, 900))
    picture.putalpha(alpha)
    assert "too_dark" not in codes(picture)


def test_thresholds_come_from_settings() -> None:
    picture = sharp_picture((1200, 900))
    strict = dataclasses.replace(THRESHOLDS, min_short_side=1000, blur_min_variance=10**9)
    assert codes(picture, strict) == ["too_small", "too_blurry"]


def test_problem_serialises_for_the_response() -> None:
    (problem,) = assess(sharp_picture((300, 200)), THRESHOLDS)
    assert problem.to_dict() == {"code": "too_small", "message": problem.message, "value": 200, "threshold": 600}
