"""Briefing pack (lib/briefing.py): summary numbers equal the engine's, the deck opens with python-pptx with the
expected slides, notes and summary numbers, the ZIP holds one valid PNG per chart, data exports neutralise
formula-leading text. The deck and the ZIP need the real headless Chromium (as tests/test_images.py)."""
from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from lib import briefing, images
from lib.assess import assess_indicators, assess_tasks
from lib.briefing import Scope, ScopeError
from lib.periods import Period
from lib.status import Status, TaskStatus, status_label, task_status_label
from tests.conftest import sample_inputs




@pytest.fixture(scope="module")
def data(plan, tmp_path_factory):
    """The dashboard's data: the sample workbook seeded into a temp store, as the CLI and the pages read it."""
    return sample_inputs(plan, tmp_path_factory.mktemp("brief"))


def build(data, as_of: str, scope: Scope = Scope(), **kw) -> briefing.Briefing:
    plan, progress, tasks, targets = data
    kw.setdefault("render_images", False)
    return briefing.build_briefing(plan, progress, tasks, targets, as_of, scope,
                                   sample_data=briefing.is_sample_data(plan, progress), source="测试来源", **kw)


def engine(data, as_of: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    plan, progress, tasks, targets = data
    return (assess_indicators(plan, progress, Period.parse(as_of), annual_targets=targets),
            assess_tasks(plan, tasks, Period.parse(as_of)))


def counts_in(text: str, labels: list[str]) -> dict[str, int]:
    """Parse "提前实现1项、快于预期4项…" back into numbers."""
    return {label: int(re.search(rf"{label}(\d+)项", text).group(1)) for label in labels}


# --- scope ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, value", [
    ("all", "all", None), ("", "all", None), ("全部", "all", None), ("section:3", "section", 3),
    ("unit:区人社局", "unit", "区人社局"), ("unit:区人社局", "unit", "区人社局"),
])
def test_scope_parse(text, kind, value):
    scope = Scope.parse(text)
    assert (scope.kind, scope.value) == (kind, value)
    assert Scope.parse(str(scope)) == scope


@pytest.mark.parametrize("text, message", [
    ("region:1", "范围“region:1”不对,应写作 all、section:3(第3篇)或 unit:区人社局"),
    ("section:x", "范围“section:x”不对,应写作 all、section:3(第3篇)或 unit:区人社局"),
    ("section:99", "规划中没有第 99 篇,可选:1、2、3、4、5、6、7、8、9、10"),
])
def test_bad_scopes_say_what_to_write(plan, text, message):
    with pytest.raises(ScopeError) as exc:
        Scope.parse(text).resolved(plan)
    assert str(exc.value) == message


def test_unit_scope_resolves_an_alias(plan):
    assert Scope.parse("unit:区市场监督局").resolved(plan) == Scope("unit", "区市场监管局")
    with pytest.raises(ScopeError, match="单位“区不存在局”不在单位名录中"):
        Scope.parse("unit:区不存在局").resolved(plan)


# --- summary text ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of", ["2023Q2", "2023Q4"])
def test_summary_numbers_equal_the_engine(data, as_of):
    ind, tasks = engine(data, as_of)
    b = build(data, as_of)
    first, binding = b.paragraphs[0], b.paragraphs[1]
    tau = b.time_elapsed
    assert first.startswith(f"截至{briefing.period_text(Period.parse(as_of))}(时间进度{tau:.0%}),{len(ind)}项指标中")
    labels = [status_label(s, tau) for s in Status]
    assert counts_in(first, labels) == {status_label(s, tau): int((ind["status"] == s.value).sum()) for s in Status}
    bind = ind[ind["category"] == "约束性"]
    assert binding.startswith(f"{len(bind)}项约束性指标中")
    assert counts_in(binding, ["滞后", "数据缺失"]) == {"滞后": int((bind["status"] == "behind").sum()),
                                                   "数据缺失": int((bind["status"] == "no_data").sum())}
    task_para = next(p for p in b.paragraphs if "项重点任务中" in p)
    assert task_para.startswith(f"{len(tasks)}项重点任务中")
    assert counts_in(task_para, [task_status_label(s) for s in TaskStatus]) == {
        task_status_label(s): int((tasks["status"] == s.value).sum()) for s in TaskStatus}


def test_summary_2023q2_names_the_most_lagging_with_units(data):
    text = build(data, "2023Q2").summary_text
    assert "Y01 地区生产总值年均增速(完成度42.9%,时间进度50%,责任单位:区发改局)" in text
    assert "等6项" in text  # six behind, five named
    assert "数据缺失的是:Y04 地方一般公共预算收入年均增速(缺少2022年第四季度数据)" in text
    assert "滞后的任务有:" in text and "牵头单位:" in text
    assert text.endswith("注:本材料的进度数据含示例数据,仅供演示,不代表实际情况。")


def test_summary_for_a_unit_counts_only_its_items(data, plan):
    b = build(data, "2023Q4", Scope("unit", "区人社局"))
    mine = set(plan.responsibilities("区人社局")["item_id"])
    ind, tasks = engine(data, "2023Q4")
    ind, tasks = ind[ind["indicator_id"].isin(mine)], tasks[tasks["task_id"].isin(mine)]
    assert list(b.indicators["indicator_id"]) == list(ind["indicator_id"])
    assert b.paragraphs[0].startswith(f"截至2023年第四季度(时间进度60%),区人社局负责的{len(ind)}项指标中")
    task_para = next(p for p in b.paragraphs if "项重点任务中" in p)
    assert task_para.startswith(f"区人社局负责的{len(tasks)}项重点任务中")
    assert counts_in(task_para, ["正常推进", "滞后"]) == {"正常推进": int((tasks["status"] == "on_track").sum()),
                                                   "滞后": int((tasks["status"] == "behind").sum())}


def test_summary_without_sample_note_when_data_are_real(data):
    plan, progress, tasks, targets = data
    b = briefing.build_briefing(plan, progress, tasks, targets, "2023Q2", sample_data=False, source="", render_images=False)
    assert "示例数据" not in b.summary_text


# --- charts ------------------------------------------------------------------------------------------------

def test_charts_for_the_whole_plan(data):
    b = build(data, "2023Q2")
    titles = [c.title for c in b.charts]
    assert titles[:6] == ["各类指标进展情况", "目标完成度与时间进度", "各篇章重点任务推进情况",
                          "重点任务季度推进情况(T01-01至T07-02)", "重点任务季度推进情况(T07-03至T10-06)",
                          "各单位重点任务进展(按滞后项数排序)"]
    behind = briefing.lagging_indicators(b.indicators)
    assert titles[6:] == [f"{r.indicator_id} {r.name}" for r in behind.head(briefing.MAX_SERIES).itertuples()]
    assert all(c.explanation.strip() for c in b.charts)


def test_charts_for_a_section_keep_to_it(data):
    b = build(data, "2023Q4", Scope("section", 3))
    assert set(b.tasks["section_no"]) == {3}
    assert set(b.history["task_id"]) == set(b.tasks["task_id"])
    sections = b.charts[[c.title for c in b.charts].index("各篇章重点任务推进情况")].fig
    assert [t.y for t in sections.data if len(t.y)][0] == ("三、发展现代产业体系…",)


def test_export_figures_stand_alone(data):
    b = build(data, "2023Q2")
    fig = b.export_figure(b.charts[0]).to_dict()
    names = {a.get("name"): a["text"] for a in fig["layout"]["annotations"]}
    assert fig["layout"]["title"]["subtitle"]["text"] == "截至 2023年第二季度"
    assert names["footer"] == "数据来源:测试来源  |  单位:项" and "示例数据" in names["sample_mark"]


# --- data exports ---------------------------------------------------------------------------------------------

def test_data_exports_neutralise_formula_leading_notes(data):
    plan, progress, tasks, targets = data
    evil = progress.copy()
    evil.loc[evil.index[0], "note"] = '=HYPERLINK("http://evil.example","点我")'
    b = briefing.build_briefing(plan, evil, tasks, targets, "2023Q2", sample_data=True, source="", render_images=False)
    files = briefing.data_exports(b)
    assert sorted(files) == sorted(["评估与进度_2023Q2.xlsx", "指标评估_2023Q2.csv", "任务评估_2023Q2.csv",
                                    "指标进度_2023Q2.csv", "任务进度_2023Q2.csv"])
    csv = pd.read_csv(io.BytesIO(files["指标进度_2023Q2.csv"]), encoding="utf-8-sig")
    assert list(csv.columns[:8]) == ["指标编号", "指标名称", "年份", "季度", "数值", "年度目标值", "填报单位", "备注"]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in set(csv["备注"])
    wb = load_workbook(io.BytesIO(files["评估与进度_2023Q2.xlsx"]))
    assert wb.sheetnames == ["指标评估", "任务评估", "指标进度", "任务进度"]
    notes = [row[7] for row in wb["指标进度"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in notes
    assert not any(c.data_type == "f" for row in wb["指标进度"].iter_rows() for c in row)
    ind = pd.read_csv(io.BytesIO(files["指标评估_2023Q2.csv"]), encoding="utf-8-sig")
    assert list(ind["指标编号"]) == list(plan.indicators["indicator_id"])
    assert ind.set_index("指标编号").at["Y01", "完成度(%)"] == 42.9
    rows = pd.read_csv(io.BytesIO(files["指标进度_2023Q2.csv"]), encoding="utf-8-sig")
    assert (rows["年份"] * 4 + rows["季度"] - 1).max() <= Period(2023, 2).index   # nothing after as-of


# --- images, ZIP and deck (real browser) ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pack(data):
    ok, message = images.export_available()
    if not ok:
        pytest.fail(message, pytrace=False)
    b = build(data, "2023Q2", render_images=True)
    yield b, briefing.charts_zip(b), briefing.deck_pptx(b)
    images.shutdown()


def test_zip_has_one_valid_png_per_chart(pack):
    b, zipped, _ = pack
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        names = zf.namelist()
        assert names == b.image_names()
        assert names[0] == "01_各类指标进展情况_2023Q2.png"
        assert len(names) == len(b.charts) and len(set(names)) == len(names)
        for name, chart in zip(names, b.charts):
            png = zf.read(name)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            im = Image.open(io.BytesIO(png))
            height = int(b.export_figure(chart).layout.height)
            assert im.size == (briefing.IMAGE_WIDTH * briefing.IMAGE_SCALE, height * briefing.IMAGE_SCALE)


def test_images_are_rendered_once_and_reused(pack):
    b, zipped, _ = pack
    first = b.pngs
    briefing.charts_zip(b)
    assert b.pngs is first


def slide_texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_deck_opens_with_expected_slides_titles_and_notes(pack):
    from pptx import Presentation
    from pptx.util import Inches
    b, _, deck = pack
    prs = Presentation(io.BytesIO(deck))
    assert (prs.slide_width, prs.slide_height) == (Inches(briefing.SLIDE_W_IN), Inches(briefing.SLIDE_H_IN))
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    summary_pages = [t for t in titles if t.startswith(briefing.SUMMARY_TITLE)]
    assert titles[0] == b.plan.config.name
    assert titles[1] == "总体情况"
    assert titles[1 + len(summary_pages):] == [c.title for c in b.charts]
    assert len(slides) == 1 + len(summary_pages) + len(b.charts)
    assert "截至2023年第二季度(时间进度50%) · 全区" in slide_texts(slides[0])[1]
    assert "区发改局" in " ".join(slide_texts(slides[0]))
    for slide, chart in zip(slides[1 + len(summary_pages):], b.charts):
        assert slide.notes_slide.notes_text_frame.text == chart.explanation
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        pic = pictures[0]
        assert pic.left >= 0 and pic.top >= Inches(1) and pic.left + pic.width <= prs.slide_width
        assert pic.top + pic.height <= prs.slide_height - Inches(briefing.FOOTER_H_IN)


@pytest.mark.parametrize("text, want", [
    ("未列入本图:Y04、Y07、B03。", "未列入本图:\u200bY04、\u200bY07、\u200bB03。"),
    ("控制类、同步类、上级下达类", "控制类、同步类、上级下达类"),          # Chinese words: no change
    ("K04 轻工纺织;K08 市级", "K04 轻工纺织;\u200bK08 市级"),
    ("完成 1,234.5 亿元,P 75%,τ 100%", "完成 1,234.5 亿元,\u200bP 75%,τ 100%"),   # a number is never split
])
def test_a_break_is_offered_after_a_comma_before_a_latin_word(text, want):
    from lib.briefing_deck import breakable
    assert breakable(text) == want


def test_deck_side_text_is_the_explanation_with_breaks_between_ids(pack):
    """LibreOffice broke an ID list inside an ID ("B0" / "3"); each ID after a comma now follows a break."""
    from pptx import Presentation
    from lib.briefing_deck import ZERO_WIDTH_SPACE
    b, _, deck = pack
    boxes = [s for slide in Presentation(io.BytesIO(deck)).slides for s in slide.shapes if s.name == "要点"]
    assert boxes
    for box in boxes:
        text = box.text_frame.text
        assert not re.search(r"[、，；：][0-9A-Za-z]|[,;:][A-Za-z]", text)
        assert text.replace(ZERO_WIDTH_SPACE, "") in {"\n".join(c.explanation.split("\n")) for c in b.charts}
    assert any(ZERO_WIDTH_SPACE in box.text_frame.text for box in boxes)


def test_deck_summary_numbers_match_the_engine(pack, data):
    from pptx import Presentation
    b, _, deck = pack
    prs = Presentation(io.BytesIO(deck))
    text = "\n".join(t for s in prs.slides if s.shapes.title.text.startswith("总体情况") for t in slide_texts(s))
    ind, tasks = engine(data, "2023Q2")
    tau = b.time_elapsed
    assert re.search(r"(\d+)项指标中", text).group(1) == str(len(ind))
    assert counts_in(text, [status_label(s, tau) for s in Status]) == {
        status_label(s, tau): int((ind["status"] == s.value).sum()) for s in Status}
    assert re.search(r"(\d+)项重点任务中", text).group(1) == str(len(tasks))
    assert "示例数据" in " ".join(t for s in list(prs.slides)[:2] for t in slide_texts(s))


def test_deck_text_names_a_cjk_font(pack):
    _, _, deck = pack
    with zipfile.ZipFile(io.BytesIO(deck)) as zf:
        xml = zf.read("ppt/slides/slide2.xml").decode()
    assert f'<a:ea typeface="{briefing.DECK_FONT}"/>' in xml and 'lang="zh-CN"' in xml
