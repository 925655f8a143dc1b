"""The ImageNormalizer contract: images come out fitted within the square, of the kind
and size they claim, with no metadata left; too many pixels is InvalidInput and
anything undecodable UnsupportedMediaType, never a codec's own exception."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from chatcore.errors import InvalidInput, UnsupportedMediaType
from chatcore.profile.ports import ImageKind, ImageNormalizer
from chatcore.profile.use_cases.avatars import sniff_image
from chatcore.testing.files import (
    exif_with_camera,
    image_size,
    png,
    png_bomb,
    png_chunk_types,
    png_has_alpha,
)

SIDE = 256
PIXELS = 10_000_000
CAMERA = b"SpyCam 3000"
"""A camera make the samples carry in their metadata only: it must not come out."""
TEXT_CHUNKS = {b"tEXt", b"iTXt", b"zTXt", b"eXIf"}


class ImageSample(msgspec.Struct, frozen=True, kw_only=True):
    """An image to normalize, with its size and, if it has metadata, a byte string
    found only there."""

    name: str
    kind: ImageKind
    data: bytes
    width: int
    height: int
    metadata: bytes | None = None


def png_samples() -> list[ImageSample]:
    """PNGs written here: a wide one with a comment and EXIF naming the camera, a small
    one, and a tall transparent one."""
    tagged = png(
        600, 400,
        metadata=[(b"tEXt", b"Comment\x00" + CAMERA), (b"eXIf", exif_with_camera(CAMERA))],
    )  # fmt: skip
    return [
        ImageSample(name="png with metadata", kind="png", data=tagged, width=600, height=400,
                    metadata=CAMERA),
        ImageSample(name="small png", kind="png", data=png(64, 32), width=64, height=32),
        ImageSample(name="tall transparent png", kind="png", data=png(120, 300, alpha=True),
                    width=120, height=300),
    ]  # fmt: skip


def fitted(width: int, height: int, side: int) -> tuple[int, int]:
    """The size of an image scaled down, never up, to fit a ``side`` square."""
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


class ImageNormalizerContract:
    """What every ImageNormalizer does.

    Needs a fixture ``image_normalizer``. The fitting and stripping rules run on the
    fixture ``image_samples``: the PNGs of ``png_samples()`` unless a subclass adds
    images of other kinds (made with a real encoder, EXIF included) as ``ImageSample``s.
    """

    @pytest.fixture
    def image_samples(self) -> list[ImageSample]:
        """The images the fitting and stripping rules run on."""
        return png_samples()

    async def test_images_are_fitted_within_the_square_keeping_their_shape(
        self, image_normalizer: ImageNormalizer, image_samples: list[ImageSample]
    ) -> None:
        for sample in image_samples:
            result = await image_normalizer.normalize(sample.data, sample.kind, SIDE, PIXELS)
            width, height = fitted(sample.width, sample.height, SIDE)
            assert abs(result.width - width) <= 1, sample.name
            assert abs(result.height - height) <= 1, sample.name
            assert max(result.width, result.height) <= SIDE, sample.name

    async def test_the_output_is_the_kind_and_size_it_claims(
        self, image_normalizer: ImageNormalizer, image_samples: list[ImageSample]
    ) -> None:
        for sample in image_samples:
            result = await image_normalizer.normalize(sample.data, sample.kind, SIDE, PIXELS)
            assert sniff_image(result.data) == result.kind, sample.name
            assert image_size(result.data) == (result.width, result.height), sample.name

    async def test_metadata_does_not_survive(
        self, image_normalizer: ImageNormalizer, image_samples: list[ImageSample]
    ) -> None:
        tagged = [sample for sample in image_samples if sample.metadata is not None]
        assert tagged, "a sample carries metadata"
        for sample in tagged:
            assert sample.metadata is not None and sample.metadata in sample.data
            result = await image_normalizer.normalize(sample.data, sample.kind, SIDE, PIXELS)
            assert sample.metadata not in result.data, sample.name
            assert b"Exif" not in result.data and b"eXIf" not in result.data, sample.name
            if result.kind == "png":  # pixels only: no text or EXIF chunk of any origin
                assert not TEXT_CHUNKS & set(png_chunk_types(result.data)), sample.name

    async def test_a_png_stays_a_png_and_keeps_its_transparency(
        self, image_normalizer: ImageNormalizer
    ) -> None:
        result = await image_normalizer.normalize(png(90, 60, alpha=True), "png", SIDE, PIXELS)
        assert result.kind == "png"
        assert png_has_alpha(result.data)

    async def test_more_pixels_than_allowed_are_invalid_input(
        self, image_normalizer: ImageNormalizer
    ) -> None:
        with pytest.raises(InvalidInput) as refused:
            await image_normalizer.normalize(png(100, 100), "png", SIDE, 5_000)
        assert refused.value.field == "file"

    async def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(
        self, image_normalizer: ImageNormalizer
    ) -> None:
        bomb = png_bomb(30_000, 30_000)  # 900 megapixels in a few hundred bytes
        with pytest.raises(InvalidInput) as refused:
            await asyncio.wait_for(image_normalizer.normalize(bomb, "png", SIDE, PIXELS), 10)
        assert refused.value.field == "file"

    @pytest.mark.parametrize(
        "damage", ["text", "empty", "truncated", "corrupt pixels", "header only"]
    )
    async def test_what_cannot_be_decoded_is_an_unsupported_media_type(
        self, image_normalizer: ImageNormalizer, damage: str
    ) -> None:
        good = png(64, 64)
        pixels = good.index(b"IDAT") + 4
        data = {
            "text": b"just some text, named avatar.png",
            "empty": b"",
            "truncated": good[: len(good) // 2],
            "corrupt pixels": good[:pixels] + b"\xde\xad\xbe\xef" * 8 + good[pixels + 32 :],
            "header only": good[:33],
        }[damage]
        with pytest.raises(UnsupportedMediaType):
            await image_normalizer.normalize(data, "png", SIDE, PIXELS)

    async def test_images_normalized_at_once_keep_their_own_size(
        self, image_normalizer: ImageNormalizer
    ) -> None:
        sizes = [(40, 30), (30, 50), (70, 20), (25, 25)]
        results = await asyncio.gather(
            *(image_normalizer.normalize(png(w, h), "png", SIDE, PIXELS) for w, h in sizes)
        )
        assert [(result.width, result.height) for result in results] == sizes
