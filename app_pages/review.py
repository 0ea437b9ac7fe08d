"""审核与历史 (planning office only): submissions with filters, several adopted at once (tick + 采纳所选);
per pending submission old → new against the adopted data with steps backwards flagged; its rows, the file as
uploaded, a re-check of its findings, its state history and adopt / return / revoke; the value history of
any indicator or task; the annual targets (年度目标值) of quota indicators and the baselines, each with its
history; CSV/Excel exports.

State changes run in button callbacks, so the lists on the page are drawn after the change."""
import datetime as dt

import pandas as pd
import streamlit as st

import ui
from lib import fmt, settings
from lib.periods import period_labels
from lib.accounts import Role
from lib.review import backward_steps, flags_by_row
from lib.store import (CHANGE_CHANGED, CHANGE_NEW, CHANGE_SAME, DISPLAY_TZ, HISTORY_LABELS, SOURCE_BASELINE, SOURCE_TARGET,
                       STATE_LABELS, SUBMISSION_LABELS, StoreError, SubmissionState, display_time)

FLASH = "rv_flash"
LIST_GEN = "rv_list_gen"   # part of the list's widget key: a new key clears the ticks after 采纳所选
SINCE_DAYS = {"全部": None, "最近 7 天": 7, "最近 30 天": 30, "最近 90 天": 90, "最近一年": 365}
QUOTA = "quota"

account = ui.require_role(Role.PLANNING)
plan = ui.plan()
store = ui.store()
ind = plan.indicators
measure = dict(zip(ind["indicator_id"], ind["unit"]))

st.title("审核与历史")
st.caption("采纳后数据才计入监测结果;退回和撤销须写明原因,填报单位在「数据填报」页看到。"
           + ("当前设置为上传即自动采纳(PLANMON_AUTO_ADOPT)。" if settings.get("auto_adopt") else ""))
ui.show_flash(FLASH)


def _act(action: str, submission_id: int, reason_key: str | None = None) -> None:
    """Adopt / return / revoke callback; the store refuses illegal moves and missing reasons."""
    reason = st.session_state.get(reason_key, "") if reason_key else ""
    try:
        if action == "adopt":
            message = store.adopt(submission_id, account.username)
        elif action == "return":
            message = store.return_submission(submission_id, account.username, reason)
        else:
            message = store.revoke(submission_id, account.username, reason)
    except StoreError as exc:
        ui.flash(FLASH, "error", exc.message)
        return
    if reason_key:
        st.session_state[reason_key] = ""
    ui.flash(FLASH, "success", message)


def _selected_ids(subs: pd.DataFrame) -> list[int]:
    """The submissions ticked in the list (st.dataframe multi-row selection: positions in the table)."""
    rows = _ticked()
    return [int(subs["id"].iloc[r]) for r in rows if 0 <= r < len(subs)]


def _list_key() -> str:
    return f"rv_table_{st.session_state.get(LIST_GEN, 0)}"


def _ticked() -> list[int]:
    state = st.session_state.get(_list_key())
    return [int(r) for r in state["selection"]["rows"]] if state and "selection" in state else []


def _adopt_many(listed: list[int]) -> None:
    """采纳所选 callback: each ticked pending submission adopted in its own transaction (one store.adopt
    each, exactly as the single button); the message lists what was adopted and what was not."""
    done, refused = [], []
    for sid in sorted({listed[r] for r in _ticked() if 0 <= r < len(listed)}):   # oldest first, as one by one
        try:
            store.adopt(sid, account.username)
            done.append(sid)
        except StoreError as exc:
            refused.append(exc.message)
    st.session_state[LIST_GEN] = st.session_state.get(LIST_GEN, 0) + 1
    if done:
        ui.flash(FLASH, "success", f"已采纳 {len(done)} 份报送(第 {'、'.join(map(str, done))} 号),其数据已计入监测结果"
                 + (";" + ";".join(refused) if refused else ""))
    else:
        ui.flash(FLASH, "error", ";".join(refused) or "没有勾选待审核的报送。")


def _setting(kind: str, indicator_id: str, year: int | None, value_key: str, clear_key: str, note_key: str) -> None:
    """Save an annual target or a baseline (append-only: the history keeps every earlier value)."""
    clear = bool(st.session_state.get(clear_key))
    value = None if clear else st.session_state.get(value_key)
    note = st.session_state.get(note_key, "")
    if value is None and not clear:
        ui.flash(FLASH, "error", "请填写数值;如要清除设定,请勾选“清除”。")
        return
    try:
        if kind == "target":
            store.set_annual_target(indicator_id, int(year), value, account.username, note)
            what = f"{indicator_id} {year} 年度目标值"
        else:
            store.set_baseline(indicator_id, value, account.username, note)
            what = f"{indicator_id} 基期值"
    except StoreError as exc:
        ui.flash(FLASH, "error", exc.message)
        return
    unit = ind.set_index("indicator_id").at[indicator_id, "unit"]
    ui.flash(FLASH, "success", f"已保存:{what}" + ("已清除" if value is None else f"为 {fmt.with_unit(value, unit)}"))


def _settings_and_pick(table: pd.DataFrame, name: str, caption: str, keys: tuple[str, str, str], ids: list[str]) -> str:
    """The current settings (`name`: 年度目标值 or 基期值) with their download, then the indicator the form below
    sets. keys: the table's, the download's and the indicator choice's widget keys."""
    table_key, download_key, item_key = keys
    st.caption(caption)
    st.dataframe(table, hide_index=True, width="stretch", key=table_key)
    ui.downloads(table, name, download_key, name)
    st.markdown(f"**设定{name}**")
    return st.selectbox("指标", ids, key=item_key, format_func=lambda i: items[i].replace("(指标)", ""))


def _setting_history(item: str, source: str, columns: list[str], key: str) -> None:
    """The settings of one indicator's annual targets or baseline (`source`), with who, when and why."""
    st.markdown(f"**{item} 的设定记录**")
    hist = store.history(item)
    hist = hist[hist["source"] == source]
    if hist.empty:
        st.caption("还没有设定记录。")
    else:
        hist = ui.beijing_times(hist[columns], "time")
        st.dataframe(hist.rename(columns=HISTORY_LABELS), hide_index=True, width="stretch", key=key)


tab_sub, tab_hist, tab_target, tab_base = st.tabs(["报送审核", "数值历史", "年度目标值", "基期值"])

# --- submissions -----------------------------------------------------------------------------------------
with tab_sub:
    states = [ui.ALL, *[s.label for s in SubmissionState]]
    c1, c2, c3 = st.columns([2, 1, 1])
    f_unit = c1.selectbox("填报单位", [ui.ALL, *plan.units.reporting_units()], key="rv_unit")
    f_state = c2.selectbox("状态", states, index=states.index(STATE_LABELS[SubmissionState.PENDING]), key="rv_state")
    # A choice of spans rather than st.date_input, whose empty field and calendar speak English (yyyy-mm-dd).
    f_since = c3.selectbox("上传时间", list(SINCE_DAYS), key="rv_since")
    since = (None if SINCE_DAYS[f_since] is None else
             pd.Timestamp(dt.datetime.combine(dt.date.today() - dt.timedelta(days=SINCE_DAYS[f_since]), dt.time()), tz=DISPLAY_TZ))
    subs = store.submissions(unit=None if f_unit == ui.ALL else f_unit,
                             state=None if f_state == ui.ALL else f_state, since=since)
    columns = ["id", "unit", "created_at", "account", "file_name", "indicator_rows", "task_rows", "state_label",
               "state_reason", "reviewed_by", "reviewed_at"]
    table = ui.beijing_times(subs[columns], "created_at", "reviewed_at").fillna({"reviewed_by": ""}).rename(columns=SUBMISSION_LABELS)
    if subs.empty:
        st.info("没有符合条件的报送。可以把“状态”改为“全部”或放宽其他筛选。")
    else:
        pending_ids = [int(i) for i, s_ in zip(subs["id"], subs["state"]) if s_ == SubmissionState.PENDING.value]
        st.dataframe(table, hide_index=True, width="stretch", key=_list_key(), height=min(38 + 35 * len(table), 320),
                     column_config={"退回/撤销原因": st.column_config.TextColumn(width="medium")},
                     on_select="rerun", selection_mode="multi-row")
        picked = _selected_ids(subs)
        if pending_ids:
            n = len([i for i in picked if i in pending_ids])
            left, right = st.columns([1, 3], vertical_alignment="center")
            left.button(f"采纳所选({n} 份)", type="primary", key="rv_adopt_many", icon=":material/done_all:",
                        disabled=n == 0, on_click=_adopt_many, args=(list(subs["id"].astype(int)),),
                        help=None if n else "在上表左侧勾选要采纳的待审核报送")
            right.caption("勾选多份待审核报送后一次采纳;每份都记为本账号今天的采纳。非待审核的报送不会被采纳。")
        ui.downloads(table, "报送列表", "rv_table_dl", "报送列表")
        st.divider()
        labels = {int(r.id): f"第 {r.id} 号 · {r.unit} · {r.file_name} · {r.state_label}" for r in subs.itertuples()}
        pick = st.selectbox("查看报送", list(labels), format_func=labels.get, key="rv_pick")
        record = store.submission(pick)
        state = SubmissionState(record["state"])
        st.subheader(f"第 {pick} 号报送({record['state_label']})")
        st.caption(f"{ui.escape_markdown(record['unit'])} · 账号 {ui.escape_markdown(record['account'])} · 上传于 {display_time(record['created_at'])}(北京时间)"
                   f" · 指标 {record['indicator_rows']} 行、任务 {record['task_rows']} 行")
        name_col, file_col = st.columns([3, 1], vertical_alignment="center")
        name_col.text(f"文件名:{record['file_name']}")
        original = store.submission_file(pick)
        if original is not None:
            file_col.download_button("下载原文件", original, file_name=str(record["file_name"]) or f"报送{pick}.xlsx",
                                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                     key=f"rv_file_{pick}", on_click="ignore", icon="⬇️",
                                     help="填报单位上传的文件原样;含公式的单元格请谨慎打开")
        rows = store.submission_rows(pick)
        if state is SubmissionState.PENDING:
            # what the clerk's preview showed: old → new against the adopted data, steps backwards flagged
            flags = flags_by_row(backward_steps(plan, rows.indicator_rows, rows.task_rows,
                                                store.effective_indicator_progress(), store.effective_task_progress()))
            changes = ui.preview_table(store.preview(rows.indicator_rows, rows.task_rows), plan, flags)
            counts = changes["变化"].value_counts()
            st.markdown(f"**采纳后的变化**(与当前已采纳数据相比):新增 {counts.get(CHANGE_NEW, 0)} 行、"
                        f"变更 {counts.get(CHANGE_CHANGED, 0)} 行、未变 {counts.get(CHANGE_SAME, 0)} 行")
            if flags:
                st.warning(f"有 {len(flags)} 行数值后退(离目标更远、已完成的任务改为未完成或完成进度下降),见「提示」列;"
                           "请核实后再采纳,必要时退回并写明原因。")
            st.dataframe(changes, hide_index=True, width="stretch", key=f"rv_changes_{pick}",
                         column_config={"名称": st.column_config.TextColumn(width="medium"),
                                        "提示": st.column_config.TextColumn(width="large")})
        t_rows, t_find, t_events = st.tabs(["数据行", "复核结果", "状态记录"])
        with t_rows:
            if len(rows.indicator_rows):
                r = rows.indicator_rows
                names = dict(zip(ind["indicator_id"], ind["name"]))
                st.dataframe(pd.DataFrame({
                    "指标编号": r["indicator_id"], "指标名称": r["indicator_id"].map(names),
                    "期间": period_labels(r["year"], r["quarter"]),
                    "数值": [fmt.with_unit(v, measure[i]) for v, i in zip(r["value"], r["indicator_id"])],
                    "年度目标值": [fmt.with_unit(v, measure[i]) for v, i in zip(r["annual_target"], r["indicator_id"])],
                    "填报单位": r["unit"], "备注": r["note"]}), hide_index=True, width="stretch", key="rv_rows_ind")
            if len(rows.task_rows):
                st.dataframe(rows.task_rows.rename(columns={"task_id": "任务编号", "year": "年份", "quarter": "季度", "state": "进展状态",
                                                            "percent": "完成进度(%)", "progress": "工作进展", "problems": "存在问题",
                                                            "next_steps": "下步计划", "unit": "填报单位"}),
                             hide_index=True, width="stretch", key="rv_rows_task")
        with t_find:
            found, from_file = ui.recheck_submission(pick)
            st.caption("按当前规划和年度目标值重新检查填报单位上传的原文件,行号即原文件中的行。" if from_file else
                       "本报送早于系统保存原文件,按当前规划和年度目标值重新检查其数据行(以编号和期间标明位置)。")
            if found.empty:
                st.success("复核未发现问题。")
            else:
                st.dataframe(found, hide_index=True, width="stretch", key="rv_findings",
                             column_config={"说明": st.column_config.TextColumn(width="large")})
        with t_events:
            events = ui.beijing_times(store.submission_events(pick), "created_at")
            st.dataframe(events.drop(columns="state").rename(columns={"state_label": "状态", "account": "账号",
                                                                       "created_at": "时间", "reason": "原因"}),
                         hide_index=True, width="stretch", key="rv_events")
        if state is SubmissionState.PENDING:
            a, b = st.columns([1, 3])
            a.button("采纳", type="primary", key=f"rv_adopt_{pick}", icon=":material/check:",
                     on_click=_act, args=("adopt", pick))
            with b:
                st.text_area("退回原因(填报单位会看到)", key=f"rv_return_reason_{pick}", height=80,
                             placeholder="如:Y01 二季度数值与统计快报不一致,请核实后重新上传")
                st.button("退回", key=f"rv_return_{pick}", icon=":material/undo:",
                          on_click=_act, args=("return", pick, f"rv_return_reason_{pick}"))
        elif state is SubmissionState.ADOPTED:
            st.text_area("撤销原因(填报单位会看到)", key=f"rv_revoke_reason_{pick}", height=80,
                         placeholder="如:数据口径有误;撤销后相关期间恢复为此前采纳的数值")
            st.button("撤销采纳", key=f"rv_revoke_{pick}", icon=":material/block:",
                      on_click=_act, args=("revoke", pick, f"rv_revoke_reason_{pick}"))
        else:
            st.caption(f"本报送已{record['state_label']},不能再改变状态;原因:")
            st.text(record["state_reason"] or "—")

# --- value history ---------------------------------------------------------------------------------------
with tab_hist:
    items = {**{i: f"{i} {n}(指标)" for i, n in zip(ind["indicator_id"], ind["name"])},
             **{t: f"{t} {n}(任务)" for t, n in zip(plan.tasks["task_id"], plan.tasks["title"])}}
    item = st.selectbox("指标或任务", list(items), format_func=items.get, key="rv_hist_item")
    hist = store.history(item)
    if hist.empty:
        st.info("该项目还没有任何填报或设定记录。")
    else:
        hist = ui.beijing_times(hist, "time", "reviewed_at")
        if item in measure:
            hist.insert(hist.columns.get_loc("value") + 1, "measure", measure[item])
        hist = hist.dropna(axis=1, how="all").rename(columns={**HISTORY_LABELS, "measure": "计量单位"})
        st.caption(f"{items[item]}:共 {len(hist)} 条记录,从早到晚;包括退回、撤销的报送和区发改局的设定。时间为北京时间。")
        st.dataframe(hist, hide_index=True, width="stretch", key="rv_hist")
        ui.downloads(hist, f"数值历史_{item}", "rv_hist_dl", "数值历史")

# --- annual targets of quota indicators --------------------------------------------------------------------
with tab_target:
    quota = ind[ind["kind"] == QUOTA]
    years = list(range(plan.base_year + 1, plan.target_year + 1))
    targets = store.annual_targets()
    grid = pd.DataFrame({"编号": quota["indicator_id"], "指标名称": quota["name"], "计量单位": quota["unit"]})
    for y in years:
        got = targets[targets["year"] == y].set_index("indicator_id")["annual_target"]
        grid[f"{y}年"] = [fmt.with_unit(got[i], u) if i in got.index else "—" for i, u in zip(quota["indicator_id"], quota["unit"])]
    t_item = _settings_and_pick(grid, "年度目标值", "上级下达的年度目标值(“完成上级下达指标”类)。此处设定的值优先于填报表中的「年度目标值」。",
                                ("rv_targets", "rv_targets_dl", "rv_t_item"), quota["indicator_id"].tolist())
    with st.form("rv_target_form", border=True):
        b, c = st.columns(2)
        b.selectbox("年份", years, key="rv_t_year")
        c.number_input("目标值", key="rv_t_value", value=None, step=0.1, format="%.2f", placeholder="如 3.0")
        st.text_input("依据/备注", key="rv_t_note", placeholder="如 上级下达文件文号", max_chars=200)
        st.checkbox("清除该年度的设定(改用填报表中的值)", key="rv_t_clear")
        st.form_submit_button("保存年度目标值", type="primary", on_click=lambda: _setting(
            "target", st.session_state["rv_t_item"], st.session_state["rv_t_year"], "rv_t_value", "rv_t_clear", "rv_t_note"))
    _setting_history(t_item, SOURCE_TARGET, ["item_id", "year", "annual_target", "account", "time", "note"], "rv_t_hist")

# --- baselines ---------------------------------------------------------------------------------------------
with tab_base:
    office = store.baselines().set_index("indicator_id")
    base = pd.DataFrame({
        "编号": ind["indicator_id"], "指标名称": ind["name"], "计量单位": ind["unit"],
        "规划文件基期值": [fmt.with_unit(v, u) for v, u in zip(ind["baseline_value"], ind["unit"])],
        "规划文件来源": ind["baseline_source"].replace("", "—"),
        "区发改局设定": [fmt.with_unit(office.at[i, "baseline_value"], u) if i in office.index else "—"
                    for i, u in zip(ind["indicator_id"], ind["unit"])],
        "设定人": [office.at[i, "account"] if i in office.index else "" for i in ind["indicator_id"]],
    })
    b_item = _settings_and_pick(base, "基期值", f"基期年 {plan.base_year} 年的数值。区发改局设定的值优先于规划文件中的值,用于全部测算。",
                                ("rv_baselines", "rv_base_dl", "rv_b_item"), ind["indicator_id"].tolist())
    with st.form("rv_base_form", border=True):
        st.number_input("基期值", key="rv_b_value", value=None, step=0.1, format="%.2f", placeholder="如 62.5")
        st.text_input("依据/备注", key="rv_b_note", placeholder="如 2020 年统计公报", max_chars=200)
        st.checkbox("清除设定(改用规划文件中的值)", key="rv_b_clear")
        st.form_submit_button("保存基期值", type="primary", on_click=lambda: _setting(
            "baseline", st.session_state["rv_b_item"], None, "rv_b_value", "rv_b_clear", "rv_b_note"))
    _setting_history(b_item, SOURCE_BASELINE, ["item_id", "value", "account", "time", "note"], "rv_b_hist")
