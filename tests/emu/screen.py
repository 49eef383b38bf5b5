"""Reads Umbra's framebuffer console back from a QEMU screendump: each 8x16 cell is matched
against the glyphs of the built-in font (build/font8x16.c), so the screen becomes text that a
test compares with the serial console."""
import os
import re

CELL_W, CELL_H = 8, 16


def load_font(path):
    """{16 row bytes: character} from the generated C file (tools/mkfont.py)."""
    glyphs = {}
    rx = re.compile(r"\[0x([0-9a-f]{2})\] = \{ ([^}]*) \}")
    for m in rx.finditer(open(path).read()):
        rows = bytes(int(b, 16) for b in m.group(2).split(","))
        glyphs.setdefault(rows, chr(int(m.group(1), 16)))
    glyphs[bytes(CELL_H)] = " "
    return glyphs


def load_ppm(path):
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255)."""
    data = open(path, "rb").read()
    fields = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not fields:
        raise ValueError(f"{path} is not a binary PPM")
    w, h = int(fields.group(1)), int(fields.group(2))
    return w, h, data[fields.end():]


def screen_text(ppm, font_c):
    """The screen as a list of rows (trailing blanks cut); '\\0' marks a cell that is no glyph."""
    glyphs = load_font(font_c)
    w, h, px = load_ppm(ppm)
    rows = []
    for r in range(h // CELL_H):
        line = []
        for c in range(w // CELL_W):
            cell = bytearray(CELL_H)
            for y in range(CELL_H):
                base = ((r * CELL_H + y) * w + c * CELL_W) * 3
                for x in range(CELL_W):
                    if px[base + x * 3] + px[base + x * 3 + 1] + px[base + x * 3 + 2] > 3 * 96:
                        cell[y] |= 0x80 >> x
            line.append(glyphs.get(bytes(cell), "\0"))
        rows.append("".join(line).rstrip())
    return rows, w // CELL_W


def check_mirrors_serial(workdir, serial, ctx, must_show=(), min_rows=20):
    """Problems found comparing the screendump with the serial output: every cell must be a
    glyph, at least min_rows rows must hold text, each must be (a piece of) a serial line, and
    each pattern in must_show must be on screen."""
    ppm = os.path.join(workdir, "screen.ppm")
    if not os.path.exists(ppm):
        return ["no screendump taken"]
    rows, cols = screen_text(ppm, os.path.join(ctx["build"], "font8x16.c"))
    with open(os.path.join(workdir, "screen.txt"), "w") as f:
        f.write("\n".join(rows) + "\n")
    problems = []
    pieces = set()
    for line in serial.split("\n"):
        line = line.expandtabs(8)
        for i in range(0, max(len(line), 1), cols):
            pieces.add(line[i:i + cols].rstrip())
    text_rows = [r for r in rows if r]
    for r in text_rows:
        if "\0" in r:
            problems.append(f"screen row is not made of font glyphs: {r!r}")
        elif r not in pieces:
            problems.append(f"screen row not on the serial console: {r!r}")
    if len(text_rows) < min_rows:
        problems.append(f"only {len(text_rows)} rows of text on the screen")
    for pattern in must_show:
        if not any(re.search(pattern, r) for r in rows):
            problems.append(f"not on the screen: {pattern}")
    return problems[:8]
