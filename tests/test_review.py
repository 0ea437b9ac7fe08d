"""Steps backwards (lib/review.py): hand-made old/new rows → the exact flags (code, item, period)."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.review import AWAY, PERCENT_DOWN, REOPENED, away_from_target, backward_steps, flags_by_row


@pytest.mark.parametrize("direction, old, new, expected", [
    ("up", 99.4, 97.0, True),       # Y10 参保率 revised down: further from a 'higher is better' target
    ("up", 97.0, 99.4, False),
    ("up", 97.0, 97.0, False),
    ("down", 5.1, 5.6, True),       # Y08 失业率 (a ceiling) revised up
    ("down", 5.6, 5.1, False),
    ("up", None, 97.0, False),      # nothing on record: nothing to step back from
    ("up", 97.0, None, False),
])
def test_away_from_target(direction, old, new, expected):
    assert away_from_target(direction, old, new) is expected


def ind(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "year", "quarter", "value", "unit"])


def task(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["task_id", "year", "quarter", "state", "percent", "unit"])


OLD_IND = ind(("Y10", 2025, 2, 99.4, "区人社局"), ("Y08", 2025, 2, 5.1, "区人社局"), ("Y01", 2025, 1, 9.0, "区发改局"))
OLD_TASK = task(("T08-04", 2025, 2, "已完成", 100.0, "区人社局"), ("T01-01", 2025, 1, "推进中", 60.0, "区发改局"))


@pytest.mark.parametrize("new_ind, new_task, expected", [
    # the two examples: Y10 99.4 → 97, T08-04 已完成 100% → 推进中 95% (same quarter)
    (ind(("Y10", 2025, 2, 97.0, "区人社局")), task(("T08-04", 2025, 2, "推进中", 95.0, "区人社局")),
     [("Y10", "2025Q2", AWAY), ("T08-04", "2025Q2", REOPENED), ("T08-04", "2025Q2", PERCENT_DOWN)]),
    # a ceiling indicator revised up; a task reported lower in a new quarter than in the last one on record
    (ind(("Y08", 2025, 2, 5.6, "区人社局")), task(("T01-01", 2025, 2, "推进中", 55.0, "区发改局")),
     [("Y08", "2025Q2", AWAY), ("T01-01", "2025Q2", PERCENT_DOWN)]),
    # improvements, unchanged values, a new quarter of an indicator (year-to-date values are not compared)
    (ind(("Y10", 2025, 2, 99.6, "区人社局"), ("Y08", 2025, 2, 5.1, "区人社局"), ("Y01", 2025, 2, 3.0, "区发改局")),
     task(("T01-01", 2025, 2, "推进中", 70.0, "区发改局"), ("T08-04", 2025, 3, "已完成", 100.0, "区人社局")), []),
    # another unit's row of the same task is not compared with this unit's
    (None, task(("T08-04", 2025, 2, "推进中", 20.0, "区民政局")), []),
    # a task reported for an earlier quarter than the one on record is compared with nothing later
    (None, task(("T01-01", 2024, 4, "推进中", 10.0, "区发改局")), []),
])
def test_backward_steps(plan, new_ind, new_task, expected):
    flags = backward_steps(plan, new_ind, new_task, OLD_IND, OLD_TASK)
    assert list(zip(flags["item_id"], flags["period"], flags["code"])) == expected


def test_messages_say_old_and_new(plan):
    flags = backward_steps(plan, ind(("Y10", 2025, 2, 97.0, "区人社局")),
                           task(("T08-04", 2025, 3, "推进中", 95.0, "区人社局")), OLD_IND, OLD_TASK)
    assert list(flags["message"]) == ["数值由 99.4% 改为 97%,离目标更远(本指标越高越好),请核实",
                                      "2025Q2 报送为“已完成”,本次报“推进中”,请核实",
                                      "完成进度由 100%(2025Q2 报送)降为 95%,请核实"]
    assert flags_by_row(flags) == {("Y10", "2025Q2"): flags["message"][0],
                                   ("T08-04", "2025Q3"): flags["message"][1] + ";" + flags["message"][2]}


def test_nothing_on_record(plan):
    empty_ind, empty_task = OLD_IND.iloc[0:0], OLD_TASK.iloc[0:0]
    assert backward_steps(plan, ind(("Y10", 2025, 2, 1.0, "区人社局")), None, empty_ind, empty_task).empty
