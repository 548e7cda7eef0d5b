"""Draw the app icons (two overlapping circles on the brand colour) as PNG, with no imaging
library: `python scripts/make_icons.py` rewrites web/static/icons/."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

BRAND = (0x0B, 0x5C, 0x4C)
LEFT = (0xFF, 0xC8, 0x3D)
RIGHT = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent.parent / "web" / "static" / "icons"


def _pixel(x: float, y: float, maskable: bool) -> tuple[int, int, int]:
    scale = 0.8 if maskable else 1.0  # maskable icons keep their shape in the safe zone
    r = 0.22 * scale
    left = ((x - (0.5 - 0.11 * scale)) ** 2 + (y - 0.5) ** 2) <= r * r
    right = ((x - (0.5 + 0.11 * scale)) ** 2 + (y - 0.5) ** 2) <= r * r
    if left and right:
        return (0xF4, 0x8C, 0x2E)
    if left:
        return LEFT
    if right:
        return RIGHT
    return BRAND


def write_png(path: Path, size: int, maskable: bool = False) -> None:
    rows = bytearray()
    for j in range(size):
        rows.append(0)
        for i in range(size):
            rows.extend(_pixel((i + 0.5) / size, (j + 0.5) / size, maskable))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write_png(OUT / "icon-192.png", 192)
    write_png(OUT / "icon-512.png", 512)
    write_png(OUT / "icon-maskable-512.png", 512, maskable=True)
    write_png(OUT / "apple-touch-icon.png", 180)
