"""What an evaluation report says: its as-of quarter, its title, and its sections as plain blocks.

The three kinds (annual 年度, midterm 中期, final 总结) differ in their as-of quarter, title, labels (the
final report judges completion: 已完成 / 基本完成 / 未完成, taken from the engine's `status_label`) and
section 五 (the final report advises on the next plan). The assessment, the scope filter and the charts are
the briefing's (`lib.briefing.build_briefing`), so the report and the deck never disagree; the sentences of
一、总体情况 are lib.narrative's, the deck's own summary.

No python-docx here: `lib.report.word` turns the blocks into a .docx.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

import pandas as pd

from lib import briefing, charts, fmt, narrative
from lib.assess import Tolerance
from lib.messages import render
from lib.narrative import _pct, _units, is_final, period_text, task_label
from lib.periods import Period
from lib.plan import Plan
from lib.scope import filter_reporting
from lib.status import Outlook, Status, TaskStatus, outlook_label

ProgressCallback = Callable[[float, str], None]

LATEST_CHARS = 80        # 表2 最新进展: longer text is shortened here; the annex has it in full
MAX_QUOTED = 8           # problems / next steps quoted per subsection ("等N项" after)
CATEGORY_ORDER = ("约束性", "预期性", "任务指标")   # binding indicators first


class Kind(str, Enum):
    ANNUAL = "annual"
    MIDTERM = "midterm"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {"annual": "年度评估", "midterm": "中期评估", "final": "总结评估"}[self.value]


class ReportError(ValueError):
    """An impossible request (e.g. a final report with no data for the plan's last quarter); `str(e)` is Chinese."""


# --- blocks -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    level: int     # 1 "一、…" (黑体), 2 "(一)…" (楷体)
    text: str
    new_page: bool = False   # the annex starts on a page of its own


@dataclass(frozen=True)
class Para:
    text: str
    note: bool = False   # a smaller note (source, method), not body text


@dataclass(frozen=True)
class Table:
    number: str                      # "表1", "附表2"
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...]     # sum = the text width (156 mm)
    font_pt: float = 10.5            # 五号
    landscape: bool = False


@dataclass(frozen=True)
class Figure:
    number: int                      # 图N
    caption: str
    chart: int                       # index into the briefing's charts (and its PNGs)


Block = Heading | Para | Table | Figure


@dataclass
class Report:
    kind: Kind
    title: str
    subtitle: str                    # the line under the title: cut-off, generation time, 含示例数据
    blocks: list[Block]
    pack: briefing.Briefing          # assessment, charts and (after render) their PNGs
    created: datetime = field(default_factory=lambda: datetime.now(briefing.ZH_TZ))

    @property
    def as_of(self) -> Period:
        return self.pack.as_of

    def file_name(self) -> str:
        """"总结评估报告_2025Q4.docx", "年度评估报告_2023Q4_区人社局.docx"."""
        return f"{self.kind.label}报告_{self.as_of}{self.pack.scope.file_suffix()}.docx"

    def text(self) -> str:
        """Everything the document says, as plain text (tests and search)."""
        out = [self.title, self.subtitle]
        for b in self.blocks:
            if isinstance(b, (Heading, Para)):
                out.append(b.text)
            elif isinstance(b, Table):
                out += [f"{b.number} {b.caption}", " ".join(b.header), *(" ".join(r) for r in b.rows)]
            else:
                out.append(f"图{b.number} {b.caption}")
        return "\n".join(out)


# --- the as-of quarter of each kind -------------------------------------------------------------------

def _data_periods(progress: pd.DataFrame | None, task_progress: pd.DataFrame | None) -> set[int]:
    keys: set[int] = set()
    for frame in (progress, task_progress):
        if frame is not None and len(frame):
            idx = pd.to_numeric(frame["year"], errors="coerce") * 4 + pd.to_numeric(frame["quarter"], errors="coerce") - 1
            keys |= {int(k) for k in idx.dropna()}
    return keys


def midterm_period(plan: Plan) -> Period:
    """The quarter at τ = 0.5 (2023Q2 for 2021–2025); for an odd-quarter midpoint, the quarter just before."""
    quarters = (plan.target_year - plan.base_year) * 4 // 2   # quarters elapsed at the midpoint
    return Period.from_index(Period(plan.base_year + 1, 1).index + quarters - 1)


def report_as_of(plan: Plan, kind: Kind | str, progress: pd.DataFrame | None, task_progress: pd.DataFrame | None,
                 as_of: Period | str | None = None) -> Period:
    """The report's quarter (see the contract's table of kinds); ReportError when the request is impossible."""
    kind = Kind(kind)
    as_of = Period.parse(as_of) if isinstance(as_of, str) else as_of
    first, last = Period(plan.base_year + 1, 1), Period(plan.target_year, 4)
    if as_of is not None and not first <= as_of <= last:
        raise ReportError(render("report.outside_plan", value=as_of, first=first, last=last))
    have = _data_periods(progress, task_progress)
    if kind is Kind.FINAL:
        if as_of is not None and as_of != last:
            raise ReportError(render("report.final_as_of", value=as_of, last=last))
        if last.index not in have:
            raise ReportError(render("report.final_no_data", last=last))
        return last
    if kind is Kind.ANNUAL:
        if as_of is not None:
            if as_of.quarter != 4:
                raise ReportError(render("report.annual_not_q4", value=as_of, example=Period(as_of.year, 4)))
            if as_of.index not in have:
                raise ReportError(render("report.no_data_at", value=as_of))
            return as_of
        years = [y for y in range(plan.target_year, plan.base_year, -1) if Period(y, 4).index in have]
        if not years:
            raise ReportError(render("report.no_q4_yet"))
        return Period(years[0], 4)
    as_of = as_of or midterm_period(plan)
    if not any(k <= as_of.index for k in have):
        raise ReportError(render("report.no_data_up_to", value=as_of))
    return as_of


def report_title(plan: Plan, kind: Kind, as_of: Period) -> str:
    name = plan.config.short_name or plan.config.name
    return render(f"report.title.{kind.value}", name=name, year=as_of.year)


# --- numbers with units ------------------------------------------------------------------------------------

def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _plain(value: float) -> str:
    """A reported value without its unit (附表1), in the precision it was reported in (lib.fmt's rule)."""
    return fmt.number(value, 0, keep=True)


def value_text(value: object, unit: str) -> str:
    """A reported value with its unit, in the precision it was reported in; "—" when missing."""
    return fmt.with_unit(value, str(unit or ""))


def target_text(row: pd.Series, names: dict[str, str]) -> str:
    """目标值 cell: "年均9%", "90%", "≤5.5%", "累计4万人", "与地区生产总值增速同步", "完成上级下达"."""
    kind, unit = row["kind"], row["unit"]
    if kind == "quota" and not _missing(row["assigned_target"]):
        return f"上级下达{value_text(row['assigned_target'], unit)}({str(row['latest_period'])[:4]}年)"
    ref = names.get(str(row["ref_indicator"] or ""), str(row["ref_indicator"] or "参照指标"))
    return fmt.target_phrase(kind, row["target_value"], unit, ref, compact=True)


def progress_text(row: pd.Series) -> str:
    """进度 cell, as the kind has it: 完成度, 年均增速, or whether the test is passed."""
    if row["status"] == Status.NO_DATA.value:
        return "—"
    kind = row["kind"]
    if kind == "growth_rate" and not _missing(row["avg_growth"]):
        return f"年均{float(row['avg_growth']):.1f}%(完成度{fmt.percent(row['achievement'])})"
    if not _missing(row["achievement"]):
        return f"完成度{fmt.percent(row['achievement'])}"
    if kind == "in_step" and not _missing(row["diff_pp"]):
        diff = float(row["diff_pp"])
        return f"{'高于' if diff >= 0 else '低于'}参照{abs(diff):.1f}个百分点"
    return "达标" if row["status"] in (Status.ACHIEVED.value, Status.ON_TRACK.value, Status.AHEAD.value) else "未达标"


def latest_text(row: pd.Series) -> str:
    value, period = row["latest_value"], row["latest_period"]
    if _missing(value) or not period:
        value, period = row["latest_reported_value"], row["latest_reported_period"]
    if _missing(value) or not period:
        return "—"
    return f"{value_text(value, row['unit'])}({period})"


def _outlook(row: pd.Series) -> str:
    """"at_risk" / "likely" / "" (empty until the engine's outlook lands, or where it does not apply)."""
    value = row.get("outlook", "")
    return "" if _missing(value) else str(getattr(value, "value", value) or "")


def conclusion_text(row: pd.Series, kind: Kind, final_view: bool) -> str:
    """评估结论: the engine's label; at the end, earlier data marked; annual/midterm: 预计难以完成."""
    label = str(row["status_label"])
    if final_view and row["status"] != Status.NO_DATA.value and float(row["time_elapsed"]) < 1 - 1e-9 and row["latest_period"]:
        label += f"(数据截至{row['latest_period']})"
    if kind is not Kind.FINAL and _outlook(row) == "at_risk":
        label += f";{outlook_label(Outlook.AT_RISK)}"
    return label


def _units_cell(row: pd.Series) -> str:
    """The lead units where the notice names them, else the responsible units (as the summary quotes them)."""
    return _units(row, "lead_units", "responsible_units")


def _shorten(text: str, limit: int = LATEST_CHARS) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item(row: pd.Series) -> str:
    return f"{row['indicator_id']} {row['name']}"


def _quoted(items: list[str], limit: int = MAX_QUOTED, sep: str = ";") -> str:
    more = render("brief.summary.more", count=len(items)) if len(items) > limit else ""
    return sep.join(items[:limit]) + more


# --- section 一: overall ---------------------------------------------------------------------------------

def overall(pack: briefing.Briefing, kind: Kind) -> list[Block]:
    """One paragraph of 3–6 sentences from the numbers: indicators per status and the binding ones (the deck's
    own sentences), whether every binding indicator is met, tasks per status, and (annual, midterm) the outlook."""
    ind, tasks, tau = pack.indicators, pack.tasks, pack.time_elapsed
    paras = narrative.summary_paragraphs(pack.plan, ind, tasks, pack.as_of, pack.scope, sample_data=False)
    sentences = paras[:1]
    binding = ind[ind["category"] == "约束性"]
    if len(binding):
        sentences.append(paras[1])
        behind = int((binding["status"] == Status.BEHIND.value).sum())
        missing = int((binding["status"] == Status.NO_DATA.value).sum())
        if behind or missing:
            sentences.append(render("report.binding_unmet", behind=behind, missing=missing,
                                    label=narrative.status_label(Status.BEHIND, tau)))
        else:
            sentences.append(render("report.binding_met_final" if is_final(tau) else "report.binding_met", total=len(binding)))
    sentences += [p for p in paras if "项重点任务中" in p or p == render("brief.summary.no_tasks", scope=pack.scope.phrase(pack.plan))]
    if kind is not Kind.FINAL and "outlook" in ind.columns:
        risky = ind[ind["outlook"].map(lambda v: str(getattr(v, "value", v)) == "at_risk")]
        if len(risky):
            sentences.append(render("report.outlook_count", count=len(risky), year=pack.plan.target_year))
    return [Heading(1, "一、总体情况"), Para("".join(sentences))]


# --- section 二: indicators -------------------------------------------------------------------------------------

def indicator_table(pack: briefing.Briefing, kind: Kind) -> Table:
    ind, plan = pack.indicators, pack.plan
    names = dict(zip(plan.indicators["indicator_id"], plan.indicators["name"]))
    final_view = is_final(pack.time_elapsed)
    rows = tuple(
        (str(i), str(r["name"]), str(r["category"]), str(r["unit"] or "—"), value_text(r["baseline_value"], r["unit"]),
         target_text(r, names), latest_text(r), progress_text(r), conclusion_text(r, kind, final_view), _units_cell(r))
        for i, (_, r) in enumerate(ind.iterrows(), start=1))
    return Table("表1", "主要指标完成情况", ("序号", "指标名称", "属性", "单位", "基期值", "目标值", "最新值(期间)", "进度",
                                        "评估结论", "责任单位"), rows, (8, 26, 13, 9, 12, 16, 19, 19, 17, 17), font_pt=9)


def _status_item(row: pd.Series) -> str:
    """"Y03 常住人口城镇化率(90.1%,2025Q4)": the indicator with its latest value and progress."""
    parts = [latest_text(row)]
    prog = progress_text(row)
    if prog not in ("—", "达标"):
        parts.append(prog)
    return f"{_item(row)}({','.join(p for p in parts if p != '—')})" if parts != ["—"] else _item(row)


def category_paragraphs(pack: briefing.Briefing) -> list[Block]:
    """Per category (binding first) the indicators in each status with their numbers."""
    ind, tau = pack.indicators, pack.time_elapsed
    out: list[Block] = []
    order = [c for c in CATEGORY_ORDER if c in set(ind["category"])] + [c for c in pd.unique(ind["category"]) if c not in CATEGORY_ORDER]
    for n, cat in enumerate(order, start=1):
        part = ind[ind["category"] == cat]
        noun = cat if str(cat).endswith("指标") else f"{cat}指标"
        sentences = []
        for label, count in narrative.label_counts(part, tau):
            if not count:
                continue
            base = label.split("(")[0]
            rows = part[part["status_label"].astype(str) == base]
            if "数据截至" in label:
                rows = rows[rows["latest_period"] == label.split("数据截至")[1].rstrip(")")]
            elif is_final(tau):
                rows = rows[(rows["time_elapsed"].astype(float) >= 1 - 1e-9) | (rows["status"] == Status.NO_DATA.value)]
            if base == "数据缺失":
                items = [f"{_item(r)}({r['reason']})" if r["reason"] else _item(r) for _, r in rows.iterrows()]
            elif rows["status"].eq(Status.BEHIND.value).all():
                items = [narrative._lagging_item(r) for _, r in rows.iterrows()]
            else:
                items = [_status_item(r) for _, r in rows.iterrows()]
            sentences.append(f"{label}{count}项:{'、'.join(items)}")
        out.append(Heading(2, f"({charts.chinese_numeral(n)}){noun}"))
        out.append(Para(f"{noun}{len(part)}项。" + ";".join(sentences) + "。"))
    return out


def indicators_section(pack: briefing.Briefing, kind: Kind, figures: "_Figures") -> list[Block]:
    if not len(pack.indicators):
        return [Heading(1, "二、主要指标完成情况"), Para(render("report.no_indicators", scope=pack.scope_label))]
    blocks: list[Block] = [Heading(1, "二、主要指标完成情况"), Para(render(
        "report.table1_intro", total=len(pack.indicators), period=period_text(pack.as_of), tau=_pct(pack.time_elapsed)))]
    blocks.append(indicator_table(pack, kind))
    blocks += figures.take("目标完成度与时间进度", "各类指标进展情况")
    blocks += category_paragraphs(pack)
    return blocks


# --- section 三: tasks ----------------------------------------------------------------------------------------

def task_status_text(row: pd.Series, final_view: bool) -> str:
    """At the end: 已完成, or 未完成 with the last reported state ("未完成(推进中)", "未完成(未报送,上次填报:已完成)")."""
    label = task_label(row["status"], final_view)
    if not final_view or row["status"] == TaskStatus.DONE.value:
        return label
    if row["status"] == TaskStatus.NOT_REPORTED.value:
        last = f",上次填报:{row['state']}" if row["state"] else ""
        return f"{label}({task_label(TaskStatus.NOT_REPORTED)}{last})"
    return f"{label}({row['state']})" if row["state"] else label


def task_table(pack: briefing.Briefing) -> Table:
    final_view = is_final(pack.time_elapsed)
    rows = tuple(
        (str(r["task_id"]), str(r["title"]), "、".join(r["lead_units"]) or "未明确", task_status_text(r, final_view),
         fmt.with_unit(r["percent"], "%", 0), _shorten(r["progress"]) or "—")
        for _, r in pack.tasks.iterrows())
    return Table("表2", "重点任务推进情况", ("编号", "任务", "牵头单位", "状态", "完成进度", "最新进展"), rows,
                 (17, 30, 22, 17, 14, 56), font_pt=9)


def section_counts(pack: briefing.Briefing) -> str:
    tau = pack.time_elapsed
    parts = []
    for (no, title), part in pack.tasks.groupby(["section_no", "section_title"], sort=False):
        counts = {s: n for s, n in narrative.task_counts(part).items() if n}
        if set(counts) == {TaskStatus.DONE}:
            detail = "均已完成"
        elif is_final(tau):
            detail = f"{task_label(TaskStatus.DONE, True)}{counts.get(TaskStatus.DONE, 0)}项、{task_label(TaskStatus.BEHIND, True)}{len(part) - counts.get(TaskStatus.DONE, 0)}项"
        else:
            detail = narrative._count_phrase(counts, task_label)
        parts.append(f"第{charts.chinese_numeral(int(no))}篇“{title}”{len(part)}项,{detail}")
    return "分篇章看:" + ";".join(parts) + "。"


def tasks_section(pack: briefing.Briefing, figures: "_Figures") -> list[Block]:
    blocks: list[Block] = [Heading(1, "三、重点任务推进情况")]
    tasks = pack.tasks
    if not len(tasks):
        return blocks + [Para(render("brief.summary.no_tasks", scope=pack.scope.phrase(pack.plan)))]
    blocks.append(Para(render("brief.summary.tasks", scope=pack.scope.phrase(pack.plan), total=len(tasks),
                              counts=narrative.task_counts_phrase(tasks, pack.time_elapsed)) + section_counts(pack)))
    paras = narrative.summary_paragraphs(pack.plan, pack.indicators, tasks, pack.as_of, pack.scope)
    late = [p for p in paras if p.startswith(("滞后的任务有", "本季度未报送的任务有"))]
    if late:
        blocks.append(Para("".join(late)))
    blocks.append(task_table(pack))
    blocks += figures.take("各篇章重点任务推进情况")
    contributions = _contribution_sentences(pack)
    if contributions:
        blocks.append(Para(contributions))
    return blocks


def contributions(pack: briefing.Briefing) -> pd.DataFrame:
    """Other units' reports on the scope's tasks for the as-of quarter (lib.assess.task_contributions)."""
    from lib.assess import task_contributions
    rows = task_contributions(pack.plan, pack.task_progress, pack.as_of)
    return rows[rows["task_id"].isin(set(pack.tasks["task_id"]))].reset_index(drop=True)


def _contribution_sentences(pack: briefing.Briefing) -> str:
    """Quoted beside the tasks, never counted in their status (the lead units' report decides it)."""
    titles = dict(zip(pack.tasks["task_id"], pack.tasks["title"]))
    items = [f"{r['unit']}({r['relation']})报送{r['task_id']} {titles.get(r['task_id'], '')}:{r['state'] or '—'},"
             f"完成进度{fmt.with_unit(r['percent'], '%', 0)}" for _, r in contributions(pack).iterrows()]
    return render("report.contributions", items=_quoted(items)) if items else ""


# --- sections 四 and 五 -------------------------------------------------------------------------------------------

def problems_section(pack: briefing.Briefing, kind: Kind) -> list[Block]:
    ind, tasks = pack.indicators, pack.tasks
    behind_label = narrative.status_label(Status.BEHIND, pack.time_elapsed)
    blocks: list[Block] = [Heading(1, "四、存在的主要问题")]
    n = 0
    lagging = narrative.lagging_indicators(ind)
    if len(lagging):
        n += 1
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})部分指标{behind_label}"),
                   Para(render("report.problem_indicators", count=len(lagging), label=behind_label,
                               items=_quoted([narrative._lagging_item(r) for _, r in lagging.iterrows()])))]
    if kind is not Kind.FINAL and "outlook" in ind.columns:
        risky = ind[ind["outlook"].map(lambda v: str(getattr(v, "value", v)) == "at_risk")]
        if len(risky):
            n += 1
            items = [f"{_item(r)}(按近期进度预计到{pack.plan.target_year}年完成度{fmt.percent(r.get('projected_achievement'))},"
                     f"责任单位:{_units(r, 'lead_units', 'responsible_units')})" for _, r in risky.iterrows()]
            blocks += [Heading(2, f"({charts.chinese_numeral(n)})部分指标预计难以完成"), Para(f"{_quoted(items)}。")]
    missing = ind[ind["status"] == Status.NO_DATA.value]
    if len(missing):
        n += 1
        items = [f"{_item(r)}({r['reason'] or '无数据'},责任单位:{_units(r, 'lead_units', 'responsible_units')})" for _, r in missing.iterrows()]
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})部分指标数据缺失"), Para(f"{_quoted(items)}。")]
    troubled = tasks[(tasks["problems"].astype(str).str.strip() != "") & (tasks["status"] != TaskStatus.DONE.value)]
    troubled = troubled.assign(_late=troubled["status"] != TaskStatus.BEHIND.value).sort_values("_late", kind="stable")
    if len(troubled):
        n += 1
        items = [render("report.problem_quote", item=f"{r['task_id']} {r['title']}", units=_units(r, "lead_units", "responsible_units"),
                        state=task_label(r["status"], is_final(pack.time_elapsed)), text=str(r["problems"]).strip().rstrip("。;;"))
                 for _, r in troubled.iterrows()]
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})重点任务推进中的困难"), Para(f"{_quoted(items)}。")]
    helpers = contributions(pack)
    helpers = helpers[helpers["problems"].astype(str).str.strip() != ""]
    if len(helpers):
        n += 1
        items = [f"{r['unit']}(配合{r['task_id']})反映:{str(r['problems']).strip().rstrip('。;;')}" for _, r in helpers.iterrows()]
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})配合单位反映的问题"), Para(f"{_quoted(items)}。")]
    if n == 0:
        blocks.append(Para(render("report.no_problems", period=period_text(pack.as_of))))
    return blocks


def _by_lead(items: list[tuple[str, str]]) -> str:
    """[(units, item)] grouped: "区发改局:Y01 …、T03-01 …;区人社局:…"."""
    grouped: dict[str, list[str]] = {}
    for units, item in items:
        grouped.setdefault(units, []).append(item)
    return ";".join(f"{u}:{'、'.join(v)}" for u, v in grouped.items())


def _next_steps(tasks: pd.DataFrame) -> str:
    rows = tasks[(tasks["next_steps"].astype(str).str.strip() != "") & (tasks["status"] != TaskStatus.DONE.value)]
    first = {TaskStatus.BEHIND.value: 0, TaskStatus.NOT_STARTED.value: 1, TaskStatus.NOT_REPORTED.value: 2}
    rows = rows.assign(_o=rows["status"].map(first).fillna(3)).sort_values("_o", kind="stable")  # the lagging first
    items = [f"{r['task_id']} {r['title']}({_units(r, 'lead_units', 'responsible_units')}):{str(r['next_steps']).strip().rstrip('。;;')}"
             for _, r in rows.iterrows()]
    return _quoted(items)


def next_plan_section(pack: briefing.Briefing, next_plan: Plan | None) -> list[Block]:
    """The final report's 五: indicators whose `code` continues into the next plan, with that plan's targets."""
    plan, ind = pack.plan, pack.indicators
    blocks: list[Block] = [Heading(1, "五、对下一个五年规划的建议"), Heading(2, "(一)延续到下一个五年规划的指标")]
    has_code = "code" in plan.indicators.columns and bool((plan.indicators["code"].fillna("") != "").any())
    if next_plan is None or not has_code or "code" not in next_plan.indicators.columns:
        blocks.append(Para(render("report.no_next_plan" if has_code else "report.no_codes", count=len(ind))))
    else:
        codes = dict(zip(plan.indicators["indicator_id"], plan.indicators["code"]))
        nxt = next_plan.indicators.dropna(subset=["code"]).set_index("code")
        rows = []
        for _, r in ind.iterrows():
            code = codes.get(r["indicator_id"])
            if code in nxt.index:
                n_row = nxt.loc[code]
                rows.append((str(code), str(r["name"]), target_text(r, {}), str(r["status_label"]),
                             target_text(n_row.assign(latest_period="") if hasattr(n_row, "assign") else n_row, {})))
        blocks.append(Para(render("report.continuing", count=len(rows), name=next_plan.config.short_name or next_plan.config.name)))
        if rows:
            blocks.append(Table("表3", "延续到下一个五年规划的指标", ("编码", "指标名称", "本规划目标", "完成情况", "下一规划目标"),
                                tuple(rows), (20, 46, 30, 30, 30)))
    unfinished = ind[ind["status"].isin([Status.BEHIND.value, Status.NO_DATA.value])]
    undone = pack.tasks[pack.tasks["status"] != TaskStatus.DONE.value]
    blocks.append(Heading(2, "(二)未完成事项的延续安排"))
    if len(unfinished) or len(undone):
        items = [(_units(r, "lead_units", "responsible_units"), _item(r)) for _, r in unfinished.iterrows()]
        items += [(_units(r, "lead_units", "responsible_units"), f"{r['task_id']} {r['title']}") for _, r in undone.iterrows()]
        blocks.append(Para(render("report.carry_over", indicators=len(unfinished), tasks=len(undone), items=_by_lead(items))))
    else:
        blocks.append(Para(render("report.all_done", indicators=len(ind), tasks=len(pack.tasks))))
    steps = _next_steps(pack.tasks)
    if steps:
        blocks += [Heading(2, "(三)各责任单位提出的下步计划"), Para(f"{steps}。")]
    return blocks


def suggestions_section(pack: briefing.Briefing) -> list[Block]:
    ind, tasks = pack.indicators, pack.tasks
    blocks: list[Block] = [Heading(1, "五、下一步工作建议")]
    n = 0
    lagging = narrative.lagging_indicators(ind)
    behind_tasks = tasks[tasks["status"] == TaskStatus.BEHIND.value]
    if len(lagging) or len(behind_tasks):
        n += 1
        items = [(_units(r, "lead_units", "responsible_units"), _item(r)) for _, r in lagging.iterrows()]
        items += [(_units(r, "lead_units", "responsible_units"), f"{r['task_id']} {r['title']}") for _, r in behind_tasks.iterrows()]
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})加快滞后指标和任务的推进"),
                   Para(render("report.catch_up", indicators=len(lagging), tasks=len(behind_tasks), items=_by_lead(items),
                               year=pack.plan.target_year))]
    missing = ind[ind["status"] == Status.NO_DATA.value]
    unreported = tasks[tasks["status"] == TaskStatus.NOT_REPORTED.value]
    if len(missing) or len(unreported):
        n += 1
        items = [(_units(r, "lead_units", "responsible_units"), f"{_item(r)}({r['reason'] or '无数据'})") for _, r in missing.iterrows()]
        items += [(_units(r, "lead_units", "responsible_units"), f"{r['task_id']} {r['title']}(本季度未报送)") for _, r in unreported.iterrows()]
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})补齐监测数据"), Para(render("report.fill_data", items=_by_lead(items)))]
    steps = _next_steps(tasks)
    if steps:
        n += 1
        blocks += [Heading(2, f"({charts.chinese_numeral(n)})各责任单位提出的下步计划"), Para(f"{steps}。")]
    if n == 0:
        blocks.append(Para(render("report.keep_going", indicators=len(ind), tasks=len(tasks))))
    return blocks


# --- annex ----------------------------------------------------------------------------------------------------

def values_by_year(pack: briefing.Briefing) -> Table:
    """附表1: each indicator's value per plan year (Q4, or the latest quarter of the as-of year), base and target."""
    plan, prog = pack.plan, pack.progress
    years = list(range(plan.base_year + 1, pack.as_of.year + 1))
    header_years = [f"{y}年" if (y < pack.as_of.year or pack.as_of.quarter == 4) else f"{y}年(Q{pack.as_of.quarter})" for y in years]
    names = dict(zip(plan.indicators["indicator_id"], plan.indicators["name"]))
    rows = []
    for i, (_, r) in enumerate(pack.indicators.iterrows(), start=1):
        series = prog[prog["indicator_id"] == r["indicator_id"]] if len(prog) else prog
        cells = []
        for y in years:
            q = 4 if y < pack.as_of.year else pack.as_of.quarter
            hit = series[(series["year"] == y) & (series["quarter"] == q)] if len(series) else series
            cells.append(_plain(float(hit["value"].iloc[-1])) if len(hit) and not _missing(hit["value"].iloc[-1]) else "—")
        rows.append((str(i), str(r["name"]), str(r["unit"] or "—"),
                     _plain(float(r["baseline_value"])) if not _missing(r["baseline_value"]) else "—", *cells, target_text(r, names)))
    year_w = 72 / max(len(years), 1)
    return Table("附表1", "主要指标逐年完成情况", ("序号", "指标名称", "单位", f"基期值({plan.base_year}年)", *header_years, "目标值"),
                 tuple(rows), (9, 35, 10, 14, *([year_w] * len(years)), 16), font_pt=9)


def reporting_table(pack: briefing.Briefing, reporting: pd.DataFrame | None) -> list[Block]:
    """附表2: per unit, what it owed for the as-of quarter and what arrived (lib.reporting)."""
    from lib.reporting import STATE_LATE, STATE_MISSING, STATE_NOT_DUE, STATE_ON_TIME, completeness

    title = f"各责任单位{period_text(pack.as_of)}报送情况"
    if reporting is None or not len(reporting):
        return [Para(f"附表2 {title}:未提供报送记录。", note=True)]
    frame = reporting
    if pack.scope.kind == "unit":
        frame = filter_reporting(pack.plan, frame, unit=str(pack.scope.value))   # a group: its members
    counts = completeness(frame) if len(frame) else pd.DataFrame(columns=["unit"])
    order = {u: i for i, u in enumerate(pack.plan.units.reporting_units())}  # units.csv order, as the notice lists them
    counts = counts.assign(_o=counts["unit"].map(order)).sort_values("_o", kind="stable", na_position="last")
    rows = tuple((str(r["unit"]), str(int(r["应报"])), str(int(r[STATE_ON_TIME])), str(int(r[STATE_LATE])),
                  str(int(r[STATE_MISSING]) + int(r[STATE_NOT_DUE])), fmt.percent(r["报送率"]) if not _missing(r["报送率"]) else "—")
                 for _, r in counts.iterrows())
    return [Table("附表2", title, ("单位", "应报(项)", "按时报送", "逾期报送", "未报送", "报送率"), rows, (46, 22, 22, 22, 22, 22))]


def task_text_table(pack: briefing.Briefing) -> Table:
    """附表3: the tasks' latest reports in full (表2 shortens them)."""
    rows = tuple((str(r["task_id"]), str(r["title"]), str(r["latest_period"] or "—"), str(r["progress"] or "—"),
                  str(r["problems"] or "—"), str(r["next_steps"] or "—")) for _, r in pack.tasks.iterrows())
    return Table("附表3", "重点任务最新填报内容", ("编号", "任务", "填报期", "工作进展", "存在问题", "下步计划"), rows,
                 (16, 26, 16, 42, 28, 28), font_pt=9)


class _Figures:
    """Hands out the briefing's charts as numbered figures, each once, in document order."""

    def __init__(self, pack: briefing.Briefing):
        self.titles = [c.title for c in pack.charts]
        self.used: set[int] = set()
        self.number = 0

    def _figure(self, index: int) -> Figure:
        self.used.add(index)
        self.number += 1
        return Figure(self.number, self.titles[index], index)

    def take(self, *titles: str) -> list[Block]:
        return [self._figure(self.titles.index(t)) for t in titles if t in self.titles and self.titles.index(t) not in self.used]

    def rest(self) -> list[Block]:
        return [self._figure(i) for i in range(len(self.titles)) if i not in self.used]


def annex(pack: briefing.Briefing, reporting: pd.DataFrame | None, figures: _Figures, source: str) -> list[Block]:
    blocks: list[Block] = [Heading(1, "附件", new_page=True)]
    if len(pack.indicators):
        blocks.append(values_by_year(pack))
    blocks += reporting_table(pack, reporting)
    if len(pack.tasks):
        blocks.append(task_text_table(pack))
    rest = figures.rest()
    if rest:
        blocks += [Heading(2, "附图"), *rest]
    blocks.append(Para(f"数据来源:{source}。测算方法见看板「指标监测」页与方法说明。", note=True))
    return blocks


# --- the report ---------------------------------------------------------------------------------------------------

def subtitle_line(pack: briefing.Briefing, created: datetime) -> str:
    """Two lines: "数据截至2025年第四季度 · 含示例数据" / "生成时间:2026年12月1日 17:46"."""
    parts = [f"数据截至{period_text(pack.as_of)}"]
    if pack.scope.kind != "all":
        parts.append(f"范围:{pack.scope_label}")
    if pack.sample_data:
        parts.append("含示例数据")
    return " · ".join(parts) + f"\n生成时间:{created.year}年{created.month}月{created.day}日 {created:%H:%M}"


def build_report(plan: Plan, progress: pd.DataFrame, task_progress: pd.DataFrame, annual_targets: pd.DataFrame | None,
                 kind: Kind | str, as_of: Period | str | None = None, scope: briefing.Scope = briefing.Scope(), *,
                 sample_data: bool, source: str, reporting: pd.DataFrame | None = None, next_plan: Plan | None = None,
                 progress_cb: ProgressCallback | None = None, render_images: bool = True,
                 tolerance: Tolerance | None = None) -> Report:
    """Assess, write and chart one report. `reporting` is `lib.reporting.reporting_status` for the as-of quarter
    (附表2); `next_plan` the next five-year plan, when loaded. With `render_images`, every chart is exported
    (raises lib.images.ExportError without a browser). ReportError for an impossible request."""
    cb = progress_cb or briefing._noop
    kind = Kind(kind)
    period = report_as_of(plan, kind, progress, task_progress, as_of)
    pack = briefing.build_briefing(plan, progress, task_progress, annual_targets, period, scope, sample_data=sample_data,
                                   source=source, progress_cb=lambda f, t: cb(f * 0.1, t), render_images=False,
                                   tolerance=tolerance)
    created = pack.created
    figures = _Figures(pack)
    blocks: list[Block] = []
    blocks += overall(pack, kind)
    blocks += figures.take("各类指标进展情况")
    blocks += indicators_section(pack, kind, figures)
    blocks += tasks_section(pack, figures)
    blocks += problems_section(pack, kind)
    blocks += next_plan_section(pack, next_plan) if kind is Kind.FINAL else suggestions_section(pack)
    if sample_data:
        blocks.append(Para(render("brief.summary.sample"), note=True))
    blocks += annex(pack, reporting, figures, source)
    report = Report(kind, report_title(plan, kind, period), subtitle_line(pack, created), blocks, pack, created)
    if render_images:
        pack.render_images(cb, 0.1, 0.9)
    cb(0.9 if render_images else 0.5, "正在排版报告…")
    return report

