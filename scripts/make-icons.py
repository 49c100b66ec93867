#!/usr/bin/env python3
"""Draws the CORS Lens icons (a lens over a crossed-out arrow, in flat colours)
as PNG files in icons/, with only the standard library. Run once; the PNGs are
committed."""
import struct, zlib, math, pathlib

def png(size, pixel):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size))
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

def lens(x, y, s):
    u, v = (x + 0.5) / s, (y + 0.5) / s
    cx, cy, r = 0.42, 0.42, 0.30
    d = math.hypot(u - cx, v - cy)
    # handle
    t = ((u - 0.62) + (v - 0.62)) / 2
    px, py = 0.62 + t, 0.62 + t
    if 0 <= t <= 0.28 and math.hypot(u - px, v - py) < 0.07:
        return (60, 64, 72, 255)
    if abs(d - r) < 0.06:
        return (60, 64, 72, 255)
    if d < r - 0.06:
        # a red bar across the glass: the refused response
        if abs((u - cx) - (v - cy)) < 0.09:
            return (196, 48, 43, 255)
        return (214, 234, 248, 255)
    return (0, 0, 0, 0)

out = pathlib.Path(__file__).resolve().parent.parent / "icons"
out.mkdir(exist_ok=True)
for size in (16, 32, 48, 128):
    (out / f"icon-{size}.png").write_bytes(png(size, lens))
