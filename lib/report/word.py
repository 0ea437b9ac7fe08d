"""Write a report's blocks as a .docx in the usual government layout (GB/T 9704-2012): the only python-docx user.

A4 portrait; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (text block 156 × 225 mm); title 2号
(22 pt) 方正小标宋简体; body 3号 (16 pt) 仿宋_GB2312 at an exact 29 pt line pitch (22 lines a page), first
line indented two characters; 一级标题 黑体, 二级标题 楷体, both Word heading styles (Heading 1/2: the
navigation pane and the table of contents work); tables 五号/小五 with a header row that repeats on every
page; captions 表N above tables, 图N below figures; page numbers "— 1 —" (a PAGE field) centred in the footer.

python-docx's `font.name` sets only the Latin fonts: Chinese text takes the `w:eastAsia` font of `w:rFonts`,
so every style and every run sets it explicitly (and drops the template's theme-font attributes, which
would otherwise win). Word and WPS users have these fonts; elsewhere (LibreOffice on Linux) a CJK font is
substituted.
"""
from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from lib.report.content import Figure, Heading, Para, Report, Table

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体"
LATIN_FONT = "Times New Roman"
PAGE_NUMBER_FONT = "宋体"
TITLE_PT, BODY_PT, NOTE_PT, PAGE_NUMBER_PT = 22, 16, 12, 14     # 2号, 3号, 小四, 4号
LINE_PT = 29                                                     # 225 mm / 22 lines
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
PAGE_MM = (210, 297)
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]   # 156
MAX_FIGURE_HEIGHT_MM = 170
CELL_MARGIN_MM = 1.2
BLACK = RGBColor(0, 0, 0)
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --- fonts ---------------------------------------------------------------------------------------------

def set_fonts(rpr_parent, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the East Asian font (w:eastAsia) and the Latin ones on a run's or a style's rPr, theme fonts off."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian), ("w:cs", latin)):
        fonts.set(qn(attr), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style_font(style, east_asian: str, size_pt: float, *, bold: bool = False) -> None:
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = BLACK
    set_fonts(style.element, east_asian)


def _paragraph_format(style, *, indent: bool, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line_pt: float | None = LINE_PT) -> None:
    pf = style.paragraph_format
    pf.alignment = align
    pf.first_line_indent = Pt(BODY_PT * 2) if indent else Pt(0)
    pf.left_indent = Pt(0)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line_pt:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _style_font(normal, BODY_FONT, BODY_PT)
    _paragraph_format(normal, indent=True)
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT)):
        st = styles[name]
        _style_font(st, font, BODY_PT)
        _paragraph_format(st, indent=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        st.paragraph_format.keep_with_next = True
    title = styles.add_style("公文标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    _style_font(title, TITLE_FONT, TITLE_PT)
    _paragraph_format(title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=36)
    sub = styles.add_style("报告说明", WD_STYLE_TYPE.PARAGRAPH)
    sub.base_style = normal
    _style_font(sub, H2_FONT, NOTE_PT + 2)
    _paragraph_format(sub, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=24)
    sub.paragraph_format.space_after = Pt(LINE_PT)
    caption = styles["Caption"]
    caption.base_style = normal
    _style_font(caption, H1_FONT, 14)
    _paragraph_format(caption, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=24)
    caption.paragraph_format.keep_with_next = True
    note = styles.add_style("注释", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _style_font(note, BODY_FONT, NOTE_PT)
    _paragraph_format(note, indent=True, line_pt=20)
    cell = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    _style_font(cell, BODY_FONT, 10.5)
    _paragraph_format(cell, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT, line_pt=None)


def _run(paragraph, text: str, east_asian: str, size_pt: float | None = None, *, bold: bool = False):
    run = paragraph.add_run(text)
    set_fonts(run._element, east_asian)
    if size_pt:
        run.font.size = Pt(size_pt)
    run.font.bold = bold
    return run


# --- page setup and footer ----------------------------------------------------------------------------------

def _page(section, *, landscape: bool = False) -> None:
    w, h = PAGE_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28)  # the number sits about 7 mm below the last line, as GB/T 9704 asks


def _field(paragraph, instruction: str, east_asian: str, size_pt: float) -> None:
    """A Word field (e.g. PAGE) as begin / instruction / separate / placeholder / end runs."""
    def char(kind: str):
        run = _run(paragraph, "", east_asian, size_pt)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
    char("begin")
    run = _run(paragraph, "", east_asian, size_pt)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._element.append(instr)
    char("separate")
    _run(paragraph, "1", east_asian, size_pt)
    char("end")


def _footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.style = section.part.document.styles["Normal"] if hasattr(section.part, "document") else p.style
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _run(p, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    _field(p, "PAGE", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    _run(p, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


# --- blocks --------------------------------------------------------------------------------------------------

def _heading(doc, block: Heading) -> None:
    p = doc.add_paragraph(style=f"Heading {block.level}")
    _run(p, block.text, H1_FONT if block.level == 1 else H2_FONT)


def _para(doc, block: Para) -> None:
    p = doc.add_paragraph(style="注释" if block.note else "Normal")
    _run(p, block.text, BODY_FONT)


def _caption(doc, text: str, *, keep_with_next: bool = True) -> None:
    p = doc.add_paragraph(style="Caption")
    p.paragraph_format.keep_with_next = keep_with_next
    _run(p, text, H1_FONT)


def _cell_margins(table) -> None:
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(CELL_MARGIN_MM * 56.7 * (0.4 if side in ("top", "bottom") else 1))))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.append(mar)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cant_split(row) -> None:
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _short(text: str) -> bool:
    """Numbers, codes and words of up to four characters are centred; longer text reads better flush left."""
    return len(text) <= 4 or bool(re.fullmatch(r"[\d.,%—\-+QT()()年月]+", text))


def _fill(cell, text: str, size_pt: float, *, header: bool, width, style_id: str) -> None:
    cell.width = width
    p = cell.paragraphs[0]
    p._p.style = style_id  # by id: python-docx's lookup by name scans every style, per cell
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER if header or _short(text) else WD_ALIGN_PARAGRAPH.LEFT
    _run(p, text, H1_FONT if header else BODY_FONT, size_pt)


def _table(doc, block: Table) -> None:
    _caption(doc, f"{block.number} {block.caption}")
    scale = TEXT_WIDTH_MM / sum(block.widths_mm)
    widths = [Mm(w * scale) for w in block.widths_mm]
    table = doc.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table)
    style_id = doc.styles["表格文字"].style_id
    head = table.rows[0]
    _repeat_header(head)
    _cant_split(head)
    for cell, text, w in zip(head.cells, block.header, widths):
        _fill(cell, text, block.font_pt, header=True, width=w, style_id=style_id)
    for values in block.rows:
        row = table.add_row()
        _cant_split(row)
        for cell, text, w in zip(row.cells, values, widths):
            _fill(cell, text, block.font_pt, header=False, width=w, style_id=style_id)
    for col, w in zip(table.columns, widths):
        col.width = w
    doc.add_paragraph(style="注释")  # a little air before the next paragraph


def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _figure(doc, block: Figure, png: bytes) -> None:
    px_w, px_h = _png_size(png)
    width_mm = TEXT_WIDTH_MM
    if px_h * width_mm / px_w > MAX_FIGURE_HEIGHT_MM:
        width_mm = MAX_FIGURE_HEIGHT_MM * px_w / px_h
    p = doc.add_paragraph(style="表格文字")
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    _caption(doc, f"图{block.number} {block.caption}", keep_with_next=False)


# --- the document ---------------------------------------------------------------------------------------------

def report_docx(report: Report, pngs: list[bytes] | None = None) -> bytes:
    """The report as .docx bytes. Figures need the chart PNGs (`report.pack.render_images()`); without
    them (no browser) a figure becomes a note saying where to find the chart."""
    pngs = pngs if pngs is not None else report.pack.pngs
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _footer(section)
    props = doc.core_properties
    props.title, props.author, props.language = report.title, "区发改局", "zh-CN"
    props.subject = report.kind.label
    title = doc.add_paragraph(style="公文标题")
    _run(title, report.title, TITLE_FONT)
    for i, line in enumerate(report.subtitle.split("\n")):
        sub = doc.add_paragraph(style="报告说明")
        if i < report.subtitle.count("\n"):
            sub.paragraph_format.space_after = Pt(0)
        _run(sub, line, H2_FONT)
    for block in report.blocks:
        if isinstance(block, Heading):
            _heading(doc, block)
        elif isinstance(block, Para):
            _para(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
        elif pngs:
            _figure(doc, block, pngs[block.chart])
        else:
            _para(doc, Para(f"图{block.number} {block.caption}:本机无法导出图片,请在看板「简报导出」页下载。", note=True))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
