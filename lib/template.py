"""The per-unit quarterly template: the contract workbook (lib.xlsx) pre-filled and made easy to fill.

    data = unit_template(plan, "区人社局", 2023, 2, last_values=store_frame)

What a department downloads:

- 指标进度 / 任务进度: exactly the contract sheets and headers of `lib.xlsx.write_progress_workbook`, one
  row per indicator / task the unit answers for (`plan.responsibilities(unit)`, plan order), with
  编号, 名称, 年份, 季度 and 填报单位 filled in and locked; the cells to fill (数值, 年度目标值 of quota
  indicators, 备注; 进展状态, 完成进度, 工作进展, 存在问题, 下步计划) unlocked and tinted. The sheets are
  protected without a password (审阅 → 撤销工作表保护 lifts it), so a clerk cannot overwrite an id by accident.
- Excel data validation: 季度 1–4, 年份 within the plan period, 进展状态 from the list, 完成进度 0–100, 数值
  and 年度目标值 a number within the indicator's hard bounds (text such as "约8.5" is refused at typing time).
- Reference information lives where the upload validator never looks, so an unchanged template raises no
  "extra column" warning: a comment on each 数值 cell (计量单位, 规划目标, 上期数值) and the 填报说明 sheet
  (instructions, column meanings, the deadline, and a table of the unit's indicators with unit, target and
  last reported value). The validator reads only the two contract sheets.
- Rows the clerk leaves untouched keep 数值 (or 进展状态/完成进度) empty. How the validator treats such rows
  is its decision (see tests/test_template.py); the template never pre-fills a value the clerk did not type.

No number format in a data sheet is a percentage format (the validator would read 9.5 typed into one as
0.095): percentages are typed as percent numbers.

A template names its plan, for people and for the upload check (lib.ingest): the 填报说明 sheet's second line
reads 规划编号 and 规划期, the workbook title names the plan, and a custom document property
(`PLAN_PROPERTY`, kept by Excel and WPS when the file is saved) carries the plan id, which
`template_plan_id` reads back from an upload without opening any sheet.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

import pandas as pd
from defusedxml import ElementTree as SafeET
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lib import fmt, settings
from lib.periods import Period, period_index
from lib.plan import Plan
from lib.reporting import deadline
from lib.schema import INDICATOR_SHEET, INDICATORS, KIND_LABELS, TASK_SHEET, TASK_STATES, Table
from lib.units import ROLE_LEAD
from lib.xlsx import workbook_bytes, write_progress_workbook

INSTRUCTIONS_SHEET = "填报说明"
UPLOAD_PAGE_TITLE = "数据填报"       # the dashboard page where the template is uploaded (dashboard.py's title)
QUOTA_KIND = "quota"
PERCENT_UNIT = "%"
COMMENT_AUTHOR = "规划实施监测看板"
FREEZE_AT = "C2"                      # header row and the 编号/名称 columns stay visible
NUMBER_LIMIT = 1e15                   # "any number" for a decimal validation without bounds
PLAN_PROPERTY = "planmon.plan_id"     # custom document property: the plan a template was made for
CUSTOM_PROPS_PART = "docProps/custom.xml"
MAX_PROPS_BYTES = 64 * 1024           # a real custom.xml is a few hundred bytes; anything larger is not ours

# Which cells the clerk fills (unlocked); everything else in a data row is pre-filled and locked.
# 年度目标值 is unlocked only on quota rows: elsewhere the validator ignores it with a warning.
EDITABLE: dict[str, tuple[str, ...]] = {t.name: tuple(t.fill_in) for t in (INDICATOR_SHEET, TASK_SHEET)}
TEXT_COLUMNS = ("indicator_id", "indicator_name", "task_id", "task_name", "unit", "note", "progress", "problems", "next_steps")
WRAPPED_COLUMNS = ("note", "progress", "problems", "next_steps")
FIXED_WIDTHS = {"note": 24, "progress": 40, "problems": 30, "next_steps": 30, "year": 8, "quarter": 7,
                "value": 12, "annual_target": 12, "state": 11, "percent": 11}
NUMBER_FORMATS = {"year": "0", "quarter": "0", "value": "General", "annual_target": "General", "percent": "0.0"}
MAX_WIDTH = 50

HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INACTIVE_FILL = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)

# What each column means, for the 填报说明 sheet (labels come from lib.schema; only the prose is here).
COLUMN_HELP: dict[str, dict[str, str]] = {
    INDICATOR_SHEET.name: {
        "indicator_id": "指标编号,已预填,请勿修改",
        "indicator_name": "指标名称,已预填,仅供核对",
        "year": "年份,已预填",
        "quarter": "季度(1–4),已预填",
        "value": "本期数值:只填数字,计量单位见下文「本单位需填报的指标」表或「数值」单元格的批注;按年初至本季度末口径(见下文);百分数填百分数本身,如 9.5% 填 9.5,不要填 0.095",
        "annual_target": "仅「完成上级下达指标」类指标填写:上级下达的本年度目标值(同样填百分数本身);其他指标此列为灰色,无需填写;区发改局也可在系统中补录",
        "unit": "填报单位,已预填为本单位",
        "note": "备注,选填,如数据来源、统计口径说明",
    },
    TASK_SHEET.name: {
        "task_id": "任务编号,已预填,请勿修改",
        "task_name": "任务名称,已预填,仅供核对",
        "year": "年份,已预填",
        "quarter": "季度(1–4),已预填",
        "state": "进展状态:从下拉列表选择 " + "/".join(TASK_STATES),
        "percent": "完成进度:0–100 的数字,表示该任务五年总体完成的百分比,如完成六成填 60(不要填 0.6 或 60%)",
        "progress": "工作进展,选填,简述本季度主要工作和成效",
        "problems": "存在问题,选填",
        "next_steps": "下步计划,选填",
        "unit": "填报单位,已预填为本单位",
    },
}


def unit_template(plan: Plan, unit: str, year: int, quarter: int, last_values: pd.DataFrame | None = None) -> bytes:
    """The .xlsx a unit downloads for (year, quarter): its indicators and tasks, ready to fill.

    `unit`: a unit name or alias (resolved to the canonical name; groups cannot report).
    `last_values`: earlier indicator values (columns indicator_id, year, quarter, value); for each
    indicator the latest one *before* (year, quarter) is shown as 上期数值. Not changed.
    Raises ValueError for an unknown or group unit, a year outside the plan period or a bad quarter.
    """
    canonical = _check_request(plan, unit, year, quarter)
    resp = plan.responsibilities(canonical)
    indicators = _indicator_items(plan, resp, canonical, year, quarter, last_values)
    tasks = resp[resp["item_type"] == "任务"].reset_index(drop=True)
    ind_rows = pd.DataFrame({"indicator_id": indicators["indicator_id"], "indicator_name": indicators["name"],
                             "year": year, "quarter": quarter, "unit": canonical},
                            columns=INDICATOR_SHEET.names)
    task_rows = pd.DataFrame({"task_id": tasks["item_id"], "task_name": tasks["name"],
                              "year": year, "quarter": quarter, "unit": canonical},
                             columns=TASK_SHEET.names)
    wb = write_progress_workbook(ind_rows, task_rows)
    first_year, last_year = plan.base_year + 1, plan.target_year
    ind_ws, task_ws = wb[INDICATOR_SHEET.label], wb[TASK_SHEET.label]
    quota = indicators["kind"].eq(QUOTA_KIND).tolist()
    _style_sheet(ind_ws, INDICATOR_SHEET, len(ind_rows), inactive={"annual_target": [not q for q in quota]})
    _style_sheet(task_ws, TASK_SHEET, len(task_rows))
    _common_validations(ind_ws, INDICATOR_SHEET, len(ind_rows), first_year, last_year)
    _common_validations(task_ws, TASK_SHEET, len(task_rows), first_year, last_year)
    _value_validations(ind_ws, indicators)
    _task_validations(task_ws, len(task_rows))
    _value_comments(ind_ws, indicators)
    _instructions(wb, plan, canonical, year, quarter, indicators, tasks)
    wb.active = 0
    wb.properties.title = f"{plan.config.short_name} 进度填报 {canonical} {year}年第{quarter}季度"
    wb.properties.creator = COMMENT_AUTHOR
    if plan.config.id:
        wb.custom_doc_props.append(StringProperty(name=PLAN_PROPERTY, value=plan.config.id))
    return workbook_bytes(wb)


def plan_line(plan: Plan) -> str:
    """The 填报说明 line that names the plan: 规划编号 shashi-14 · 规划期 2021–2025 年."""
    ident = f"规划编号:{plan.config.id}    " if plan.config.id else ""
    return f"{ident}规划期:{plan.base_year + 1}–{plan.target_year} 年(只能填报本规划期内的数据)"


def template_plan_id(data: bytes) -> str | None:
    """The plan id a template was made for (its custom document property), or None: not one of our templates,
    an .xls, or the property removed. Reads one small zip member with a hardened XML parser; call it only on
    bytes that lib.filecheck has passed (the reader process does)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo(CUSTOM_PROPS_PART)
            if info.file_size > MAX_PROPS_BYTES:
                return None
            root = SafeET.fromstring(zf.read(info))
    except (KeyError, zipfile.BadZipFile, SafeET.ParseError, ValueError, OSError):
        return None
    except Exception:  # noqa: BLE001 - defusedxml refuses entities and DTDs with its own errors: not ours
        return None
    for prop in root:
        if prop.get("name") == PLAN_PROPERTY:
            text = "".join(prop.itertext()).strip()
            return text or None
    return None


def template_file_name(unit: str, year: int, quarter: int) -> str:
    """Download name, e.g. 进度填报_区人社局_2023Q2.xlsx."""
    return f"进度填报_{unit}_{Period(int(year), int(quarter)).label}.xlsx"


def report_deadline(year: int, quarter: int, days: int | None = None) -> dt.date:
    """Quarter end + `report_deadline_days` (setting) days."""
    days = settings.get("report_deadline_days") if days is None else days
    return deadline(Period(int(year), int(quarter)), days)


# --- content ----------------------------------------------------------------------------------------

def _check_request(plan: Plan, unit: str, year: int, quarter: int) -> str:
    canonical = plan.units.resolve(unit)
    if canonical is None:
        raise ValueError(f"单位“{unit}”不在单位名录中")
    if plan.units.units[canonical].is_group:
        raise ValueError(f"“{unit}”是单位组合,请为具体单位生成模板")
    if not plan.base_year + 1 <= int(year) <= plan.target_year:
        raise ValueError(f"{year} 年不在规划期 {plan.base_year + 1}–{plan.target_year} 内")
    if int(quarter) not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1–4,而不是 {quarter}")
    return canonical


def _indicator_items(plan: Plan, resp: pd.DataFrame, unit: str, year: int, quarter: int,
                     last_values: pd.DataFrame | None) -> pd.DataFrame:
    """The unit's indicators with what the clerk needs to know: unit, target phrase, bounds, last value."""
    ids = resp.loc[resp["item_type"] == "指标", ["item_id", "role", "via", "named_as"]]
    frame = ids.merge(plan.indicators, left_on="item_id", right_on="indicator_id", how="left").drop(columns="item_id")
    names = plan.indicators.set_index("indicator_id")["name"]
    frame["target_phrase"] = [
        fmt.target_phrase(r.kind, r.target_value, r.unit, names.get(r.ref_indicator, r.ref_indicator) if r.ref_indicator else "")
        for r in frame.itertuples()]
    last = _last_values(last_values, year, quarter)
    frame["last_value"] = frame["indicator_id"].map(lambda i: last[i][2] if i in last else float("nan"))
    frame["last_period"] = frame["indicator_id"].map(lambda i: f"{last[i][0]}年第{last[i][1]}季度" if i in last else "")
    return frame.reset_index(drop=True)


def _last_values(values: pd.DataFrame | None, year: int, quarter: int) -> dict[str, tuple[int, int, float]]:
    """indicator_id → (year, quarter, value) of its latest value strictly before (year, quarter)."""
    if values is None or values.empty:
        return {}
    frame = values[["indicator_id", "year", "quarter", "value"]].dropna()
    frame = frame.assign(idx=period_index(frame["year"].astype(int), frame["quarter"].astype(int)))
    frame = frame[frame["idx"] < period_index(int(year), int(quarter))].sort_values("idx")
    latest = frame.drop_duplicates("indicator_id", keep="last")
    return {str(r.indicator_id): (int(r.year), int(r.quarter), float(r.value)) for r in latest.itertuples()}


def _value_with_unit(value: float, unit: str) -> str:
    return fmt.number(value, 2) + ("%" if unit == PERCENT_UNIT else unit)


def _reference_text(r: pd.Series) -> str:
    lines = [f"计量单位:{r['unit']}" + ("(填百分数本身,如 9.5% 填 9.5)" if r["unit"] == PERCENT_UNIT else ""),
             f"规划目标:{r['target_phrase']}"]
    if r["kind"] == QUOTA_KIND:
        lines.append("上级下达的本年度目标值请填在「年度目标值」列")
    if r["annual"]:
        lines.append("仅按年度考核:第四季度数值用于评估,一至三季度数值只作展示")
    if r["last_period"]:
        lines.append(f"上期数值:{_value_with_unit(r['last_value'], r['unit'])}({r['last_period']})")
    else:
        lines.append("上期数值:无")
    return "\n".join(lines)


# --- styling ------------------------------------------------------------------------------------------

def _column_widths(ws: Worksheet, table: Table, n_rows: int) -> None:
    for idx, col in enumerate(table.columns, start=1):
        letter = get_column_letter(idx)
        fixed = FIXED_WIDTHS.get(col.name)
        cells = [ws.cell(row=r, column=idx).value for r in range(1, n_rows + 2)]
        needed = max(fmt.display_width(v) for v in cells if v is not None) + 2
        ws.column_dimensions[letter].width = max(fixed or 0, min(needed, MAX_WIDTH))


def _style_sheet(ws: Worksheet, table: Table, n_rows: int, inactive: dict[str, list[bool]] | None = None) -> None:
    """Header look, number formats, locking and tint of every data cell, frozen panes, protection."""
    inactive = inactive or {}
    editable = EDITABLE[table.name]
    for idx, col in enumerate(table.columns, start=1):
        head = ws.cell(row=1, column=idx)
        head.font, head.fill, head.border = BOLD, HEADER_FILL, BORDER
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in range(2, n_rows + 2):
            cell = ws.cell(row=r, column=idx)
            cell.border = BORDER
            cell.number_format = "@" if col.name in TEXT_COLUMNS else NUMBER_FORMATS.get(col.name, "General")
            cell.alignment = Alignment(vertical="top", wrap_text=col.name in WRAPPED_COLUMNS)
            is_inactive = col.name in inactive and inactive[col.name][r - 2]
            if col.name in editable and not is_inactive:
                cell.protection = Protection(locked=False)
                cell.fill = INPUT_FILL
            elif is_inactive:
                cell.fill = INACTIVE_FILL
    _column_widths(ws, table, n_rows)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = FREEZE_AT
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password; column widths and row heights stay adjustable."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _cells(table: Table, name: str, rows: Iterable[int]) -> list[str]:
    letter = get_column_letter(table.names.index(name) + 1)
    return [f"{letter}{r}" for r in rows]


def _span(table: Table, name: str, n_rows: int) -> str:
    letter = get_column_letter(table.names.index(name) + 1)
    return f"{letter}2:{letter}{n_rows + 1}"


def _validation(kind: str, formula1: str | None, formula2: str | None = None, *, operator: str | None = None,
                title: str, prompt: str, error: str) -> DataValidation:
    dv = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator, allow_blank=True,
                        showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                        errorTitle="填写有误", error=error, promptTitle=title, prompt=prompt)
    return dv


def _common_validations(ws: Worksheet, table: Table, n_rows: int, first_year: int, last_year: int) -> None:
    """年份 and 季度: locked and pre-filled, validated anyway for rows a clerk adds after unprotecting."""
    if n_rows == 0:
        return
    year = _validation("whole", str(first_year), str(last_year), operator="between", title="年份",
                       prompt=f"规划期内的年份 {first_year}–{last_year}", error=f"请填写 {first_year}–{last_year} 之间的年份")
    quarter = _validation("list", '"1,2,3,4"', title="季度", prompt="从下拉列表选择 1–4", error="季度只能是 1、2、3、4")
    year.add(_span(table, "year", n_rows))
    quarter.add(_span(table, "quarter", n_rows))
    ws.add_data_validation(year)
    ws.add_data_validation(quarter)


def _bounds(low: float, high: float) -> tuple[str, str | None, str, str]:
    """(operator, formula1, formula2, shown range) of a decimal validation; no bound → any number."""
    has_low, has_high = not pd.isna(low), not pd.isna(high)
    if has_low and has_high:
        return "between", fmt.number(low, 6).replace(",", ""), fmt.number(high, 6).replace(",", ""), f"{fmt.number(low, 6)}–{fmt.number(high, 6)}"
    if has_low:
        return "greaterThanOrEqual", fmt.number(low, 6).replace(",", ""), None, f"不小于 {fmt.number(low, 6)}"
    if has_high:
        return "lessThanOrEqual", fmt.number(high, 6).replace(",", ""), None, f"不大于 {fmt.number(high, 6)}"
    return "between", f"{-NUMBER_LIMIT:.0f}", f"{NUMBER_LIMIT:.0f}", "任意数字"


def _value_validations(ws: Worksheet, indicators: pd.DataFrame) -> None:
    """数值 (and 年度目标值 on quota rows): a number within the indicator's hard bounds, one rule per bound pair."""
    groups: dict[tuple, list[int]] = {}
    for i, r in indicators.iterrows():
        key = (r["hard_min"] if not pd.isna(r["hard_min"]) else None, r["hard_max"] if not pd.isna(r["hard_max"]) else None,
               r["unit"] == PERCENT_UNIT)
        groups.setdefault(key, []).append(int(i) + 2)
    for (low, high, percent), rows in groups.items():
        operator, f1, f2, shown = _bounds(float("nan") if low is None else low, float("nan") if high is None else high)
        hint = "百分数填百分数本身,如 9.5% 填 9.5;" if percent else ""
        dv = _validation("decimal", f1, f2, operator=operator, title="数值",
                         prompt=f"{hint}只填数字,按年初至本季度末口径", error=f"请只填写数字(范围:{shown}),不要带单位或文字")
        quota_rows = [r for r in rows if indicators.at[r - 2, "kind"] == QUOTA_KIND]
        for ref in _cells(INDICATOR_SHEET, "value", rows) + _cells(INDICATOR_SHEET, "annual_target", quota_rows):
            dv.add(ref)
        ws.add_data_validation(dv)


def _task_validations(ws: Worksheet, n_rows: int) -> None:
    if n_rows == 0:
        return
    states = _validation("list", '"' + ",".join(TASK_STATES) + '"', title="进展状态", prompt="从下拉列表选择",
                         error="请从下拉列表选择:" + "、".join(TASK_STATES))
    percent = _validation("decimal", "0", "100", operator="between", title="完成进度",
                          prompt="0–100 的数字,如完成六成填 60", error="完成进度请填 0 到 100 之间的数字,如 60")
    states.add(_span(TASK_SHEET, "state", n_rows))
    percent.add(_span(TASK_SHEET, "percent", n_rows))
    ws.add_data_validation(states)
    ws.add_data_validation(percent)


def _value_comments(ws: Worksheet, indicators: pd.DataFrame) -> None:
    col = INDICATOR_SHEET.names.index("value") + 1
    for i, r in indicators.iterrows():
        text = _reference_text(r)
        comment = Comment(text, COMMENT_AUTHOR, width=320, height=22 * (text.count("\n") + 2))
        ws.cell(row=int(i) + 2, column=col).comment = comment


# --- the 填报说明 sheet ------------------------------------------------------------------------------------

def _instructions(wb: Workbook, plan: Plan, unit: str, year: int, quarter: int,
                  indicators: pd.DataFrame, tasks: pd.DataFrame) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    deadline = report_deadline(year, quarter)
    days = settings.get("report_deadline_days")
    first_year, last_year = plan.base_year + 1, plan.target_year
    ind_label, task_label = INDICATOR_SHEET.label, TASK_SHEET.label
    lab = {**{c.name: c.label for c in TASK_SHEET.columns}, **{c.name: c.label for c in INDICATOR_SHEET.columns}}
    lines: list[tuple[str, ...] | str] = [
        f"{plan.config.short_name} 实施进度填报模板",
        plan_line(plan),
        f"填报单位:{unit}    填报期间:{year}年第{quarter}季度    "
        f"报送期限:{deadline.year}年{deadline.month}月{deadline.day}日前(季度结束后 {days} 天内)",
        "",
        "一、怎样填写",
        f"1. 在「{ind_label}」工作表填写黄色单元格:「{lab['value']}」必填;上级下达类指标填「{lab['annual_target']}」;「{lab['note']}」选填。",
        f"2. 在「{task_label}」工作表为每项任务选择「{lab['state']}」、填写「{lab['percent']}」,并简述「{lab['progress']}」「{lab['problems']}」「{lab['next_steps']}」。",
        f"3. {lab['indicator_id']}、名称、{lab['year']}、{lab['quarter']}、{lab['unit']}已预填并锁定,请勿修改;不要增删列,不要修改工作表名称和第1行表头,不要合并单元格。",
        "4. 本期没有数据的行保持空白即可,不要填“无”“—”等文字。",
        f"5. 填好后保存为 .xlsx,在看板「{UPLOAD_PAGE_TITLE}」页面上传;系统会逐项检查并提示需要修改的地方。只有几行要报的,也可以在该页「网页填报」中直接填写,不用 Excel。",
        f"6. 如需补报或更正其他季度的数据:审阅 → 撤销工作表保护(无密码),在表格末尾新增一行,填写对应的{lab['year']}和{lab['quarter']};同一指标同一季度只能有一行。",
        "",
        "二、数值口径",
        "· 数值一律按「年初至本季度末」口径:增速填年初至本季度末的累计同比增速(如二季度填上半年增速);"
        "数量填 1 月至本季度末的累计数(如三季度填 1–9 月累计);比率、存量等水平值填本季度末的数值。",
        "· 百分数填百分数本身:9.5% 填 9.5,不要填 0.095,也不要带 % 号;不要把单元格设为百分比格式。",
        "· 只填数字,不带单位和文字(如“约8.5”“8.5亿元”都不行);计量单位见下表和「数值」单元格的批注。",
        "· 「考核方式」为“仅年度”的指标(见下表)以第四季度数值评估,一至三季度数值只作展示。",
        f"· {lab['percent']}为该任务五年总体完成的百分比(0–100),如完成六成填 60。",
        f"· {lab['state']}只能选择:" + "、".join(TASK_STATES) + "。",
        f"· 年份须在规划期 {first_year}–{last_year} 内;季度填 1–4。",
        "",
        "三、各列说明",
        ("工作表", "列", "是否必填", "说明"),
    ]
    for table in (INDICATOR_SHEET, TASK_SHEET):
        for col in table.columns:
            required = "必填" if col.required else "选填"
            if col.name == "value":
                required = "必填(只报年度目标值的行可空)"
            lines.append((table.label, col.label, required, COLUMN_HELP[table.name][col.name]))
    lines += ["", f"四、本单位需填报的指标({len(indicators)} 项)"]
    ref_header = (lab["indicator_id"], lab["indicator_name"], INDICATORS.label_of("unit"), "测算方法", "规划目标",
                  "考核方式", "上期数值", "上期期间", "本单位职责")
    lines.append(ref_header)
    if indicators.empty:
        lines.append(("", "本单位没有需要填报的指标"))
    for _, r in indicators.iterrows():
        lines.append((r["indicator_id"], r["name"], r["unit"], KIND_LABELS.get(r["kind"], r["kind"]), r["target_phrase"],
                      "仅年度(第四季度)" if r["annual"] else "按季度",
                      _value_with_unit(r["last_value"], r["unit"]) if r["last_period"] else "无", r["last_period"] or "—",
                      _duty(r["role"], r["via"], r["named_as"])))
    lines += ["", f"五、本单位需填报的任务({len(tasks)} 项)", (lab["task_id"], lab["task_name"], "本单位职责")]
    if tasks.empty:
        lines.append(("", "本单位没有需要填报的任务"))
    for _, r in tasks.iterrows():
        lines.append((r["item_id"], r["name"], _duty(r["role"], r["via"], r["named_as"])))
    header_rows: list[int] = []
    for n, line in enumerate(lines, start=1):
        if isinstance(line, str):
            ws.cell(row=n, column=1, value=line or None)
            if line and (n == 1 or line[:2] in ("一、", "二、", "三、", "四、", "五、")):
                ws.cell(row=n, column=1).font = TITLE_FONT if n == 1 else BOLD
            continue
        for c, value in enumerate(line, start=1):
            cell = ws.cell(row=n, column=c, value=value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        if line in (ref_header, ("工作表", "列", "是否必填", "说明")) or line[:2] == (lab["task_id"], lab["task_name"]):
            header_rows.append(n)
    for n in header_rows:
        for cell in ws[n]:
            if cell.value is not None:
                cell.font, cell.fill = BOLD, HEADER_FILL
    for letter, width in zip("ABCDEFGHI", (12, 30, 14, 60, 24, 16, 14, 16, 20)):
        ws.column_dimensions[letter].width = width
    _protect(ws)


def _duty(role: str, via: str, named_as: str) -> str:
    text = "牵头" if role == ROLE_LEAD else "责任"
    return text if via == "直接" else f"{text}(通知中写作“{named_as}”)"
