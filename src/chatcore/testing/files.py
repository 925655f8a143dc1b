"""Sample files written with the standard library alone, for the extractor and image
contracts: a minimal PDF with real text (and the file structure for other PDFs), plain
text, PNGs (with metadata, with an alpha channel, or declaring more pixels than they
hold), and the size of an image."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from chatcore.profile.use_cases.avatars import sniff_image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def minimal_pdf(pages: Sequence[str]) -> bytes:
    """A PDF with one page per text, each line drawn in Helvetica (Windows-1252 text);
    an empty text leaves its page blank."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%b] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * n) for n in range(len(pages))), len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, text in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * number)
        )
        stream = zlib.compress(_page_content(text))
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(stream), stream)
        )
    return pdf_file(objects)


def pdf_file(objects: Sequence[bytes]) -> bytes:
    """A PDF 1.4 file of these objects, numbered from 1 (the catalog, which the trailer
    names as the root), with the cross-reference table readers use to find them."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _page_content(text: str) -> bytes:
    lines = [line for line in text.split("\n") if line]
    if not lines:
        return b""
    drawn = b" T* ".join(b"(%b) Tj" % _pdf_string(line) for line in lines)
    return b"BT /F1 12 Tf 14 TL 72 720 Td %b ET" % drawn


def _pdf_string(line: str) -> bytes:
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252")


def plain_text(pages: Sequence[str]) -> bytes:
    """One page of text as UTF-8: plain text has no pages, so it takes exactly one."""
    if len(pages) != 1:
        raise ValueError("plain text holds exactly one page")
    return pages[0].encode()


def png(
    width: int, height: int, *, alpha: bool = False, metadata: Sequence[tuple[bytes, bytes]] = ()
) -> bytes:
    """A gradient PNG (RGB, or RGBA half transparent), with extra ``(chunk type, data)``
    pairs such as ``(b"tEXt", b"Comment\\0...")`` placed before the pixels."""
    channels = 4 if alpha else 3
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            pixel = (x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 128, 128)
            rows += bytes(pixel[:channels])
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + b"".join(png_chunk(kind, data) for kind, data in metadata)
        + png_chunk(b"IDAT", zlib.compress(bytes(rows)))
        + png_chunk(b"IEND", b"")
    )


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes that declares ``width`` x ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * ((width + 7) // 8 + 1) * 8)
    chunks = png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")
    return PNG_SIGNATURE + chunks


def exif_with_camera(make: bytes) -> bytes:
    """EXIF data (a little-endian TIFF block) naming the camera's make, as in an
    ``eXIf`` PNG chunk."""
    value = make + b"\x00"
    entry = struct.pack("<HHII", 0x010F, 2, len(value), 26)  # Make, ASCII, at offset 26
    return b"II*\x00" + struct.pack("<IH", 8, 1) + entry + struct.pack("<I", 0) + value


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and checksum."""
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_chunk_types(data: bytes) -> list[bytes]:
    """The types of a PNG's chunks, in order."""
    types, at = [], len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        types.append(data[at + 4 : at + 8])
        at += 12 + length
    return types


def png_has_alpha(data: bytes) -> bool:
    """Whether a PNG's pixels carry transparency (an alpha channel or a tRNS chunk)."""
    colour_type = data[25]
    return colour_type in (4, 6) or b"tRNS" in png_chunk_types(data)


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF, WebP or JPEG, read from its header."""
    kind = sniff_image(data)
    if kind == "png":
        return struct.unpack(">II", data[16:24])
    if kind == "gif":
        return struct.unpack("<HH", data[6:10])
    if kind == "webp":
        return _webp_size(data)
    return _jpeg_size(data)


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        return width, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    width, height = struct.unpack("<HH", data[26:30])  # lossy VP8 key frame
    return width & 0x3FFF, height & 0x3FFF


def _jpeg_size(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 9 < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise ValueError("a JPEG without a frame header")
