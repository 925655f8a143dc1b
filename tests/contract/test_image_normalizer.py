"""ImageNormalizer on Pillow: the public contract, on its PNGs and on JPEG, WebP and
GIF images (some with EXIF location data) made by Pillow, then what only it does."""

from __future__ import annotations

import pytest

from adapters.images import PillowImageNormalizer
from chatcore.errors import UnsupportedMediaType
from chatcore.profile.ports import ImageKind, ImageNormalizer
from chatcore.profile.use_cases.avatars import sniff_image
from chatcore.testing import ImageNormalizerContract, ImageSample, png_samples
from tests.support.images import MAKE, image_bytes, opened, with_exif

SIDE, PIXELS = 512, 50_000_000
normalizer = PillowImageNormalizer()


def encoded_samples() -> list[ImageSample]:
    """Images only a real encoder makes: each kind, large, and photos with EXIF."""
    kinds: list[tuple[str, ImageKind]] = [("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif")]
    large = [
        ImageSample(name=fmt, kind=kind, data=image_bytes(fmt, (1200, 800)), width=1200,
                    height=800)
        for fmt, kind in kinds
    ]  # fmt: skip
    photos = [
        ImageSample(name=f"{fmt} with EXIF", kind=kind, data=with_exif(fmt), width=1200,
                    height=800, metadata=MAKE.encode())
        for fmt, kind in kinds[:2]
    ]  # fmt: skip
    return large + photos


class TestPillowImageNormalizer(ImageNormalizerContract):
    @pytest.fixture
    def image_normalizer(self) -> ImageNormalizer:
        return normalizer

    @pytest.fixture
    def image_samples(self) -> list[ImageSample]:
        return png_samples() + encoded_samples()


# What only the Pillow normalizer does.


@pytest.mark.parametrize(
    ("fmt", "kind", "out_format"),
    [
        ("PNG", "png", "PNG"),
        ("JPEG", "jpeg", "JPEG"),
        ("WEBP", "webp", "WEBP"),
        ("GIF", "gif", "PNG"),
    ],
)
async def test_each_kind_keeps_its_format_but_a_gif_becomes_a_png(
    fmt: str, kind: ImageKind, out_format: str
) -> None:
    data = image_bytes(fmt, (300, 200))
    assert sniff_image(data) == kind
    result = await normalizer.normalize(data, kind, SIDE, PIXELS)
    assert opened(result.data).format == out_format
    assert result.kind == out_format.lower()


@pytest.mark.parametrize(("fmt", "kind"), [("JPEG", "jpeg"), ("WEBP", "webp")])
async def test_no_exif_is_left_to_decode(fmt: str, kind: ImageKind) -> None:
    result = await normalizer.normalize(with_exif(fmt), kind, SIDE, PIXELS)
    assert len(opened(result.data).getexif()) == 0


async def test_bytes_of_another_kind_than_named_are_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType):  # a JPEG named, PNG bytes given
        await normalizer.normalize(image_bytes("PNG"), "jpeg", SIDE, PIXELS)


@pytest.mark.parametrize(
    "data", [b"just some text, named avatar.png", b"", b"%PDF-1.7\n", b"<svg></svg>"]
)
def test_only_the_four_image_formats_are_recognised(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType):
        sniff_image(data)
