"""Produce fonts/NotoSansSC-Regular.otf and fonts/LICENSE-OFL.txt from Debian's fonts-noto-cjk.

The exported chart images need a Simplified Chinese font that travels with the project (see
lib/images.py). Debian ships Noto Sans CJK SC Regular only inside a TrueType Collection; this script
takes that one face out, unchanged (every glyph, every table: no subsetting, so rare characters in
place and personal names keep working), and writes it as a standalone OpenType/CFF file. It also
writes the SIL Open Font License text that must travel with the font, taken from Debian's copyright
file, headed by the copyright line stored in the font itself.

Usage (needs fontTools, a development-only dependency: requirements-dev.txt):

    apt-get install fonts-noto-cjk
    .venv/bin/python scripts/extract_font.py            # writes fonts/
    .venv/bin/python scripts/extract_font.py --check    # exit 1 if fonts/ differs from a fresh run

The output is deterministic for a given input file (checked with --check), so the committed font can
be regenerated and compared byte for byte.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
FAMILY = "Noto Sans CJK SC"  # nameID 1 of the face we want
FONT_OUT = ROOT / "fonts" / "NotoSansSC-Regular.otf"
LICENCE_OUT = ROOT / "fonts" / "LICENSE-OFL.txt"
MAX_BYTES = 17 * 1024 * 1024


def extract_face(ttc: Path = TTC, family: str = FAMILY) -> bytes:
    collection = TTCollection(str(ttc), lazy=False)
    faces = {font["name"].getDebugName(1): font for font in collection.fonts}
    if family not in faces:
        raise SystemExit(f"{ttc}: no face named {family!r}; faces: {sorted(faces)}")
    font = faces[family]
    # head.modified would otherwise be set to "now" on save and make the output differ run to run
    font.recalcTimestamp = False
    buf = io.BytesIO()
    font.save(buf, reorderTables=True)
    return buf.getvalue()


def licence_text(font_bytes: bytes, copyright_file: Path = DEBIAN_COPYRIGHT) -> str:
    """The OFL 1.1 text from Debian's DEP-5 copyright file, preceded by the font's copyright notice."""
    from fontTools.ttLib import TTFont

    name = TTFont(io.BytesIO(font_bytes), lazy=True)["name"]
    notice = name.getDebugName(0)  # e.g. "© 2014-2021 Adobe (http://www.adobe.com/)."
    text = copyright_file.read_text(encoding="utf-8")
    m = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.M)
    if not m:
        raise SystemExit(f"{copyright_file}: no 'License: SIL-1.1' stanza")
    body = "".join("\n" if line == " .\n" else line[1:] for line in m.group(1).splitlines(keepends=True))
    header = (
        f"Noto Sans CJK SC Regular ({FONT_OUT.name}), extracted unchanged from Debian's "
        f"fonts-noto-cjk {TTC.name} by scripts/extract_font.py.\n"
        f"Upstream: https://github.com/notofonts/noto-cjk\n\n"
        f"Copyright {notice.removeprefix('©').strip().rstrip('.')}, with Reserved Font Name 'Source'.\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at: https://openfontlicense.org\n\n"
    )
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with fonts/ instead of writing")
    args = parser.parse_args(argv)

    font = extract_face()
    if len(font) > MAX_BYTES:
        raise SystemExit(f"extracted face is {len(font):,} bytes, over the {MAX_BYTES:,} limit")
    licence = licence_text(font)
    if args.check:
        stale = [p.relative_to(ROOT).as_posix() for p, data in ((FONT_OUT, font), (LICENCE_OUT, licence.encode()))
                 if not p.exists() or p.read_bytes() != data]
        print("up to date" if not stale else f"differs from a fresh extraction: {', '.join(stale)}")
        return 1 if stale else 0
    FONT_OUT.parent.mkdir(exist_ok=True)
    FONT_OUT.write_bytes(font)
    LICENCE_OUT.write_text(licence, encoding="utf-8")
    print(f"wrote {FONT_OUT.relative_to(ROOT)} ({len(font):,} bytes) and {LICENCE_OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
