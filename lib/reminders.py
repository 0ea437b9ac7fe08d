"""催报: who still owes which report for a quarter, as a list to download and as the text of a reminder notice.

    owed = reminder_list(status)                       # status: lib.reporting.reporting_status(...)
    text = reminder_text(owed, period, deadline, today, sender="区发改局")

Only reports that are missing after the deadline (state 未报送) are chased; late ones have arrived, and
reports not yet due (未到期) are not late. One row per unit, units with the most days late first.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from lib.periods import Period
from lib.reporting import STATE_MISSING

COLUMNS = ["单位", "缺报项数", "缺报指标", "缺报任务", "逾期天数"]
MAX_ITEMS_IN_TEXT = 8   # a notice names at most this many items per unit, then "等 N 项"


def _items(frame: pd.DataFrame, kind: str) -> str:
    rows = frame[frame["item_type"] == kind]
    return "、".join(f"{i} {n}" if isinstance(n, str) and n else str(i) for i, n in zip(rows["item_id"], rows["name"]))


def reminder_list(status: pd.DataFrame) -> pd.DataFrame:
    """Per unit with missing reports: 单位, 缺报项数, 缺报指标, 缺报任务 ("Y01 地区生产总值年均增速、…"),
    逾期天数 (whole days past the deadline). Empty (same columns) when nothing is missing."""
    missing = status[status["state"] == STATE_MISSING]
    rows = []
    for unit, group in missing.groupby("unit", sort=True):
        days = pd.to_numeric(group["days_late"], errors="coerce").max()
        rows.append({"单位": unit, "缺报项数": len(group), "缺报指标": _items(group, "指标"), "缺报任务": _items(group, "任务"),
                     "逾期天数": int(days) if pd.notna(days) else 0})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["逾期天数", "缺报项数", "单位"], ascending=[False, False, True], ignore_index=True)


def _shortened(items: str) -> str:
    parts = [p for p in items.split("、") if p]
    if len(parts) <= MAX_ITEMS_IN_TEXT:
        return "、".join(parts)
    return "、".join(parts[:MAX_ITEMS_IN_TEXT]) + f"等 {len(parts)} 项"


def reminder_text(owed: pd.DataFrame, period: Period, deadline: date, today: date, sender: str = "区发改局") -> str:
    """A reminder notice ready to paste into a message or a document: who, what, how late, what to do."""
    quarter = f"{period.year}年第{period.quarter}季度"
    if owed.empty:
        return f"截至{today.year}年{today.month}月{today.day}日,各单位{quarter}规划实施进度均已报送,无需催报。"
    lines = [f"关于催报{quarter}规划实施进度的通知", "",
             f"{'、'.join(owed['单位'])}:", "",
             f"{quarter}规划实施进度报送截止日期为{deadline.year}年{deadline.month}月{deadline.day}日。"
             f"截至{today.year}年{today.month}月{today.day}日,以下单位仍有事项未报送:", ""]
    for n, r in enumerate(owed.itertuples(index=False), start=1):
        what = ";".join(x for x in (f"指标:{_shortened(r.缺报指标)}" if r.缺报指标 else "",
                                    f"任务:{_shortened(r.缺报任务)}" if r.缺报任务 else "") if x)
        lines.append(f"{n}. {r.单位}(逾期 {r.逾期天数} 天,{r.缺报项数} 项)——{what}")
    lines += ["", "请上述单位登录规划实施监测看板,在「数据填报」页下载本单位模板填报后上传,或直接在「网页填报」中填写,"
              "尽快完成报送。如有特殊情况,请及时与区发改局联系。", "", sender,
              f"{today.year}年{today.month}月{today.day}日"]
    return "\n".join(lines)
