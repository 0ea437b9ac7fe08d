"""Every column of every table, declared once.

Loaders, validators, the workbook template, chart labels and the data dictionary all read these
declarations; nothing else spells a column's Chinese label or its bounds.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str                       # internal (English) name used in DataFrames
    label: str                      # Chinese label, as shown to users and typed in Excel headers
    dtype: str                      # "str" | "int" | "float" | "bool" | "list" (|-separated in CSV)
    required: bool = True
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    fill_in: bool = False           # a workbook cell the department types (the rest is pre-filled by the template)
    stored: bool = True             # kept in the store and assessed (False: shown in the workbook only)


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def fill_in(self) -> list[str]:
        return [c.name for c in self.columns if c.fill_in]

    @property
    def stored(self) -> list[str]:
        """The columns the store keeps and the assessment reads (a workbook's name columns are left out)."""
        return [c.name for c in self.columns if c.stored]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def label_of(self, name: str) -> str:
        return self.column(name).label

    def by_label(self) -> dict[str, Column]:
        return {c.label: c for c in self.columns}


LIST_SEPARATOR = "|"

# Vocabularies ---------------------------------------------------------------------------------
CATEGORIES = ("预期性", "约束性", "任务指标")
KINDS = ("growth_rate", "level_up", "ceiling", "cumulative", "in_step", "quota", "reduction_total")
KIND_LABELS = {
    "growth_rate": "年均增速",
    "level_up": "达到目标值",
    "ceiling": "控制在上限以内",
    "cumulative": "五年累计",
    "in_step": "与参照指标同步",
    "quota": "完成上级下达指标",
    "reduction_total": "五年累计降低",
}
KINDS_NEEDING_TARGET = ("growth_rate", "level_up", "ceiling", "cumulative", "reduction_total")
KINDS_WITH_ACHIEVEMENT = ("growth_rate", "level_up", "cumulative", "reduction_total")  # those with P, and an outlook
KINDS_NEEDING_BASELINE = ("level_up",)
DIRECTIONS = ("up", "down")
UNIT_KINDS = ("区直部门", "镇", "街道", "党群机关", "人大政协机关", "国有企业", "组团")
GROUP_KIND = "组团"
TASK_STATES = ("未启动", "推进中", "已完成", "滞后")

# Plan files -----------------------------------------------------------------------------------
PLAN_CONFIG_FILE = "plan.toml"
SLUG_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"   # plan_id, district_id, city_id: ASCII, lower case
CODE_PATTERN = r"[A-Z][A-Z0-9_]{1,63}"                  # indicator code shared across plans and districts

INDICATORS = Table("indicators", "指标", (
    Column("indicator_id", "指标编号", "str"),
    Column("category", "指标属性", "str", choices=CATEGORIES),
    Column("name", "指标名称", "str"),
    Column("target_text", "目标表述", "str", help="通知原文中的目标句"),
    Column("kind", "测算方法", "str", choices=KINDS),
    Column("target_value", "目标值", "float", required=False),
    Column("unit", "计量单位", "str"),
    Column("direction", "方向", "str", choices=DIRECTIONS),
    Column("ref_indicator", "参照指标", "str", required=False),
    Column("annual", "仅年度考核", "bool"),
    Column("baseline_value", "基期值", "float", required=False),
    Column("baseline_source", "基期值来源", "str", required=False),
    Column("lead_units", "牵头单位", "list", required=False),
    Column("responsible_units", "责任单位", "list"),
    Column("task_id", "所属任务", "str", required=False),
    Column("plausible_min", "合理下限", "float", required=False),
    Column("plausible_max", "合理上限", "float", required=False),
    Column("hard_min", "硬性下限", "float", required=False),
    Column("hard_max", "硬性上限", "float", required=False),
    Column("code", "指标代码", "str", required=False,
           help="跨规划、跨区县的同一指标(如 GDP_GROWTH):接续和对比用;编号只在本规划内有效"),
))

TASKS = Table("tasks", "重点任务", (
    Column("task_id", "任务编号", "str"),
    Column("section_no", "篇章序号", "int", min=1),
    Column("section_title", "篇章", "str"),
    Column("title", "任务名称", "str"),
    Column("description", "任务内容", "str"),
    Column("lead_units", "牵头单位", "list"),
    Column("responsible_units", "责任单位", "list", required=False),
))

UNITS = Table("units", "单位", (
    Column("unit", "单位名称", "str"),
    Column("kind", "单位类型", "str", choices=UNIT_KINDS),
    Column("aliases", "别名", "list", required=False),
    Column("members", "成员单位", "list", required=False),
))

# The quarterly workbook (docs/workbook-format.md): sheet and header labels are the contract ----
INDICATOR_SHEET = Table("indicator_progress", "指标进度", (
    Column("indicator_id", "指标编号", "str"),
    Column("indicator_name", "指标名称", "str", required=False, stored=False),
    Column("year", "年份", "int"),
    Column("quarter", "季度", "int", min=1, max=4),
    Column("value", "数值", "float", fill_in=True),
    Column("annual_target", "年度目标值", "float", required=False, fill_in=True),
    Column("unit", "填报单位", "str"),
    Column("note", "备注", "str", required=False, fill_in=True),
))

TASK_SHEET = Table("task_progress", "任务进度", (
    Column("task_id", "任务编号", "str"),
    Column("task_name", "任务名称", "str", required=False, stored=False),
    Column("year", "年份", "int"),
    Column("quarter", "季度", "int", min=1, max=4),
    Column("state", "进展状态", "str", choices=TASK_STATES, fill_in=True),
    Column("percent", "完成进度", "float", min=0, max=100, unit="%", fill_in=True),
    Column("progress", "工作进展", "str", required=False, fill_in=True),
    Column("problems", "存在问题", "str", required=False, fill_in=True),
    Column("next_steps", "下步计划", "str", required=False, fill_in=True),
    Column("unit", "填报单位", "str"),
))

# Progress as stored and assessed: the sheets' stored columns, and the key of one effective row.
INDICATOR_PROGRESS_COLUMNS = INDICATOR_SHEET.stored
TASK_PROGRESS_COLUMNS = TASK_SHEET.stored
INDICATOR_PROGRESS_KEY = ["indicator_id", "year", "quarter"]
TASK_PROGRESS_KEY = ["task_id", "year", "quarter", "unit"]   # one row per reporting unit
