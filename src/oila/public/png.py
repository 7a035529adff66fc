"""A minimal PNG writer (RGB, 8 bits, no interlace; ISO/IEC 15948): pictures drawn in code for the
demo's gallery and for tests, without an imaging library."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

Colour = tuple[int, int, int]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width: int, height: int, pixel: Callable[[int, int], Colour]) -> bytes:
    """The PNG file of a picture whose colour at (x, y) is pixel(x, y)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type 0 (none) for each scanline
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def landscape(width: int, height: int, sky: Colour, ground: Colour, sun: Colour) -> bytes:
    """A simple picture: sky, a sun and the ground (the demo's stand-in for real photos)."""
    horizon = height * 2 // 3
    cx, cy, r = width * 3 // 4, height // 4, max(4, height // 8)

    def pixel(x: int, y: int) -> Colour:
        if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
            return sun
        if y >= horizon:
            return ground
        # the sky lightens towards the horizon
        t = y / horizon
        return (
            int(sky[0] + (255 - sky[0]) * t * 0.5),
            int(sky[1] + (255 - sky[1]) * t * 0.5),
            int(sky[2] + (255 - sky[2]) * t * 0.5),
        )

    return png(width, height, pixel)
