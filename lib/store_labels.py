"""How the store's tables read on screen: Chinese labels of submission states and columns, and the
display formatting of times, periods and values (the review and upload pages, messages, the CLI).

The store (lib/store.py) keeps data; this module only says how it is shown. Times are stored in UTC and
shown in 北京时间 (`lib.periods.TIME_ZONE`).
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from lib.periods import TIME_ZONE, Period

DISPLAY_TZ = TIME_ZONE

# Submission states (`SubmissionState` values) as the office reads them.
STATE_TEXT: dict[str, str] = {"pending": "待审核", "adopted": "已采纳", "returned": "已退回", "revoked": "已撤销"}

# Chinese labels for the columns of `submissions()` and `history()` (pages rename with these).
SUBMISSION_LABELS: dict[str, str] = {
    "id": "报送编号", "unit": "填报单位", "account": "上传账号", "created_at": "上传时间", "file_name": "文件名",
    "sha256": "SHA-256", "indicator_rows": "指标行数", "task_rows": "任务行数", "state": "状态代码",
    "state_label": "状态", "state_reason": "退回/撤销原因", "reviewed_by": "审核人", "reviewed_at": "审核时间",
}
HISTORY_LABELS: dict[str, str] = {
    "item_id": "编号", "source": "来源", "period": "期间", "year": "年份", "quarter": "季度", "value": "数值",
    "annual_target": "年度目标值", "task_state": "进展状态", "percent": "完成进度", "unit": "填报单位",
    "account": "账号", "time": "时间", "submission_id": "报送编号", "submission_state": "报送状态",
    "reviewed_by": "审核人", "reviewed_at": "审核时间", "note": "备注/原因",
}


def display_time(ts: pd.Timestamp | datetime | None) -> str:
    """UTC timestamp → '2024-04-15 09:30' in 北京时间, for messages."""
    if ts is None or pd.isna(ts):
        return ""
    stamp = pd.Timestamp(ts)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


def period_text(year: object, quarter: object) -> str:
    """(2023, 2) → the period's label; a year alone (an annual-target setting) → "2023"; nothing → ""."""
    if year is None or pd.isna(year):
        return ""
    if quarter is None or pd.isna(quarter):
        return f"{int(year)}"
    return Period(int(year), int(quarter)).label


def number_text(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):g}"


def indicator_text(rec: pd.Series | dict) -> str:
    """An indicator row as the preview shows it: "9.5(年度目标 8)"."""
    text = number_text(rec["value"])
    target = number_text(rec["annual_target"])
    return f"{text}(年度目标 {target})" if target else text


def task_text(rec: pd.Series | dict) -> str:
    """A task row as the preview shows it: "推进中 60%"."""
    return f"{rec['state']} {number_text(rec['percent'])}%"
