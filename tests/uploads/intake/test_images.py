from __future__ import annotations

import dataclasses
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from tests.uploads.intake.factories import (
    GOOD,
    HOSTILE,
    encode,
    heic,
    jpeg_with_orientation,
    png_header_only,
    sharp_picture,
)
from uploads.intake.errors import ImageTooLarge, TruncatedFile
from uploads.intake.images import NormalisedImage, normalise_image
from uploads.intake.params import IntakeParams
from uploads.intake.sniff import FileKind

PARAMS = IntakeParams()
GPS_IFD = 0x8825


def normalise(tmp_path: Path, data: bytes, kind: FileKind, params: IntakeParams = PARAMS) -> NormalisedImage:
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return normalise_image(source, kind, params, out)


def opened(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image


def correlation(a: Image.Image, b: Image.Image) -> float:
    grey_a = np.asarray(a.convert("L"), dtype=np.float64).ravel()
    grey_b = np.asarray(b.convert("L"), dtype=np.float64).ravel()
    return float(np.corrcoef(grey_a, grey_b)[0, 1])


@pytest.mark.parametrize("orientation", range(2, 9))
def test_exif_orientation_comes_back_upright(tmp_path: Path, orientation: int) -> None:
    upright = opened(GOOD / "hopper.jpg")
    source = GOOD / f"hopper_orientation_{orientation}.jpg"
    assert correlation(opened(source), upright) < 0.5  # stored sideways/mirrored: the check can fail
    result = normalise(tmp_path, source.read_bytes(), FileKind.JPEG)
    assert correlation(opened(result.image.path), upright) > 0.98


def test_rotation_swaps_width_and_height(tmp_path: Path) -> None:
    result = normalise(tmp_path, (GOOD / "orientation_rectangle.jpg").read_bytes(), FileKind.JPEG)
    assert (result.image.width, result.image.height) == (1, 2)
    assert (result.original_width, result.original_height) == (1, 2)


@pytest.mark.parametrize("name", ["exif_imagemagick_orientation.png", "xmp_tags_orientation.png"])
def test_png_orientation_from_exif_and_xmp(tmp_path: Path, name: str) -> None:
    source = opened(GOOD / name)
    result = normalise(tmp_path, (GOOD / name).read_bytes(), FileKind.PNG)
    assert correlation(opened(result.image.path), source.transpose(Image.Transpose.ROTATE_180)) > 0.98


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    image = opened(path)
    assert not image.getexif()
    for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "mp"):
        assert key not in image.info
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap/1.0/", b"ICC_PROFILE", b"Photoshop 3.0", b"MPF\x00"):
        assert marker not in data


def test_gps_and_all_metadata_are_stripped(tmp_path: Path) -> None:
    source = GOOD / "exif_gps.jpg"
    assert opened(source).getexif().get_ifd(GPS_IFD)
    result = normalise(tmp_path, source.read_bytes(), FileKind.JPEG)
    assert_no_metadata(result.image.path)
    assert_no_metadata(result.thumbnail.path)


def test_real_phone_gps_is_stripped(tmp_path: Path) -> None:
    # ultrahdr.jpg (Pixel 6, real coordinates) is a truncated copy: refused as such. Its EXIF block,
    # GPS and all, is carried over to a decodable photo to check the stripping.
    with pytest.raises(TruncatedFile):
        normalise(tmp_path, (GOOD / "ultrahdr.jpg").read_bytes(), FileKind.JPEG)
    with Image.open(GOOD / "ultrahdr.jpg") as truncated:
        phone_exif = truncated.info["exif"]
    data = encode(sharp_picture((800, 600)), "JPEG", exif=phone_exif)
    assert opened_bytes(data).getexif().get_ifd(GPS_IFD)[2]  # GPSLatitude is there
    result = normalise(tmp_path, data, FileKind.JPEG)
    assert_no_metadata(result.image.path)
    assert b"Pixel 6" not in result.image.path.read_bytes()


def opened_bytes(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("name", ["xmp_test.jpg", "iptc.jpg", "sugarshack.mpo", "frame_size.mpo"])
def test_camera_metadata_is_stripped(tmp_path: Path, name: str) -> None:
    result = normalise(tmp_path, (GOOD / name).read_bytes(), FileKind.JPEG)
    assert_no_metadata(result.image.path)


def test_non_srgb_profile_is_applied_then_dropped(tmp_path: Path) -> None:
    display_p3 = opened(GOOD / "frame_size.mpo").info["icc_profile"]
    picture = Image.new("RGB", (700, 700), (200, 90, 40))
    result = normalise(tmp_path, encode(picture, "PNG", icc_profile=display_p3), FileKind.PNG)
    expected = ImageCms.profileToProfile(
        picture, ImageCms.ImageCmsProfile(io.BytesIO(display_p3)), ImageCms.createProfile("sRGB")
    )
    assert expected is not None
    output = opened(result.image.path)
    assert output.getpixel((10, 10)) == expected.getpixel((10, 10)) != picture.getpixel((10, 10))
    assert "icc_profile" not in output.info


def test_srgb_profile_leaves_pixels_alone(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture = Image.new("RGB", (700, 700), (200, 90, 40))
    result = normalise(tmp_path, encode(picture, "PNG", icc_profile=srgb), FileKind.PNG)
    output = opened(result.image.path)
    assert output.getpixel((10, 10)) == (200, 90, 40)
    assert "icc_profile" not in output.info


def test_cmyk_becomes_rgb_jpeg(tmp_path: Path) -> None:
    result = normalise(tmp_path, (GOOD / "pil_sample_cmyk.jpg").read_bytes(), FileKind.JPEG)
    output = opened(result.image.path)
    assert (output.format, output.mode) == ("JPEG", "RGB")
    reference = opened(GOOD / "pil_sample_cmyk.jpg").convert("RGB")
    assert correlation(output, reference) > 0.98


def test_phone_size_jpeg_uses_dct_scaling(tmp_path: Path) -> None:
    data = jpeg_with_orientation(sharp_picture((4000, 3000)), 6)
    result = normalise(tmp_path, data, FileKind.JPEG)
    # Decoded at 1/2 (2000x1500, above min_draft_side), then turned upright.
    assert (result.image.width, result.image.height) == (1500, 2000)
    assert (result.original_width, result.original_height) == (3000, 4000)
    assert result.image.mime == "image/jpeg"
    assert opened(result.image.path).size == (1500, 2000)


def test_dct_scaling_never_goes_below_its_floor(tmp_path: Path) -> None:
    result = normalise(tmp_path, encode(sharp_picture((3264, 2448)), "JPEG"), FileKind.JPEG)
    assert (result.image.width, result.image.height) == (2560, 1920)


def test_large_png_is_resized_and_stays_png(tmp_path: Path) -> None:
    result = normalise(tmp_path, encode(sharp_picture((2600, 1000)), "PNG"), FileKind.PNG)
    assert (result.image.width, result.image.height) == (2560, 985)
    assert opened(result.image.path).format == "PNG"


def test_max_side_is_a_parameter(tmp_path: Path) -> None:
    params = dataclasses.replace(PARAMS, max_side=1024)
    result = normalise(tmp_path, encode(sharp_picture((4000, 3000)), "JPEG"), FileKind.JPEG, params)
    assert (result.image.width, result.image.height) == (1024, 768)


def test_thumbnail(tmp_path: Path) -> None:
    result = normalise(tmp_path, jpeg_with_orientation(sharp_picture((1200, 900)), 8), FileKind.JPEG)
    thumbnail = opened(result.thumbnail.path)
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (240, 320))
    assert (result.thumbnail.width, result.thumbnail.height) == (240, 320)
    assert result.thumbnail.path.parent == result.image.path.parent


def test_hashes_are_of_the_written_bytes_and_repeatable(tmp_path: Path) -> None:
    data = (GOOD / "flower.jpg").read_bytes()
    first = normalise(tmp_path, data, FileKind.JPEG)
    second = normalise(tmp_path, data, FileKind.JPEG)
    assert first.image.sha256 == hashlib.sha256(first.image.path.read_bytes()).hexdigest()
    assert first.image.size == first.image.path.stat().st_size
    assert first.image.sha256 == second.image.sha256
    assert first.image.path != second.image.path


def test_transparency_keeps_png_and_thumbnail_is_flattened_on_white(tmp_path: Path) -> None:
    picture = sharp_picture((800, 800)).convert("RGBA")
    alpha = Image.new("L", picture.size, 255)
    alpha.paste(0, (0, 0, 400, 800))
    picture.putalpha(alpha)
    uploads = [(encode(picture, "PNG"), FileKind.PNG), (encode(picture, "WEBP", lossless=True), FileKind.WEBP)]
    for data, kind in uploads:
        result = normalise(tmp_path, data, kind)
        output = opened(result.image.path)
        assert (output.format, output.mode) == ("PNG", "RGBA")
        assert output.getchannel("A").getpixel((10, 10)) == 0
        assert opened(result.thumbnail.path).getpixel((5, 5)) == (255, 255, 255)


def test_opaque_webp_becomes_jpeg(tmp_path: Path) -> None:
    result = normalise(tmp_path, encode(sharp_picture((800, 600)).convert("RGBA"), "WEBP"), FileKind.WEBP)
    assert result.image.mime == "image/jpeg"


def test_sixteen_bit_grey_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    wide = np.zeros((700, 700), dtype=np.uint16)
    wide[:, 350:] = 65535
    wide[:, :350] = 32768
    result = normalise(tmp_path, encode(Image.fromarray(wide), "PNG"), FileKind.PNG)
    output = opened(result.image.path)
    assert output.mode == "L"
    assert (output.getpixel((10, 10)), output.getpixel((690, 10))) == (128, 255)


def test_pixel_limit_is_checked_on_the_header_before_decoding(tmp_path: Path) -> None:
    with pytest.raises(ImageTooLarge) as refused:
        normalise(tmp_path, png_header_only(10_000, 10_000), FileKind.PNG)
    assert refused.value.details == {"pixels": 100_000_000, "max_pixels": 50_000_000}
    assert refused.value.status == 422


def test_pillow_bomb_error_becomes_ours(tmp_path: Path) -> None:
    # Above Pillow's own hard limit (2 x MAX_IMAGE_PIXELS), raised inside Image.open.
    params = dataclasses.replace(PARAMS, max_pixels=10**12)
    with pytest.raises(ImageTooLarge):
        normalise(tmp_path, png_header_only(30_000, 30_000), FileKind.PNG, params)


def test_malformed_mpo_warning_is_contained(tmp_path: Path) -> None:
    # Pillow warns (UserWarning) on this file; warnings are errors in this test suite.
    result = normalise(tmp_path, (HOSTILE / "sugarshack_bad_mpo_header.jpg").read_bytes(), FileKind.JPEG)
    assert (result.image.width, result.image.height) == (640, 480)


def test_failure_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(TruncatedFile):
        normalise(tmp_path, (GOOD / "flower.jpg").read_bytes()[:20_000], FileKind.JPEG)
    assert list((tmp_path / "out").iterdir()) == []


def test_heic_round_trip(tmp_path: Path) -> None:
    picture = sharp_picture((480, 320))
    result = normalise(tmp_path, heic(picture), FileKind.HEIF)
    output = opened(result.image.path)
    assert (output.format, output.size) == ("JPEG", (480, 320))
    assert correlation(output, picture) > 0.98


def test_heic_orientation_is_applied_once(tmp_path: Path) -> None:
    picture = sharp_picture((480, 320))
    exif = Image.Exif()
    exif[0x0112] = 6
    result = normalise(tmp_path, heic(picture, exif=exif.tobytes()), FileKind.HEIF)
    output = opened(result.image.path)
    assert output.size == (320, 480)
    assert correlation(output, picture.transpose(Image.Transpose.ROTATE_270)) > 0.98
    assert_no_metadata(result.image.path)
