"""The generated sentences: the one place that turns the engine's result frames into Chinese text.

The briefing deck (lib/briefing.py) and the evaluation report (lib/report/) both take their summary, their
counts per status and their lists of lagging items from here, so the two never say different things about
the same data. Every number comes from `assess_indicators` / `assess_tasks` rows; templates live in
lib/messages.py. Plain Python (no streamlit).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pandas as pd

from lib import fmt
from lib.messages import render
from lib.periods import Period, time_elapsed
from lib.plan import Plan
from lib.status import Status, TaskStatus, is_final, status_label, task_status_label

FINAL_EPS = 1e-9


def task_label(status: TaskStatus | str, final: bool = False) -> str:
    """The task's label from lib.status; at the end of the plan done → 已完成, otherwise 未完成."""
    return task_status_label(status, final=final)

MAX_LISTED = 5             # items named in one sentence of the summary


class ScopeLike(Protocol):
    """What the sentences need of lib.scope.Scope (kept there: it also names files and checks the plan)."""
    def phrase(self, plan: Plan) -> str: ...


def period_text(period: Period) -> str:
    """2023Q2 → "2023年第二季度"."""
    return period.chinese


def _pct(share: float) -> str:
    """0.5 → "50%", 0.4285 → "42.9%" (one decimal only where it matters)."""
    value = round(float(share) * 100, 1)
    return f"{value:g}%"


def _units(row: pd.Series | object, *names: str) -> str:
    for name in names:
        value = row[name] if isinstance(row, pd.Series) else getattr(row, name, ())
        if isinstance(value, (tuple, list)) and len(value):
            return fmt.units_text(tuple(value))
    return "未明确"


def _listing(items: list[str], code: str, sep: str = "、") -> str:
    """At most MAX_LISTED items, then "等N项"."""
    more = render("brief.summary.more", count=len(items)) if len(items) > MAX_LISTED else ""
    return render(code, items=sep.join(items[:MAX_LISTED]), more=more)


def indicator_counts(indicators: pd.DataFrame) -> dict[Status, int]:
    """Indicators per status, every status present (zero where none)."""
    counts = indicators["status"].value_counts()
    return {s: int(counts.get(s.value, 0)) for s in Status}


def task_counts(tasks: pd.DataFrame) -> dict[TaskStatus, int]:
    counts = tasks["status"].value_counts()
    return {s: int(counts.get(s.value, 0)) for s in TaskStatus}


def _count_phrase(counts: dict, label: Callable[[object], str]) -> str:
    return "、".join(f"{label(s)}{n}项" for s, n in counts.items())


def label_counts(indicators: pd.DataFrame, tau: float) -> list[tuple[str, int]]:
    """(label, count) in status order, from the engine's `status_label` column, so that in a view as of the
    plan's end an indicator still judged on earlier data is counted apart under its monitoring label,
    marked "数据截至yyyyQq". Before the end statuses with no indicator count 0; at the end only labels that occur."""
    final = is_final(tau)
    out: list[tuple[str, int]] = []
    for s in Status:
        rows = indicators[indicators["status"] == s.value]
        if not len(rows):
            if not (final and s is Status.AHEAD):
                out.append((status_label(s, tau), 0))
            continue
        labels = rows["status_label"] if "status_label" in rows.columns else pd.Series(status_label(s, tau), index=rows.index)
        early = final & (rows["time_elapsed"].astype(float) < 1 - FINAL_EPS) & (s is not Status.NO_DATA)
        for label, part in rows[~early].groupby(labels[~early], sort=False):
            out.append((str(label), len(part)))
        for (label, period), part in rows[early].groupby([labels[early], rows.loc[early, "latest_period"]], sort=False):
            out.append((f"{label}(数据截至{period})", len(part)))
    merged: dict[str, int] = {}  # at τ = 1 two codes can share a label (ahead and achieved: 已完成)
    for label, n in out:
        merged[label] = merged.get(label, 0) + n
    return [(label, n) for label, n in merged.items() if n or not final]


def label_counts_phrase(indicators: pd.DataFrame, tau: float) -> str:
    """"提前实现1项、快于预期4项…" / at the end "已完成11项、基本完成2项、基本符合预期(数据截至2024Q4)1项…"."""
    return "、".join(f"{label}{n}项" for label, n in label_counts(indicators, tau))


def task_counts_phrase(tasks: pd.DataFrame, tau: float) -> str:
    """Tasks per label; at the end of the plan "已完成30项、未完成8项(正常推进4项、滞后2项、未报送2项)"."""
    counts = task_counts(tasks)
    if not is_final(tau):
        return _count_phrase(counts, task_status_label)
    done = counts[TaskStatus.DONE]
    rest = {s: n for s, n in counts.items() if s is not TaskStatus.DONE and n}
    detail = f"({_count_phrase(rest, task_status_label)})" if rest else ""
    return f"{task_label(TaskStatus.DONE, True)}{done}项、{task_label(TaskStatus.BEHIND, True)}{sum(rest.values())}项{detail}"


def lagging_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Behind indicators, the widest gap between time elapsed and achievement first; those judged by a
    yes/no test (no achievement) after them, in plan order."""
    behind = indicators[indicators["status"] == Status.BEHIND.value].copy()
    behind["_gap"] = behind["time_elapsed"].astype(float) - behind["achievement"].astype(float)
    behind["_order"] = range(len(behind))
    return behind.sort_values(["_gap", "_order"], ascending=[False, True], na_position="last").drop(columns=["_gap", "_order"])


def _lagging_item(row: pd.Series) -> str:
    item = f"{row['indicator_id']} {row['name']}"
    units = _units(row, "lead_units", "responsible_units")
    if pd.notna(row["achievement"]):
        return render("brief.summary.lagging_p", item=item, p=fmt.percent(row["achievement"]), tau=_pct(row["time_elapsed"]), units=units)
    if row["kind"] == "in_step" and pd.notna(row["diff_pp"]):
        return render("brief.summary.lagging_in_step", item=item, ref=row["ref_indicator"], diff=fmt.number(abs(float(row["diff_pp"])), 2), units=units)
    target = fmt.target_phrase(row["kind"], row["target_value"], row["unit"], row["ref_indicator"] or "")
    if row["kind"] == "quota" and pd.notna(row["assigned_target"]):
        target = f"{str(row['latest_period'])[:4]}年上级下达{fmt.with_unit(row['assigned_target'], row['unit'])}"
    latest = f"{fmt.with_unit(row['latest_value'], row['unit'])}({row['latest_period']})" if row["latest_period"] else "—"
    return render("brief.summary.lagging_test", item=item, latest=latest, target=target, units=units)


def summary_paragraphs(plan: Plan, indicators: pd.DataFrame, tasks: pd.DataFrame, as_of: Period, scope: ScopeLike | None,
                       *, sample_data: bool = False) -> list[str]:
    """The summary as paragraphs (indicators, binding ones, lagging, missing data, tasks, sample note)."""
    tau = time_elapsed(as_of.year, as_of.quarter, plan.base_year, plan.target_year)
    period, phrase = period_text(as_of), (scope.phrase(plan) if scope is not None else "")
    out: list[str] = []
    if len(indicators):
        out.append(render("brief.summary.indicators", period=period, tau=_pct(tau), scope=phrase, total=len(indicators),
                          counts=label_counts_phrase(indicators, tau)))
        binding = indicators[indicators["category"] == "约束性"]
        if len(binding):
            b = indicator_counts(binding)
            normal = b[Status.ACHIEVED] + b[Status.AHEAD] + b[Status.ON_TRACK]
            behind_label = status_label(Status.BEHIND, tau)
            if is_final(tau):
                parts = [label_counts_phrase(binding, tau)]
            else:
                parts = [f"{status_label(Status.ACHIEVED, tau)}、快于预期或基本符合预期{normal}项", f"{behind_label}{b[Status.BEHIND]}项",
                         f"数据缺失{b[Status.NO_DATA]}项"]
            late = binding[binding["status"] == Status.BEHIND.value]
            detail = (f",{behind_label}的是" + "、".join(f"{r.indicator_id} {r.name}" for r in late.itertuples())) if len(late) else ""
            out.append(render("brief.summary.binding", total=len(binding), counts="、".join(parts), detail=detail))
        lagging = lagging_indicators(indicators)
        if len(lagging):
            out.append(_listing([_lagging_item(r) for _, r in lagging.iterrows()], "brief.summary.lagging", ";"))
        missing = indicators[indicators["status"] == Status.NO_DATA.value]
        if len(missing):
            out.append(_listing([f"{r.indicator_id} {r.name}({r.reason})" for r in missing.itertuples()], "brief.summary.no_data"))
    else:
        out.append(render("brief.summary.no_indicators", period=period, tau=_pct(tau), scope=phrase))
    if len(tasks):
        out.append(render("brief.summary.tasks", scope=phrase, total=len(tasks), counts=task_counts_phrase(tasks, tau)))
        behind = tasks[tasks["status"] == TaskStatus.BEHIND.value].sort_values("percent", kind="stable", na_position="first")
        if len(behind):
            items = [render("brief.summary.task_item", item=f"{r['task_id']} {r['title']}",
                            percent=fmt.with_unit(r["percent"], "%", 0), units=_units(r, "lead_units", "responsible_units"))
                     for _, r in behind.iterrows()]
            out.append(_listing(items, "brief.summary.tasks_behind", ";"))
        unreported = tasks[tasks["status"] == TaskStatus.NOT_REPORTED.value]
        if len(unreported):
            out.append(_listing([f"{r.task_id} {r.title}" for r in unreported.itertuples()], "brief.summary.tasks_unreported"))
    else:
        out.append(render("brief.summary.no_tasks", scope=phrase))
    if sample_data:
        out.append(render("brief.summary.sample"))
    return out


def summary_text(plan: Plan, indicators: pd.DataFrame, tasks: pd.DataFrame, as_of: Period, scope: ScopeLike | None = None,
                 *, sample_data: bool = False) -> str:
    """The summary for a report, paragraphs separated by a blank line. `indicators` / `tasks` are the
    scope's rows of `assess_indicators` / `assess_tasks` as of `as_of`."""
    return "\n\n".join(summary_paragraphs(plan, indicators, tasks, as_of, scope, sample_data=sample_data))
