"""The one catalogue of Chinese messages, keyed by stable codes.

Code prefixes: plan.* (plan files), wb.* (uploaded workbooks), file.* (files that are not a readable
workbook), store.* (the progress store), auth.* (permissions). Templates name what to fix.
"""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- plan files -------------------------------------------------------------------------
    "plan.file_missing": "缺少规划文件 {value},请把它放进规划目录",
    "plan.config_invalid": "plan.toml 有误:{detail}",
    "plan.years_invalid": "基期年份 {base_year} 必须早于目标年份 {target_year},请修改 plan.toml",
    "plan.column_missing": "缺少必需列「{value}」,请按数据说明补上这一列",
    "plan.required_empty": "必填项为空,请填写",
    "plan.not_a_number": "“{value}” 不是数字",
    "plan.duplicate_id": "编号 {value} 重复出现,每个编号只能有一行",
    "plan.bad_choice": "“{value}” 不是可选值,可选:{choices}",
    "plan.missing_target": "测算方法 {kind} 需要目标值,请填写 target_value",
    "plan.missing_baseline": "测算方法 level_up 通常需要基期值;缺少时该指标将显示为数据缺失",
    "plan.missing_ref": "测算方法 in_step 需要参照指标,请填写 ref_indicator",
    "plan.unknown_ref": "参照指标 {value} 不在指标表中",
    "plan.unknown_task": "所属任务 {value} 不在任务表中",
    "plan.unknown_unit": "单位“{value}”不在 units.csv 中{suggestion}",
    "plan.unknown_member": "成员单位“{value}”不在 units.csv 中",
    "plan.name_conflict": "名称“{value}”同时指向 {first} 和 {second},请删去其中一个别名",
    # --- workbook: structure ------------------------------------------------------------------
    # (workbook codes are added by the workbook validator)
}


def render(code: str, **params: object) -> str:
    """Fill a template; unknown codes are a programming error, so they raise."""
    return MESSAGES[code].format(**params)
