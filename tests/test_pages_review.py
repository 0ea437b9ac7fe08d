"""审核与历史 page under AppTest: only the planning office gets in; adopt, return with a reason the department
reads on its upload page, revoke (the previous value comes back); value history; annual targets and
baselines with their history. Sign-in goes through the sign-in form (see test_pages_upload)."""
from __future__ import annotations

import pytest

from lib.store import open_store
from tests.apptest import OFFICE_ONLY_REFUSALS, page_as
from tests.conftest import ALL_PLAN_DIRS, SEED_PLAN, seed_plan_store
from lib.workbook import read_workbook
from tests.test_pages_upload import DEPT_FAGAI, GOOD, app, env, frame, plain, sign_in, texts  # noqa: F401 (fixture)


REVIEW = "app_pages/review.py"


def pending_submission(db: str, plan) -> int:
    """区发改局 uploads the good fixture (as the upload page would); returns the submission id."""
    data = GOOD.read_bytes()
    result = read_workbook(data, plan, unit="区发改局", file_name="2023Q2.xlsx")
    store = open_store(db).plan(SEED_PLAN)
    return store.submit("区发改局", DEPT_FAGAI, "2023Q2.xlsx", data, result.indicator_rows, result.task_rows,
                        auto_adopt=False).submission_id


def planner_on_review(sid: int | None = None):
    at = sign_in(app(), "planner")
    at.switch_page(REVIEW).run()
    assert not at.exception, at.exception
    if sid is not None:
        at.selectbox(key="rv_pick").select(sid).run()
    return at


def y01_2023q1(db: str) -> float:
    p = open_store(db).plan(SEED_PLAN).effective_indicator_progress()
    return float(p[(p["indicator_id"] == "Y01") & (p["year"] == 2023) & (p["quarter"] == 1)]["value"].iloc[0])


# --- who may enter ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("username, message", [
    *OFFICE_ONLY_REFUSALS,
    ("city", "只有区发改局(规划办)账号可以审核报送、设定目标和导出。当前账号:city · 荆州市(演示) · 市级(只读) · "
             "荆州市(全市各区县)。"),
])
def test_only_the_planning_office_may_review(env, username, message):
    at = page_as(username, REVIEW)
    assert texts(at, "warning") == [message]
    assert not at.dataframe and not at.button


def test_another_districts_office_never_reaches_this_districts_plan(env, monkeypatch):
    """示例区's planning office: even a link naming 沙市区's plan opens its own district's plan, whose review list
    holds none of 沙市区's submissions."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    at = sign_in(app(), "shili.planner")
    at.query_params["plan"] = SEED_PLAN
    at.switch_page(REVIEW).run()
    assert not at.exception, at.exception
    assert at.radio(key="pm_plan").value == "shili-15" and len(at.radio(key="pm_plan").options) == 1
    assert "pm_district" not in [s.key for s in at.radio]          # one district: no 区县 choice
    assert texts(at, "warning") == []


# --- adopt / return / revoke ------------------------------------------------------------------------------

def test_adopt_puts_the_value_on_the_monitoring_pages(env, plan):
    at = app()                                   # first start seeds the sample data
    sid = pending_submission(env, plan)
    at = planner_on_review(sid)
    listed = frame(at, "报送编号", "状态")
    assert list(listed["报送编号"]) == [sid] and list(listed["状态"]) == ["待审核"]   # default filter: 待审核
    rows = frame(at, "指标编号", "期间", "数值").set_index(["指标编号", "期间"])
    assert len(rows) == 7
    assert (rows.at[("Y01", "2023Q1"), "数值"], rows.at[("K01", "2022Q4"), "数值"]) == ("8.5%", "300亿元")
    assert (rows.at[("B01", "2023Q1"), "年度目标值"], rows.at[("Y01", "2023Q1"), "年度目标值"]) == ("3%", "—")
    assert y01_2023q1(env) == 7.1
    at.button(key=f"rv_adopt_{sid}").click().run()
    assert not at.exception, at.exception
    assert f"已采纳第 {sid} 号报送,其数据已计入监测结果" in texts(at, "success")
    assert y01_2023q1(env) == 8.5
    at.switch_page("app_pages/indicators.py").run()
    assert frame(at, "期间", "数值", "填报单位").set_index("期间").at["2023Q1", "数值"] == "8.5%"


def test_return_needs_a_reason_and_the_department_reads_it(env, plan):
    app()
    sid = pending_submission(env, plan)
    at = planner_on_review(sid)
    at.button(key=f"rv_return_{sid}").click().run()
    assert "请填写退回原因,填报单位会看到它" in texts(at, "error")
    assert open_store(env).plan(SEED_PLAN).submission(sid)["state"] == "pending"

    reason = "Y01 一季度数值与统计快报不一致,请核实 <b>后</b> 重新上传"
    at.text_area(key=f"rv_return_reason_{sid}").input(reason)
    at.button(key=f"rv_return_{sid}").click().run()
    assert f"已退回第 {sid} 号报送,填报单位将看到退回原因" in texts(at, "success")
    record = open_store(env).plan(SEED_PLAN).submission(sid)
    assert (record["state"], record["state_reason"], record["reviewed_by"]) == ("returned", reason, "planner")

    dept = sign_in(app(), DEPT_FAGAI)
    dept.switch_page("app_pages/upload.py").run()
    assert any(f"第 {sid} 号" in t and "退回" in t for t in texts(dept, "warning"))
    assert reason in [t.value for t in dept.text]             # st.text: shown verbatim, never as HTML
    mine = frame(dept, "报送编号", "状态", "退回/撤销原因")
    assert mine.iloc[0]["退回/撤销原因"] == reason


def test_revoke_brings_the_previous_value_back(env, plan):
    app()
    sid = pending_submission(env, plan)
    open_store(env).plan(SEED_PLAN).adopt(sid, "planner")
    assert y01_2023q1(env) == 8.5
    at = sign_in(app(), "planner")
    at.switch_page(REVIEW).run()
    at.selectbox(key="rv_state").select("已采纳").run()
    at.selectbox(key="rv_pick").select(sid).run()
    at.text_area(key=f"rv_revoke_reason_{sid}").input("口径有误")
    at.button(key=f"rv_revoke_{sid}").click().run()
    assert f"已撤销第 {sid} 号报送,相关数据恢复为此前采纳的数值" in texts(at, "success")
    assert y01_2023q1(env) == 7.1


def test_filters(env, plan):
    app()
    sid = pending_submission(env, plan)
    at = planner_on_review()
    at.selectbox(key="rv_state").select("全部").run()
    everything = frame(at, "报送编号", "状态")
    assert sid in set(everything["报送编号"]) and len(everything) > 1
    at.selectbox(key="rv_unit").select("区人社局").run()
    assert set(frame(at, "报送编号", "填报单位")["填报单位"]) == {"区人社局"}
    at.selectbox(key="rv_state").select("已退回").run()
    assert "没有符合条件的报送。可以把“状态”改为“全部”或放宽其他筛选。" in [plain(i.value) for i in at.info]


def test_the_office_rechecks_the_file_as_uploaded_with_its_row_numbers(env, plan):
    from tests.test_pages_upload import FIXTURES
    app()
    data = (FIXTURES / "bad" / "implausible-value.xlsx").read_bytes()        # a warning the department accepted
    result = read_workbook(data, plan, unit="区发改局", file_name="二季度.xlsx")
    store = open_store(env).plan(SEED_PLAN)
    sid = store.submit("区发改局", DEPT_FAGAI, "二季度.xlsx", data, result.indicator_rows, result.task_rows,
                       auto_adopt=False).submission_id
    at = planner_on_review(sid)
    found = frame(at, "级别", "工作表", "行", "代码")
    assert [(r.工作表, r.行, r.代码) for r in found.itertuples()] == [("指标进度", 3, "wb.value_implausible")]
    assert "按当前规划和年度目标值重新检查填报单位上传的原文件,行号即原文件中的行。" in [c.value for c in at.caption]
    assert [b.proto.label for b in at.get("download_button") if b.proto.label == "下载原文件"] == ["下载原文件"]
    assert store.submission_file(sid) == data


def test_a_seeded_submission_is_rechecked_against_the_whole_sample(env, plan):
    app()                                                                    # seeds one submission per unit
    store = open_store(env).plan(SEED_PLAN)
    first = int(store.submissions().sort_values("id")["id"].iloc[0])
    at = planner_on_review()
    at.selectbox(key="rv_state").select("全部").run()
    at.selectbox(key="rv_pick").select(first).run()
    assert not at.exception, at.exception
    found = frame(at, "级别", "工作表", "行", "代码")
    sample = read_workbook((plan.plan_dir / "progress.xlsx").read_bytes(), plan, file_name="progress.xlsx")
    assert not sample.errors
    # checked as it was seeded (all units at once), not as 区人社局's own upload full of others' rows
    assert sorted(found["代码"]) == sorted(f.code for f in sample.findings)


# --- history, annual targets, baselines ----------------------------------------------------------------------

def test_value_history_lists_every_value_with_who_and_when(env, plan):
    app()
    sid = pending_submission(env, plan)
    at = planner_on_review()
    at.selectbox(key="rv_hist_item").select("Y01").run()
    hist = frame(at, "来源", "期间", "数值", "账号", "时间")
    mine = hist[(hist["报送编号"] == sid) & (hist["期间"] == "2023Q1")].iloc[0]
    assert (mine["数值"], mine["账号"], mine["报送状态"], mine["计量单位"]) == (8.5, DEPT_FAGAI, "待审核", "%")
    assert ((hist["期间"] == "2023Q1") & (hist["账号"] == "system")).any()      # the seeded value before it


def test_annual_target_and_baseline_are_set_with_history(env):
    at = planner_on_review()
    at.selectbox(key="rv_t_item").select("B03").run()
    at.selectbox(key="rv_t_year").select(2023)
    at.number_input(key="rv_t_value").set_value(90.5)
    at.text_input(key="rv_t_note").input("鄂环发〔2023〕1号")
    next(b for b in at.button if b.label == "保存年度目标值").click().run()
    assert not at.exception, at.exception
    assert "已保存:B03 2023 年度目标值为 90.5%" in texts(at, "success")
    grid = frame(at, "编号", "2023年")
    assert grid.set_index("编号").at["B03", "2023年"] == "90.5%"
    targets = open_store(env).plan(SEED_PLAN).annual_targets()
    assert targets[["indicator_id", "year", "annual_target", "account"]].values.tolist() == [["B03", 2023, 90.5, "planner"]]
    t_hist = frame(at, "年度目标值", "账号", "备注/原因")
    assert t_hist.iloc[-1][["年度目标值", "账号", "备注/原因"]].tolist() == [90.5, "planner", "鄂环发〔2023〕1号"]

    # no value and no "clear" ticked: refused, nothing stored
    next(b for b in at.button if b.label == "保存基期值").click().run()
    assert "请填写数值;如要清除设定,请勾选“清除”。" in texts(at, "error")
    assert open_store(env).plan(SEED_PLAN).baselines().empty

    at.selectbox(key="rv_b_item").select("Y03").run()
    at.number_input(key="rv_b_value").set_value(62.5)
    at.text_input(key="rv_b_note").input("2020 年统计公报")
    next(b for b in at.button if b.label == "保存基期值").click().run()
    assert "已保存:Y03 基期值为 62.5%" in texts(at, "success")
    assert frame(at, "编号", "区发改局设定").set_index("编号").at["Y03", "区发改局设定"] == "62.5%"
    b_hist = next(d.value for d in at.dataframe if list(d.value.columns) == ["编号", "数值", "账号", "时间", "备注/原因"])
    assert b_hist.iloc[-1][["数值", "账号", "备注/原因"]].tolist() == [62.5, "planner", "2020 年统计公报"]
    at.selectbox(key="rv_hist_item").select("Y03").run()
    assert "基期值设定" in set(frame(at, "来源", "期间", "数值", "账号", "时间")["来源"])


def test_exports_are_offered_for_the_lists(env):
    at = planner_on_review()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("下载 CSV") >= 3 and labels.count("下载 Excel") >= 3


# --- old → new, steps backwards, several at once ----------------------------------------------------------

def submit_rows(db: str, plan, change: dict[tuple[str, int, int], float], name: str) -> int:
    """The good fixture with some indicator values replaced, stored as a pending 区发改局 submission."""
    data = GOOD.read_bytes()
    result = read_workbook(data, plan, unit="区发改局", file_name=name)
    rows = result.indicator_rows.copy()
    for (item, year, quarter), value in change.items():
        rows.loc[(rows["indicator_id"] == item) & (rows["year"] == year) & (rows["quarter"] == quarter), "value"] = value
    return seed_plan_store(db).submit("区发改局", DEPT_FAGAI, name, data + name.encode(), rows, result.task_rows,
                                 auto_adopt=False).submission_id


def test_the_reviewer_sees_old_to_new_and_steps_backwards(env, plan):
    app()
    sid = submit_rows(env, plan, {("Y01", 2023, 1): 5.0}, "lower.xlsx")    # on record: 7.1; higher is better
    at = planner_on_review(sid)
    changes = frame(at, "变化", "原值", "新值", "提示").set_index(["编号", "期间"])
    assert tuple(changes.loc[("Y01", "2023Q1"), ["变化", "原值", "新值"]]) == ("变更", "7.1", "5")
    assert changes.at[("Y01", "2023Q1"), "提示"] == "⚠ 数值由 7.1% 改为 5%,离目标更远(本指标越高越好),请核实"
    # the fixture itself revises K01 2022Q4 (330 → 300 亿元) and T01-01 2023Q1 (50% → 40%) downwards
    assert set(changes.index[changes["提示"] != ""]) == {("Y01", "2023Q1"), ("K01", "2022Q4"), ("T01-01", "2023Q1")}
    assert any(t.startswith("有 3 行数值后退") for t in texts(at, "warning"))


def test_several_submissions_are_adopted_at_once(env, plan):
    app()
    first = submit_rows(env, plan, {("Y01", 2023, 1): 8.0}, "a.xlsx")
    second = submit_rows(env, plan, {("Y01", 2023, 1): 8.8}, "b.xlsx")
    at = planner_on_review()
    assert at.button(key="rv_adopt_many").disabled                       # nothing ticked yet
    listed = list(frame(at, "报送编号", "状态")["报送编号"])
    at.session_state["rv_table_0"] = {"selection": {"rows": [listed.index(first), listed.index(second)], "columns": []}}
    at.run()
    assert at.button(key="rv_adopt_many").label == "采纳所选(2 份)"
    at.button(key="rv_adopt_many").click().run()
    assert not at.exception, at.exception
    adopted = sorted((first, second))                                   # oldest first, as one by one
    assert f"已采纳 2 份报送(第 {adopted[0]}、{adopted[1]} 号),其数据已计入监测结果" in texts(at, "success")
    store = seed_plan_store(env)
    for sid in (first, second):
        record = store.submission(sid)
        assert (record["state"], record["reviewed_by"]) == ("adopted", "planner")
    assert y01_2023q1(env) == 8.8                                        # the later submission wins
