"""区县对比: a city's districts side by side, each on its current plan (lib/compare.py decides the plan, the
quarter and every number; this page only lays them out)."""
import pandas as pd
import streamlit as st

import ui
from lib import compare
from lib.charts import compare as compare_charts
from lib.status import AT_RISK_LIGHT

SHARED_SHOWN = 6   # codes drawn at first: a city shares most of its indicators, 26 panels would be a wall

st.title("区县对比")
scope = ui.compare_scope()
if scope is None:
    st.info("区县对比供市级账号查看(或开启公开浏览时所有人可看)。当前账号只能查看本区县的规划。")
    st.stop()

result, version = ui.comparison(scope)
if not result.districts:
    st.info(f"{scope.label}还没有载入任何规划。用 `python -m lib plan load 规划目录` 载入各区县的规划后再来看。")
    st.stop()

st.caption(f"范围:{scope.label},{len(result.districts)} 个区县。每个区县取其当前规划(规划期包含今天的规划,"
           "没有则取最近的规划),按该规划最近一个有数据的季度评估;颜色和图标与各监测页相同。")
if result.sample:
    st.warning("**示例数据**:对比中有示例规划(目标值和进度均为示例),不是正式数据。", icon="⚠️")

ui.html_table(pd.DataFrame({
    "区县": [r.district for r in result.districts],
    "当前规划": [r.plan.config.short_name for r in result.districts],
    "规划期": [f"{r.plan.base_year + 1}—{r.plan.target_year}" for r in result.districts],
    "评估截至": [str(r.as_of) for r in result.districts],
}))

as_of = max(r.as_of for r in result.districts)
ui.chart(lambda: compare_charts.district_status_counts(compare.status_counts(result)), "各区县指标进展情况", as_of,
         key="cmp_status", version=version)

st.subheader("约束性指标")
ui.chart(lambda: compare_charts.binding_grid(compare.binding_grid(result)), "约束性指标对比", as_of,
         key="cmp_binding", version=version)
st.caption(f"按指标代码对齐;空白格 = 该区县规划中没有这项指标。{AT_RISK_LIGHT.icon} 黄:进度不滞后,但按近一年进度预计难以完成。")

st.subheader("共有指标")
names = compare.shared_code_names(result)
picked = st.multiselect(f"要看的指标(两个及以上区县共有的 {len(names)} 项)", list(names), format_func=names.get,
                        default=list(names)[:SHARED_SHOWN], key="cmp_codes", placeholder="选择指标")
ui.chart(lambda: compare_charts.shared_values(compare.shared_codes(result, picked),
                                                          "请在上方选择要看的指标" if names else compare_charts.NO_SHARED_TEXT), "共有指标最新值与目标", as_of,
         key="cmp_shared", depends=(tuple(picked),), version=version)
st.caption("两个及以上区县都有的指标代码:条 = 最新值(颜色为该区县的状态),竖线 = 该区县自己的目标值"
           "(上级下达类取当年下达值;与经济增长同步类没有数值目标)。")

st.subheader("报送情况")
ui.chart(lambda: compare_charts.completeness(compare.completeness(result)), "各区县报送情况", as_of,
         key="cmp_reporting", version=version)
st.caption("各区县评估季度应报的指标和任务(规则同「报送情况」页),右侧为已报送(含逾期)的比例。")
