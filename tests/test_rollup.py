"""Roll-ups: counts per status code with the ids behind each count; never an average of percentages."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from lib.assess import assess_indicators, assess_tasks
from lib.periods import Period
from lib.rollup import (INDICATOR_CODES, TASK_CODES, attention_note, by_category, by_section, by_unit, rollup,
                        unit_items)
from lib.units import ROLE_LEAD, VIA_ALIAS, VIA_DIRECT, VIA_GROUP
from tests.test_assess import progress_rows, task_rows

INDICATORS = "Y01:2021Q4 11, Y01:2022Q4 5, Y01:2023Q2 6.5, Y03:2022Q4 87.5, Y08:2023Q2 5.2, B01:2022Q4 3.1/3.0, B02:2022Q4 3/4, K01:2022Q4 330"


@pytest.fixture(scope="module")
def indicators(plan):
    return assess_indicators(plan, progress_rows(INDICATORS, ""), Period(2023, 2))


@pytest.fixture(scope="module")
def tasks(plan):
    frames = [task_rows("区发改局 2023Q2 推进中 60", "T01-01"), task_rows("区住建局 2023Q2 已完成 100", "T01-02"),
              task_rows("区农业农村局 2023Q2 推进中 10", "T01-03"), task_rows("区环保分局 2023Q2 滞后 30", "T07-01")]
    return assess_tasks(plan, pd.concat(frames, ignore_index=True), Period(2023, 2))


EXPECTED_CATEGORIES = """\
category,total,achieved,ahead,on_track,behind,no_data
预期性,12,0,1,1,1,9
约束性,6,0,0,1,1,4
任务指标,8,0,1,0,0,7
"""


def test_by_category_counts(indicators):
    table = by_category(indicators)
    expected = pd.read_csv(io.StringIO(EXPECTED_CATEGORIES))
    pd.testing.assert_frame_equal(table[expected.columns].reset_index(drop=True), expected, check_dtype=False)


def test_by_category_ids(indicators):
    table = by_category(indicators).set_index("category")
    assert table.at["预期性", "behind_ids"] == ("Y01",)
    assert table.at["预期性", "ahead_ids"] == ("Y03",)
    assert table.at["约束性", "on_track_ids"] == ("B01",)
    assert table.at["约束性", "behind_ids"] == ("B02",)
    assert table.at["任务指标", "ahead_ids"] == ("K01",)
    assert table.at["约束性", "achieved_ids"] == ()
    # every id is counted exactly once
    all_ids = [i for code in INDICATOR_CODES for ids in table[f"{code}_ids"] for i in ids]
    assert sorted(all_ids) == sorted(indicators["indicator_id"])
    assert (table[list(INDICATOR_CODES)].sum(axis=1) == table["total"]).all()


def test_by_section_counts_tasks_without_averaging(tasks, plan):
    table = by_section(tasks).set_index("section_no")
    assert list(table.index) == list(plan.sections["section_no"])
    first = table.loc[1]
    assert (first["total"], first["on_track"], first["done"], first["behind"], first["not_reported"]) == (4, 1, 1, 1, 1)
    assert (first["done_ids"], first["behind_ids"]) == (("T01-02",), ("T01-03",))
    assert table.loc[7, "behind_ids"] == ("T07-01",)
    assert not any("percent" in c for c in table.columns)
    assert set(TASK_CODES) <= set(table.columns)


def test_rollup_with_explicit_order_keeps_empty_groups(indicators):
    table = rollup(indicators[indicators["category"] == "预期性"], "category", order=["约束性", "预期性"])
    assert list(table["category"]) == ["约束性", "预期性"]
    assert (table.loc[0, "total"], table.loc[0, "no_data_ids"]) == (0, ())


def test_unit_items_say_how_a_unit_is_named(plan, tasks):
    items = unit_items(plan, tasks, ["区生态环境分局", "胜利街道", "区发改局"]).set_index(["unit", "task_id"])
    assert (items.loc[("区生态环境分局", "T07-01"), "role"], items.loc[("区生态环境分局", "T07-01"), "via"]) == (ROLE_LEAD, VIA_ALIAS)
    assert items.loc[("胜利街道", "T07-01"), "via"] == VIA_GROUP
    assert items.loc[("区发改局", "T01-01"), "via"] == VIA_DIRECT
    assert items.loc[("区生态环境分局", "T07-01"), "status"] == "behind"


@pytest.mark.parametrize("units", [["区发改局"], ["区住建局", "区发改局"], ["各镇、街道", "区发改局"], ["不存在的单位"], None])
def test_unit_items_match_each_units_own_responsibilities_in_the_order_asked(plan, tasks, units):
    """unit_items reads the plan's one responsibility table; it must give what plan.responsibilities gives
    unit by unit (groups and unknown names included), in the order of `units`, then plan order."""
    wanted = units if units is not None else plan.units.reporting_units()
    expected = [(u, r.item_id, r.role, r.via) for u in wanted for r in plan.responsibilities(u).itertuples()
                if r.item_id in set(tasks["task_id"])]
    got = unit_items(plan, tasks, units)
    assert list(zip(got["unit"], got["task_id"], got["role"], got["via"])) == expected


def test_responsibilities_are_a_copy(plan):
    first = plan.responsibilities("区发改局")
    first["role"] = "改掉"
    assert "改掉" not in set(plan.responsibilities("区发改局")["role"])


def test_by_unit(plan, indicators, tasks):
    table = by_unit(plan, indicators).set_index("unit")
    assert list(table.index) == plan.units.reporting_units()
    assert table.at["区发改局", "behind_ids"] == ("Y01",)
    assert set(table.at["区发改局", "on_track_ids"]) == {"B01"}
    assert table.at["区人社局", "on_track_ids"] == ("Y08",)
    led = by_unit(plan, tasks, roles=[ROLE_LEAD]).set_index("unit")
    assert led.at["区生态环境分局", "behind_ids"] == ("T07-01",)
    assert led.at["胜利街道", "total"] == 0
    direct = by_unit(plan, tasks, units=["胜利街道"], vias=[VIA_DIRECT, VIA_ALIAS])
    assert direct.loc[0, "total"] == 0
    via_group = by_unit(plan, tasks, units=["胜利街道"])
    assert via_group.loc[0, "total"] > 0 and "T07-01" in via_group.loc[0, "behind_ids"]


def test_status_counts_long_and_section_matrix(plan):
    import pandas as pd

    from lib.rollup import by_unit, section_matrix, status_counts_long, unit_items
    tasks = pd.DataFrame({"task_id": plan.tasks["task_id"], "status": ["behind"] * 2 + ["done"] * (len(plan.tasks) - 2),
                          "status_label": ""})
    counts = status_counts_long(by_unit(plan, tasks, units=["区发改局", "区人社局"], vias=["直接", "别名"]))
    fgj = counts[counts["unit"] == "区发改局"].set_index("status")["count"]
    assert fgj["behind"] == 1 and "not_reported" not in fgj.index  # T01-01 led by 区发改局; zero counts dropped
    items = unit_items(plan, tasks, ["区人社局"])
    matrix = section_matrix(plan, items).set_index(["section_no", "role"])["count"]
    assert matrix[(8, "牵头单位")] == 2                                  # T08-02, T08-04
    assert matrix[(1, "责任单位")] == 1                                  # T01-04


@pytest.mark.parametrize("fields, note", [
    ({"reason": "缺少2022年第四季度数据"}, "缺少2022年第四季度数据"),
    ({"achievement": 0.429, "time_elapsed": 0.5}, "完成度 42.9%,时间进度 50%"),
    ({"kind": "quota", "latest_value": 3.6, "assigned_target": 4.0}, "实际 3.6%,上级下达 4%"),
    ({"kind": "in_step", "ref_indicator": "Y01", "diff_pp": -1.25}, "五年年均增速与Y01相差 -1.25 个百分点"),
    ({"kind": "ceiling", "latest_value": 5.8, "target_value": 5.5}, "5.8%,上限 5.5%"),
])
def test_attention_note_says_why_an_indicator_is_listed(fields, note):
    row = pd.Series({"reason": "", "achievement": float("nan"), "time_elapsed": 0.5, "kind": "level_up", "unit": "%",
                     "latest_value": float("nan"), "assigned_target": float("nan"), "target_value": float("nan"),
                     "ref_indicator": "", "diff_pp": float("nan"), **fields})
    assert attention_note(row) == note
