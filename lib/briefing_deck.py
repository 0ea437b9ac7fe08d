"""The briefing's PowerPoint deck (16:9): title slide, summary, one slide per chart with its explanation in the
notes. The only module that imports python-pptx (tests/test_architecture.py); content comes from
`lib.briefing.Briefing`, the images from its `render_images` (one export per chart, shared with the ZIP).
"""
from __future__ import annotations

import io
import math
import re

from lib import charts
from lib.briefing import ISSUER, Briefing, ProgressCallback
from lib.narrative import _pct, period_text

# Text boxes name a CJK font for East Asian text (PowerPoint and LibreOffice otherwise pick a Latin theme font
# and fall back glyph by glyph). 微软雅黑 is on every Chinese Windows/Office; LibreOffice on Linux maps it to
# an installed CJK font (Noto Sans CJK SC with fonts-noto-cjk).
DECK_FONT = "Microsoft YaHei"
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
MARGIN_IN = 0.45
TITLE_TOP_IN, TITLE_H_IN = 0.3, 0.75
BODY_TOP_IN = 1.15
FOOTER_H_IN = 0.35
DARK, GREY_TEXT, ACCENT = "222222", "666666", "1F4E79"
SAMPLE_RED = "D55E00"


def _rgb(hex6: str):
    from pptx.dml.color import RGBColor
    return RGBColor.from_string(hex6)


def _style_run(run, size: float, *, bold: bool = False, colour: str = DARK) -> None:
    """Size, weight, colour, and the CJK font on the run's latin, ea (East Asian) and cs slots, lang zh-CN."""
    from lxml import etree
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = _rgb(colour)
    font.name = DECK_FONT  # <a:latin>
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    previous = latin
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
            previous.addnext(el)
        el.set("typeface", DECK_FONT)
        previous = el


# LibreOffice finds no line break between a comma and the Latin word after it, so a list of IDs ("B02、B03")
# was broken inside an ID ("B0" / "3"); a zero-width space after the comma is the break it should take. After
# a half-width , ; : only before a letter, so that a number ("1,234") is never split.
_COMMA_BEFORE_LATIN = re.compile(r"([、，；：](?=[0-9A-Za-z])|[,;:](?=[A-Za-z]))")
ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str) -> str:
    """`text` with a line-break opportunity after each comma that a Latin word follows."""
    return _COMMA_BEFORE_LATIN.sub(r"\1" + ZERO_WIDTH_SPACE, text)


def _text_box(slide, left: float, top: float, width: float, height: float, paragraphs: list[str], size: float, *,
              bold: bool = False, colour: str = DARK, align: str = "left", space_after: float = 0, name: str = ""):
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.TOP
    for side in ("margin_left", "margin_right"):
        setattr(tf, side, Inches(0.05))
    for i, text in enumerate(paragraphs):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}[align]
        p.space_after = Pt(space_after)
        p.line_spacing = 1.15
        _style_run(p.add_run(), size, bold=bold, colour=colour)
        p.runs[0].text = breakable(text)
    return box


def _set_title(slide, text: str, *, top: float = TITLE_TOP_IN, height: float = TITLE_H_IN, size: float = 26,
               left: float = MARGIN_IN, width: float = SLIDE_W_IN - 2 * MARGIN_IN, align: str = "left") -> None:
    """Fill and place the layout's title placeholder (kept, so outline view and screen readers see the title)."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(left), Inches(top), Inches(width), Inches(height)
    tf = title.text_frame
    tf.clear()
    tf.word_wrap = True
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    p = tf.paragraphs[0]
    p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[align]
    run = p.add_run()
    run.text = text
    _style_run(run, size, bold=True, colour=ACCENT)


def _text_width_em(text: str) -> float:
    """Width of `text` in em: CJK and full-width characters 1, others about 0.55."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)


def _lines_needed(paragraphs: list[str], size_pt: float, width_in: float) -> float:
    per_line_em = width_in * 72 / size_pt
    return sum(max(1, math.ceil(_text_width_em(p) / per_line_em)) for p in paragraphs)


def _fit_size(paragraphs: list[str], width_in: float, height_in: float, sizes=(20, 18, 16, 15, 14, 13, 12)) -> float | None:
    """The largest font size at which the paragraphs fit the box (1.15 line spacing, 6 pt between
    paragraphs, a 10% safety margin for wrapping), or None."""
    for size in sizes:
        height_pt = _lines_needed(paragraphs, size, width_in * 0.95) * size * 1.15 * 1.2 + 6 * len(paragraphs)
        if height_pt <= height_in * 72 * 0.92:
            return size
    return None


def _split_to_fit(paragraphs: list[str], width_in: float, height_in: float) -> list[tuple[list[str], float]]:
    """Paragraphs grouped into slides that each fit (at ≥ 12 pt)."""
    pages: list[tuple[list[str], float]] = []
    current: list[str] = []
    for para in paragraphs:
        trial = [*current, para]
        if current and _fit_size(trial, width_in, height_in) is None:
            pages.append((current, _fit_size(current, width_in, height_in) or 12))
            current = [para]
        else:
            current = trial
    if current:
        pages.append((current, _fit_size(current, width_in, height_in) or 12))
    return pages


def _footer(slide, briefing: Briefing, number: int) -> None:
    left = f"{briefing.plan.config.short_name}实施监测 · 截至{period_text(briefing.as_of)} · {briefing.scope_label} · {ISSUER}"
    top = SLIDE_H_IN - FOOTER_H_IN - 0.05
    _text_box(slide, MARGIN_IN, top, 10.5, FOOTER_H_IN, [left], 10, colour=GREY_TEXT, name="页脚")
    _text_box(slide, SLIDE_W_IN - MARGIN_IN - 1.5, top, 1.5, FOOTER_H_IN, [str(number)], 10, colour=GREY_TEXT,
              align="right", name="页码")


def _sample_mark(slide) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    w, h = 1.35, 0.42
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(SLIDE_W_IN - MARGIN_IN - w), Inches(0.12), Inches(w), Inches(h))
    shape.name = "示例数据标记"
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb("FFFFFF")
    shape.line.color.rgb = _rgb(SAMPLE_RED)
    shape.line.width = Pt(2)
    tf = shape.text_frame
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    p = tf.paragraphs[0]
    p.alignment = PP_ALIGN.CENTER
    run = p.add_run()
    run.text = charts.SAMPLE_MARK
    _style_run(run, 14, bold=True, colour=SAMPLE_RED)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


SUMMARY_TITLE = "总体情况"


def deck_pptx(briefing: Briefing, progress_cb: ProgressCallback | None = None) -> bytes:
    """A 16:9 deck: title slide, summary slide(s), one slide per chart (picture + notes)."""
    from pptx import Presentation
    from pptx.util import Inches

    pngs = briefing.render_images(progress_cb)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    prs.core_properties.title = f"{briefing.plan.config.short_name}实施监测简报({period_text(briefing.as_of)})"
    prs.core_properties.author = ISSUER
    prs.core_properties.language = "zh-CN"
    title_layout, title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    number = 0

    # title slide
    slide = prs.slides.add_slide(title_layout)
    number += 1
    _set_title(slide, briefing.plan.config.name, top=2.0, height=1.5, size=32, left=1.0, width=SLIDE_W_IN - 2.0, align="center")
    subtitle = slide.placeholders[1]
    subtitle.element.getparent().remove(subtitle.element)  # own text boxes instead: exact fonts and positions
    lines = ["规划实施监测简报", f"截至{period_text(briefing.as_of)}(时间进度{_pct(briefing.time_elapsed)}) · {briefing.scope_label}"]
    _text_box(slide, 1.0, 3.7, SLIDE_W_IN - 2.0, 1.2, lines, 22, colour=DARK, align="center", space_after=6, name="副标题")
    _text_box(slide, 1.0, 5.4, SLIDE_W_IN - 2.0, 0.9, [ISSUER, f"{briefing.created.year}年{briefing.created.month}月{briefing.created.day}日"], 18,
              colour=GREY_TEXT, align="center", name="发布单位")
    if briefing.sample_data:
        _sample_mark(slide)
    slide.notes_slide.notes_text_frame.text = briefing.summary_text

    # summary slide(s)
    body_w = SLIDE_W_IN - 2 * MARGIN_IN
    body_h = SLIDE_H_IN - BODY_TOP_IN - FOOTER_H_IN - 0.2
    pages = _split_to_fit(briefing.paragraphs, body_w, body_h)
    for i, (paras, size) in enumerate(pages):
        slide = prs.slides.add_slide(title_only)
        number += 1
        _set_title(slide, SUMMARY_TITLE if i == 0 else f"{SUMMARY_TITLE}(续)")
        _text_box(slide, MARGIN_IN, BODY_TOP_IN, body_w, body_h, paras, size, space_after=6, name="摘要")
        if briefing.sample_data:
            _sample_mark(slide)
        _footer(slide, briefing, number)
        slide.notes_slide.notes_text_frame.text = "\n".join(paras)

    # one slide per chart
    for chart, png in zip(briefing.charts, pngs):
        slide = prs.slides.add_slide(title_only)
        number += 1
        _set_title(slide, chart.title, size=24 if len(chart.title) <= 30 else 20)
        px_w, px_h = _png_size(png)
        box_w, box_h = SLIDE_W_IN - 2 * MARGIN_IN, body_h
        scale = min(box_w / px_w, box_h / px_h)
        w_in, h_in = px_w * scale, px_h * scale
        free = box_w - w_in
        if free >= 3.2:  # a tall picture leaves room: the key points beside it
            pic_left = MARGIN_IN
            side = chart.explanation.split("\n")
            side_w = free - 0.3
            size = _fit_size(side, side_w, box_h, sizes=(16, 15, 14, 13, 12, 11)) or 11
            _text_box(slide, MARGIN_IN + w_in + 0.3, BODY_TOP_IN, side_w, box_h, side, size, colour=DARK, space_after=6, name="要点")
        else:
            pic_left = MARGIN_IN + free / 2
        pic = slide.shapes.add_picture(io.BytesIO(png), Inches(pic_left), Inches(BODY_TOP_IN), Inches(w_in), Inches(h_in))
        pic.name = chart.title
        _footer(slide, briefing, number)
        slide.notes_slide.notes_text_frame.text = chart.explanation
    if progress_cb:
        progress_cb(1.0, "演示文稿已生成")
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
