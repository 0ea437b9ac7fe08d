"""Plain-Chinese sentences about one assessed indicator: what its status means, then where the recent pace
leads (the outlook). Pages show the sentence first and the formula (`lib.assess.explain`, `outlook_lines`)
in a collapsed detail; reports can quote the same sentences. Numbers go through lib.fmt's one rule.
"""
from __future__ import annotations

import pandas as pd

from lib import fmt
from lib.messages import render
from lib.status import Outlook, Status, is_final, outlook_label

_P_KINDS_TEMPLATES = {"growth_rate": "verdict.growth", "cumulative": "verdict.cumulative",
                      "reduction_total": "verdict.reduction"}


def _value(row: pd.Series, name: str) -> str:
    return fmt.with_unit(row[name], row["unit"])


def _share(value: float) -> str:
    """A share as a percent, the same as in tables and cards: 0.5625 → "56.3%", 0.92 → "92%"."""
    return fmt.percent(value)


def _num(value: float, digits: int = 4) -> str:
    return fmt.number(value, digits)


def status_sentence(row: pd.Series) -> str:
    """One sentence saying where the indicator stands, e.g. "从基期 26.5% 到目标 30%,2023Q2 为 28.5%,已完成 57%;
    时间已过 50%,快于预期。" — for a row of `assess_indicators`."""
    kind, status, label = row["kind"], row["status"], row["status_label"]
    if status == Status.NO_DATA.value:
        return render("verdict.no_data", reason=row["reason"])
    common = dict(label=label, latest_period=row["latest_period"], target=_value(row, "target_value"),
                  xt=_value(row, "latest_value"), tau=_share(row["time_elapsed"]))
    if kind == "level_up":
        if status == Status.ACHIEVED.value:
            return render("verdict.level_reached", **common)
        if pd.isna(row["achievement"]):
            return render("verdict.level_not_above_base", x0=_value(row, "baseline_value"), **common)
        return render("verdict.level", x0=_value(row, "baseline_value"), p=_share(row["achievement"]), **common)
    if kind in _P_KINDS_TEMPLATES:
        return render(_P_KINDS_TEMPLATES[kind], p=_share(row["achievement"]), avg=fmt.with_unit(row["avg_growth"], "%", 2),
                      c=fmt.with_unit(row["cumulative_total"], row["unit"]),
                      cum=fmt.with_unit(row.get("cumulative_reduction"), "%", 2), **common)
    if kind == "ceiling":
        bound = "不低于" if row["direction"] == "up" else "要求控制在"
        code = "verdict.ceiling_failed" if status == Status.BEHIND.value else "verdict.ceiling_met"
        return render(code, bound=bound, **common)
    if kind == "in_step":
        return render("verdict.in_step", avg=fmt.with_unit(row["avg_growth"], "%", 2), ref=row["ref_indicator"],
                      ref_avg=fmt.with_unit(row["ref_avg_growth"], "%", 2), d=fmt.signed(row["diff_pp"], 2),
                      pp=fmt.number(row["tolerance_pp"], 2), label=label)
    down = row["direction"] == "down"
    met = status != Status.BEHIND.value
    verdict = ("不高于目标" if down else "不低于目标") if met else ("高于目标" if down else "低于目标")
    return render("verdict.quota", year=str(row["latest_period"])[:4], target=_value(row, "assigned_target"),
                  latest_period=row["latest_period"], xt=_value(row, "latest_value"), verdict=verdict, label=label)


def has_outlook(row: pd.Series) -> bool:
    return bool(outlook_label(row.get("outlook")))


def outlook_sentence(row: pd.Series) -> str:
    """"按近一年的进度,到 2025 年预计完成目标的 92%,预计难以完成。" ('' without an outlook)."""
    if not has_outlook(row):
        return ""
    code = "verdict.outlook_recent" if row["outlook_from"] else "verdict.outlook_base"
    return render(code, year=int(row["target_year"]), pt=_share(row["projected_achievement"]), outlook=outlook_label(row["outlook"]))


def outlook_lines(row: pd.Series) -> list[str]:
    """The outlook's arithmetic: L′, P(L′) and τ(L′), the pace v, and P_T against 1."""
    if not has_outlook(row):
        return []
    p, tau, p0, tau0 = row["achievement"], row["time_elapsed"], row["outlook_achievement"], row["outlook_time_elapsed"]
    start = (render("verdict.outlook_from", from_period=row["outlook_from"], latest_period=row["latest_period"],
                    p0=_num(p0), tau0=_num(tau0, 2)) if row["outlook_from"]
             else render("verdict.outlook_from_base", latest_period=row["latest_period"]))
    likely = row["outlook"] == Outlook.LIKELY.value
    return [
        start,
        render("verdict.outlook_pace", p=_num(p), p0=_num(p0), tau=_num(tau, 2), tau0=_num(tau0, 2), v=_num(row["pace"])),
        render("verdict.outlook_projection", p=_num(p), v=_num(row["pace"]), rest=_num(1 - tau, 2),
               pt=_num(row["projected_achievement"]), rule="P_T ≥ 1" if likely else "P_T < 1", outlook=outlook_label(row["outlook"])),
    ]


# --- short texts for cards and tables -------------------------------------------------------------

def latest_text(row: pd.Series) -> tuple[str, str]:
    """(caption, text) for the value a card shows first. A five-year total shows the total, then the
    year-to-date value it rests on: ("累计", "2.14万人(截至2023Q2,本年 3,900人)")."""
    if not row["latest_period"]:
        return "最新", "暂无数据"
    period, value = row["latest_period"], _value(row, "latest_value")
    if row["kind"] == "cumulative" and pd.notna(row["cumulative_total"]):
        return "累计", f"{fmt.with_unit(row['cumulative_total'], row['unit'])}(截至{period},本年 {value})"
    if row["kind"] == "reduction_total" and pd.notna(row.get("cumulative_reduction")):
        return "累计降低", f"{fmt.with_unit(row['cumulative_reduction'], '%', 2)}(截至{period},本期 {value})"
    return "最新", f"{value}({period})"


def progress_text(row: pd.Series) -> str:
    """The progress line under a card: 完成度 with what it is measured from, or the in-step gap."""
    if pd.notna(row["achievement"]):
        done = fmt.percent(row["achievement"])
        if row["kind"] == "level_up":
            return f"从基期 {_value(row, 'baseline_value')} 到目标 {_value(row, 'target_value')},已完成 {done}"
        return f"完成度 {done}"
    if pd.notna(row.get("diff_pp")):
        return f"五年年均增速与{row['ref_indicator']}相差 {fmt.signed(row['diff_pp'], 2)} 个百分点"
    return ""


def judged_earlier(row: pd.Series) -> bool:
    """A view at the plan's end where this indicator is still judged on earlier data (数据截至 yyyyQq)."""
    return (is_final(row["as_of_time_elapsed"]) and bool(row["latest_period"])
            and row["status"] != Status.NO_DATA.value and not is_final(row["time_elapsed"]))
