"""ImageNormalizer on Pillow: real images in, safe small images out, bombs refused."""

from __future__ import annotations

import pytest

from adapters.images import PillowImageNormalizer
from chatcore.errors import InvalidInput, UnsupportedMediaType
from chatcore.profile.avatars import sniff_image
from chatcore.profile.ports import ImageKind
from tests.support.images import (
    CAMERA_MAKE,
    GPS_IFD,
    MAKE,
    image_bytes,
    opened,
    png_bomb,
    with_exif,
)

SIDE, PIXELS = 512, 50_000_000
normalizer = PillowImageNormalizer()


@pytest.mark.parametrize(
    ("fmt", "kind", "out_format"),
    [("PNG", "png", "PNG"), ("JPEG", "jpeg", "JPEG"), ("WEBP", "webp", "WEBP"),
     ("GIF", "gif", "PNG")],
)
async def test_an_image_is_fitted_within_the_square_keeping_its_shape(
    fmt: str, kind: ImageKind, out_format: str
) -> None:
    data = image_bytes(fmt, (1200, 800))
    assert sniff_image(data) == kind
    result = await normalizer.normalize(data, kind, SIDE, PIXELS)
    image = opened(result.data)
    assert image.format == out_format
    assert (result.width, result.height) == image.size == (512, 341)
    assert result.kind == out_format.lower()


async def test_a_small_image_is_not_enlarged() -> None:
    result = await normalizer.normalize(image_bytes("PNG", (64, 32)), "png", SIDE, PIXELS)
    assert opened(result.data).size == (64, 32)


async def test_transparency_survives_where_the_format_has_it() -> None:
    data = image_bytes("PNG", (100, 100), mode="RGBA")
    assert opened((await normalizer.normalize(data, "png", SIDE, PIXELS)).data).mode == "RGBA"


@pytest.mark.parametrize(("fmt", "kind"), [("JPEG", "jpeg"), ("WEBP", "webp"), ("PNG", "png")])
async def test_exif_with_the_location_is_stripped(fmt: str, kind: ImageKind) -> None:
    data = with_exif(fmt)
    source = opened(data).getexif()
    assert source[CAMERA_MAKE] == MAKE and GPS_IFD in source  # the test image has it
    result = await normalizer.normalize(data, kind, SIDE, PIXELS)
    assert len(opened(result.data).getexif()) == 0
    assert MAKE.encode() not in result.data
    assert b"Exif" not in result.data


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (30000, 30000)])
async def test_a_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    bomb = png_bomb(width, height)
    assert len(bomb) < 1000
    with pytest.raises(InvalidInput) as refused:
        await normalizer.normalize(bomb, "png", SIDE, PIXELS)
    assert refused.value.field == "file"


async def test_bytes_that_only_look_like_an_image_are_unsupported() -> None:
    truncated = image_bytes("PNG")[:200]
    with pytest.raises(UnsupportedMediaType):
        await normalizer.normalize(truncated, "png", SIDE, PIXELS)
    with pytest.raises(UnsupportedMediaType):  # a JPEG header on PNG bytes
        await normalizer.normalize(image_bytes("PNG"), "jpeg", SIDE, PIXELS)


@pytest.mark.parametrize(
    "data", [b"just some text, named avatar.png", b"", b"%PDF-1.7\n", b"<svg></svg>"]
)
def test_only_the_four_image_formats_are_recognised(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType):
        sniff_image(data)
