"""The plan files against the district's notice itself: every target, sentence and unit assignment."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from tests import notice

NOTICE_INDICATORS = notice.indicators()
NOTICE_TASKS = notice.tasks()


def test_counts_and_ids(plan):
    ids = list(plan.indicators["indicator_id"])
    assert ids == [f"Y{i:02d}" for i in range(1, 13)] + [f"B{i:02d}" for i in range(1, 7)] + [f"K{i:02d}" for i in range(1, 9)]
    assert len(NOTICE_INDICATORS) == 18 and len(NOTICE_TASKS) == 38
    assert list(plan.tasks["task_id"]) == [t.task_id for t in NOTICE_TASKS]
    per_section = plan.tasks.groupby("section_no").size().tolist()
    assert per_section == [4, 2, 3, 4, 2, 3, 4, 7, 3, 6]


@pytest.mark.parametrize("position", range(18))
def test_main_indicator_matches_notice(plan, position):
    row = plan.indicators.iloc[position]
    source = NOTICE_INDICATORS[position]
    assert row.category == source.category
    assert row.target_text == source.sentence
    assert row.responsible_units == source.units
    assert row["name"][:4] in source.sentence  # short name taken from the sentence itself
    # The target number written in the sentence is the target value (quota/in_step sentences have none).
    numbers = re.findall(r"(\d+(?:\.\d+)?)(?:%|件|人。|个|岁|万吨)", source.sentence.replace("3岁", ""))
    if row.kind in ("quota", "in_step"):
        assert pd.isna(row.target_value)
        assert row.kind == "in_step" or "上级下达指标" in source.sentence
    else:
        assert numbers and float(numbers[-1]) == row.target_value


SPEC_TABLE = """\
Y01 growth_rate 9 %
Y02 growth_rate 9.5 %
Y03 level_up 90 %
Y04 growth_rate 10 %
Y05 level_up 30 %
Y06 level_up 6 件
Y07 in_step - %
Y08 ceiling 5.5 %
Y09 level_up 4.1 人
Y10 level_up 99 %
Y11 level_up 2 个
Y12 level_up 79.5 岁
B01 quota - %
B02 quota - %
B03 quota - %
B04 quota - %
B05 level_up 36 %
B06 level_up 13 万吨
K01 level_up 400 亿元
K02 level_up 600 家
K03 level_up 200 亿元
K04 level_up 200 亿元
K05 level_up 100 亿元
K06 cumulative 40000 人
K07 level_up 10 个
K08 level_up 5 个"""


@pytest.mark.parametrize("line", SPEC_TABLE.splitlines())
def test_kind_target_unit_as_spec(plan, line):
    iid, kind, target, unit = line.split()
    row = plan.indicator(iid)
    assert (row.kind, row.unit) == (kind, unit)
    assert pd.isna(row.target_value) if target == "-" else row.target_value == float(target)


def test_spec_details(plan):
    ind = plan.indicators.set_index("indicator_id")
    assert ind.at["Y07", "ref_indicator"] == "Y01"
    assert ind.at["Y08", "direction"] == "down"
    assert set(ind.index[ind["annual"]]) == {"B06", "K01", "K03", "K04", "K05"}
    assert (ind.loc[["B01", "B02", "B03", "B04"], "direction"] == "up").all()
    assert ind.at["K01", "baseline_value"] == 250.03 and ind.at["K01", "baseline_source"].startswith("公开数据")
    assert ind.at["B06", "baseline_value"] == 12.11 and ind.at["B06", "baseline_source"].startswith("公开数据")
    sources = ind["baseline_source"][ind["baseline_value"].notna()]
    assert sources.str.match(r"^(公开数据:|示例值)").all()


@pytest.mark.parametrize("iid,task_id,sentence_part", [
    ("K01", "T03-01", "服务业增加值突破400亿元"), ("K02", "T03-01", "600家"), ("K03", "T03-02", "两个200亿元"),
    ("K04", "T03-02", "两个200亿元"), ("K05", "T03-02", "一个100亿元"), ("K06", "T08-02", "超过4万人"),
    ("K07", "T10-04", "示范区10个"), ("K08", "T10-04", "示范学校5个"),
])
def test_task_indicators_point_at_their_task(plan, iid, task_id, sentence_part):
    row = plan.indicator(iid)
    task = next(t for t in NOTICE_TASKS if t.task_id == task_id)
    assert row.task_id == task_id
    assert sentence_part in row.target_text and row.target_text in task.description
    assert row.lead_units == task.lead_units
    assert row.responsible_units == task.lead_units + task.responsible_units


@pytest.mark.parametrize("source", NOTICE_TASKS, ids=lambda t: t.task_id)
def test_task_matches_notice(plan, source):
    row = plan.tasks.set_index("task_id").loc[source.task_id]
    assert row.section_no == source.section_no and row.section_title == source.section_title
    assert row.title == source.title and row.description == source.description
    assert row.lead_units == source.lead_units
    assert row.responsible_units == source.responsible_units


def test_every_unit_named_in_the_notice_resolves(plan):
    named = {u for t in NOTICE_TASKS for u in t.lead_units + t.responsible_units} | {u for i in NOTICE_INDICATORS for u in i.units}
    unresolved = sorted(u for u in named if plan.units.resolve(u) is None)
    assert unresolved == []
    canonical = {plan.units.resolve(u) for u in named}
    units_csv = set(plan.units.units)
    # every canonical unit row is named in the notice, or is a member of a group the notice names
    members = set().union(*(plan.units.members_of(g) for g in units_csv if plan.units.units[g].is_group))
    assert units_csv <= canonical | members
