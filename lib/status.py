"""Status codes, and their Chinese labels, colours and icons: the one place that maps them.

Colours follow 红黄绿 but use the Okabe–Ito palette so that red and green stay apart for colour-blind
viewers; every status also has its own icon, so nothing depends on colour alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    ACHIEVED = "achieved"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"


class TaskStatus(str, Enum):
    DONE = "done"
    ON_TRACK = "on_track"
    NOT_STARTED = "not_started"
    BEHIND = "behind"
    NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class Look:
    label: str
    colour: str
    icon: str
    pattern: str  # plotly bar pattern shape, so prints in grey stay distinguishable


GREEN_DARK, GREEN, GREEN_LIGHT, AMBER, RED, GREY = "#006D4E", "#009E73", "#7FC97F", "#E69F00", "#D55E00", "#9E9E9E"

STATUS_LOOK: dict[Status, Look] = {
    Status.ACHIEVED: Look("提前实现", GREEN_DARK, "★", ""),
    Status.AHEAD: Look("快于预期", GREEN, "▲", "/"),
    Status.ON_TRACK: Look("基本符合预期", GREEN_LIGHT, "●", "."),
    Status.BEHIND: Look("滞后", RED, "▼", "x"),
    Status.NO_DATA: Look("数据缺失", GREY, "○", "-"),
}
ACHIEVED_AT_END_LABEL = "已实现"  # 提前实现 is wrong once the plan period is over

TASK_STATUS_LOOK: dict[TaskStatus, Look] = {
    TaskStatus.DONE: Look("已完成", GREEN_DARK, "★", ""),
    TaskStatus.ON_TRACK: Look("正常推进", GREEN_LIGHT, "●", "."),
    TaskStatus.NOT_STARTED: Look("未启动", AMBER, "◇", "+"),
    TaskStatus.BEHIND: Look("滞后", RED, "▼", "x"),
    TaskStatus.NOT_REPORTED: Look("未报送", GREY, "○", "-"),
}


def status_label(status: Status | str, time_elapsed: float | None = None) -> str:
    status = Status(status)
    if status is Status.ACHIEVED and time_elapsed is not None and time_elapsed >= 1 - 1e-9:
        return ACHIEVED_AT_END_LABEL
    return STATUS_LOOK[status].label


def task_status_label(status: TaskStatus | str) -> str:
    return TASK_STATUS_LOOK[TaskStatus(status)].label


def badge(status: Status | str, time_elapsed: float | None = None) -> str:
    """Icon + label, e.g. "▼ 滞后": readable without colour."""
    return f"{STATUS_LOOK[Status(status)].icon} {status_label(status, time_elapsed)}"


def task_badge(status: TaskStatus | str) -> str:
    look = TASK_STATUS_LOOK[TaskStatus(status)]
    return f"{look.icon} {look.label}"
