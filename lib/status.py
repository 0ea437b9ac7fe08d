"""Status codes, and their Chinese labels, colours and icons: the one place that maps them.

Colours follow 红黄绿 but use the Okabe–Ito palette so that red and green stay apart for colour-blind
viewers; every status also has its own icon, so nothing depends on colour alone.

红黄绿 means: red (滞后) = behind its time; amber = not behind, but at the recent pace the target is not
reached by the target year (`Outlook.AT_RISK`, 预计难以完成); green = the rest. `light_look` is the one
function that turns (status, outlook) into that colour. Once an indicator is judged at τ(L) = 1 its labels
are the final-evaluation ones (已完成 / 基本完成 / 未完成), and a task is 已完成 or 未完成.
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


class Outlook(str, Enum):
    """Whether the recent pace reaches the target by the target year (spec "Outlook")."""
    LIKELY = "likely"
    AT_RISK = "at_risk"


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
# A final evaluation speaks of completion, not of pace: labels for an indicator judged at τ(L) = 1.
FINAL_LABELS: dict[Status, str] = {
    Status.ACHIEVED: "已完成",
    Status.AHEAD: "已完成",  # cannot occur at τ = 1 (P ≥ 1 is achieved there); kept so every code has a label
    Status.ON_TRACK: "基本完成",
    Status.BEHIND: "未完成",
    Status.NO_DATA: "数据缺失",
}
ACHIEVED_AT_END_LABEL = FINAL_LABELS[Status.ACHIEVED]  # kept for older callers

OUTLOOK_LOOK: dict[Outlook, Look] = {
    Outlook.LIKELY: Look("预计可完成", GREEN, "↗", ""),
    Outlook.AT_RISK: Look("预计难以完成", AMBER, "◆", "\\"),
}
# The amber light: not behind, but at risk. Its own icon keeps it apart from green without colour.
AT_RISK_LIGHT = Look("进度不滞后,但预计难以完成", AMBER, "◆", "\\")
LEGEND_AMBER = "黄:进度不滞后,但按近一年进度预计难以完成"

TASK_STATUS_LOOK: dict[TaskStatus, Look] = {
    TaskStatus.DONE: Look("已完成", GREEN_DARK, "★", ""),
    TaskStatus.ON_TRACK: Look("正常推进", GREEN_LIGHT, "●", "."),
    TaskStatus.NOT_STARTED: Look("未启动", AMBER, "◇", "+"),
    TaskStatus.BEHIND: Look("滞后", RED, "▼", "x"),
    TaskStatus.NOT_REPORTED: Look("未报送", GREY, "○", "-"),
}


FINAL_TASK_LABELS = {True: "已完成", False: "未完成"}


def is_final(time_elapsed: float | None) -> bool:
    """Whether a judgement is made at the end of the plan period (τ = 1, within 1e-9)."""
    try:
        return time_elapsed is not None and float(time_elapsed) >= 1 - 1e-9
    except (TypeError, ValueError):
        return False


def status_label(status: Status | str, time_elapsed: float | None = None) -> str:
    """Monitoring label (提前实现 …) or, judged at τ = 1, the final-evaluation label (已完成 / 基本完成 / 未完成)."""
    status = Status(status)
    return FINAL_LABELS[status] if is_final(time_elapsed) else STATUS_LOOK[status].label


def task_status_label(status: TaskStatus | str, final: bool = False) -> str:
    """A task's label; `final` (the view is at the plan's last quarter): done → 已完成, anything else → 未完成."""
    status = TaskStatus(status)
    if final:
        return FINAL_TASK_LABELS[status is TaskStatus.DONE]
    return TASK_STATUS_LOOK[status].label


def outlook_label(outlook: Outlook | str | None) -> str:
    """预计可完成 / 预计难以完成; '' when there is no outlook (no P, no_data, or judged at τ = 1)."""
    if outlook is None or outlook == "" or (isinstance(outlook, float) and outlook != outlook):
        return ""
    return OUTLOOK_LOOK[Outlook(outlook)].label


def light_look(status: Status | str, outlook: Outlook | str | None = None) -> Look:
    """The 红黄绿 light of an indicator: behind → red; not behind but at risk → amber; no_data → grey;
    otherwise the status's own green. The label is the status label (monitoring wording)."""
    status = Status(status)
    if status is not Status.BEHIND and status is not Status.NO_DATA and outlook_label(outlook) == OUTLOOK_LOOK[Outlook.AT_RISK].label:
        return AT_RISK_LIGHT
    return STATUS_LOOK[status]


def badge(status: Status | str, time_elapsed: float | None = None) -> str:
    """Icon + label, e.g. "▼ 滞后" (or "▼ 未完成" at τ = 1): readable without colour."""
    return f"{STATUS_LOOK[Status(status)].icon} {status_label(status, time_elapsed)}"


def task_badge(status: TaskStatus | str, final: bool = False) -> str:
    look = TASK_STATUS_LOOK[TaskStatus(status)]
    icon = TASK_STATUS_LOOK[TaskStatus.DONE].icon if final and TaskStatus(status) is TaskStatus.DONE else look.icon
    return f"{icon} {task_status_label(status, final)}"
