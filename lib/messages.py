"""The one catalogue of Chinese messages, keyed by stable codes.

Code prefixes: plan.* (plan files), wb.* (uploaded workbooks), file.* (files that are not a readable
workbook), store.* (the progress store), catalog.* (plans in the store), ingest.* (routing an upload to its plan), auth.* (permissions), setup.* (a broken
installation: the dashboard and the command line stop with these, see lib/setupcheck.py). Templates name what to fix.
"""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- plan files -------------------------------------------------------------------------
    "plan.file_missing": "缺少规划文件 {value},请把它放进规划目录",
    "plan.not_utf8": "{value} 不是 UTF-8 编码的文本:请用 Excel 或 WPS 另存为“CSV UTF-8(逗号分隔)”后再放回规划目录",
    "plan.config_invalid": "plan.toml 有误:{detail}",
    "plan.bad_slug": "plan.toml 的 {key} “{value}” 不合规:只能用小写英文字母、数字和连字符,如 shashi-15",
    "plan.identity_incomplete": "plan.toml 填了 {given},还须填写 {missing}(规划编号、区县及其编号要一起填写)",
    "plan.bad_code": "指标代码 “{value}” 不合规:只能用大写英文字母、数字和下划线,以字母开头,如 GDP_GROWTH",
    "plan.duplicate_code": "指标代码 {value} 在本规划中重复出现,每个代码只能用于一项指标",
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
    "wb.sheet_missing": "工作簿中没有「{sheets}」工作表(现有:{value}),请使用下发的模板填报",
    "wb.header_not_first_row": "表头应在第1行,现在在第{header_row}行;请删去表头上方的标题行",
    "wb.column_missing": "缺少必填列「{value}」,请按模板在第1行补上这一列",
    "wb.column_duplicate": "列「{value}」出现了不止一次,请删去多余的一列",
    "wb.column_extra": "列「{value}」不在模板中,已忽略",
    "wb.sheet_too_large": "工作表范围过大({value}),最多 {max_rows} 行、{max_columns} 列;请删去多余内容后再上传",
    "wb.sheet_too_many_cells": "工作表有 {value} 个单元格,超过上限 {max_cells} 个;请删去与模板无关的行和列(或拆分为多个文件)后再上传",
    "wb.more_findings": "同类问题(代码 {kind})另有 {value} 处未逐一列出(只列出前 {shown} 处);请按上面的说明改正后重新上传检查",
    "wb.no_rows": "文件中没有任何数据行,请填写后再上传",
    "wb.rows_not_filled": "有 {count} 行(第{value}行)只有编号、没有填写数值或进展,视为本期未报送;如需报送请补填后重新上传",
    "wb.merged_cells": "合并单元格 {value} 位于数据区,请取消合并并在每一行填写完整",
    "wb.formula_no_value": "公式 {value} 没有计算结果,请在 Excel 中打开并保存后再上传,或把公式改为数值",
    "wb.cell_error": "单元格是错误值 {value},请改正公式或改填数值",
    # --- workbook: cells ----------------------------------------------------------------------
    "wb.required_empty": "必填项为空,请填写",
    "wb.text_too_long": "内容过长({value} 字),请精简到 {max_chars} 字以内",
    "wb.unknown_indicator": "指标编号“{value}”不存在{suggestion},请填写规划中的指标编号",
    "wb.unknown_task": "任务编号“{value}”不存在{suggestion},请填写规划中的任务编号",
    "wb.name_mismatch": "名称“{value}”与编号 {item_id} 的名称“{expected}”不符;系统按编号 {item_id} 处理,请核对编号",
    "wb.unknown_unit": "填报单位“{value}”不在单位名录中{suggestion}",
    "wb.unit_is_group": "“{value}”是单位组合,请填写本单位的具体名称",
    "wb.unit_mismatch": "填报单位“{value}”与提交单位“{unit}”不一致,请只填报本单位的数据",
    "wb.submitter_unknown": "提交单位“{value}”不在单位名录中{suggestion}",
    "wb.not_responsible": "{unit}不是{item}的责任单位,请删去这一行,或由责任单位填报",
    "wb.year_invalid": "“{value}”不是年份,请填写四位数年份,如 {example}",
    "wb.year_outside_plan": "{value} 年不在规划期内,请填写 {first}–{last} 之间的年份",
    "wb.quarter_invalid": "“{value}”不是季度,请填写 1–4(也可写 Q1、一季度、第一季度)",
    "wb.not_number": "“{value}” 不是数字,请只填写数字,如 {example}",
    "wb.date_not_number": "“{value}” 被 Excel 当作了日期,请把单元格格式改为“常规”后重新填写数字",
    "wb.value_empty": "数值为空,请填写本期数值(只报年度目标值的行可以留空)",
    "wb.value_out_of_bounds": "{value} 超出该指标可能的取值范围({bounds}),请核对",
    "wb.percent_as_fraction": "{value} 像是把百分数写成了小数;本指标按百分数填报,如 97% 请填写 97",
    "wb.percent_formatted_value": "单元格设成了百分比格式(实际存的是 {value}),请改为“常规”格式并填写百分数,如 9.5% 填 9.5",
    "wb.value_implausible": "{value} 超出该指标的合理范围 {low}–{high},请核对是否填错",
    "wb.duplicate_period": "{value} 在本文件中重复填报(第{first_row}行已有),请删去其中一行",
    "wb.target_conflict": "{value} 与第{first_row}行填写的同一年度目标值 {first} 不一致,请统一",
    "wb.target_not_quota": "该指标不是上级下达类指标,年度目标值 {value} 已忽略",
    "wb.target_changed": "{year} 年年度目标值将由系统中的 {old} 改为 {value}",
    "wb.quota_without_target": "{value} 年还没有年度目标值(本文件和系统中都没有),规划管理部门可稍后在系统中补录",
    "wb.unknown_state": "进展状态“{value}”不是可选值,可选:{choices}",
    "wb.percent_out_of_range": "完成进度 {value} 超出 0–100,请填写 0 到 100 之间的数字",
    "wb.percent_converted": "单元格为百分比格式,{value} 已按 {converted} 读取,请核对",
    # --- files ---------------------------------------------------------------------------------
    "file.empty": "{value} 是空文件,请重新选择填好的工作簿",
    "file.too_large": "{value} 有 {size_mb} MB,超过上限 {max_mb} MB;请删去无关的工作表或图片后再上传",
    "file.not_workbook": "{value} 不是 Excel 工作簿(看起来是{detected});请在 Excel 中打开并另存为 .xlsx 后再上传",
    "file.encrypted": "{value} 设置了打开密码,系统无法读取;请在 Excel 中取消密码(文件 → 信息 → 保护工作簿)后再上传",
    "file.truncated": "{value} 已损坏或不完整(可能下载或复制中断),请重新保存后再上传",
    "file.zip_bomb": "{value} 的内部结构异常({detail}),出于安全原因拒绝读取;请在 Excel 中另存为新文件后再上传",
    "file.xml_entities": "{value} 的内部文件 {member} 含有实体声明,出于安全原因拒绝读取;请在 Excel 中另存为新文件后再上传",
    "file.not_found": "找不到文件 {value},请检查路径",
    "file.unsafe": "{value} 无法安全读取(读取进程异常退出),请用 Excel 另存为新的 .xlsx 后再上传",
    "file.check_timeout": "{value} 太大,无法在 {seconds} 秒内检查完;请拆分为几个较小的文件分别上传",
    "file.member_size": "{value} 的内部文件 {member} 解压后的大小与记录的不符({detail}),文件已损坏或被篡改;请在 Excel 中另存为新文件后再上传",
    "file.corrupt": "{value} 无法读取,可能已损坏;请在 Excel 中打开并另存为 .xlsx 后再上传",
    # --- task-division notice → draft plan (lib/notice.py) -------------------------------------
    "notice.not_found": "找不到通知文件 {value},请检查路径",
    "notice.empty": "{value} 是空文件(或只有空白),请选择任务分工方案的 .txt、.docx 或另存的 .html 文件",
    "notice.too_large": "{value} 有 {size_mb} MB,超过上限 {max_mb} MB;任务分工方案的文字通常不到 1 MB,请确认选对了文件",
    "notice.not_text": "{value} 不是文字文件(含有二进制数据),请选择任务分工方案的 .txt、.docx 或另存的 .html 文件",
    "notice.bad_encoding": "{value} 的文字编码无法识别(既不是 UTF-8 也不是 GB18030),请用记事本另存为 UTF-8 后重试",
    "notice.bad_docx": "{value} 不是可读的 Word 文档({detail}),请在 Word 中另存为 .docx 或 .txt 后重试",
    "notice.no_indicators": "{value} 中没有找到主要指标清单:应有含“指标”的标题(如“二、主要指标分工”)和编号的指标句(如“1.地区生产总值年均增长7%。(责任单位:区发改局)”)",
    "notice.no_tasks": "{value} 中没有找到重点任务清单:应有含“任务”的标题(如“三、重点任务分工”)和编号的任务句(如“1.任务名称。任务内容。(牵头单位:区发改局)”)",
    "notice.out_exists": "输出目录 {value} 中已有 {files},为免覆盖,未写入任何文件;请换一个目录或先移走这些文件",
    "notice.known_units_missing": "找不到单位名录 {value},请指定已有规划的 units.csv 或其所在目录",
    "notice.known_units_invalid": "单位名录 {value} 缺少列 {columns},请指定规划目录中的 units.csv",
    "notice.kind_unrecognised": "无法从措辞判断测算方法,请在 kind 列选择(可选:{choices}),并填写目标值、计量单位和方向",
    "notice.kind_guessed": "原文只写了目标值,没有“达到/以上/以内”等措辞;测算方法暂定为 {kind}({kind_label})、方向 {direction},请核对",
    "notice.direction_guessed": "措辞“{verb}”本是上限,但指标本身是降低幅度,方向暂定为 up(完成下达的降幅即达标),请核对",
    "notice.unit_assumed": "原文没有写计量单位,暂定为 {unit},请核对",
    "notice.ref_found": "参照对象“{ref}”按名称对应到 {ref_id}({ref_name}),请核对",
    "notice.ref_missing": "参照对象“{ref}”在指标清单中找不到对应指标,请在 ref_indicator 填写参照指标的编号",
    "notice.name_completed": "指标名称“{value}”按国家规划纲要的标准名称补全为“{name}”,请核对",
    "notice.category_missing": "没有标明预期性或约束性,请在 category 列填写",
    "notice.units_missing": "原文没有写{role},请在 {col} 列填写",
    "notice.description_missing": "任务“{value}”只有名称、没有任务内容,请在 description 列填写(可照抄任务名称)",
    "notice.numbering_gap": "原文编号 {written} 与顺序号 {expected} 不一致,编号按顺序取为 {item_id},请核对是否漏项或重号",
    "notice.task_quantity": "任务 {task_id} 写有量化目标“{value}”,可设为任务指标:{name},{kind_label},目标 {target} {unit};如采纳,请在 indicators.csv 加一行(category 任务指标,task_id {task_id})",
    "notice.task_quantity_unclear": "任务 {task_id} 写有量化目标“{value}”,但无法判断测算方法;如需监测,请在 indicators.csv 加一行任务指标",
    "notice.unit_alias": "“{value}”与“{other}”可能是同一单位({reason});草稿中分列两行,如确为同一单位,请在 units.csv 保留一行并把另一名称写入 aliases",
    "notice.unit_kind_guessed": "{count} 个单位的类型按名称推断(如“…镇”为镇、“区委…”为党群机关、其余为区直部门),请核对 kind 列",
    "notice.group_members": "组团“{value}”的成员单位原文未列出,请在 members 列填写(成员也须在 units.csv 中)",
    "notice.baseline_missing": "通知不含基期值:{ids} 共 {count} 项指标,请补充 baseline_value 和 baseline_source",
    "notice.bounds_missing": "通知不含合理范围和硬性范围:{count} 项指标的 plausible_min/max、hard_min/max 均为空,填报时将不做范围检查,请按需补充",
    "notice.annual_default": "“仅年度考核”一律暂定为 false;只有年度数据的指标(如粮食产量),请改为 true",
    "notice.config_guessed": "plan.toml 按通知标题填写:名称“{name}”、简称“{short_name}”、基期 {base_year} 年、目标 {target_year} 年,请核对",
    "notice.config_missing": "无法从通知标题判断{field},请用 {option} 指定,或在 plan.toml 中填写",
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
    "store.unknown_plan": "规划 {plan_id} 尚未载入系统,请先用 python -m lib plan load 载入规划目录",
    "store.plan_archived": "规划 {plan_id} 已在总结评估后归档,数据只读:不能再报送、审核或修改目标值和基期值",
    "store.not_scoped": "程序错误:未选定规划就读写进度数据",
    "catalog.identity_required": "plan.toml 必须写明 id(规划编号,如 shashi-15)、district(区县名称)和 district_id(区县编号)才能载入系统",
    "catalog.archived": "规划 {value} 已归档,不能再载入新版本",
    "catalog.district_changed": "规划 {value} 原属区县 {before},新版本写的是 {after}:规划不能改属其他区县,请检查 plan.toml",
    "catalog.period_overlap": "规划 {value}({mine})与同一区县的规划 {other}({period})期间重叠;同一区县的规划期不能重叠",
    "catalog.drops_reported": "新版本删去了 {value},但它已有报送数据:请保留这一行(可改名称、目标和单位)",
    "catalog.unknown_plan": "系统中没有规划 {value},可用 python -m lib plan list 查看已载入的规划",
    "catalog.none_readable": "当前账号没有可查看的规划。请联系区发改局,确认账号所属的区县(或城市)已载入规划",
    "catalog.already_archived": "规划 {value} 已经归档",
    # --- 规划管理: editing plans on the page (lib/plan_editor.py) -----------------------------------
    "editor.unit_unknown": "单位表中没有“{value}”,请从列表中选择要修改的单位",
    "editor.unit_exists": "单位表中已有“{value}”(或新名称为空):请换一个名称;如两者是同一单位,请把一个写作另一个的别名",
    "editor.plan_exists": "系统中已有规划 {value},且内容与本草稿不同:请换一个规划编号;如要修改该规划,请在「修改已有规划」中编辑",
    "editor.other_district": "规划的区县编号是 {value},而当前账号属于 {district}:区发改局只能发布和修改本区县的规划,请把区县编号改为 {district}",
    "editor.id_changed": "规划编号不能在修改时更改(原为 {plan_id},现为 {value});如要另立规划,请用「由通知新建规划」发布",
    "store.schema_too_new": "数据库结构版本 {found} 高于本程序支持的版本 {supported},请升级程序后再打开",
    "store.stored_rows_invalid": ("数据库中有 {count} 行{what}的「{column}」不在规定的取值之内(第一行编号 {first_id}:“{value}”),"
                                  "数据库结构因此未升级、未作任何改动:请把这些行改为{allowed}之一(或删除)后重新启动"),
    # --- 数据填报 / 审核: confirmations and steps backwards (lib/review.py) ------------------------------
    "upload.submitted": "已提交,报送编号 {submission_id}(指标 {indicator_rows} 行、任务 {task_rows} 行),状态:{state}",
    "review.away_from_target": "数值由 {old} 改为 {new},离目标更远(本指标{better}),请核实",
    "review.task_reopened": "{basis}为“已完成”,本次报“{state}”,请核实",
    "review.percent_down": "完成进度由 {old}%({basis})降为 {new}%,请核实",
    # --- assessment ---------------------------------------------------------------------------
    # no_data reasons (the `reason` column of lib.assess results)
    "assess.no_rows": "无填报数据",
    "assess.annual_no_q4": "仅按年度考核,尚无第四季度数据",
    "assess.no_baseline": "缺少基期值",
    "assess.no_target_value": "规划中的目标值无法用于测算,请核对 indicators.csv",
    "assess.bad_growth": "增速数值不能低于或等于 -100%,无法测算",
    "assess.bad_reduction": "降低率不能大于或等于 100%,无法测算",
    "assess.missing_year": "缺少{years}第四季度数据",
    "assess.missing_year_ref": "参照指标 {ref} 缺少{years}第四季度数据",
    "assess.no_common_period": "本指标与参照指标 {ref} 没有同一期的数据",
    "assess.no_ref": "参照指标 {ref} 不在规划中",
    "assess.no_assigned_target": "尚无上级下达的年度目标({years})",
    # explanations (lib.assess.explain): numbers arrive pre-formatted as text
    "assess.explain.where": "截至 {as_of} 测算;按 {latest_period} 的数据评估(比测算期滞后 {lag} 个季度),该期时间进度 τ = {tau}。",
    "assess.explain.inputs": "采用的数据:{inputs}。",
    "assess.explain.annual": "本指标仅按年度考核,只采用第四季度数据;一至三季度数据只展示、不评估。",
    "assess.explain.no_data": "无法评估:{reason}。",
    "assess.explain.growth": "Λ = 各完整年度第四季度增速的 ln(1+g) 之和 + {q}/4 × ln(1+{latest_period}增速) = {lam};P = Λ ÷ ({years} × ln(1+{target}%)) = {p}。",
    "assess.explain.avg_growth": "至今年均增长 {avg}%,规划目标年均 {target}%。",
    "assess.explain.level": "基期值 X0 = {x0},目标值 X* = {target},最新值 Xt = {xt}。",
    "assess.explain.level_p": "P = (Xt − X0) ÷ (X* − X0) = {p}。",
    "assess.explain.level_reached": "Xt ≥ X*,目标已经达到,判定为「{label}」。",
    "assess.explain.level_target_not_above_base": "目标值不高于基期值,而最新值仍未达到目标,判定为「{label}」。",
    "assess.explain.ceiling": "目标:{bound} {target};最新值 Xt = {xt},{verdict},判定为「{label}」。",
    "assess.explain.cumulative": "C = 以前各完整年度第四季度数之和 + 本年截至 {latest_period} 的数 = {c};P = C ÷ X* = {c} ÷ {target} = {p}。",
    "assess.explain.in_step": "本指标至今年均增长 {avg}%,参照指标 {ref} 为 {ref_avg}%,差距 d = {d} 个百分点(容差 ±{pp} 个百分点)。",
    "assess.explain.in_step_rule": "{rule},判定为「{label}」。",
    "assess.explain.quota": "{year}年上级下达目标 {target}(方向:{direction}),{latest_period} 数值 {xt},{verdict},判定为「{label}」。",
    "assess.explain.p_achieved": "P = {p} ≥ 1,目标已经实现,判定为「{label}」。",
    "assess.explain.p_ahead": "P = {p} ≥ τ + δ = {hi},判定为「{label}」。",
    "assess.explain.p_on_track": "τ − δ = {lo} ≤ P = {p} < τ + δ = {hi},判定为「{label}」。",
    "assess.explain.p_behind": "P = {p} < τ − δ = {lo},判定为「{label}」。",
    "assess.explain.reduction": "Λ = 各完整年度第四季度降低率的 ln(1−r) 之和 + {q}/4 × ln(1−{latest_period}降低率) = {lam};P = Λ ÷ ln(1−{target}%) = {p}。",
    "assess.explain.cumulative_reduction": "至今累计降低 {cum}%,规划目标五年累计降低 {target}%。",
    # plain sentences (lib.verdict): the status and the outlook in words, before any formula
    "verdict.level": "从基期 {x0} 到目标 {target},{latest_period} 为 {xt},已完成 {p};时间已过 {tau},{label}。",
    "verdict.level_reached": "{latest_period} 为 {xt},已达到目标 {target},{label}。",
    "verdict.level_not_above_base": "目标 {target} 不高于基期 {x0},{latest_period} 为 {xt},尚未达到,{label}。",
    "verdict.growth": "规划以来年均增长 {avg},目标年均 {target};按复合增长折算已完成五年目标的 {p},时间已过 {tau},{label}。",
    "verdict.cumulative": "五年累计已完成 {c}(截至 {latest_period}),是目标 {target} 的 {p};时间已过 {tau},{label}。",
    "verdict.reduction": "规划以来累计降低 {cum},目标五年累计降低 {target};已完成 {p},时间已过 {tau},{label}。",
    "verdict.ceiling_met": "{latest_period} 为 {xt},{bound} {target},符合要求,{label}。",
    "verdict.ceiling_failed": "{latest_period} 为 {xt},{bound} {target},不符合要求,{label}。",
    "verdict.in_step": "规划以来(五年平均口径)年均增长 {avg},参照指标 {ref} 为 {ref_avg},相差 {d} 个百分点(容差 ±{pp}),{label}。",
    "verdict.quota": "{year}年上级下达目标 {target},{latest_period} 为 {xt},{verdict},{label}。",
    "verdict.no_data": "暂时无法评估:{reason}。",
    "verdict.outlook_recent": "按近一年的进度,到 {year} 年预计完成目标的 {pt},{outlook}。",
    "verdict.outlook_base": "按规划以来的进度,到 {year} 年预计完成目标的 {pt},{outlook}。",
    "verdict.outlook_from": "起点 L′ = {from_period}(至少比评估期 {latest_period} 早四个季度):P(L′) = {p0},τ(L′) = {tau0}。",
    "verdict.outlook_from_base": "没有早于评估期 {latest_period} 四个季度以上的可用数据,以基期为起点:P(L′) = 0,τ(L′) = 0。",
    "verdict.outlook_pace": "速度 v = (P − P(L′)) ÷ (τ − τ(L′)) = ({p} − {p0}) ÷ ({tau} − {tau0}) = {v}。",
    "verdict.outlook_projection": "预计到期完成度 P_T = P + v × (1 − τ) = {p} + {v} × {rest} = {pt};{rule},{outlook}。",
    # --- briefing ---------------------------------------------------------------------------------
    "brief.bad_scope": "范围“{value}”不对,应写作 all、section:3(第3篇)或 unit:区人社局",
    "brief.unknown_section": "规划中没有第 {value} 篇,可选:{choices}",
    "brief.unknown_unit": "单位“{value}”不在单位名录中{suggestion}",
    "brief.summary.indicators": "截至{period}(时间进度{tau}),{scope}{total}项指标中{counts}。",
    "brief.summary.no_indicators": "截至{period}(时间进度{tau}),{scope}没有监测指标。",
    "brief.summary.binding": "{total}项约束性指标中{counts}{detail}。",
    "brief.summary.lagging": "滞后较多的是:{items}{more}。",
    "brief.summary.lagging_p": "{item}(完成度{p},时间进度{tau},责任单位:{units})",
    "brief.summary.lagging_test": "{item}(最新值{latest},目标{target},责任单位:{units})",
    "brief.summary.lagging_in_step": "{item}(比参照指标{ref}低{diff}个百分点,责任单位:{units})",
    "brief.summary.no_data": "数据缺失的是:{items}{more}。",
    "brief.summary.tasks": "{scope}{total}项重点任务中{counts}。",
    "brief.summary.no_tasks": "{scope}没有重点任务。",
    "brief.summary.tasks_behind": "滞后的任务有:{items}{more}。",
    "brief.summary.task_item": "{item}(完成进度{percent},牵头单位:{units})",
    "brief.summary.tasks_unreported": "本季度未报送的任务有:{items}{more}。",
    "brief.summary.more": "等{count}项",
    "brief.summary.sample": "注:本材料的进度数据含示例数据,仅供演示,不代表实际情况。",
    # --- evaluation report (lib/report) ------------------------------------------------------
    "report.outside_plan": "截至季度 {value} 不在规划期({first}—{last})内,请选择规划期内的季度",
    "report.final_as_of": "总结评估截至规划期最后一个季度 {last},不能选 {value};其他季度请生成年度评估或中期评估",
    "report.final_no_data": "规划期最后一个季度 {last} 还没有任何数据,无法生成总结评估报告;请在各单位报送 {last} 的数据后再生成,或改为年度评估、中期评估",
    "report.annual_not_q4": "年度评估截至某一年的第四季度(如 {example}),不能选 {value}",
    "report.no_data_at": "{value} 还没有任何数据,无法生成年度评估报告;请选择已有第四季度数据的年份",
    "report.no_q4_yet": "还没有任何一年第四季度的数据,无法生成年度评估报告;可先生成中期评估,或等第四季度数据报送后再生成",
    "report.no_data_up_to": "截至 {value} 还没有任何数据,无法生成评估报告;请选择更晚的季度",
    "report.title.annual": "{name}{year}年度实施情况评估报告(初稿)",
    "report.title.midterm": "{name}实施情况中期评估报告(初稿)",
    "report.title.final": "{name}实施情况总结评估报告(初稿)",
    "report.binding_met": "{total}项约束性指标均达到进度要求。",
    "report.binding_met_final": "{total}项约束性指标全部完成。",
    "report.binding_unmet": "约束性指标未能全部达到要求({label}{behind}项、数据缺失{missing}项)。",
    "report.outlook_count": "按近一年的推进速度测算,有{count}项指标预计到{year}年难以完成目标(见表1)。",
    "report.no_indicators": "{scope}没有监测指标。",
    "report.contributions": "配合单位本季度报送的进展(供参考,不计入任务状态):{items}。",
    "report.table1_intro": "{total}项主要指标截至{period}(时间进度{tau})的完成情况见表1,各指标按其最新一期可用数据评估。",
    "report.problem_indicators": "{count}项指标{label}:{items}。",
    "report.problem_quote": "{item}(牵头单位:{units},{state})反映:{text}",
    "report.no_problems": "截至{period},没有滞后或数据缺失的指标,各单位也未报告推进中的困难。",
    "report.catch_up": "{indicators}项指标、{tasks}项任务进度落后,建议由以下单位对照{year}年目标制定追赶措施:{items}。",
    "report.fill_data": "以下单位应按时报送数据,以便完整评估:{items}。",
    "report.keep_going": "{indicators}项指标、{tasks}项任务均按计划推进,建议保持现有推进力度,按季度报送进展。",
    "report.no_codes": "指标表中还没有指标编码(code 列),无法判断本规划{count}项指标中哪些延续到下一个五年规划;"
                       "下一个五年规划尚未载入。载入下一规划并为指标填写编码后,本节将列出延续指标及其新目标。",
    "report.no_next_plan": "下一个五年规划尚未载入,暂无法列出延续指标及其新目标;载入后本节将按指标编码列出。",
    "report.continuing": "按指标编码,本规划有{count}项指标延续到{name},见表3。",
    "report.carry_over": "本规划期末仍有{indicators}项指标未完成或数据缺失、{tasks}项任务未完成,建议在下一个五年规划中继续安排,"
                         "并明确责任单位:{items}。",
    "report.all_done": "本规划{indicators}项指标、{tasks}项任务均已完成,建议在下一个五年规划中巩固提升。",
    # --- accounts ---------------------------------------------------------------------------------
    "auth.bad_username": "用户名“{value}”不合规:请用 2–32 位小写字母、数字或 . _ -,并以字母或数字开头",
    "auth.duplicate_username": "用户名“{value}”已存在,请换一个",
    "auth.unknown_account": "账号“{value}”不存在",
    "auth.unknown_role": "角色“{value}”不是可选值,可选:{choices}",
    "auth.name_required": "请填写账号的显示名称",
    "auth.unit_required": "填报单位账号必须绑定一个单位,请选择单位",
    "auth.unknown_unit": "单位“{value}”不在单位名录中{suggestion}",
    "auth.unit_is_group": "“{value}”是单位组合,账号只能绑定具体单位",
    "auth.password_too_short": "密码至少需要 {min_chars} 个字符",
    "auth.password_too_long": "密码过长(超过 {max_bytes} 字节),请缩短",
    "auth.file_invalid": "账号文件 {value} 格式有误:{detail};请修正该文件,或删除后重新创建账号",
    "auth.cookie_key_missing": "未设置登录 cookie 密钥:请设置环境变量 {env}(一段足够长的随机字符串)",
    "auth.sign_in_required": "请先登录",
    "auth.sign_in_failed": "用户名或密码不正确,请重新输入。",
    "auth.session_failed": "登录会话无法保存到数据库({detail}),暂时不能登录。请管理员检查数据库和 var/ 文件夹是否可写。",
    "auth.sign_in_incomplete": "请填写用户名和密码后再点“登录”。",
    "auth.read_only": "领导账号只能浏览,不能上传或审核",
    "auth.review_denied": "只有区发改局(规划办)账号可以审核报送、设定目标和导出",
    # --- accounts in the store: scope and import/export (lib/account_store.py, h-accounts) -----------------
    "auth.district_required": "{role}账号必须属于一个区县:请用 --district 指定区县编号",
    "auth.unknown_district": "区县“{value}”不在系统中,已载入的区县:{choices};请先用 python -m lib plan load 载入该区县的规划",
    "auth.city_required": "市级账号必须指定所属城市:请用 --city 指定城市编号,如 jingzhou",
    "auth.unknown_city": "城市“{value}”不在系统中,已载入规划的城市:{choices}",
    "auth.city_with_district": "市级账号只属于城市,不属于区县“{value}”:请去掉 --district,改用 --city",
    "auth.district_with_city": "{role}账号属于区县,不能指定城市“{value}”:请去掉 --city,改用 --district",
    "auth.unit_not_in_district": "单位“{value}”不在{district}的规划单位名录中{suggestion};每个区县的单位各自独立",
    "auth.import_missing": "找不到账号文件 {value},请检查路径",
    "auth.import_refused": "账号文件 {file} 中的账号 {username} 不能导入:{detail}。整个文件未导入,数据库未作任何改动",
    "auth.district_denied": "本账号属于{mine},不能{verb}{theirs}的规划数据:请选择本区县的规划,或换用{theirs}的账号",
    # --- set-up (lib/setupcheck.py): what is wrong, which file, what to do --------------------------
    "setup.plan_dir_missing": "规划目录 {file} 不存在。请把规划文件(plan.toml、indicators.csv、tasks.csv、units.csv)放进该目录,或用环境变量 PLANMON_PLAN_DIR 指向正确的目录",
    "setup.plan_empty": "规划文件 {file} 是空文件。请从备份或版本库恢复该文件(第 1 行是表头,之后每行一项)",
    "setup.plan_gbk": "规划文件 {file} 不是 UTF-8 编码(看起来是 GBK,Excel 直接另存为“CSV”时常见)。请在 Excel 中“另存为 → CSV UTF-8(逗号分隔)”,或用记事本另存时选择 UTF-8 编码,再替换该文件",
    "setup.plan_not_text": "规划文件 {file} 不是文本文件(内容无法按 UTF-8 读取,可能已损坏或被其他文件覆盖)。请从备份或版本库恢复该文件",
    "setup.file_unreadable": "无法读取 {file}({detail})。请让运行看板的系统用户对该文件有读权限",
    "setup.units_empty": "单位名录 {file} 中没有任何单位(只有表头或为空行)。请补上各责任单位(每行一个),或从备份恢复该文件",
    "setup.plan_not_csv": "规划目录 {file} 中的 CSV 文件无法读取({detail})。请检查引号是否成对、每行列数是否一致,或从备份恢复",
    "setup.plan_invalid": "规划文件有误({where}):{detail}",
    "setup.folder_read_only": "文件夹 {file} 不可写:看板要在这里保存数据库、账号文件和登录密钥,无法写入时谁都不能登录或报送。请让运行看板的系统用户拥有该文件夹并可写(如 chown -R 该用户 {file},再 chmod 700 {file}),或用 PLANMON_DB_URL、PLANMON_ACCOUNTS_FILE 指向可写的位置",
    "setup.db_not_database": "数据库文件 {file} 不是 SQLite 数据库(可能被其他文件覆盖;{detail})。请先停止看板,把该文件改名留作备份,再放回备份的数据库;确认其中没有需要保留的数据时,也可以移走它,看板会新建数据库并导入示例数据",
    "setup.db_damaged": "数据库文件 {file} 已损坏(SQLite 完整性检查:{detail})。请先停止看板、复制一份该文件,再从备份恢复;没有备份时可用 sqlite3 命令的 .recover 抢救数据到新文件",
    "setup.db_unavailable": "无法打开数据库 {file}:{detail}。请检查 PLANMON_DB_URL、数据库服务是否在运行以及账号权限",
    "setup.demo_exposed": "警告:演示模式已开启(演示账号的密码是公开的),看板却在 {address} 上对网络开放。正式使用前请关闭演示模式(PLANMON_DEMO_MODE=false);只在本机试用时设 PLANMON_SERVER_ADDRESS=127.0.0.1",
    # --- typed progress frames (lib/coerce.py): rows the store or a checker converts by the schema --------
    "coerce.column_missing": "缺少必需列「{value}」",
    "coerce.not_number": "“{value}” 不是数字,请填写数字",
    "coerce.required_empty": "必填项为空,请填写",
    "coerce.out_of_range": "{value} 超出允许范围 {low}–{high},请改正",
    "coerce.bad_choice": "“{value}”不是可选值,可选:{choices}",
    # --- ingest: which plan an upload goes to (lib/ingest.py) ---------------------------------
    "ingest.no_plans": "{district}还没有载入任何规划,不能接收数据;请区发改局先用 python -m lib plan load 载入规划",
    "ingest.spans_plans": "文件中的数据分属不同规划:{detail}。一个文件只能报送一个规划的数据,请按年份分成两个文件分别上传",
    "ingest.no_plan": "{value} 年不在{district}任何规划的规划期内({plans}),请检查「年份」列",
    "ingest.plan_archived": "文件中的数据属于{plan},该规划已在总结评估后归档,数据只读,不能再报送;如需更正请联系区发改局",
    "ingest.template_other_plan": ("这是{template}的填报模板,但文件中是 {value} 年的数据,属于{plan}。两个规划的指标和任务编号不同,"
                                   "请在「数据填报」页选择{plan_id}并下载它的模板重新填写"),
    "ingest.template_foreign": "这是规划 {value} 的填报模板,不属于{district}({plans}),请下载本区县的填报模板",
    "ingest.not_checked": "文件还没有通过检查(有错误或尚未检查),不能提交;请按检查结果修改后重新上传",
    "ingest.other_district": "规划 {value} 不属于{district},不能向它报送数据",
    # --- images ---
    "image.ok": "图片导出可用(浏览器:{path})",
    "image.no_browser": (
        "未找到 Chromium 浏览器,无法在服务器端导出图片。请由管理员安装:sudo apt-get install chromium;"
        "或用环境变量 BROWSER_PATH 指定 Chrome/Chromium 的路径。图表右上角的相机按钮仍可在浏览器中下载图片。"
    ),
    "image.bad_browser_path": (
        "环境变量 BROWSER_PATH 指向的 “{path}” 不是可执行文件。请改为 Chrome/Chromium 的正确路径,"
        "或删除该变量并安装 Chromium:sudo apt-get install chromium"
    ),
    "image.timeout": "图片导出超时({seconds:.0f} 秒内未完成),浏览器已重启,请重试",
    "image.busy": "图片导出排队超时(其他用户正在导出),请稍后重试",
    "image.failed": "图片导出失败:{detail}",
    # --- deploy.* (more than one machine: README 多台服务器部署) ---
    "deploy.cookie_key_local": (
        "警告:数据库是共享的数据库服务器({database}),登录 cookie 密钥却由本机生成(PLANMON_COOKIE_KEY 未设置,"
        "演示模式把密钥存在本机 {file}):在一台机器上登录,换到另一台机器或进程时会被要求重新登录。"
        "多进程或多台服务器部署时,请给所有进程设置同一个 PLANMON_COOKIE_KEY"
    ),

}


# --- severity and fix hints of the findings (one home for every rule) ------------------------------------
# A finding's severity belongs to its code, not to the call site: every code is an error (the upload or the
# plan files are refused) except these warnings (shown, but the upload is accepted / the draft is written).
WARNING_CODES: frozenset[str] = frozenset({
    "plan.missing_baseline",
    "wb.column_extra", "wb.rows_not_filled", "wb.value_implausible", "wb.name_mismatch", "wb.target_not_quota",
    "wb.target_changed", "wb.quota_without_target", "wb.percent_converted",
    "notice.kind_guessed", "notice.direction_guessed", "notice.unit_assumed", "notice.name_completed",
    "notice.ref_found", "notice.numbering_gap", "notice.task_quantity", "notice.task_quantity_unclear",
    "notice.group_members", "notice.unit_kind_guessed", "notice.unit_alias", "notice.config_guessed",
    "notice.baseline_missing", "notice.bounds_missing", "notice.annual_default",
})
SEVERITY_ERROR, SEVERITY_WARNING = "error", "warning"

# What to do, for the codes whose template names the problem but not the fix (`Finding.hint`).
HINTS: dict[str, str] = {
    "plan.not_a_number": "请改为数字(不带单位和千分位逗号)",
    "plan.unknown_ref": "请填写指标表中已有的指标编号",
    "plan.unknown_task": "请填写任务表中已有的任务编号",
    "plan.unknown_member": "请先在 units.csv 中加上该单位,或改正成员名称",
    "wb.unknown_unit": "请按单位名录填写本单位的全称",
    "wb.submitter_unknown": "请选择单位名录中的单位",
    "auth.unknown_account": "请核对用户名,或请规划办新建账号",
}


def severity(code: str) -> str:
    """"warning" for the codes in WARNING_CODES, "error" for every other catalogue code (unknown codes raise)."""
    if code not in MESSAGES:
        raise KeyError(code)
    return SEVERITY_WARNING if code in WARNING_CODES else SEVERITY_ERROR


def hint(code: str) -> str:
    """The fix hint of a code ("" where the template already says what to do)."""
    return HINTS.get(code, "")


def render(code: str, **params: object) -> str:
    """Fill a template; unknown codes are a programming error, so they raise."""
    return MESSAGES[code].format(**params)


class CatalogueError(Exception):
    """A refusal the user can act on: a catalogue code, its parameters and the Chinese message."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        self.message = render(code, **params)
        super().__init__(self.message)
