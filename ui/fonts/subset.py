#!/usr/bin/env python3
"""Regenerate the embedded UI fonts: subsets of Noto Sans CJK SC.

The kiosk embeds only the glyphs its own text needs (English, the Chinese
catalogue, the core's Chinese messages), so screenshots are reproducible
and a Pi needs no CJK font package for the UI itself. Anything else (a
Chinese operator name set with tillctl) falls back to the system's fonts,
which is why the family is renamed: the full "Noto Sans CJK SC" from
fonts-noto-cjk stays a separate, complete fallback.

Needs: python3-fonttools (pip install fonttools) and Debian's
fonts-noto-cjk. Run from the repository root after changing any UI text:

    python3 ui/fonts/subset.py

tests/ui_fonts.rs fails when a character of the UI is missing here.
"""
import glob
import re
from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
SC_INDEX = 2  # the Simplified Chinese face in the collection
FAMILY = "Noto Sans SC till"

chars = set(chr(c) for c in range(0x20, 0x7F))
chars |= set("●▏⇧−–—…·•“”‘’、，。：；？！（）《》【】¥€°×÷→←↑↓✓✗ ")
files = glob.glob("ui/**/*.slint", recursive=True)
files += glob.glob("ui/translations/**/*.po", recursive=True)
files += glob.glob("src/**/*.rs", recursive=True)
def shown(c, path):
    """Rust sources also hold test data (e.g. Arabic-Indic digits): from
    them take only Hanzi and CJK/general punctuation, as tests/ui_fonts.rs."""
    if not path.endswith(".rs"):
        return ord(c) > 0x7F and not c.isspace()
    o = ord(c)
    return 0x2000 <= o <= 0x2BFF or 0x3000 <= o <= 0x303F or 0x4E00 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF


for path in files:
    text = open(path, encoding="utf-8").read()
    chars |= {c for c in text if shown(c, path)}

for weight in ["Regular", "Bold"]:
    font = TTCollection(SRC.format(weight)).fonts[SC_INDEX]
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    name = font["name"]
    full = FAMILY if weight == "Regular" else f"{FAMILY} Bold"
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID == 4:
            rec.string = full
        elif rec.nameID == 6:
            rec.string = full.replace(" ", "")
        elif rec.nameID == 17:
            rec.string = weight
    suffix = "" if weight == "Regular" else "-Bold"
    out = f"ui/fonts/NotoSansSC-till{suffix}.otf"
    font.save(out)
    print(out, len(chars), "characters")
