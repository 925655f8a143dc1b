"""Avatars made safe with Pillow: decoded under a pixel cap, fitted to a square,
encoded afresh from bare pixels, so no metadata (EXIF location, comments, colour
profiles) and no crafted chunk of the upload survives."""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageOps

from chatcore.errors import InvalidInput, UnsupportedMediaType
from chatcore.profile.ports import ImageKind, NormalizedImage

_FORMATS: dict[ImageKind, str] = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
_NOT_DECODABLE = "The file is not a decodable image."


class PillowImageNormalizer:
    """An ImageNormalizer on Pillow; decoding runs in a worker thread, off the event
    loop, at most ``concurrency`` at a time (each may hold a few hundred megabytes
    of pixels). A GIF keeps its first frame, as a PNG; other kinds keep their format."""

    def __init__(self, concurrency: int = 2) -> None:
        self._slots = asyncio.Semaphore(concurrency)

    async def normalize(
        self, data: bytes, kind: ImageKind, max_side: int, max_pixels: int
    ) -> NormalizedImage:
        async with self._slots:
            return await asyncio.to_thread(_normalize, data, kind, max_side, max_pixels)


def _normalize(data: bytes, kind: ImageKind, max_side: int, max_pixels: int) -> NormalizedImage:
    pixels = _decode(data, kind, max_side, max_pixels)
    pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out: ImageKind = "png" if kind == "gif" else kind
    buffer = io.BytesIO()
    if out == "jpeg":
        pixels.save(buffer, "JPEG", quality=85, optimize=True)
    elif out == "webp":
        pixels.save(buffer, "WEBP", quality=85)
    else:
        pixels.save(buffer, "PNG", optimize=True)
    return NormalizedImage(
        data=buffer.getvalue(), kind=out, width=pixels.width, height=pixels.height
    )


def _decode(data: bytes, kind: ImageKind, max_side: int, max_pixels: int) -> Image.Image:
    """The first frame's pixels, upright, in a fresh image without metadata."""
    try:
        image = Image.open(io.BytesIO(data), formats=[_FORMATS[kind]])
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:  # a codec may raise anything on hostile bytes
        raise UnsupportedMediaType(_NOT_DECODABLE) from exc
    with image:
        # Opening reads only the header: refuse a bomb before a byte is decoded.
        if image.width * image.height > max_pixels:
            raise _too_many_pixels(max_pixels)
        try:
            if kind == "jpeg":
                image.draft("RGB", (max_side, max_side))  # decode big photos scaled down
            upright = ImageOps.exif_transpose(image)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            mode = "RGBA" if has_alpha and kind != "jpeg" else "RGB"
            converted = upright.convert(mode)
        except Exception as exc:  # truncated or corrupt pixel data
            raise UnsupportedMediaType(_NOT_DECODABLE) from exc
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _too_many_pixels(max_pixels: int) -> InvalidInput:
    return InvalidInput("file", f"the image may have at most {max_pixels} pixels")
