"""Widgets of the 规划管理 page (app_pages/plan_admin.py): the notice input, the plan tables as editors with
the findings beside them, the unit tools, the pending changes, publishing and the version history.

The working copy (a notice's draft, or the edit of a stored version) is a `Working` in session state: what
the office has typed is folded into it on each run, and its `gen` is part of every widget key, so that after a
rename or a publication the widgets start again from the new tables."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import ui
from lib import notice, schema
from lib import plan_catalog as catalog
from lib import plan_editor as ed
from lib.store import display_time

FLASH = "pa_flash"
DRAFT, EDIT = "pa_draft", "pa_edit"
NEXT_PLAN = "pa_next_plan"
ROW = "行"   # the leading column of each editor: the row number refusals name (header = row 1)
TABLE_TABS = (("indicators", "主要指标"), ("tasks", "重点任务"), ("units", "责任单位"))
# plan.toml's inputs, row by row (on a phone the rows stack in this order): what the notice cannot say first.
FORM_ROWS = ((("id", "规划编号 *(如 shashi-15)"), ("district", "区县名称 *"), ("district_id", "区县编号 *(如 shashi)")),
             (("name", "规划名称 *"), ("short_name", "简称")),
             (("city", "所属城市"), ("city_id", "城市编号(如 jingzhou)"), ("base_year", "基期年份 *"), ("target_year", "目标年份 *")))
YEAR_FIELDS = ("base_year", "target_year")
FIXED_ON_EDIT = ("id", "district_id")   # a version may not change them (the catalogue refuses it)


@dataclass
class Working:
    tables: ed.PlanTables
    gen: int = 0
    plan_id: str = ""                        # an edit: the plan and the version it started from
    version: int = 0
    findings: pd.DataFrame | None = None     # a draft: what the notice left for the office to check
    name: str = ""


def catalog_store():  # noqa: ANN201 - lib.store.Store
    """The store holding every plan (the catalogue is not scoped to one plan)."""
    return ui.root_store()


def working(key: str) -> Working | None:
    return st.session_state.get(key)


def _next_gen() -> int:
    """A number no widget key of this session has used yet."""
    st.session_state["pa_gen"] = st.session_state.get("pa_gen", 0) + 1
    return st.session_state["pa_gen"]


def _bump(work: Working, tables: ed.PlanTables) -> None:
    work.tables, work.gen = tables, _next_gen()


# --- the notice ------------------------------------------------------------------------------------------

def notice_input() -> tuple[bytes, str]:
    """The notice as bytes and a name for messages: an uploaded file, or pasted text."""
    source = st.radio("来源", ["上传文件", "粘贴文字"], horizontal=True, key="pa_source", label_visibility="collapsed")
    if source == "上传文件":
        upload = st.file_uploader(f"通知文件(.txt、.docx 或另存的 .html;不超过 {notice.MAX_TEXT_BYTES // 2**20} MB 文字、"
                                  f"{notice.MAX_DOCX_BYTES // 2**20} MB Word 文档)",
                                  type=["txt", "docx", "html", "htm"], key="pa_file")
        return (upload.getvalue(), upload.name) if upload else (b"", "")
    text = st.text_area("通知全文", height=180, key="pa_text", placeholder="把任务分工方案的全文粘贴到这里")
    return text.encode("utf-8"), "粘贴的文字"


def start_draft(draft: notice.Draft, name: str, store, district_id: str | None) -> None:  # noqa: ANN001 - lib.store.Store
    """The notice's draft, with the office's district filled in, as the working copy."""
    tables = ed.for_district(ed.tables_from_draft(draft), store, district_id)
    st.session_state[DRAFT] = Working(tables, gen=_next_gen(),
                                      findings=notice.findings_table(draft.findings), name=name)


def edit_copy(store, plan_id: str) -> Working:  # noqa: ANN001 - lib.store.Store
    """The edit in progress of `plan_id`, or a fresh one from its latest version (also when another office
    member has published a version since this one started)."""
    latest = int(catalog.plan_versions(store, plan_id)["version"].max())
    work = working(EDIT)
    if work is None or work.plan_id != plan_id or work.version != latest:
        work = Working(ed.tables_of_version(store, plan_id), gen=_next_gen(), plan_id=plan_id, version=latest)
        st.session_state[EDIT] = work
    return work


# --- plan.toml and the tables ----------------------------------------------------------------------------

def identity_form(work: Working, key: str, *, fixed_id: bool = False) -> ed.PlanTables:
    """plan.toml's values as inputs; the tables with what is typed."""
    config = work.tables.config
    values: dict[str, object] = {}
    with st.container(border=True):
        st.markdown("**规划信息(plan.toml)** · 带 * 的须填写")
        for row in FORM_ROWS:
            for col, (field, label) in zip(st.columns(len(row)), row):
                widget_key = f"{key}_{work.gen}_{field}"
                if field in YEAR_FIELDS:
                    values[field] = int(col.number_input(label, value=int(config.get(field) or 2025), step=1,
                                                         format="%d", key=widget_key))
                else:
                    values[field] = col.text_input(label, value=str(config.get(field, "")), key=widget_key,
                                                   disabled=fixed_id and field in FIXED_ON_EDIT)
    return ed.with_config(work.tables, **values)


def _column_config(table: schema.Table) -> dict:
    out: dict = {ROW: st.column_config.NumberColumn(ROW, disabled=True, width="small",
                                                     help="文件中的行号(表头为第1行);检查结果按此行号指出问题")}
    for c in table.columns:
        label = c.label + ("" if c.required else "(可空)")
        tip = f"{c.name}" + (f":{c.help}" if c.help else "") + (";多个用 | 分隔" if c.dtype == "list" else "")
        if c.choices:
            out[c.name] = st.column_config.SelectboxColumn(label, options=list(c.choices), help=tip)
        else:
            out[c.name] = st.column_config.TextColumn(label, help=tip)
    return out


def _with_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{ROW: range(2, len(frame) + 2)})[[ROW, *frame.columns]]


def _undecided_kinds(tables: ed.PlanTables, slot) -> None:  # noqa: ANN001 - a st.empty() above the tables
    ind = tables.indicators
    open_rows = [f"第{i + 2}行 {rec.indicator_id}" for i, rec in ind.iterrows() if not rec.get("kind")]
    if open_rows:
        slot.warning(f"{len(open_rows)} 项指标的测算方法待选择:{'、'.join(open_rows)}。请在「主要指标」表的「测算方法」列中选择"
                   f"({';'.join(f'{k} {v}' for k, v in schema.KIND_LABELS.items())}),并核对目标值、计量单位和方向。")


def table_editors(work: Working, tables: ed.PlanTables, key: str) -> ed.PlanTables:
    """The three tables as editors (tabs), with the notice's findings beside them for a draft."""
    slot = st.empty()   # filled after the editors: the warning follows what has just been typed
    if work.findings is not None:
        left, right = st.columns([3, 2])
    else:
        left, right = st.container(), None
    edited = {}
    with left:
        tabs = st.tabs([f"{label}({len(getattr(tables, k))})" for k, label in TABLE_TABS])
        for tab, (k, _label) in zip(tabs, TABLE_TABS):
            table, _file = ed.FILES[k]
            with tab:
                frame = st.data_editor(_with_rows(getattr(tables, k)), key=f"{key}_{work.gen}_{k}", num_rows="dynamic",
                                       hide_index=True, width="stretch", column_config=_column_config(table))
                edited[k] = frame.drop(columns=[ROW])
    if right is not None:
        with right:
            _findings(work.findings)
    tables = ed.with_frames(tables, **edited)
    _undecided_kinds(tables, slot)
    return tables


def _placed(frame: pd.DataFrame) -> pd.DataFrame:
    """表, 行 and 列 as one 位置 cell ("主要指标 第6行「测算方法(kind)」"): no empty row cells shown as None."""
    def place(rec: pd.Series) -> str:
        row = "" if pd.isna(rec["行"]) else f" 第{int(rec['行'])}行"
        return f"{rec['表']}{row}" + (f"「{rec['列']}」" if rec["列"] else "")
    return frame.assign(位置=frame.apply(place, axis=1) if len(frame) else pd.Series(dtype=str))


def _findings(findings: pd.DataFrame) -> None:
    errors = int((findings["级别"] == "错误").sum())
    st.markdown(f"**须核对 {len(findings)} 处**" + (f"(其中 {errors} 处须改正后才能发布)" if errors else ""))
    shown = _placed(findings.assign(表=findings["文件"].map(ed.FILE_LABELS).fillna(findings["文件"]), 列=""))
    st.dataframe(shown[["级别", "位置", "说明", "原文"]], hide_index=True, width="stretch", height=420, key="pa_findings",
                 column_config={"说明": st.column_config.TextColumn(width="large"),
                                "原文": st.column_config.TextColumn(width="medium")})


# --- edits and publishing --------------------------------------------------------------------------------

def editable(store, plan_id: str) -> bool:  # noqa: ANN001 - lib.store.Store
    if catalog.plan_state(store, plan_id) == catalog.STATE_ARCHIVED:
        st.info(f"规划 {plan_id} 已归档,不能再修改;可在「版本历史」中查看各版本。")
        return False
    return True


def unit_tools(work: Working, tables: ed.PlanTables, key: str) -> None:
    """Rename a unit everywhere it is named (its old name kept as an alias), or add an alias."""
    names = tables.units["unit"].tolist()
    with st.expander("单位改名或添加别名", expanded=False):
        unit = st.selectbox("单位", names, key=f"{key}_{work.gen}_unit", index=None, placeholder="选择单位")
        left, right = st.columns(2)
        new = left.text_input("新名称", key=f"{key}_{work.gen}_new_name")
        keep = left.checkbox("保留原名称作为别名(原名称的填报和账号仍可识别)", value=True, key=f"{key}_{work.gen}_keep")
        alias = right.text_input("别名", key=f"{key}_{work.gen}_alias", placeholder="如简称、机构改革前的名称")
        if left.button("改名", key=f"{key}_rename", disabled=not (unit and new.strip())):
            _apply(work, lambda: ed.rename_unit(tables, unit, new, keep_alias=keep),
                   f"已把“{unit}”改为“{new.strip()}”(指标、任务和组团中的名称一并更改),发布后生效")
        if right.button("添加别名", key=f"{key}_alias_add", disabled=not (unit and alias.strip())):
            _apply(work, lambda: ed.add_alias(tables, unit, alias), f"已为“{unit}”添加别名“{alias.strip()}”,发布后生效")


def _apply(work: Working, edit: Callable[[], ed.PlanTables], done: str) -> None:
    try:
        _bump(work, edit())
    except ed.PlanEditError as exc:
        st.error(ui.escape_markdown(exc.findings[0].message))
        return
    ui.flash(FLASH, "info", done)
    st.rerun()


def pending_changes(store, plan_id: str, tables: ed.PlanTables) -> None:  # noqa: ANN001 - lib.store.Store
    changes = ed.diff_texts(catalog.stored_texts(store, plan_id), ed.plan_texts(tables))
    st.markdown("**与当前版本相比的修改**")
    if not changes:
        st.caption("尚无修改:在上面的表格中改正后,这里逐行列出将要发布的变化。")
        return
    st.dataframe(ed.changes_table(changes), hide_index=True, width="stretch", key="pa_pending")


def publish(action: Callable[[], catalog.LoadResult], state_key: str) -> None:
    """Run a publication; on success forget the working copy, on refusal list what to fix, row by row."""
    try:
        result = action()
    except catalog.PlanCatalogError as exc:
        errors = [f for f in exc.findings if f.is_error]
        st.error(f"未发布:有 {len(errors)} 处须改正。请按下表修改后再发布(行号为表格中的「行」)。")
        st.dataframe(_placed(ed.refusal_table(exc.findings))[["级别", "位置", "说明", "代码"]], hide_index=True,
                     width="stretch", key="pa_refusals", column_config={"说明": st.column_config.TextColumn(width="large")})
        return
    if result.changed:
        text = f"已发布规划 {result.plan_id} 第 {result.version} 版({result.plan.config.short_name})。"
        ui.flash(FLASH, "success", text)
    else:
        ui.flash(FLASH, "info", f"内容与规划 {result.plan_id} 第 {result.version} 版完全相同,未发布新版本。")
    st.session_state.pop(state_key, None)
    st.session_state[NEXT_PLAN] = result.plan_id   # the edit and history views open on the plan just published
    st.rerun()


# --- which plan, and its history -------------------------------------------------------------------------

def chosen_plan(store) -> str | None:  # noqa: ANN001 - lib.store.Store
    """The plan to edit or show: chosen here among the plans the office may change, its own district's
    (default: the dashboard's plan)."""
    from lib.accounts import may_write_plan
    plans = catalog.list_plans(store)
    account = ui.current_account()
    plans = plans[[may_write_plan(account, d) for d in plans["district_id"]]]
    if plans.empty:
        st.info("系统中还没有规划:请先由任务分工方案新建规划,或用 python -m lib plan load 载入规划目录。")
        return None
    current = ui.plan_id()
    ids = plans["plan_id"].tolist()
    labels = {r.plan_id: f"{r.short_name}({r.plan_id},{r.period},第 {r.versions} 版,{r.state_label})"
              for r in plans.itertuples()}
    if st.session_state.get(NEXT_PLAN) in ids:        # set by a publication, before this run's selector exists
        st.session_state["pa_plan"] = st.session_state.pop(NEXT_PLAN)
    if st.session_state.get("pa_plan") not in ids:   # first visit, or a plan no longer listed
        st.session_state["pa_plan"] = current if current in ids else ids[0]
    return st.selectbox("规划", ids, format_func=labels.get, key="pa_plan")


def version_history(store, plan_id: str) -> None:  # noqa: ANN001 - lib.store.Store
    history = ed.version_history(store, plan_id)
    shown = pd.DataFrame({"版本": history["version"], "发布人": history["account"],
                          "时间(北京时间)": history["created_at"].map(display_time), "说明": history["note"],
                          "修改": history["changes"]})
    st.dataframe(shown, hide_index=True, width="stretch", key="pa_history",
                 column_config={"修改": st.column_config.TextColumn(width="large")})
    version = st.selectbox("查看某一版的逐行修改", history["version"].tolist(), key="pa_history_version",
                           format_func=lambda v: f"第 {v} 版")
    if version == 1:   # every cell "added": a count says more than 800 lines
        first = ed.tables_of_version(store, plan_id, 1)
        st.caption(f"第 1 版为首次载入:{len(first.indicators)} 项指标、{len(first.tasks)} 项任务、{len(first.units)} 个单位。")
        return
    st.dataframe(ed.changes_table(ed.version_changes(store, plan_id, int(version))), hide_index=True, width="stretch",
                 key="pa_changes")
