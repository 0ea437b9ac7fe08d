"""Reading a task-division notice into a draft plan: wording → kind, structure, units, the seed round trip,
.docx/.html = .txt, and the `plan from-notice` command's exit codes and messages."""
from __future__ import annotations

import io
import random
import subprocess
import sys
import zipfile
from html import escape
from pathlib import Path

import pandas as pd
import pytest

from lib import notice, schema
from lib.cli import main
from lib.messages import render
from lib.notice import Line, NoticeError, classify, parse_notice
from lib.plan import check_plan_dir

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "source" / "shashi-14th-five-year-plan-task-division.txt"


def lines_of(text: str) -> list[Line]:
    return notice.notice_lines(text.encode("utf-8"), "test.txt")


@pytest.fixture(scope="module")
def seed_draft() -> notice.Draft:
    return notice.draft_from_notice(SEED)


# --- wording → (kind, target, unit, direction) ----------------------------------------------------------

WORDING = [
    # growth_rate: 年均增速 / 年均增长 X%
    ("地区生产总值年均增速9%。", "growth_rate", 9, "%", "up", "地区生产总值年均增速"),
    ("地区生产总值年均增长6.5%左右", "growth_rate", 6.5, "%", "up", "地区生产总值年均增长"),
    ("研发经费投入年均增长10%以上", "growth_rate", 10, "%", "up", "研发经费投入年均增长"),
    # level_up: 达到 X / 提高到 X / X 以上 / 突破 X
    ("常住人口城镇化率达到90%。", "level_up", 90, "%", "up", "常住人口城镇化率"),
    ("高新技术及相关产业增加值占GDP比重达30%。", "level_up", 30, "%", "up", "高新技术及相关产业增加值占GDP比重"),
    ("森林覆盖率提高到38.5%", "level_up", 38.5, "%", "up", "森林覆盖率"),
    ("粮食产量稳定在13万吨以上", "level_up", 13, "万吨", "up", "粮食产量"),
    ("限上企业数达600家以上", "level_up", 600, "家", "up", "限上企业数"),
    ("服务业增加值突破400亿元", "level_up", 400, "亿元", "up", "服务业增加值"),
    ("规上工业企业力争达到300家", "level_up", 300, "家", "up", "规上工业企业"),
    # ceiling: 控制在 X 以内 / 低于 X
    ("城镇调查失业率控制在5.5%以内", "ceiling", 5.5, "%", "down", "城镇调查失业率"),
    ("细颗粒物(PM2.5)平均浓度低于35微克/立方米", "ceiling", 35, "微克/立方米", "down", "细颗粒物(PM2.5)平均浓度"),
    # cumulative: 累计 X (a count)
    ("城镇新增就业五年累计超过4万人", "cumulative", 4, "万人", "up", "城镇新增就业(五年累计)"),
    ("新建保障性住房累计1200套", "cumulative", 1200, "套", "up", "新建保障性住房(五年累计)"),
    # reduction_total: 累计降低 X%
    ("单位地区生产总值二氧化碳排放五年累计降低17%(与国家目标一致)。", "reduction_total", 17, "%", "up",
     "单位地区生产总值二氧化碳排放降低"),
    ("单位生产总值能源消耗累计下降13.5%", "reduction_total", 13.5, "%", "up", "单位生产总值能源消耗降低"),
    # quota: direction from the verb (a reduction that must reach the assigned cut is still "up")
    ("单位生产总值二氧化碳排放降低完成上级下达指标。", "quota", None, "%", "up", "单位生产总值二氧化碳排放降低"),
    ("空气质量优良天数达到上级下达指标。", "quota", None, "%", "up", "空气质量优良天数"),
    ("地表水达到或好于Ⅲ类水体比例达到上级下达指标。", "quota", None, "%", "up", "地表水达到或好于Ⅲ类水体比例"),
    ("单位生产总值能源消耗降低控制在上级下达指标内。", "quota", None, "%", "up", "单位生产总值能源消耗降低"),
    ("用水总量控制在上级下达指标内", "quota", None, "%", "down", "用水总量"),
    ("耕地保有量不低于省下达的目标任务", "quota", None, "%", "up", "耕地保有量"),
    # in_step: 与 … 同步
    ("居民人均可支配收入增长与经济增长基本同步。", "in_step", None, "%", "up", "居民人均可支配收入增长"),
    # a bare number: kind guessed from the name (a finding asks the office to confirm)
    ("每万人口高价值发明专利拥有量6件。", "level_up", 6, "件", "up", "每万人口高价值发明专利拥有量"),
    ("每千人口拥有3岁以下婴幼儿托位数2个。", "level_up", 2, "个", "up", "每千人口拥有3岁以下婴幼儿托位数"),
    ("城镇调查失业率5.5%。", "ceiling", 5.5, "%", "down", "城镇调查失业率"),
    ("新增就业4万人", "cumulative", 4, "万人", "up", "新增就业(五年累计)"),
    # full-width digits and signs
    ("常住人口城镇化率达到90%", "level_up", 90, "%", "up", "常住人口城镇化率"),
    ("地区生产总值年均增长7%", "growth_rate", 7, "%", "up", "地区生产总值年均增长"),
    # anything else: not recognised, the office chooses
    ("推进产业转型升级,提升发展质量。", "", None, "", "", "推进产业转型升级,提升发展质量"),
    ("到2025年基本建成现代化经济体系", "", None, "", "", "到2025年基本建成现代化经济体系"),
]


@pytest.mark.parametrize("sentence,kind,target,unit,direction,name", WORDING, ids=[w[0][:14] for w in WORDING])
def test_wording_gives_kind_target_unit_direction(sentence, kind, target, unit, direction, name):
    w = classify(sentence)
    assert (w.kind, w.target, w.unit, w.direction, w.name) == (kind, target, unit, direction, name)


@pytest.mark.parametrize("sentence,guessed,unit_assumed,ref", [
    ("每万人口高价值发明专利拥有量6件。", True, False, ""),
    ("城镇调查失业率5.5%。", True, False, ""),
    ("新增就业4万人", True, False, ""),
    ("城镇调查失业率控制在5.5%以内", False, False, ""),
    ("常住人口城镇化率达到90%。", False, False, ""),
    ("完成上级下达指标", False, False, ""),
    ("单位生产总值能源消耗降低完成上级下达指标。", False, True, ""),
    ("居民人均可支配收入增长与经济增长基本同步。", False, True, "经济增长"),
])
def test_what_the_office_must_confirm(sentence, guessed, unit_assumed, ref):
    w = classify(sentence)
    assert (w.guessed, w.unit_assumed, w.ref) == (guessed, unit_assumed, ref)


@pytest.mark.parametrize("name,expected", [
    ("空气质量优良天数", "空气质量优良天数比率"), ("森林覆盖率", "森林覆盖率"), ("地区生产总值年均增速", "地区生产总值年均增速"),
])
def test_standard_name_restores_a_dropped_last_word(name, expected):
    assert notice.standard_name(name) == expected


# --- numbering, punctuation, split headings ------------------------------------------------------------

@pytest.mark.parametrize("line,level,number,text", [
    ("一、主要指标分工", "l1", 1, "主要指标分工"),
    ("十、统筹发展和安全", "l1", 10, "统筹发展和安全"),
    ("(一)预期性指标", "l2", 1, "预期性指标"),
    ("(一)预期性指标", "l2", 1, "预期性指标"),
    ("(十)统筹发展和安全", "l2", 10, "统筹发展和安全"),
    ("1.地区生产总值年均增速9%。", "item", 1, "地区生产总值年均增速9%。"),
    ("1.地区生产总值年均增速9%。", "item", 1, "地区生产总值年均增速9%。"),
    ("12、人均预期寿命79.5岁。", "item", 12, "人均预期寿命79.5岁。"),
    ("(3)森林覆盖率达到36%。", "item", 3, "森林覆盖率达到36%。"),
    ("(3)森林覆盖率达到36%。", "item", 3, "森林覆盖率达到36%。"),
    ("②森林覆盖率达到36%。", "item", 2, "森林覆盖率达到36%。"),
    ("2022年3月28日", "", None, "2022年3月28日"),
    ("1.5万人以上的镇", "", None, "1.5万人以上的镇"),
])
def test_numbering_styles(line, level, number, text):
    [block] = notice.blocks_of([Line(1, line)])
    assert (block.level, block.number, block.text) == (level, number, text)


def small_notice(l1: tuple[str, str], l2: tuple[str, str], item: tuple[str, str]) -> str:
    """A minimal notice in the given numbering styles: (first, second) marker of each level."""
    return "\n".join([
        "某某区国民经济和社会发展第十五个五年规划纲要任务分工方案",
        f"{l1[0]}主要指标分工",
        f"{l2[0]}预期性指标",
        f"{item[0]}地区生产总值年均增长6%左右。(责任单位:区发改局)",
        f"{item[1]}常住人口城镇化率达到92%。(责任单位:区发改局、区公安分局)",
        f"{l2[1]}约束性指标",
        f"{item[0]}单位地区生产总值二氧化碳排放五年累计降低17%。(责任单位:区生态环境分局)",
        f"{l1[1]}重点任务分工",
        f"{l2[0]}建设现代产业体系",
        f"{item[0]}发展现代服务业。到2030年,服务业增加值突破500亿元。(牵头单位:区发改局;责任单位:区商务局,各镇、街道)",
        f"{item[1]}促进制造业发展。推进产业升级。(牵头单位:区经信局)",
    ])


STYLES = {
    "1.": (("一、", "二、"), ("(一)", "(二)"), ("1.", "2.")),
    "1.full": (("一、", "二、"), ("(一)", "(二)"), ("1.", "2.")),
    "1、": (("一、", "二、"), ("(一)", "(二)"), ("1、", "2、")),
    "(1)": (("一、", "二、"), ("(一)", "(二)"), ("(1)", "(2)")),
    "(1)full": (("一、", "二、"), ("(一)", "(二)"), ("(1)", "(2)")),
    "①": (("一、", "二、"), ("(一)", "(二)"), ("①", "②")),
}


@pytest.mark.parametrize("style", STYLES)
def test_each_numbering_style_reads_the_same_draft(style):
    draft = parse_notice(lines_of(small_notice(*STYLES[style])))
    ind, tasks = draft.indicators, draft.tasks
    assert list(zip(ind.indicator_id, ind.category, ind.kind, ind.target_value.fillna(-1))) == [
        ("Y01", "预期性", "growth_rate", 6), ("Y02", "预期性", "level_up", 92), ("B01", "约束性", "reduction_total", 17)]
    assert list(ind.responsible_units) == [("区发改局",), ("区发改局", "区公安分局"), ("区生态环境分局",)]
    assert list(zip(tasks.task_id, tasks.section_title, tasks.title, tasks.lead_units, tasks.responsible_units)) == [
        ("T01-01", "建设现代产业体系", "发展现代服务业", ("区发改局",), ("区商务局", "各镇、街道")),
        ("T01-02", "建设现代产业体系", "促进制造业发展", ("区经信局",), ())]
    assert (draft.config["base_year"], draft.config["target_year"]) == (2025, 2030)
    assert draft.config["short_name"] == "某某区“十五五”规划"


def test_full_width_punctuation_and_the_category_in_the_parenthesis():
    text = "\n".join([
        "某某县国民经济和社会发展第十四个五年规划任务分工方案",
        "一、主要指标",
        "1.地区生产总值年均增长7%。(预期性指标,牵头单位:县发改局;责任单位:县统计局、县财政局)",
        "2.森林覆盖率达到38%。(约束性指标,牵头单位:县林业局)",
        "二、重点任务",
        "(一)建设现代产业体系",
        "1.发展现代服务业。加快发展。(牵头单位:县发改局;责任单位:县商务局,各乡镇)",
    ])
    draft = parse_notice(lines_of(text))
    ind = draft.indicators
    assert list(ind.category) == ["预期性", "约束性"] and list(ind.indicator_id) == ["Y01", "B01"]
    assert list(ind.lead_units) == [("县发改局",), ("县林业局",)]
    assert list(ind.responsible_units) == [("县发改局", "县统计局", "县财政局"), ("县林业局",)]
    assert list(ind.kind) == ["growth_rate", "level_up"] and list(ind.unit) == ["%", "%"]
    task = draft.tasks.iloc[0]
    assert (task.title, task.description, task.lead_units, task.responsible_units) == (
        "发展现代服务业", "加快发展。", ("县发改局",), ("县商务局", "各乡镇"))
    assert (draft.config["base_year"], draft.config["target_year"]) == (2020, 2025)


def test_headings_and_items_split_over_several_lines():
    text = "\n".join([
        "某某区国民经济和",
        "",
        "社会发展第十四个五年规划和二〇三五年远景",
        "目标纲要任务分工方案",
        "一、主要指标分工",
        "(一)预期性指标",
        "1.地区生产总值年均增速9%。(责任单位:区发改局、",
        "区统计局)",
        "二、重点任务分工",
        "(一)优化区域发展布局、",
        "提升现代城市发展水平",
        "1.优化区域发展布局。主动服务共建“一带一路”、长江经济带发展、促进中部地区崛起、长江中游城市群建设、洞庭湖生",
        "态经济区建设等国家重大战略。(牵头单位:区发改局;责任单位:各镇、",
        "街道)",
    ])
    draft = parse_notice(lines_of(text))
    assert draft.config["name"] == "某某区国民经济和社会发展第十四个五年规划"
    assert draft.indicators.iloc[0].responsible_units == ("区发改局", "区统计局")
    task = draft.tasks.iloc[0]
    assert task.section_title == "优化区域发展布局、提升现代城市发展水平"
    assert task.description == "主动服务共建“一带一路”、长江经济带发展、促进中部地区崛起、长江中游城市群建设、洞庭湖生态经济区建设等国家重大战略。"
    assert task.responsible_units == ("各镇、街道",)


@pytest.mark.parametrize("text,expected", [
    ("区住建局、区商务局,各镇、街道", ["区住建局", "区商务局", "各镇、街道"]),
    ("区住建局、区商务局,各镇、街道", ["区住建局", "区商务局", "各镇、街道"]),
    ("各镇、街道、区直各部门", ["各镇、街道", "区直各部门"]),
    ("各县、市、区", ["各县、市、区"]),
    ("区发改局等", ["区发改局"]),
    ("各镇、各街道", ["各镇", "各街道"]),
])
def test_split_units(text, expected):
    assert notice.split_units(text) == expected


@pytest.mark.parametrize("name,kind", [
    ("区发改局", "区直部门"), ("各镇、街道", "组团"), ("区政府各部门", "组团"), ("区营商环境工作领导小组成员单位", "组团"),
    ("各县市区", "组团"), ("锣场镇", "镇"), ("中山街道", "街道"), ("区委政法委", "党群机关"), ("团区委", "党群机关"),
    ("区妇联", "党群机关"), ("区政协办公室", "人大政协机关"), ("区城投公司", "国有企业"),
])
def test_unit_kind_from_the_name(name, kind):
    assert notice.guess_unit_kind(name) == kind


@pytest.mark.parametrize("names,pairs", [
    (["区市场监管局", "区市场监督局"], {("区市场监管局", "区市场监督局")}),
    (["区市场监督管理局", "区市场监管局"], {("区市场监督管理局", "区市场监管局")}),
    (["区生态环境分局", "环保分局"], {("区生态环境分局", "环保分局")}),
    (["区委政法委", "区政法委"], {("区委政法委", "区政法委")}),
    (["区发改局", "区财政局", "各镇", "各镇、街道"], set()),
    (["区委统战部", "区委政法委"], set()),
])
def test_likely_aliases(names, pairs):
    assert {(a, b) for a, b, _ in notice.likely_aliases(names)} == pairs


@pytest.mark.parametrize("number,years", [(13, (2015, 2020)), (14, (2020, 2025)), (15, (2025, 2030))])
def test_plan_years(number, years):
    assert notice.plan_years(number) == years


@pytest.mark.parametrize("text,number", [("一", 1), ("十", 10), ("十四", 14), ("二十三", 23), ("十五", 15)])
def test_chinese_numbers(text, number):
    assert notice.cn_number(text) == number
    assert notice._cn_plan_label(number) == text  # and back, for the short name's “十四五”


# --- the seed notice round trip ------------------------------------------------------------------------

def test_seed_draft_counts(seed_draft):
    ind = seed_draft.indicators
    assert list(ind.indicator_id) == [f"Y{i:02d}" for i in range(1, 13)] + [f"B{i:02d}" for i in range(1, 7)]
    assert seed_draft.tasks.groupby("section_no").size().tolist() == [4, 2, 3, 4, 2, 3, 4, 7, 3, 6]


@pytest.mark.parametrize("position", range(18))
def test_seed_indicator_matches_the_plan_files(seed_draft, plan, position):
    got, want = seed_draft.indicators.iloc[position], plan.indicators.iloc[position]
    for col in ("indicator_id", "category", "name", "target_text", "kind", "unit", "direction", "ref_indicator",
                "responsible_units"):
        assert got[col] == want[col], col
    assert (pd.isna(got.target_value) and pd.isna(want.target_value)) or got.target_value == want.target_value


@pytest.mark.parametrize("position", range(38))
def test_seed_task_matches_the_plan_files(seed_draft, plan, position):
    got, want = seed_draft.tasks.iloc[position], plan.tasks.iloc[position]
    for col in ("task_id", "section_no", "section_title", "title", "description", "lead_units", "responsible_units"):
        assert got[col] == want[col], col


def test_seed_plan_config(seed_draft, plan):
    c = seed_draft.config
    assert (c["name"], c["short_name"], c["base_year"], c["target_year"]) == (
        plan.config.name, plan.config.short_name, plan.base_year, plan.target_year)
    assert c["source"].endswith("的通知(2022年3月28日)")


def test_seed_in_step_reference_and_its_finding(seed_draft):
    [found] = [f for f in seed_draft.findings if f.code == "notice.ref_found"]
    assert (found.finding.row, found.finding.column) == (8, "ref_indicator")  # Y07 is row 8 of indicators.csv
    assert found.sentence.startswith("居民人均可支配收入增长与经济增长基本同步。")


@pytest.mark.parametrize("name,other", [
    ("区市场监督局", "区市场监管局"), ("环保分局", "区生态环境分局"), ("区政法委", "区委政法委"),
])
def test_seed_alias_pairs_are_findings(seed_draft, name, other):
    pairs = {(f.finding.value, f.finding.message) for f in seed_draft.findings if f.code == "notice.unit_alias"}
    assert any(value == name and f"“{other}”" in message for value, message in pairs)
    units = list(seed_draft.units.unit)
    assert name in units and other in units  # reported, never merged


@pytest.mark.parametrize("task_id,phrase,target,unit", [
    ("T03-01", "服务业增加值突破400亿元", "400", "亿元"),
    ("T03-01", "限上贸易业和规上服务业企业数“倍增”达到600家以上", "600", "家"),
    ("T03-02", "打造装备制造、轻工纺织两个200亿元以上", "200", "亿元"),
    ("T03-02", "医药化工一个100亿元以上", "100", "亿元"),
    ("T08-02", "城镇新增就业五年累计超过4万人", "4", "万人"),
    ("T10-04", "争创省级综合减灾示范区10个", "10", "个"),
    ("T10-04", "市级防震减灾科普示范学校5个", "5", "个"),
])
def test_seed_task_quantities_are_proposed_with_their_sentence(seed_draft, task_id, phrase, target, unit):
    hits = [f for f in seed_draft.findings if f.code == "notice.task_quantity" and f.finding.value == phrase]
    assert len(hits) == 1
    f = hits[0]
    task = seed_draft.tasks.set_index("task_id").loc[task_id]
    assert phrase in f.sentence and f.sentence in task.description
    assert f.finding.message == render("notice.task_quantity", task_id=task_id, value=phrase, target=target, unit=unit,
                                       name=notice._task_indicator_name(classify(phrase).name),
                                       kind_label=schema.KIND_LABELS[classify(phrase).kind])


def test_quantities_in_a_task_are_proposed_with_their_sentence():
    text = NO_TASKS + ("\n三、重点任务分工\n(一)民生\n1.稳定就业。千方百计扩大就业,新增就业4万人。"
                       "开展职业技能培训10万人次。(牵头单位:区人社局)")
    draft = parse_notice(lines_of(text))
    found = [(f.finding.value, f.sentence) for f in draft.findings if f.code == "notice.task_quantity"]
    assert found == [("新增就业4万人", "千方百计扩大就业,新增就业4万人。"), ("开展职业技能培训10万人次", "开展职业技能培训10万人次。")]
    first = next(f for f in draft.findings if f.code == "notice.task_quantity")
    assert first.finding.message == render("notice.task_quantity", task_id="T01-01", value="新增就业4万人",
                                           name="新增就业(五年累计)", kind_label="五年累计", target="4", unit="万人")


def test_seed_task_quantities_are_exactly_these(seed_draft):
    assert [f.code for f in seed_draft.findings if f.code.startswith("notice.task_quantity")].count(
        "notice.task_quantity") == 7
    assert "notice.task_quantity_unclear" not in seed_draft.codes()


def test_seed_findings_by_code(seed_draft):
    """One finding per indicator where the office must decide, one per kind of gap otherwise."""
    codes = pd.Series(seed_draft.codes()).value_counts().to_dict()
    assert codes == {
        "notice.config_guessed": 1, "notice.kind_guessed": 6, "notice.unit_assumed": 5, "notice.ref_found": 1,
        "notice.direction_guessed": 1, "notice.name_completed": 1, "notice.task_quantity": 7,
        "notice.unit_alias": 5, "notice.group_members": 5, "notice.unit_kind_guessed": 1,
        "notice.baseline_missing": 1, "notice.bounds_missing": 1, "notice.annual_default": 1,
    }
    kind_rows = sorted(f.finding.row for f in seed_draft.findings if f.code == "notice.kind_guessed")
    assert kind_rows == [7, 9, 10, 11, 12, 13]  # Y06, Y08–Y12: a bare number, no 达到/以内 wording


def test_every_sentence_finding_quotes_the_notice(seed_draft):
    text = SEED.read_text(encoding="utf-8")
    quoted = [f for f in seed_draft.findings if f.sentence]
    assert len(quoted) >= 25
    for f in quoted:
        assert f.sentence in text
        assert f.sentence.split("。")[0] in text.splitlines()[f.line - 1]


def test_seed_draft_passes_the_plan_check(seed_draft, tmp_path):
    for name, data in notice.draft_files(seed_draft).items():
        (tmp_path / name).write_bytes(data)
    draft_plan, findings = check_plan_dir(tmp_path)
    assert draft_plan is not None
    assert {f.code for f in findings} == {"plan.missing_baseline"}
    assert [f.is_error for f in findings].count(True) == 0


def test_known_units_give_members_and_report_aliases(plan, tmp_path):
    draft = notice.parse_notice(notice.read_notice(SEED), known_units=plan.units)
    units = draft.units.set_index("unit")
    assert units.at["各镇", "members"] == ("锣场镇", "岑河镇", "观音垱镇", "关沮镇")
    assert "锣场镇" in units.index and units.at["锣场镇", "kind"] == "镇"
    missing = [f.finding.value for f in draft.findings if f.code == "notice.group_members"]
    assert missing == ["区营商环境工作领导小组成员单位"]  # the known list has no members for it either
    known_alias = {f.finding.value for f in draft.findings
                   if f.code == "notice.unit_alias" and "已知单位名录" in f.finding.message}
    assert known_alias == {"区市场监督局", "区环保分局", "环保分局", "区政法委"}
    for name, data in notice.draft_files(draft).items():
        (tmp_path / name).write_bytes(data)
    assert check_plan_dir(tmp_path)[0] is not None


# --- the same draft from .docx and .html ------------------------------------------------------------------

def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal Word document: each paragraph as two runs, so the reader must join w:t pieces."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(p[:3])}</w:t></w:r>'
                   f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(p[3:])}</w:t></w:r></w:p>'
                   for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}">'
                    f"<w:body>{body}</w:body></w:document>")
    return buf.getvalue()


def html_bytes(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title><style>p {{margin:0}}</style>'
            f"<script>var a = '1.不是指标';</script></head><body><div class=\"nav\"></div>{body}</body></html>").encode()


def same_draft(a: notice.Draft, b: notice.Draft) -> None:
    assert a.config == b.config
    for frame in ("indicators", "tasks", "units"):
        pd.testing.assert_frame_equal(getattr(a, frame), getattr(b, frame))
    assert [(f.code, f.finding.row, f.sentence) for f in a.findings] == [(f.code, f.finding.row, f.sentence) for f in b.findings]


@pytest.mark.parametrize("suffix,encode", [
    (".docx", docx_bytes), (".html", html_bytes),
    (".txt", lambda ps: "\n".join(ps).encode("gb18030")), (".txt", lambda ps: "\ufeff".encode() + "\n".join(ps).encode()),
], ids=["docx", "html", "gb18030", "utf8-bom"])
def test_other_formats_give_the_same_draft_as_the_text(seed_draft, tmp_path, suffix, encode):
    paragraphs = SEED.read_text(encoding="utf-8").splitlines()
    path = tmp_path / f"notice{suffix}"
    path.write_bytes(encode(paragraphs))
    draft = notice.draft_from_notice(path)
    same_draft(draft, seed_draft)


SAVED_PAGE = """<html><head><meta charset="gb2312"><title>某某区人民政府门户网站</title></head><body>
<div class="crumb">首页 &gt; 政府信息公开 &gt; 政策</div>
<div id="content"><p align="center"><strong>某某区国民经济和社会发展第十四个五年规划</strong><br/>任务分工方案</p>
<p>&nbsp;&nbsp;二、主要指标分工</p><p>(一)预期性指标。应力争实现。</p>
<p>&nbsp;&nbsp;1.地区生产总值年均增速9%。(责任单位:区发改局)</p>
<p>三、重点任务分工</p><p>(一)优化布局</p>
<p>1.优化区域布局。推进<span>城乡</span>融合。(牵头单位:区发改局;责任单位:各镇、街道)</p>
</div><script>var x = "1.地区生产总值";</script></body></html>"""


def test_a_saved_web_page_in_gb18030():
    """The page title, breadcrumb and scripts are not the notice; <br> and &nbsp; and inline tags are forgiven."""
    draft = parse_notice(notice.notice_lines(SAVED_PAGE.encode("gb18030"), "page.html"))
    assert (draft.config["name"], draft.config["short_name"]) == ("某某区国民经济和社会发展第十四个五年规划", "某某区“十四五”规划")
    assert list(draft.indicators.name) == ["地区生产总值年均增速"]
    task = draft.tasks.iloc[0]
    assert (task.title, task.description, task.responsible_units) == ("优化区域布局", "推进城乡融合。", ("各镇、街道",))


def test_an_unclosed_head_does_not_hide_the_body():
    page = SAVED_PAGE.replace("</head>", "")
    assert len(parse_notice(notice.notice_lines(page.encode(), "page.html")).tasks) == 1


# --- bad input: a clear message, exit 1, nothing written ------------------------------------------------------

NO_INDICATORS = "某某区“十四五”规划任务分工方案\n一、分工原则\n(一)明确目标任务。\n三、重点任务分工\n(一)建设\n1.发展。内容。(牵头单位:区发改局)"
NO_TASKS = "某某区“十四五”规划任务分工方案\n二、主要指标分工\n(一)预期性指标\n1.地区生产总值年均增速9%。(责任单位:区发改局)"


def junk() -> bytes:
    return random.Random(14).randbytes(64 * 1024)


@pytest.mark.parametrize("name,content,code,params", [
    ("empty.txt", b"", "notice.empty", {}),
    ("blank.txt", " \n\r\n\t\n".encode() + "\u3000".encode(), "notice.empty", {}),
    ("no-indicators.txt", NO_INDICATORS.encode(), "notice.no_indicators", {}),
    ("no-tasks.txt", NO_TASKS.encode(), "notice.no_tasks", {}),
    ("junk.txt", junk(), "notice.not_text", {}),
    ("junk.docx", b"PK\x03\x04" + junk(), "notice.bad_docx", {"detail": "压缩包已损坏"}),
    ("utf16.txt", NO_TASKS.encode("utf-16"), "notice.not_text", {}),
], ids=["empty", "blank", "no-indicators", "no-tasks", "junk", "junk-docx", "utf16"])
def test_bad_notice_exits_1_with_its_message(tmp_path, capsys, name, content, code, params):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "draft"
    assert main(["plan", "from-notice", str(path), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == render(code, value=name, **params)
    assert not out.exists()


def test_a_50_mb_text_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        line = ("1.地区生产总值年均增速9%。(责任单位:区发改局)\n" * 1000).encode()
        while fh.tell() < 50 * 2**20:
            fh.write(line)
    assert main(["plan", "from-notice", str(path), "--out", str(tmp_path / "d")]) == 1
    assert capsys.readouterr().err.strip() == render("notice.too_large", value="big.txt", size_mb="50", max_mb="5")


def test_a_docx_whose_text_unpacks_too_large_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + b" " * (notice.MAX_DOCX_XML_BYTES + 1))
    path = tmp_path / "bomb.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(NoticeError) as exc:
        notice.read_notice(path)
    assert (exc.value.code, exc.value.params["detail"]) == ("notice.bad_docx", "正文解压后 20 MB,过大")


def test_a_docx_with_entities_is_refused(tmp_path):
    xml = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "1.指标">]><d>&x;</d>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", xml)
    path = tmp_path / "entities.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(NoticeError) as exc:
        notice.read_notice(path)
    assert exc.value.code == "notice.bad_docx"


def test_a_missing_file(tmp_path, capsys):
    path = tmp_path / "nope.txt"
    assert main(["plan", "from-notice", str(path), "--out", str(tmp_path / "d")]) == 1
    assert capsys.readouterr().err.strip() == render("notice.not_found", value=str(path))


def test_an_existing_draft_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "draft"
    out.mkdir()
    (out / "tasks.csv").write_text("edited by the office", encoding="utf-8")
    assert main(["plan", "from-notice", str(SEED), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == render("notice.out_exists", value=str(out), files="tasks.csv")
    assert sorted(p.name for p in out.iterdir()) == ["tasks.csv"]
    assert (out / "tasks.csv").read_text(encoding="utf-8") == "edited by the office"


def test_a_numbering_gap_is_reported_and_ids_stay_in_order():
    text = NO_TASKS + "\n三、重点任务分工\n(一)建设\n1.发展。内容。(牵头单位:区发改局)\n3.改革。内容。(牵头单位:区发改局)"
    draft = parse_notice(lines_of(text))
    assert list(draft.tasks.task_id) == ["T01-01", "T01-02"]
    [f] = [f for f in draft.findings if f.code == "notice.numbering_gap"]
    assert (f.finding.row, f.finding.value, f.line) == (3, "改革", 8)


def test_a_task_without_a_lead_unit_is_an_error_finding():
    text = NO_TASKS + "\n三、重点任务分工\n(一)建设\n1.发展。内容。(责任单位:区商务局)"
    draft = parse_notice(lines_of(text))
    [f] = [f for f in draft.findings if f.code == "notice.units_missing"]
    assert (f.finding.is_error, f.finding.sheet, f.finding.column) == (True, "tasks.csv", "lead_units")


def test_a_task_with_only_a_title_is_an_error_finding():
    text = NO_TASKS + "\n三、重点任务分工\n(一)建设\n1.维护社会稳定。(牵头单位:区委政法委)"
    draft = parse_notice(lines_of(text))
    assert draft.tasks.iloc[0].title == "维护社会稳定"
    [f] = [f for f in draft.findings if f.code == "notice.description_missing"]
    assert (f.finding.is_error, f.finding.row, f.finding.column) == (True, 2, "description")


def test_units_written_after_the_sentence_without_a_parenthesis():
    text = NO_TASKS + ("\n三、重点任务分工\n(一)建设\n1.做强制造业。新增规上工业企业100家。"
                       "牵头单位:县经信局;责任单位:县发改局、县科技局,各乡镇。")
    task = parse_notice(lines_of(text)).tasks.iloc[0]
    assert (task.description, task.lead_units, task.responsible_units) == (
        "新增规上工业企业100家。", ("县经信局",), ("县发改局", "县科技局", "各乡镇"))


def test_unrecognised_wording_is_an_error_finding_the_office_resolves(tmp_path):
    text = NO_TASKS.replace("地区生产总值年均增速9%", "推进产业转型升级") + "\n三、重点任务分工\n(一)建设\n1.发展。内容。(牵头单位:区发改局)"
    draft = parse_notice(lines_of(text))
    [f] = [f for f in draft.findings if f.code == "notice.kind_unrecognised"]
    assert (f.finding.severity.value, f.finding.row, f.finding.column) == ("error", 2, "kind")
    assert draft.indicators.iloc[0].kind == ""


def test_an_in_step_reference_not_in_the_list_is_an_error_finding():
    text = NO_TASKS.replace("地区生产总值年均增速9%", "农村居民收入增长与城镇居民收入增长同步") + \
        "\n三、重点任务分工\n(一)建设\n1.发展。内容。(牵头单位:区发改局)"
    draft = parse_notice(lines_of(text))
    [f] = [f for f in draft.findings if f.code == "notice.ref_missing"]
    assert (f.finding.is_error, f.finding.row, f.finding.column) == (True, 2, "ref_indicator")


# --- the command ----------------------------------------------------------------------------------------------

def test_command_writes_the_five_files(tmp_path):
    out = tmp_path / "draft"
    done = subprocess.run([sys.executable, "-m", "lib", "plan", "from-notice", str(SEED), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(notice.DRAFT_FILES)
    assert done.stdout.splitlines()[0] == f"已写出规划草稿 {out}:指标 18 项(预期性 12、约束性 6),任务 38 项(10 篇),单位 46 个"
    findings = pd.read_csv(out / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(findings.columns) == ["级别", "代码", "文件", "行", "列", "说明", "原文行号", "原文"]
    quantity = findings[findings["代码"] == "notice.task_quantity"]
    assert "到2025年,服务业增加值突破400亿元,限上贸易业和规上服务业企业数“倍增”达到600家以上。" in set(quantity["原文"])


def test_command_district_and_years_override_the_title(tmp_path, capsys):
    out = tmp_path / "draft"
    assert main(["plan", "from-notice", str(SEED), "--out", str(out), "--district", "某区",
                 "--base-year", "2021", "--target-year", "2026"]) == 0
    text = (out / "plan.toml").read_text(encoding="utf-8")
    assert 'short_name = "某区“十四五”规划"' in text and "base_year = 2021" in text and "target_year = 2026" in text


def test_command_needs_no_working_plan_folder(tmp_path, monkeypatch, capsys):
    """Drafting the next plan must work before (or while) the current plan folder is broken."""
    monkeypatch.setenv("PLANMON_PLAN_DIR", str(tmp_path / "no-plan-here"))
    assert main(["plan", "from-notice", str(SEED), "--out", str(tmp_path / "draft")]) == 0
    assert sorted(p.name for p in (tmp_path / "draft").iterdir()) == sorted(notice.DRAFT_FILES)


def test_command_with_a_missing_known_unit_list(tmp_path, capsys):
    missing = tmp_path / "units.csv"
    assert main(["plan", "from-notice", str(SEED), "--out", str(tmp_path / "d"), "--known-units", str(missing)]) == 1
    assert capsys.readouterr().err.strip() == render("notice.known_units_missing", value=str(missing))
    assert not (tmp_path / "d").exists()


def test_command_with_a_known_unit_list(tmp_path, capsys):
    out = tmp_path / "draft"
    assert main(["plan", "from-notice", str(SEED), "--out", str(out), "--known-units", str(ROOT / "data")]) == 0
    units = pd.read_csv(out / "units.csv", dtype=str, keep_default_na=False).set_index("unit")
    assert units.at["各镇、街道", "members"].split("|")[:2] == ["锣场镇", "岑河镇"]
