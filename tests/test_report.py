"""Evaluation reports (lib/report): the document opened with python-docx — headings in order, 表1 one row per
indicator with the engine's label and numbers with units, 表2 one row per task, nothing unfilled, figures
with captions, GB/T 9704 margins and East Asian fonts — plus each kind's as-of quarter and its refusals.

Most reports here are built without chart images (fast, no browser); one test renders the figures through
the real headless Chromium, as tests/test_briefing.py does for the deck."""
from __future__ import annotations

import dataclasses
import io
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from lib import briefing, images, narrative, report
from lib.assess import assess_indicators, assess_tasks
from lib.messages import render
from lib.periods import Period
from lib.report import ReportError
from lib.status import TaskStatus, task_status_label
from tests.conftest import sample_inputs

HEADINGS = {
    "annual": ["一、总体情况", "二、主要指标完成情况", "三、重点任务推进情况", "四、存在的主要问题", "五、下一步工作建议", "附件"],
    "midterm": ["一、总体情况", "二、主要指标完成情况", "三、重点任务推进情况", "四、存在的主要问题", "五、下一步工作建议", "附件"],
    "final": ["一、总体情况", "二、主要指标完成情况", "三、重点任务推进情况", "四、存在的主要问题", "五、对下一个五年规划的建议", "附件"],
}
UNFILLED = re.compile(r"\bnan\b|\bNone\b|\bNaT\b|[{}]", re.IGNORECASE)


@pytest.fixture(scope="module")
def data(plan, tmp_path_factory):
    return sample_inputs(plan, tmp_path_factory.mktemp("report"))


def build(data, kind: str, as_of: str | None = None, scope=briefing.Scope(), **kw) -> report.Report:
    plan, progress, tasks, targets = data
    kw.setdefault("render_images", False)
    return report.build_report(plan, progress, tasks, targets, kind, as_of, scope,
                               sample_data=briefing.is_sample_data(plan, progress), source="测试来源", **kw)


_WRITTEN: dict[int, tuple[report.Report, bytes]] = {}  # the report is kept, so its id is never reused


def open_docx(rep: report.Report):
    """The report written once (per object) and opened afresh for each test."""
    if id(rep) not in _WRITTEN or _WRITTEN[id(rep)][0] is not rep:
        _WRITTEN[id(rep)] = (rep, report.report_docx(rep))
    return Document(io.BytesIO(_WRITTEN[id(rep)][1]))


def all_text(doc) -> list[str]:
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [c.text for row in table.rows for c in row.cells]
    out += [p.text for s in doc.sections for p in s.footer.paragraphs]
    return out


def table_after(doc, caption: str):
    """The table whose caption paragraph (style Caption) reads `caption`."""
    body = doc.element.body
    tables = {t._tbl: t for t in doc.tables}
    seen = False
    for el in body.iterchildren():
        if el.tag == qn("w:p") and Paragraph(el, doc).text == caption:
            seen = True
        elif seen and el.tag == qn("w:tbl"):
            return tables[el]
    raise AssertionError(f"no table after {caption!r}")


def rows_of(table) -> list[list[str]]:
    """Cell texts; a line break the writer put before a bracket (value, then period) is left out."""
    return [[c.text.replace("\n", "") for c in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def final(data):
    return build(data, "final")


# --- as-of quarter of each kind, impossible requests ---------------------------------------------------------

@pytest.mark.parametrize("kind, as_of, expected", [
    ("final", None, "2025Q4"), ("final", "2025Q4", "2025Q4"),
    ("midterm", None, "2023Q2"), ("midterm", "2024Q1", "2024Q1"),
    ("annual", None, "2025Q4"), ("annual", "2022Q4", "2022Q4"),
])
def test_report_quarter(data, kind, as_of, expected):
    plan, progress, tasks, _ = data
    assert str(report.report_as_of(plan, kind, progress, tasks, as_of)) == expected


@pytest.mark.parametrize("kind, as_of, code, fields", [
    ("final", "2024Q4", "report.final_as_of", {"value": "2024Q4", "last": "2025Q4"}),
    ("annual", "2023Q2", "report.annual_not_q4", {"value": "2023Q2", "example": "2023Q4"}),
    ("midterm", "2019Q4", "report.outside_plan", {"value": "2019Q4", "first": "2021Q1", "last": "2025Q4"}),
    ("annual", "2026Q4", "report.outside_plan", {"value": "2026Q4", "first": "2021Q1", "last": "2025Q4"}),
])
def test_impossible_requests_say_what_to_choose(data, kind, as_of, code, fields):
    plan, progress, tasks, _ = data
    with pytest.raises(ReportError) as exc:
        report.report_as_of(plan, kind, progress, tasks, as_of)
    assert str(exc.value) == render(code, **fields)


@pytest.mark.parametrize("kind, code, fields", [
    ("final", "report.final_no_data", {"last": "2025Q4"}),
    ("annual", "report.no_q4_yet", {}),
    ("midterm", "report.no_data_up_to", {"value": "2023Q2"}),
])
def test_no_data_for_the_quarter_refuses(data, kind, code, fields):
    """Progress that stops at 2021Q3: no final (no 2025Q4), no annual (no Q4 at all); midterm still has data."""
    plan, progress, tasks, _ = data
    early = lambda f: f[(f["year"] == 2021) & (f["quarter"] <= 3)]  # noqa: E731
    if kind == "midterm":
        early = lambda f: f.iloc[0:0]  # noqa: E731
    with pytest.raises(ReportError) as exc:
        report.report_as_of(plan, kind, early(progress), early(tasks))
    assert str(exc.value) == render(code, **fields)


@pytest.mark.parametrize("base, target, expected", [(2020, 2025, "2023Q2"), (2025, 2030, "2028Q2"), (2020, 2024, "2022Q4")])
def test_midterm_is_half_time(base, target, expected):
    assert str(report.midterm_period(SimpleNamespace(base_year=base, target_year=target))) == expected


@pytest.mark.parametrize("kind, as_of, title", [
    ("annual", "2023Q4", "沙市区“十四五”规划2023年度实施情况评估报告(初稿)"),
    ("midterm", None, "沙市区“十四五”规划实施情况中期评估报告(初稿)"),
    ("final", None, "沙市区“十四五”规划实施情况总结评估报告(初稿)"),
])
def test_title_and_line_under_it(data, kind, as_of, title):
    rep = build(data, kind, as_of)
    doc = open_docx(rep)
    assert doc.paragraphs[0].text == title and doc.paragraphs[0].style.name == "公文标题"
    assert doc.paragraphs[1].text == f"数据截至{narrative.period_text(rep.as_of)} · 含示例数据"
    assert re.fullmatch(r"生成时间:\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", doc.paragraphs[2].text)


# --- the document ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, as_of", [("annual", "2023Q4"), ("midterm", None), ("final", None)])
def test_headings_in_order_and_nothing_unfilled(data, kind, as_of):
    doc = open_docx(build(data, kind, as_of))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level1 == HEADINGS[kind]
    level2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    numbered = re.compile(r"^\([一二三四五六七八九十]+\)")  # (一)(二)…
    assert level2 and all(numbered.match(t) or t == "附图" for t in level2), level2
    offenders = [t for t in all_text(doc) if UNFILLED.search(t)]
    assert offenders == []


def test_table1_one_row_per_indicator_with_the_engines_label_and_units(data, final):
    plan, progress, _, targets = data
    engine = assess_indicators(plan, progress, Period(2025, 4), annual_targets=targets)
    rows = rows_of(table_after(open_docx(final), "表1 主要指标完成情况"))
    assert rows[0] == ["序号", "指标名称", "属性", "单位", "基期值", "目标值", "最新值(期间)", "进度", "评估结论", "责任单位"]
    body = rows[1:]
    assert [r[1] for r in body] == list(engine["name"])
    assert [r[0] for r in body] == [str(i) for i in range(1, len(engine) + 1)]
    for cells, (_, e) in zip(body, engine.iterrows()):
        assert cells[8].startswith(e["status_label"]), (e["indicator_id"], cells[8])
        assert cells[3] == e["unit"]
        if e["latest_period"]:
            assert cells[6].endswith(f"{e['unit']}({e['latest_period']})") or "万" in cells[6], cells[6]
        if pd.notna(e["baseline_value"]):
            assert cells[4].endswith(e["unit"]), cells[4]
        else:
            assert cells[4] == "—"


@pytest.mark.parametrize("indicator_id, latest, progress_cell, conclusion", [
    ("Y01", "5.8%(2025Q4)", "年均6.9%(完成度77.4%)", "未完成"),
    ("Y09", "3.9人(2024Q4)", "完成度75%", "基本符合预期(数据截至2024Q4)"),
    ("Y12", "79.45岁(2025Q4)", "完成度95.8%", "基本完成"),
    ("B06", "12.85万吨(2025Q4)", "完成度83.1%", "未完成"),
    ("B03", "84%(2025Q4)", "未达标", "未完成"),
    ("K06", "7,800人(2025Q4)", "完成度104%", "已完成"),
    ("Y04", "8.2%(2025Q4)", "—", "数据缺失"),
])
def test_table1_cells_of_the_final_report(data, final, indicator_id, latest, progress_cell, conclusion):
    plan = data[0]
    position = list(plan.indicators["indicator_id"]).index(indicator_id) + 1
    cells = rows_of(table_after(open_docx(final), "表1 主要指标完成情况"))[position]
    assert (cells[6], cells[7], cells[8]) == (latest, progress_cell, conclusion)


def _target_row(kind, target=None, assigned=None, ref=None):
    return pd.Series({"kind": kind, "unit": "%", "target_value": target, "assigned_target": assigned,
                      "latest_period": "2024Q4", "ref_indicator": ref})


@pytest.mark.parametrize("row, expected", [
    (_target_row("growth_rate", 9), "年均9%"), (_target_row("ceiling", 5.5), "≤5.5%"),
    (_target_row("in_step", ref="Y01"), "与地区生产总值增长同步"), (_target_row("in_step", ref=""), "与参照指标同步"),
    (_target_row("quota", assigned=3.2), "上级下达3.2%(2024年)"), (_target_row("quota"), "完成上级下达指标"),
])
def test_table1_target_cell_by_kind(row, expected):
    from lib.report.content import target_text
    assert target_text(row, {"Y01": "地区生产总值增长"}) == expected


def test_table2_one_row_per_task_final_labels(data, final):
    plan, _, tasks, _ = data
    engine = assess_tasks(plan, tasks, Period(2025, 4))
    rows = rows_of(table_after(open_docx(final), "表2 重点任务推进情况"))
    assert rows[0] == ["编号", "任务", "牵头单位", "状态", "完成进度", "最新进展"]
    assert [r[0] for r in rows[1:]] == list(engine["task_id"])
    done = task_status_label(TaskStatus.DONE, final=True)
    for cells, (_, e) in zip(rows[1:], engine.iterrows()):
        assert cells[3] == done if e["status"] == "done" else cells[3].startswith("未完成(")
        assert len(cells[5]) <= 80


def test_midterm_table1_shows_the_outlook(data):
    plan, progress, _, targets = data
    engine = assess_indicators(plan, progress, Period(2023, 2), annual_targets=targets)
    rows = rows_of(table_after(open_docx(build(data, "midterm")), "表1 主要指标完成情况"))[1:]
    at_risk = [r[8].endswith(";预计难以完成") for r in rows]
    assert at_risk == list(engine["outlook"] == "at_risk")
    assert any(at_risk)


def test_overall_paragraph_is_written_from_the_numbers(data, final):
    """一、总体情况: the label counts equal the engine's, and change when the data change."""
    plan, progress, tasks, targets = data
    engine = assess_indicators(plan, progress, Period(2025, 4), annual_targets=targets)
    text = final.blocks[1].text
    assert text.startswith("截至2025年第四季度(时间进度100%),26项指标中")
    early = engine[(engine["time_elapsed"] < 1) & (engine["status"] != "no_data")]
    judged = engine.drop(early.index)
    for label, n in judged["status_label"].value_counts().items():
        assert f"{label}{n}项" in text, label
    for (label, period), part in early.groupby(["status_label", "latest_period"]):
        assert f"{label}(数据截至{period}){len(part)}项" in text
    worse = progress[~((progress["indicator_id"] == "K06") & (progress["year"] == 2025))]
    other = report.build_report(plan, worse, tasks, targets, "final", sample_data=True, source="", render_images=False)
    assert other.blocks[1].text != text


def test_annex_values_by_year(data, final):
    rows = rows_of(table_after(open_docx(final), "附表1 主要指标逐年完成情况"))
    assert rows[0] == ["序号", "指标名称", "单位", "基期值(2020年)", "2021年", "2022年", "2023年", "2024年", "2025年", "目标值"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["服务业增加值"][3:] == ["250.03", "294.36", "330", "362", "385", "405", "400亿元"]
    assert by_name["每千人口拥有执业(助理)医师数"][8] == "—"  # no 2025Q4 value: the report does not invent one


def test_midterm_annex_marks_the_part_year(data):
    rows = rows_of(table_after(open_docx(build(data, "midterm")), "附表1 主要指标逐年完成情况"))
    assert rows[0][4:7] == ["2021年", "2022年", "2023年(Q2)"]


def test_reporting_annex_lists_units(data, plan):
    from datetime import date

    from lib.reporting import reporting_status
    db_plan, progress, tasks, targets = data
    reported = pd.DataFrame({"item_type": ["任务"], "item_id": ["T01-01"], "unit": ["区发改局"], "account": ["system"],
                             "created_at": [pd.Timestamp("2026-01-05", tz="UTC")]})
    status = reporting_status(db_plan, Period(2025, 4), reported, 15, date(2026, 3, 1))
    rep = report.build_report(db_plan, progress, tasks, targets, "final", sample_data=True, source="", reporting=status,
                              render_images=False)
    rows = rows_of(table_after(open_docx(rep), "附表2 各责任单位2025年第四季度报送情况"))
    assert rows[0] == ["单位", "应报(项)", "按时报送", "逾期报送", "未报送", "报送率"]
    fagai = next(r for r in rows if r[0] == "区发改局")
    owed = int((status["unit"] == "区发改局").sum())
    assert fagai[1:] == [str(owed), "1", "0", str(owed - 1), f"{100 / owed:.1f}%"]


def test_unit_scope_keeps_to_the_unit(data, plan):
    rep = build(data, "annual", "2023Q4", briefing.Scope("unit", "区人社局").resolved(plan))
    mine = set(plan.responsibilities("区人社局")["item_id"])
    rows = rows_of(table_after(open_docx(rep), "表1 主要指标完成情况"))[1:]
    names = dict(zip(plan.indicators["indicator_id"], plan.indicators["name"]))
    assert [r[1] for r in rows] == [names[i] for i in plan.indicators["indicator_id"] if i in mine]
    assert rep.file_name() == "年度评估报告_2023Q4_区人社局.docx"
    assert "范围:区人社局" in rep.subtitle


# --- the next plan (final report, 五) --------------------------------------------------------------------------

def _continuation_note(rep: report.Report) -> str:
    heading = next(i for i, b in enumerate(rep.blocks) if isinstance(b, report.Heading) and b.text == "(一)延续到下一个五年规划的指标")
    return rep.blocks[heading + 1].text


def test_final_report_without_a_next_plan_says_it_is_not_loaded(final):
    assert _continuation_note(final) == render("report.no_next_plan")      # the seed plan's indicators carry codes


def test_final_report_without_codes_says_it_cannot_tell_what_continues(data):
    plan, *rest = data
    uncoded = dataclasses.replace(plan, indicators=plan.indicators.assign(code=""))
    assert _continuation_note(build((uncoded, *rest), "final")) == render("report.no_codes", count=26)


def test_final_report_lists_continuing_codes_with_the_next_targets(data):
    plan, progress, tasks, targets = data
    codes = {"Y03": "URB", "B05": "FOREST", "Y01": "GDP"}
    this = dataclasses.replace(plan, indicators=plan.indicators.assign(code=plan.indicators["indicator_id"].map(codes)))
    nxt_ind = plan.indicators[plan.indicators["indicator_id"].isin(["Y03", "B05"])].assign(
        code=["URB", "FOREST"], target_value=[92.0, 37.0])
    nxt = dataclasses.replace(plan, indicators=nxt_ind.reset_index(drop=True),
                              config=dataclasses.replace(plan.config, short_name="沙市区“十五五”规划"))
    rep = report.build_report(this, progress, tasks, targets, "final", sample_data=True, source="", next_plan=nxt,
                              render_images=False)
    rows = rows_of(table_after(open_docx(rep), "表3 延续到下一个五年规划的指标"))
    assert rows == [["编码", "指标名称", "本规划目标", "完成情况", "下一规划目标"],
                    ["URB", "常住人口城镇化率", "90%", "已完成", "92%"],
                    ["FOREST", "森林覆盖率", "36%", "已完成", "37%"]]
    assert render("report.continuing", count=2, name="沙市区“十五五”规划") in rep.text()


# --- layout: margins, fonts, table headers, page numbers ----------------------------------------------------------

def test_page_layout_gb_t_9704(final):
    doc = open_docx(final)
    (section,) = doc.sections
    mm = lambda length: round(length.mm, 1)  # noqa: E731  (stored in twips: 1/1440 inch)
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)] == [37, 35, 28, 26]
    footer = section.footer.paragraphs[0]
    assert footer.text == "— 1 —" and footer.alignment == 1  # CENTER
    assert [i.text.strip() for i in footer._p.iter(qn("w:instrText"))] == ["PAGE"]


def _east_asian(element) -> str | None:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts")) if element.find(qn("w:rPr")) is not None else None
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


@pytest.mark.parametrize("style, font, size_pt", [
    ("Normal", "仿宋_GB2312", 16), ("Heading 1", "黑体", 16), ("Heading 2", "楷体", 16), ("公文标题", "方正小标宋简体", 22),
])
def test_styles_name_east_asian_fonts(final, style, font, size_pt):
    st = open_docx(final).styles[style]
    assert _east_asian(st.element) == font
    assert st.font.size.pt == size_pt
    fonts = st.element.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    assert not any(fonts.get(qn(a)) for a in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme"))


def test_every_run_names_its_east_asian_font(final):
    doc = open_docx(final)
    expected = {"公文标题": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体", "Normal": "仿宋_GB2312", "注释": "仿宋_GB2312"}
    for p in doc.paragraphs:
        for run in p.runs:
            if run.text:
                assert _east_asian(run._element) == expected.get(p.style.name, _east_asian(run._element)), (p.style.name, run.text)
    for table in doc.tables:
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None  # repeats on each page
        for cell in table.rows[1].cells:
            assert all(_east_asian(r._element) == "仿宋_GB2312" for r in cell.paragraphs[0].runs)


def test_captions_number_tables_and_figures_in_order(final):
    doc = open_docx(final)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    tables = [c.split()[0] for c in captions if c.startswith(("表", "附表"))]
    assert tables == ["表1", "表2", "附表1", "附表3"]  # 附表2 needs the reporting records (none passed here)
    assert len(doc.tables) == len(tables)


# --- with the figures (real Chromium) ------------------------------------------------------------------------------

def test_final_report_figures_with_captions(data):
    ok, message = images.export_available()
    assert ok, message
    rep = build(data, "final", render_images=True)
    doc = open_docx(rep)
    pictures = [i for i, p in enumerate(doc.paragraphs) if p._p.findall(".//" + qn("pic:pic"))]
    assert len(pictures) == len(rep.pack.charts) == len(doc.inline_shapes)
    captions = [doc.paragraphs[i + 1].text for i in pictures]
    assert captions == [f"图{n} {c.title}" for n, c in enumerate(
        [rep.pack.charts[b.chart] for b in rep.blocks if isinstance(b, report.Figure)], start=1)]
    assert all(doc.paragraphs[i + 1].style.name == "Caption" for i in pictures)
    assert captions[0] == "图1 各类指标进展情况"
    images.shutdown()


# --- the deck says the same ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, as_of", [("midterm", None), ("final", None)])
def test_deck_and_report_share_the_sentences(data, kind, as_of):
    rep = build(data, kind, as_of)
    plan, progress, tasks, targets = data
    deck = briefing.build_briefing(plan, progress, tasks, targets, rep.as_of, sample_data=True, source="", render_images=False)
    first = rep.blocks[1].text
    assert first.startswith(deck.paragraphs[0] + deck.paragraphs[1])
    tasks_sentence = next(p for p in deck.paragraphs if "项重点任务中" in p)
    assert tasks_sentence in first
    late = next(p for p in deck.paragraphs if p.startswith("滞后的任务有"))
    assert any(isinstance(b, report.Para) and late in b.text for b in rep.blocks)


def test_deck_summary_at_the_end_uses_final_labels(data):
    plan, progress, tasks, targets = data
    deck = briefing.build_briefing(plan, progress, tasks, targets, "2025Q4", sample_data=True, source="", render_images=False)
    assert deck.paragraphs[0].startswith("截至2025年第四季度(时间进度100%),26项指标中已完成")
    assert "滞后" not in deck.paragraphs[0] and "快于预期" not in deck.paragraphs[0]
    assert "基本符合预期(数据截至2024Q4)1项" in deck.paragraphs[0]
    assert "38项重点任务中已完成" in deck.summary_text and "、未完成" in deck.summary_text


def test_contributions_are_quoted_not_counted(data, final):
    from lib.assess import task_contributions
    plan, _, tasks, _ = data
    rows = task_contributions(plan, tasks, Period(2025, 4))
    assert len(rows)
    text = final.text()
    for _, r in rows.iterrows():
        assert f"{r['unit']}({r['relation']})报送{r['task_id']}" in text
    with_problems = rows[rows["problems"] != ""]
    for _, r in with_problems.iterrows():
        assert f"{r['unit']}(配合{r['task_id']})反映:" in text
    engine = assess_tasks(plan, tasks, Period(2025, 4)).set_index("task_id")
    table = {r[0]: r[3] for r in rows_of(table_after(open_docx(final), "表2 重点任务推进情况"))[1:]}
    for task_id in rows["task_id"]:
        assert table[task_id].startswith(task_status_label(engine.loc[task_id, "status"], final=True))
