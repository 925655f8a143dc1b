"""Real images made for tests: ordinary ones, one carrying EXIF location data, and
decompression bombs."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
CAMERA_MAKE = 0x010F
MAKE = "SpyCam 3000"


def image_bytes(
    fmt: str, size: tuple[int, int] = (1200, 800), mode: str = "RGB", **save: object
) -> bytes:
    """An image in ``fmt`` (PNG, JPEG, WEBP, GIF): a gradient, so it has real content."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def with_exif(fmt: str) -> bytes:
    """A photo as a phone takes it: camera make and GPS position in its EXIF."""
    exif = Image.Exif()
    exif[CAMERA_MAKE] = MAKE
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    return image_bytes(fmt, exif=exif.tobytes())


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG that declares ``width`` x ``height`` pixels (one bit each, all zero)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * ((width + 7) // 8 + 1) * 8)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def opened(data: bytes) -> Image.Image:
    """The image the bytes hold, decoded."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
