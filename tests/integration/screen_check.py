#!/usr/bin/env python3
"""What Sable's screen console shows, checked from outside.

  screen_check.py expect SERIAL COLS ROWS         the screen the serial log should give
  screen_check.py vga DUMP COLS ROWS              the text in a VGA text-mode memory dump
  screen_check.py ppm IMAGE FONT SERIAL           compare a screenshot with SERIAL drawn in FONT

The expected screen is built here on its own (not with Sable's code): the
console's bytes are the serial log from the banner line on, long lines wrap at
COLS, and only the last ROWS rows stay. "ppm" draws each expected cell with the
PSF font's glyph (light grey on black) and compares every pixel of the text
area (as many cells as fit, at most SCREEN_MAX_COLS x SCREEN_MAX_ROWS of
include/param.h); it prints the first differing text row and exits 1 on a
difference."""
import struct
import sys

MAX_COLS, MAX_ROWS = 240, 135
FG = (0xAA, 0xAA, 0xAA)
BG = (0, 0, 0)


def console_bytes(serial):
    text = open(serial, "rb").read().decode("latin-1").replace("\r", "")
    start = text.find("\nSable ")
    if start < 0:
        sys.exit("screen_check: no banner in " + serial)
    return text[start:]


def expected(serial, cols, rows):
    lines, cur = [], ""

    def put(ch):
        nonlocal cur
        if len(cur) == cols:
            lines.append(cur)
            cur = ""
        cur += ch

    for ch in console_bytes(serial):
        if ch == "\n":
            lines.append(cur)
            cur = ""
        elif ch == "\t":
            put(" ")
            while len(cur) % 8 and len(cur) < cols:
                put(" ")
        else:
            put(ch if " " <= ch < "\x7f" else "?")
    grid = (lines + [cur])[-rows:]
    return [r.ljust(cols) for r in grid] + [" " * cols] * (rows - len(grid))


def vga_text(dump, cols, rows):
    d = open(dump, "rb").read()
    return ["".join(chr(d[(r * cols + c) * 2]) for c in range(cols)) for r in range(rows)]


def ascii_map(entries, count, end, seq):
    """ASCII code -> glyph from a PSF Unicode table given as a sequence of entries."""
    if entries is None:
        return {c: c for c in range(min(count, 128))}
    amap, g, in_seq = {}, 0, False
    for v in entries:
        if v == end:
            g, in_seq = g + 1, False
        elif v == seq:
            in_seq = True
        elif not in_seq and v < 128:
            amap.setdefault(v, g)
    return amap


def psf_font(path):
    d = open(path, "rb").read()
    if d[:2] == b"\x36\x04":
        mode, height = d[2], d[3]
        count, width, hdr, size = (512 if mode & 1 else 256), 8, 4, height
        t = d[hdr + count * size:]
        entries = [t[i] | t[i + 1] << 8 for i in range(0, len(t) - 1, 2)] if mode & 6 else None
        amap = ascii_map(entries, count, 0xFFFF, 0xFFFE)
    else:
        magic, _, hdr, flags, count, size, height, width = struct.unpack("<8I", d[:32])
        if magic != 0x864AB572:
            sys.exit("screen_check: not a PSF font: " + path)
        amap = ascii_map(d[hdr + count * size:] if flags & 1 else None, count, 0xFF, 0xFE)
    return width, height, size, d[hdr:hdr + count * size], amap


def ppm(path):
    d = open(path, "rb").read()
    parts, pos = [], 0
    while len(parts) < 4:
        while d[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not d[end:end + 1].isspace():
            end += 1
        parts.append(d[pos:end])
        pos = end
    if parts[0] != b"P6" or parts[3] != b"255":
        sys.exit("screen_check: not an 8-bit P6 image: " + path)
    return int(parts[1]), int(parts[2]), d[pos + 1:]


def check_ppm(image, font, serial):
    width, height, size, glyphs, amap = psf_font(font)
    w, h, px = ppm(image)
    cols, rows = min(w // width, MAX_COLS), min(h // height, MAX_ROWS)
    want = expected(serial, cols, rows)
    bpr = (width + 7) // 8
    fallback = amap.get(ord("?"), 0)
    for r, line in enumerate(want):
        for c, ch in enumerate(line):
            g = amap.get(ord(ch), fallback)
            bits = glyphs[g * size:(g + 1) * size]
            for y in range(height):
                o = ((r * height + y) * w + c * width) * 3
                for x in range(width):
                    on = bits[y * bpr + x // 8] & (0x80 >> (x % 8))
                    if tuple(px[o + 3 * x:o + 3 * x + 3]) != (FG if on else BG):
                        print("screen differs in text row %d, column %d (want %r): %r"
                              % (r, c, ch, line.rstrip()))
                        return 1
    print("screen matches the serial log: %d rows of %d columns" % (rows, cols))
    return 0


def main():
    a = sys.argv[1:]
    if a[0] == "expect":
        print("\n".join(expected(a[1], int(a[2]), int(a[3]))))
    elif a[0] == "vga":
        print("\n".join(vga_text(a[1], int(a[2]), int(a[3]))))
    elif a[0] == "ppm":
        sys.exit(check_ppm(a[1], a[2], a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
