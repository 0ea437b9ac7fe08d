"""What a view covers: the dashboard's sidebar filters and the briefing's (and report's) scope.

One home for the rule "which indicators and tasks belong to a category, a section or a unit", so the
dashboard, the briefing and the evaluation report count the same items:

- category: indicators of that category (tasks have none);
- section: the section's tasks, and the indicators linked to one of them (K indicators);
- unit: what the unit answers for in any role, directly, by alias or via a group (`Plan.responsibilities`).

`filter_reporting` applies the same rule to the 报送情况 rows (who owes or sent which report): the items as
above and, with a unit, that unit's rows (a group: its members' rows).
`task_history` is every task's status at each plan quarter up to the as-of quarter (the heatmap's rows).
Plain Python; `ui` caches these, `lib.briefing` and `lib.report` call them directly.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib import charts, images
from lib.assess import assess_tasks
from lib.messages import render
from lib.periods import Period
from lib.plan import Plan

SCOPE_KINDS = ("all", "section", "unit")


def filter_results(plan: Plan, indicators: pd.DataFrame, tasks: pd.DataFrame, *, category: str | None = None,
                   section: int | None = None, unit: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The assessment rows (`assess_indicators`, `assess_tasks`) inside every given filter; None = no filter.
    Row order and index are kept (the caller decides whether to renumber)."""
    if category:
        indicators = indicators[indicators["category"] == category]
    if section is not None:
        tasks = tasks[tasks["section_no"].astype(int) == int(section)]
        section_tasks = set(plan.tasks.loc[plan.tasks["section_no"].astype(int) == int(section), "task_id"])
        indicators = indicators[indicators["task_id"].isin(section_tasks)]
    if unit:
        mine = set(plan.responsibilities(canonical_unit(plan, unit))["item_id"])
        indicators = indicators[indicators["indicator_id"].isin(mine)]
        tasks = tasks[tasks["task_id"].isin(mine)]
    return indicators, tasks


def canonical_unit(plan: Plan, unit: str) -> str:
    """A unit's name as units.csv has it (an alias, spaces or full-width forms forgiven); unknown names as given."""
    return plan.units.resolve(unit) or str(unit)


def scope_items(plan: Plan, *, category: str | None = None, section: int | None = None,
                unit: str | None = None) -> tuple[set[str], set[str]]:
    """The ids of the plan's indicators and tasks inside every given filter (`filter_results`' rule)."""
    indicators, tasks = filter_results(plan, plan.indicators, plan.tasks, category=category, section=section, unit=unit)
    return set(indicators["indicator_id"]), set(tasks["task_id"])


def designated_units(plan: Plan, units: pd.Series, unit: str) -> pd.Series:
    """Per row, whether `unit` (a name, an alias or a group) designates the row's unit: the unit itself, or a
    member of the group (the rule by which a plan cell names a unit, `UnitDirectory.how_named`)."""
    named = {u: plan.units.how_named(canonical_unit(plan, u), str(unit)) is not None for u in pd.unique(units)}
    return units.map(named).astype(bool)


def filter_reporting(plan: Plan, status: pd.DataFrame, *, category: str | None = None, section: int | None = None,
                     unit: str | None = None) -> pd.DataFrame:
    """The reporting rows (`lib.reporting.reporting_status`: unit, item_type, item_id, …) inside every given
    filter: items as `filter_results` selects them (so 报送情况 counts what the other pages show) and, with
    a unit, only rows of that unit, or of the members of that group. Row order and index are kept."""
    indicator_ids, task_ids = scope_items(plan, category=category, section=section, unit=unit)
    keep = (((status["item_type"] == "指标") & status["item_id"].isin(indicator_ids))
            | ((status["item_type"] == "任务") & status["item_id"].isin(task_ids)))
    if unit:
        keep &= designated_units(plan, status["unit"], unit)
    return status[keep]


def task_history(plan: Plan, task_progress: pd.DataFrame, as_of: Period, task_ids: set[str] | None = None) -> pd.DataFrame:
    """Each task's status at every plan quarter up to `as_of` (task_id, title, period, status); one
    `assess_tasks` per quarter, 20 at most. With `task_ids`, only those tasks (renumbered)."""
    frames = [assess_tasks(plan, task_progress, q).assign(period=str(q))[["task_id", "title", "period", "status"]]
              for q in plan.periods if q <= as_of]
    history = pd.concat(frames, ignore_index=True)
    return history if task_ids is None else history[history["task_id"].isin(task_ids)].reset_index(drop=True)


# --- the briefing's and the report's scope: the whole plan, one section or one unit ----------------------

class ScopeError(ValueError):
    """A scope that does not exist in the plan; `str(e)` is the Chinese message."""


@dataclass(frozen=True)
class Scope:
    """What a pack covers: kind "all" (value None), "section" (section number) or "unit" (unit name)."""
    kind: str = "all"
    value: int | str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ScopeError(render("brief.bad_scope", value=self.kind))
        if self.kind == "all" and self.value is not None:
            object.__setattr__(self, "value", None)
        if self.kind == "section":
            try:
                object.__setattr__(self, "value", int(self.value))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ScopeError(render("brief.bad_scope", value=f"section:{self.value}")) from None
        if self.kind == "unit" and not str(self.value or "").strip():
            raise ScopeError(render("brief.bad_scope", value="unit:"))

    @classmethod
    def parse(cls, text: str) -> "Scope":
        """"all" | "section:3" | "unit:区人社局" (also "全部")."""
        text = str(text).strip()
        if text in ("", "all", "全部"):
            return cls()
        kind, sep, value = text.partition(":")
        if not sep:
            kind, sep, value = text.partition(":")
        if not sep or kind.strip() not in ("section", "unit"):
            raise ScopeError(render("brief.bad_scope", value=text))
        return cls(kind.strip(), value.strip())

    def __str__(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.value}"

    def resolved(self, plan: Plan) -> "Scope":
        """The same scope checked against the plan (a unit's alias becomes its canonical name)."""
        if self.kind == "section":
            numbers = [int(n) for n in plan.sections["section_no"]]
            if self.value not in numbers:
                raise ScopeError(render("brief.unknown_section", value=self.value, choices="、".join(map(str, numbers))))
        if self.kind == "unit":
            name = plan.units.resolve(self.value)
            if name is None:
                close = "、".join(plan.units.closest(self.value))
                raise ScopeError(render("brief.unknown_unit", value=self.value, suggestion=f",是否为:{close}" if close else ""))
            return Scope("unit", name)
        return self

    def label(self, plan: Plan) -> str:
        """"全区" / "第三篇 发展现代产业体系、做强经济发展首位区" / "区人社局"."""
        if self.kind == "section":
            title = dict(zip(plan.sections["section_no"].astype(int), plan.sections["section_title"])).get(self.value, "")
            return f"第{charts.chinese_numeral(self.value)}篇 {title}".strip()
        if self.kind == "unit":
            return str(self.value)
        return "全区"

    def phrase(self, plan: Plan) -> str:
        """How the summary introduces the scope before "N项指标中": "" / "第三篇涉及的" / "区人社局负责的"."""
        if self.kind == "section":
            return f"第{charts.chinese_numeral(self.value)}篇涉及的"
        if self.kind == "unit":
            return f"{self.value}负责的"
        return ""

    def file_suffix(self) -> str:
        """"" for the whole plan, "_第3篇" / "_区人社局" otherwise (file names)."""
        if self.kind == "section":
            return f"_第{self.value}篇"
        if self.kind == "unit":
            return "_" + images.safe_filename(str(self.value))
        return ""

    def filters(self) -> dict:
        """The scope as `filter_results` keywords."""
        return {self.kind: self.value} if self.kind != "all" else {}


def filter_to_scope(plan: Plan, scope: Scope, indicators: pd.DataFrame, tasks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scope's indicators and tasks, in plan order, renumbered from 0."""
    indicators, tasks = filter_results(plan, indicators, tasks, **scope.filters())
    return indicators.reset_index(drop=True), tasks.reset_index(drop=True)
