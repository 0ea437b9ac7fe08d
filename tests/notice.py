"""Parse the district's task-division notice, so tests can check the plan files against its own text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The notice is kept in the repository as source data (see data/source/README.md).
NOTICE = Path(__file__).resolve().parents[1] / "data" / "source" / "shashi-14th-five-year-plan-task-division.txt"
SECTION_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class NoticeTask:
    task_id: str
    section_no: int
    section_title: str
    title: str
    description: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]


@dataclass(frozen=True)
class NoticeIndicator:
    category: str
    sentence: str
    units: tuple[str, ...]


def split_units(text: str) -> tuple[str, ...]:
    """「区住建局、区商务局,各镇、街道」→ units; 各镇、街道 is one group name, so split the comma first."""
    units: list[str] = []
    for part in re.split(r"[,,]", text):
        part = part.strip()
        if part == "各镇、街道":
            units.append(part)
        else:
            units.extend(u for u in part.split("、") if u)
    return tuple(units)


def notice_text() -> str:
    return NOTICE.read_text(encoding="utf-8")


def _main_part(text: str, start: str, end: str) -> str:
    return text[text.index(start): text.index(end)]


def indicators() -> list[NoticeIndicator]:
    text = notice_text()
    out: list[NoticeIndicator] = []
    for category, start, end in (("预期性", "(一)预期性指标", "(二)约束性指标"), ("约束性", "(二)约束性指标", "三、重点任务分工")):
        for m in re.finditer(r"^\d+\.(.+?)[((]责任单位[::](.+?)[))]$", _main_part(text, start, end), re.M):
            out.append(NoticeIndicator(category, m.group(1), split_units(m.group(2))))
    return out


def tasks() -> list[NoticeTask]:
    part = _main_part(notice_text(), "三、重点任务分工", "四、工作要求")
    out: list[NoticeTask] = []
    section_no, section_title = 0, ""
    for line in part.splitlines():
        line = line.strip()
        if m := re.match(r"^[((]([一二三四五六七八九十]+)[))](.+)$", line):
            section_no = SECTION_NUMERALS.index(m.group(1)) + 1 if len(m.group(1)) == 1 else 10
            section_title, n = m.group(2), 0
        elif m := re.match(r"^(\d+)\.(.+?)。(.*)[((]牵头单位[::](.+?)(?:[;;]责任单位[::](.+?))?[))]$", line):
            n = int(m.group(1))
            out.append(NoticeTask(
                task_id=f"T{section_no:02d}-{n:02d}", section_no=section_no, section_title=section_title,
                title=m.group(2), description=m.group(3), lead_units=split_units(m.group(4)),
                responsible_units=split_units(m.group(5) or ""),
            ))
    return out
