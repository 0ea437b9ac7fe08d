"""The scope rule (lib/scope.py): which indicators and tasks a category, a section or a unit covers. The
dashboard's sidebar filters and the briefing's scope both go through it, so the expected items below are the
seed plan's (data/indicators.csv, data/tasks.csv, data/units.csv), read off by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.assess import assess_indicators, assess_tasks
from lib.periods import Period
from lib.scope import Scope, filter_reporting, filter_results, filter_to_scope, task_history

AS_OF = Period.parse("2023Q4")
K_IDS = ["K01", "K02", "K03", "K04", "K05", "K06", "K07", "K08"]
RENSHE_TASKS = ["T01-04", "T02-01", "T08-02", "T08-04", "T08-06", "T09-01", "T09-02", "T09-03",
                "T10-01", "T10-02", "T10-03", "T10-04", "T10-05", "T10-06"]


@pytest.fixture(scope="module")
def results(plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    empty = pd.DataFrame(columns=["indicator_id", "year", "quarter", "value"])
    return assess_indicators(plan, empty, AS_OF), assess_tasks(plan, pd.DataFrame(), AS_OF)


@pytest.mark.parametrize("filters, indicator_ids, task_ids", [
    ({"category": "任务指标"}, K_IDS, None),
    ({"category": "约束性"}, ["B01", "B02", "B03", "B04", "B05", "B06"], None),
    ({"section": 3}, ["K01", "K02", "K03", "K04", "K05"], ["T03-01", "T03-02", "T03-03"]),
    ({"section": 1}, [], ["T01-01", "T01-02", "T01-03", "T01-04"]),
    # a unit: directly named, and through the group 区政府各部门 (K07, K08, T09-*, T10-*)
    ({"unit": "区人社局"}, ["Y07", "Y08", "Y10", "K06", "K07", "K08"], RENSHE_TASKS),
    ({"unit": "区人社局", "category": "预期性"}, ["Y07", "Y08", "Y10"], RENSHE_TASKS),
    ({"unit": "区人力资源和社会保障局"}, ["Y07", "Y08", "Y10", "K06", "K07", "K08"], RENSHE_TASKS),   # its alias
    ({"unit": "区人社局", "section": 8}, ["K06"], ["T08-02", "T08-04", "T08-06"]),
    ({"section": 10, "category": "任务指标"}, ["K07", "K08"],
     ["T10-01", "T10-02", "T10-03", "T10-04", "T10-05", "T10-06"]),
])
def test_filter_results_keeps_the_items_of_every_filter(plan, results, filters, indicator_ids, task_ids):
    ind_all, tasks_all = results
    ind, tasks = filter_results(plan, ind_all, tasks_all, **filters)
    assert list(ind["indicator_id"]) == indicator_ids
    assert list(tasks["task_id"]) == (list(tasks_all["task_id"]) if task_ids is None else task_ids)


def test_filter_results_keeps_the_index_and_filter_to_scope_renumbers(plan, results):
    ind_all, tasks_all = results
    ind, _ = filter_results(plan, ind_all, tasks_all, section=3)
    assert list(ind.index) == [18, 19, 20, 21, 22]
    scoped, _ = filter_to_scope(plan, Scope("section", 3), ind_all, tasks_all)
    assert list(scoped.index) == [0, 1, 2, 3, 4]
    assert list(scoped["indicator_id"]) == list(ind["indicator_id"])


@pytest.mark.parametrize("scope, expected", [
    (Scope(), {}), (Scope("section", "3"), {"section": 3}), (Scope("unit", "区人社局"), {"unit": "区人社局"}),
])
def test_scope_as_filters(scope, expected):
    assert scope.filters() == expected


def test_task_history_has_one_row_per_task_and_quarter_up_to_as_of(plan):
    history = task_history(plan, pd.DataFrame(), Period.parse("2021Q3"), {"T03-01", "T08-02"})
    assert list(zip(history["task_id"], history["period"])) == [
        ("T03-01", "2021Q1"), ("T08-02", "2021Q1"), ("T03-01", "2021Q2"), ("T08-02", "2021Q2"),
        ("T03-01", "2021Q3"), ("T08-02", "2021Q3")]
    assert list(history.index) == list(range(6))
    assert list(history.columns) == ["task_id", "title", "period", "status"]


# 报送情况 rows (unit, item_type, item_id) as lib.reporting makes them; the expected positions are read off the
# seed plan by hand: 区人社局 answers for Y07, K07 (via 区政府各部门), T08-02 (lead) and T10-01 (via the group),
# not for B01 (a report nobody owed it); 区政府各部门 is named for K07, K08, T09-*, T10-*; 各镇 for T01-03/04;
# 各镇、街道 for T10-01 but not T01-03; K07 belongs to section 10 through T10-04.
REPORT_ROWS = pd.DataFrame([
    ("区人社局", "指标", "Y07"), ("区人社局", "指标", "K07"), ("区人社局", "任务", "T08-02"), ("区人社局", "任务", "T10-01"),
    ("区发改局", "指标", "Y01"), ("区发改局", "任务", "T10-01"), ("锣场镇", "任务", "T01-03"), ("锣场镇", "任务", "T10-01"),
    ("胜利街道", "任务", "T01-03"), ("区人社局", "指标", "B01"),
], columns=["unit", "item_type", "item_id"])


@pytest.mark.parametrize("filters, positions", [
    ({}, list(range(10))),
    ({"unit": "区人社局"}, [0, 1, 2, 3]),
    ({"unit": "区人力资源和社会保障局"}, [0, 1, 2, 3]),       # an alias: the same unit
    ({"unit": "区政府各部门"}, [1, 3, 5]),                    # a group: its members' rows of the group's items
    ({"unit": "各镇"}, [6]),
    ({"unit": "各镇、街道"}, [7]),
    ({"section": 10}, [1, 3, 5, 7]),
    ({"section": 10, "unit": "锣场镇"}, [7]),
    ({"category": "约束性"}, [2, 3, 5, 6, 7, 8, 9]),          # tasks have no category: kept
    ({"category": "约束性", "unit": "区人社局"}, [2, 3]),
])
def test_filter_reporting_keeps_the_rows_of_every_filter(plan, filters, positions):
    assert list(filter_reporting(plan, REPORT_ROWS, **filters).index) == positions
