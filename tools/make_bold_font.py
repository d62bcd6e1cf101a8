"""Build resources/fonts/renewdesk-hei-bold.ttf: a real bold Hei face for print.

Why: WenQuanYi Micro Hei has no bold face, and Qt's synthetic bold draws every glyph twice, which
doubles the PDF text layer ("粤粤BB…"). Noto Sans CJK SC Bold is the bold Hei we want, but its CFF
outlines give Qt's PDF writer a broken text layer (domain-rules §8). So: take the SC Bold face,
subset it to what a counter prints (ASCII, CJK punctuation, full-width forms, GB 2312 hanzi, our
symbols), convert the outlines to TrueType quadratics, and rename the family.

Run once where Debian's fonts-noto-cjk and fontTools are installed:
    apt-get install fonts-noto-cjk && .venv/bin/pip install fonttools
    .venv/bin/python tools/make_bold_font.py
The output is committed with its licence (SIL OFL 1.1); CI does not rebuild it.
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
REGULAR = Path(__file__).resolve().parents[1] / "resources" / "fonts" / "wqy-microhei.ttc"
# Status symbols Noto CJK lacks: borrowed from the shipped regular font so a bold status line never
# falls back to whatever system font has them (and never to synthetic bold, which doubles text).
BORROW = "✔✖"
OUT = Path(__file__).resolve().parents[1] / "resources" / "fonts" / "renewdesk-hei-bold.ttf"
FAMILY = "RenewDesk Hei"


def charset() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    chars |= set("·—…‘’“”•✔✖▲○●★？、。《》【】〔〕（）：；，！￥×÷±°℃")
    for hi in range(0xB0, 0xF8):  # GB 2312 hanzi rows 16-87
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(sorted(chars))


def sc_bold_face():
    for font in TTCollection(str(SOURCE)).fonts:
        names = {r.toUnicode() for r in font["name"].names if r.nameID in (1, 4)}
        if any("CJK SC" in n for n in names):
            return font
    sys.exit("Noto Sans CJK SC Bold not found in " + str(SOURCE))


def to_truetype(font) -> None:
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    hmtx = font["hmtx"]
    for name in glyph_order:  # left side bearings follow the new outlines
        g = glyf[name]
        g.recalcBounds(glyf)
        width, _ = hmtx[name]
        hmtx[name] = (width, getattr(g, "xMin", 0))


def borrow_symbols(font) -> None:
    donor = TTCollection(str(REGULAR)).fonts[0]
    donor_cmap, donor_glyphs = donor.getBestCmap(), donor.getGlyphSet()
    scale = font["head"].unitsPerEm / donor["head"].unitsPerEm
    glyf, hmtx = font["glyf"], font["hmtx"]
    order = list(font.getGlyphOrder())
    for ch in BORROW:
        src = donor_cmap.get(ord(ch))
        if src is None or ord(ch) in font.getBestCmap():
            continue
        name = f"uni{ord(ch):04X}"
        pen = TTGlyphPen(None)
        donor_glyphs[src].draw(TransformPen(pen, (scale, 0, 0, scale, 0, 0)))
        glyph = pen.glyph()
        glyph.recalcBounds(glyf)
        glyf.glyphs[name] = glyph
        order.append(name)
        hmtx.metrics[name] = (round(donor["hmtx"][src][0] * scale), getattr(glyph, "xMin", 0))
        if "vmtx" in font:  # vertical metrics: one em down, top bearing from the ascender
            upm = font["head"].unitsPerEm
            font["vmtx"].metrics[name] = (upm, font["hhea"].ascent - getattr(glyph, "yMax", 0))
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[ord(ch)] = name
    font.setGlyphOrder(order)
    glyf.glyphOrder = order


def rename(font) -> None:
    names = font["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 16):
            names.setName(FAMILY, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (2, 17):
            names.setName("Bold", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 4:
            names.setName(f"{FAMILY} Bold", 4, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            names.setName("RenewDeskHei-Bold", 6, rec.platformID, rec.platEncID, rec.langID)


def main() -> int:
    font = sc_bold_face()
    opts = subset.Options()
    # No GSUB: shaping a Latin run pulled in alternate digit glyphs that have no cmap entry, and
    # Qt's PDF writer then wrote "京A(cid:3)…" into the text layer.
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text=charset())
    sub.subset(font)
    to_truetype(font)
    borrow_symbols(font)
    rename(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"{OUT} {OUT.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
