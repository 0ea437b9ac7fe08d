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
    # --- store ---------------------------------------------------------------------------------
    "store.submitted": "已保存为第 {submission_id} 号报送(指标 {indicator_rows} 行、任务 {task_rows} 行),状态:{state}",
    "store.duplicate": "该文件与 {created_at} 保存的第 {submission_id} 号报送完全相同(状态:{state}),本次未重复保存",
    "store.adopted": "已采纳第 {submission_id} 号报送,其数据已计入监测结果",
    "store.returned": "已退回第 {submission_id} 号报送,填报单位将看到退回原因",
    "store.revoked": "已撤销第 {submission_id} 号报送,相关数据恢复为此前采纳的数值",
    "store.not_found": "没有第 {submission_id} 号报送,请刷新列表后重试",
    "store.illegal_transition": "第 {submission_id} 号报送当前为「{state}」,只有「{allowed}」的报送可以{action}",
    "store.reason_required": "请填写{action}原因,填报单位会看到它",
    "store.value_invalid": "“{value}” 不是有效数字,请只填写数字,如 3.0",
    "store.write_failed": "保存失败,数据库未作任何改动:{detail}",
    "store.seed_invalid": "示例进度工作簿 {value} 有错误,未导入数据库:{detail}",
    "store.schema_too_new": "数据库结构版本 {found} 高于本程序支持的版本 {supported},请升级程序后再打开",
}


def render(code: str, **params: object) -> str:
    """Fill a template; unknown codes are a programming error, so they raise."""
    return MESSAGES[code].format(**params)
