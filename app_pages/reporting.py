"""报送情况: for the as-of quarter, who has reported what, what is missing, and how late; 催报: the units with
missing reports as a list (xlsx) and as the text of a reminder notice (lib/reminders.py)."""
import pandas as pd
import streamlit as st

import ui
from lib import charts, export, settings
from lib.periods import today
from lib.reminders import reminder_list, reminder_text
from lib.reporting import STATE_LATE, STATE_MISSING, STATE_NOT_DUE, STATE_ON_TIME, completeness, deadline


def submitted_text(value: object, state: str) -> str:
    """A submission date as 2024-04-15; a report that never arrived says 未报送 (not "NaT")."""
    if value is None or pd.isna(value):
        return STATE_MISSING if state == STATE_MISSING else "—"
    return value.isoformat()


d = ui.data()
view = ui.current_view(d)
status = ui.filter_reporting(d, view, ui.reporting_status(d, view.as_of))   # the sidebar's rule (lib.scope)

days = int(settings.get("report_deadline_days"))
ui.page_head(d.plan, view.as_of)   # the phone rule that swaps the wide matrix for a sentence, and the print header
st.title("报送情况")
st.caption(f"{ui.escape_markdown(ui.time_caption(d, view))} · 报送截止:季度结束后 {days} 天({deadline(view.as_of, days):%Y年%m月%d日})")
ui.sample_banner(d)
st.caption("应报:指标由牵头单位(或通知所列第一个责任单位)报送,任务由牵头单位报送;年度指标只在第四季度应报。"
           "示例数据导入时没有真实报送时间,不计逾期。")

counts = status["state"].value_counts()
ui.tiles([ui.Tile("应报与已报项", f"{len(status)} 项")]
         + [ui.Tile(state, f"{counts.get(state, 0)} 项") for state in (STATE_ON_TIME, STATE_LATE, STATE_MISSING, STATE_NOT_DUE)])

if status.empty:
    st.info("没有符合筛选条件的报送项。")
    st.stop()

per_unit = completeness(status).sort_values(["报送率", "unit"])
st.subheader("各单位报送完整率")
# One percent format for every rate (33.3% beside 75%, not "33.33%" beside "75%"): lib.fmt.percent.
ui.html_table(per_unit.rename(columns={"unit": "单位"}), bars=("报送率",))

# On a phone some 70 item columns in 200 px are slivers: the table above and the list below say the same.
with st.container(key="pm_wide_rep_matrix"):
    ui.chart(lambda: charts.reporting_matrix(status.rename(columns={"name": "item_name"})), "报送情况矩阵", view.as_of,
             key="rep_matrix", depends=(view, today()), version=d.version)
with st.container(key="pm_narrow_rep_matrix"):
    st.caption("单位 × 事项的报送矩阵请在电脑上查看;各单位的报送项数见上表,缺报和逾期的事项见下方清单。")

st.subheader("缺报与逾期清单")
gaps = status[status["state"].isin([STATE_MISSING, STATE_LATE])]
if gaps.empty:
    st.success("本季度没有缺报或逾期。")
else:
    ui.html_table(pd.DataFrame({
        "单位": gaps["unit"], "类型": gaps["item_type"], "事项": gaps["item_id"] + " " + gaps["name"].fillna(""),
        "状态": gaps["state"],
        "报送日期": [submitted_text(v, s_) for v, s_ in zip(gaps["submitted_at"], gaps["state"])],
        "逾期天数": gaps["days_late"].astype("Int64"),
    }))

st.subheader("催报")
owed = reminder_list(status)
if owed.empty:
    st.success("没有逾期未报送的单位,无需催报。" if counts.get(STATE_NOT_DUE, 0) == 0 else
               f"还没有逾期未报送的单位;{counts.get(STATE_NOT_DUE, 0)} 项尚未到报送截止日。")
else:
    st.caption(f"{len(owed)} 个单位有逾期未报送的事项(已逾期报送的不在此列)。可下载清单,或复制下方通知文字发给各单位。")
    ui.html_table(owed)
    notice = reminder_text(owed, view.as_of, deadline(view.as_of, days), today())   # Beijing's date, as the days late
    stem = f"催报清单_{view.as_of}"
    ui.export_buttons([("下载催报清单(Excel)", export.xlsx_bytes({"催报清单": owed}), f"{stem}.xlsx", "xlsx"),
                       ("下载通知文字(TXT)", notice.encode("utf-8"), f"催报通知_{view.as_of}.txt", "txt")], "rep_owed_dl")
    st.code(notice, language=None, wrap_lines=True)
