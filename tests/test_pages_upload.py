"""数据填报 page under AppTest: sign-in through the sign-in form, permissions, the
upload → findings → preview → confirm flow, bad files, warnings that need an explicit acknowledgement.

Signing in: the sign-in page's form (st.form with two text_inputs and a form_submit_button whose callback
has streamlit-authenticator check the bcrypt hash and set its session keys), so `sign_in` fills and submits
it. The library's cookie manager is a custom component that AppTest does not run; it is exercised in the
browser tests instead (tests/test_browser_signin.py, tests/test_browser_upload.py)."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from lib import readworker
from lib.accounts import DEMO_PASSWORD
from lib.plan import load_plan
from lib.periods import Period
from lib.findings import DISPLAY_COLUMNS, findings_display, where
from lib.store import open_store
from tests.conftest import ALL_PLAN_DIRS, SEED_PLAN, seed_plan_store
from lib.workbook import read_workbook
from tests.conftest import ROOT
from tests.apptest import (DEPT_FAGAI, dashboard, demo_store, frame, html_table, plain, sign_in,  # noqa: F401 (others import them here)
                           texts)


FIXTURES = ROOT / "tests" / "fixtures"
GOOD = FIXTURES / "good" / "progress-good.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEPT_RENSHE = "dept06"     # 区人社局


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A temp database and accounts file, demo mode on, review by the office (auto_adopt off).
    Streamlit's caches are process-wide (AppTest runs in this process): cleared before and after."""
    yield from demo_store(tmp_path, monkeypatch)


def app() -> AppTest:
    at = dashboard()
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.switch_page("app_pages/upload.py").run()
    uploader(at).upload(name, data, XLSX).run()
    assert not at.exception, at.exception
    return at


def uploader(at: AppTest):
    """The page's one file uploader (its key changes after each submission, which clears it)."""
    (only,) = at.file_uploader
    return only


def findings(at: AppTest) -> pd.DataFrame:
    """The findings table on screen, 级别 without its icon."""
    table = html_table(at, "pm-findings")
    table["级别"] = table["级别"].str.split().str[-1]
    return table


def records(table: pd.DataFrame) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in r) for r in table.itertuples(index=False)]


def expected_findings(data: bytes, plan, name: str, unit: str = "区发改局") -> pd.DataFrame:
    return findings_display(read_workbook(data, plan, unit=unit, file_name=name).findings).astype(str)


def confirm_button(at: AppTest):
    return at.button(key="up_confirm")


def with_unit(data: bytes, unit: str) -> bytes:
    """The fixture with every 填报单位 cell set to `unit` (as another department would fill it)."""
    wb = load_workbook(io.BytesIO(data))
    for ws in wb:
        col = [c.value for c in ws[1]].index("填报单位") + 1
        for r in range(2, ws.max_row + 1):
            ws.cell(row=r, column=col, value=unit)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def submissions(db: str):
    return open_store(db).plan(SEED_PLAN).submissions()


# --- sign-in and permissions ------------------------------------------------------------------------------

def test_sign_in_through_the_form_and_out_again(env):
    at = sign_in(app(), DEPT_FAGAI)
    assert at.session_state["authentication_status"] is True and at.session_state["username"] == DEPT_FAGAI
    assert "已登录:dept01 · 区发改局 · 填报单位 · 沙市区" in texts(at, "success")
    at.run()   # in a browser the cookie component's reply triggers this rerun; the form is gone, the button shows
    assert not at.text_input
    at.button(key="pm_logout").click().run()
    assert not at.session_state["authentication_status"]
    assert "已退出登录。" in texts(at, "success")
    at.switch_page("app_pages/upload.py").run()
    assert any("请先登录" in t for t in texts(at, "warning"))


def test_wrong_password_is_refused(env):
    at = sign_in(app(), DEPT_FAGAI, "not-the-password")
    assert at.session_state["authentication_status"] is False
    assert "用户名或密码不正确,请重新输入。" in texts(at, "error")


def test_an_empty_field_is_asked_for_and_no_password_stays_in_the_session(env):
    at = sign_in(app(), DEPT_FAGAI, "")
    assert "请填写用户名和密码后再点“登录”。" in texts(at, "error")
    assert "authentication_status" not in at.session_state or not at.session_state["authentication_status"]
    at = sign_in(at, DEPT_FAGAI)
    assert at.session_state["authentication_status"] is True
    assert at.session_state["pm_login_password"] == ""


def test_demo_accounts_are_listed_with_their_password(env):
    at = app()
    at.switch_page("app_pages/account.py").run()
    accounts = frame(at, "用户名", "密码")
    assert {"planner", "leader", DEPT_FAGAI} <= set(accounts["用户名"])
    assert set(accounts["密码"]) == {DEMO_PASSWORD}


def test_the_demo_accounts_of_both_districts_and_the_city_are_listed(env, monkeypatch):
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    at = app()
    at.switch_page("app_pages/account.py").run()
    accounts = frame(at, "用户名", "区县/城市").set_index("用户名")["区县/城市"]
    assert [accounts[u] for u in ("planner", DEPT_FAGAI, "shili.planner", "shili.dept01", "city")] == \
        ["沙市区", "沙市区", "示例区", "示例区", "荆州市(全市各区县)"]


def test_another_districts_department_only_ever_reaches_its_own_plans(env, monkeypatch):
    """示例区's 区发改局, even from a link naming 沙市区's plan: the page is its own district's plan."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    at = sign_in(app(), "shili.dept01")
    at.query_params["plan"] = SEED_PLAN
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception, at.exception
    assert at.radio(key="pm_plan").options == ["“十五五”规划(2026—2030,示例)"]
    assert at.radio(key="pm_plan").value == "shili-15" and texts(at, "warning") == []
    assert at.get("file_uploader")


def test_visitor_cannot_upload(env):
    at = app()
    at.switch_page("app_pages/upload.py").run()
    assert any("请先登录" in t for t in texts(at, "warning"))
    assert not at.get("file_uploader")


def test_leader_cannot_upload(env, monkeypatch):
    monkeypatch.setattr(readworker, "_keep_warm", False)
    monkeypatch.setattr(readworker, "_spare", None)
    at = sign_in(app(), "leader")
    at.switch_page("app_pages/upload.py").run()
    assert texts(at, "warning") == ["领导账号只能浏览,不能上传或审核。"]
    assert not at.get("file_uploader")
    assert readworker._spare is None                 # no reading process for a page that cannot upload


def test_the_upload_form_readies_a_reading_process_before_a_file_is_chosen(env, monkeypatch):
    monkeypatch.setattr(readworker, "_keep_warm", False)
    monkeypatch.setattr(readworker, "_spare", None)
    at = sign_in(app(), "dept01")
    at.switch_page("app_pages/upload.py").run()
    assert at.get("file_uploader") and readworker._spare is not None
    spare = readworker._spare[1]
    assert spare.poll() is None                      # alive, waiting for the upload
    readworker._discard(spare)


def test_department_cannot_upload_another_units_indicator(env, plan):
    """区人社局 fills in 区发改局's indicators (Y01, Y02) and tasks under its own name: every row is refused with
    wb.not_responsible, the confirm button stays disabled, and nothing is stored."""
    at = sign_in(app(), DEPT_RENSHE)
    before = len(submissions(env))      # the sample data seeded on first start
    data = with_unit(GOOD.read_bytes(), "区人社局")
    at = upload(at, "others.xlsx", data)
    expected = read_workbook(data, plan, unit="区人社局", file_name="others.xlsx").findings
    assert {f.code for f in expected} == {"wb.not_responsible"}
    shown = findings(at)
    assert records(shown) == records(expected_findings(data, plan, "others.xlsx", "区人社局"))
    assert set(shown["级别"]) == {"错误"}
    assert any("有错误的内容不能提交" in t for t in texts(at, "error"))
    assert confirm_button(at).disabled
    assert len(submissions(env)) == before


def test_department_uploads_only_as_its_own_unit(env, plan):
    at = sign_in(app(), DEPT_RENSHE)
    at = upload(at, "good.xlsx", GOOD.read_bytes())     # rows say 填报单位 = 区发改局
    assert {f.code for f in read_workbook(GOOD.read_bytes(), plan, unit="区人社局").findings} == {"wb.unit_mismatch"}
    assert records(findings(at)) == records(expected_findings(GOOD.read_bytes(), plan, "good.xlsx", "区人社局"))
    assert "up_unit" not in [s.key for s in at.selectbox]     # a department cannot choose another unit
    assert confirm_button(at).disabled


# --- the happy path ---------------------------------------------------------------------------------------

def test_upload_preview_confirm_then_adopted_value_shows(env, monkeypatch):
    monkeypatch.setenv("PLANMON_AUTO_ADOPT", "true")      # the setting that skips the office's review
    at = sign_in(app(), DEPT_FAGAI)
    at = upload(at, "2023Q2.xlsx", GOOD.read_bytes())
    assert texts(at, "success")[-1] == "检查通过:指标 7 行、任务 3 行,没有发现问题。"
    preview = frame(at, "变化", "原值", "新值")
    y01 = preview[(preview["编号"] == "Y01") & (preview["期间"] == "2023Q1")].iloc[0]
    assert (y01["变化"], y01["原值"], y01["新值"], y01["计量单位"]) == ("变更", "7.1", "8.5", "%")
    assert "新增" in set(preview["变化"])
    hints = preview.set_index(["编号", "期间"])["提示"]                 # steps backwards, flagged before submitting
    assert hints[hints != ""].to_dict() == {
        ("K01", "2022Q4"): "⚠ 数值由 330亿元 改为 300亿元,离目标更远(本指标越高越好),请核实",
        ("T01-01", "2023Q1"): "⚠ 完成进度由 50%(本季度原报)降为 40%,请核实"}
    counts = preview["变化"].value_counts()
    assert [m.value for m in at.metric] == [f"{counts.get(c, 0)} 行" for c in ("新增", "变更", "未变")]
    assert not confirm_button(at).disabled

    confirm_button(at).click().run()
    assert not at.exception, at.exception
    latest = submissions(env).iloc[0]
    assert f"已提交,报送编号 {latest['id']}(指标 7 行、任务 3 行),状态:已采纳" in texts(at, "success")
    # the form is cleared: an empty uploader, no preview, no 确认提交; the confirmation stays until the next action
    assert uploader(at).value is None
    assert not at.get("metric") and "up_confirm" not in [b.key for b in at.button]
    at.run()
    assert f"已提交,报送编号 {latest['id']}(指标 7 行、任务 3 行),状态:已采纳" in texts(at, "success")
    assert (latest["unit"], latest["account"], latest["state"], latest["file_name"]) == ("区发改局", DEPT_FAGAI, "adopted", "2023Q2.xlsx")
    mine = frame(at, "报送编号", "状态", "退回/撤销原因")
    assert mine.iloc[0]["报送编号"] == latest["id"] and mine.iloc[0]["状态"] == "已采纳"

    # the new value on a monitoring page (its caches key on the store's data_version)
    at.switch_page("app_pages/indicators.py").run()
    assert not at.exception, at.exception
    records = frame(at, "期间", "数值", "填报单位")
    assert records.set_index("期间").at["2023Q1", "数值"] == "8.5%"

    # the same file again: the store says it is a duplicate and stores nothing
    at = upload(at, "2023Q2.xlsx", GOOD.read_bytes())
    assert set(frame(at, "变化", "原值", "新值")["变化"]) == {"未变"}
    confirm_button(at).click().run()
    assert any("完全相同" in t and "未重复保存" in t for t in texts(at, "info"))
    assert len(submissions(env)) == len(submissions(env).drop_duplicates("id"))
    assert (submissions(env)["sha256"] == latest["sha256"]).sum() == 1


def test_pending_upload_waits_for_review(env):
    at = sign_in(app(), DEPT_FAGAI)
    at = upload(at, "2023Q2.xlsx", GOOD.read_bytes())
    confirm_button(at).click().run()
    assert any("状态:待审核" in t for t in texts(at, "success"))
    at.switch_page("app_pages/indicators.py").run()
    assert frame(at, "期间", "数值", "填报单位").set_index("期间").at["2023Q1", "数值"] == "7.1%"   # not yet adopted


def test_a_department_can_take_back_a_file_it_sent(env):
    at = sign_in(app(), DEPT_FAGAI)
    at.switch_page("app_pages/upload.py").run()
    assert "up_mine_pick" not in [s.key for s in at.selectbox]   # only the seeded sample so far: nothing to take back
    at = upload(at, "2023Q2.xlsx", GOOD.read_bytes())
    confirm_button(at).click().run()
    sid = int(submissions(env).iloc[0]["id"])
    picker = at.selectbox(key="up_mine_pick")
    assert picker.options == [f"第 {sid} 号 · 2023Q2.xlsx · 待审核"]
    assert [b.proto.label for b in at.get("download_button") if b.proto.label == "下载该文件"] == ["下载该文件"]
    assert open_store(env).plan(SEED_PLAN).submission_file(sid) == GOOD.read_bytes()


def test_planning_office_uploads_for_a_chosen_unit(env, plan):
    at = sign_in(app(), "planner")
    at.switch_page("app_pages/upload.py").run()
    at.selectbox(key="up_unit").select("区人社局").run()
    uploader(at).upload("good.xlsx", GOOD.read_bytes(), XLSX).run()
    assert records(findings(at)) == records(expected_findings(GOOD.read_bytes(), plan, "good.xlsx", "区人社局"))   # 区发改局's file
    at.selectbox(key="up_unit").select("区发改局").run()
    assert not confirm_button(at).disabled
    confirm_button(at).click().run()
    assert submissions(env).iloc[0]["account"] == "planner"


def test_template_download_is_offered_for_the_unit(env):
    at = sign_in(app(), DEPT_RENSHE)
    at.switch_page("app_pages/upload.py").run()
    buttons = at.get("download_button")
    assert buttons, "no template download button"
    assert [b.proto.label for b in buttons if "模板" in b.proto.label] == ["下载填报模板(.xlsx)"]
    assert any("区人社局" in t for t in [c.value for c in at.caption])


# --- bad files --------------------------------------------------------------------------------------------

BAD = ["bad/unknown-id.xlsx", "bad/value-not-number.xlsx", "bad/not-responsible.xlsx", "bad/year-outside-plan.xlsx",
       "bad/duplicate-period.xlsx", "bad/missing-sheet.xlsx"]
HOSTILE = ["hostile/csv-renamed.xlsx", "hostile/encrypted.xlsx", "hostile/truncated.xlsx", "hostile/empty.xlsx"]


@pytest.mark.parametrize("name", BAD)
def test_bad_fixture_shows_its_findings_and_stores_nothing(env, plan, name, monkeypatch):
    """What lib.ingest says for 沙市区's plans (year-outside-plan.xlsx has 2026 rows among 2022–2023 ones: two plans)."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    from lib.ingest import PlanOption, read_routed
    data = (FIXTURES / name).read_bytes()
    district = [plan, load_plan(ROOT / "data" / "plans" / "shashi-15")]
    expected = read_routed(data, [(PlanOption.of_plan(p), p) for p in district], unit="区发改局", file_name=name).result
    assert expected.errors
    at = sign_in(app(), DEPT_FAGAI)
    before = len(submissions(env))
    at = upload(at, name.split("/")[1], data)
    shown = findings(at)
    assert list(shown.columns) == DISPLAY_COLUMNS                 # no internal code column on screen
    assert list(zip(shown["位置"], shown["说明"])) == [(where(f), f.message) for f in expected.findings]
    assert confirm_button(at).disabled
    assert not at.get("metric")            # no preview for a file with errors
    assert len(submissions(env)) == before


@pytest.mark.parametrize("name", HOSTILE)
def test_unreadable_file_gets_one_clear_message(env, plan, name):
    data = (FIXTURES / name).read_bytes()
    expected = read_workbook(data, plan, unit="区发改局", file_name=name.split("/")[1])
    assert not expected.readable
    at = upload(sign_in(app(), DEPT_FAGAI), name.split("/")[1], data)
    assert texts(at, "error") == ["文件无法读取,未保存任何内容:"]
    assert [t.value for t in at.text] == [f.message for f in expected.findings]
    assert not at.get("button") or all(b.key != "up_confirm" for b in at.button)


def test_warnings_need_an_explicit_acknowledgement(env):
    data = (FIXTURES / "bad" / "implausible-value.xlsx").read_bytes()
    at = upload(sign_in(app(), DEPT_FAGAI), "implausible.xlsx", data)
    assert set(findings(at)["级别"]) == {"警告"}
    assert confirm_button(at).disabled
    ack = next(c for c in at.checkbox if c.label == "我已阅读警告,仍要提交")
    ack.check().run()
    assert not confirm_button(at).disabled
    confirm_button(at).click().run()
    assert any(t.startswith("已提交,报送编号") for t in texts(at, "success"))
    assert submissions(env).iloc[0]["file_name"] == "implausible.xlsx"


def test_without_public_browsing_every_page_but_sign_in_needs_an_account(env, monkeypatch):
    monkeypatch.setenv("PLANMON_PUBLIC_BROWSING", "false")
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    at = app()                                            # the default page (总览)
    assert [plain(i.value) for i in at.info] == ["本看板需要登录后查看。请先登录。"]
    assert not at.dataframe and not at.get("plotly_chart")
    at.switch_page("app_pages/plan.py").run()
    assert [plain(i.value) for i in at.info] == ["本看板需要登录后查看。请先登录。"]
    at = sign_in(at, "leader")                            # the sign-in page itself stays open
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception and not at.info and at.dataframe
    at = sign_in(app(), "shili.leader")                   # 示例区's leader reads only 示例区's plans
    at.switch_page("app_pages/plan.py").run()
    assert at.radio(key="pm_plan").options == ["“十五五”规划(2026—2030,示例)"] and at.dataframe
    at = sign_in(app(), "city")                           # the city reads every district of its city
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception and not at.warning and at.dataframe
    assert at.radio(key="pm_district").options == ["沙市区", "示例区"]


def test_without_a_cookie_key_outside_demo_mode_nobody_can_sign_in_but_browsing_works(env, monkeypatch):
    monkeypatch.setenv("PLANMON_DEMO_MODE", "false")
    at = app()
    assert not at.exception and not at.error                              # a visitor browses as usual
    assert at.get("plotly_chart") or at.dataframe or at.markdown          # the overview still renders
    at.switch_page("app_pages/upload.py").run()
    assert any("请先登录" in t for t in texts(at, "warning"))
    at.switch_page("app_pages/account.py").run()
    assert "未设置登录 cookie 密钥" in texts(at, "error")[0] and not at.text_input


def test_an_upload_that_aborts_its_parser_leaves_the_dashboard_running(env, plan):
    """calamine aborts the process on this file (tests/test_hostile_uploads.py); the page shows one Chinese
    message and the next page renders normally, in the same process."""
    name = "shared-strings-count-aborts.xlsx"
    at = upload(sign_in(app(), DEPT_FAGAI), name, (FIXTURES / "hostile" / name).read_bytes())
    assert texts(at, "error") == ["文件无法读取,未保存任何内容:"]
    assert [t.value for t in at.text] == [f"{name} 无法安全读取(读取进程异常退出),请用 Excel 另存为新的 .xlsx 后再上传"]
    assert not at.get("button") or all(b.key != "up_confirm" for b in at.button)
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart")


# --- after sign-in, after submit, 网页填报 ------------------------------------------------------------------

def test_a_returned_submission_is_shown_as_soon_as_the_clerk_signs_in(env, plan):
    app()
    data = GOOD.read_bytes()
    result = read_workbook(data, plan, unit="区发改局", file_name="2023Q2.xlsx")
    store = seed_plan_store(env)
    sid = store.submit("区发改局", DEPT_FAGAI, "2023Q2.xlsx", data, result.indicator_rows, result.task_rows,
                       auto_adopt=False).submission_id
    store.return_submission(sid, "planner", "Y01 与统计快报不一致")
    at = sign_in(app(), DEPT_FAGAI)                     # lands on the sign-in page, now signed in
    assert [t for t in texts(at, "warning") if "退回" in t] == \
        [f"最近一次报送(第 {sid} 号,2023Q2.xlsx)已被区发改局退回,请按以下原因修改后重新上传:"]
    assert "Y01 与统计快报不一致" in [t.value for t in at.text]
    at.switch_page("app_pages/upload.py").run()
    assert plain(at.warning[0].value).startswith(f"最近一次报送(第 {sid} 号")   # first thing on 数据填报
    other = sign_in(app(), DEPT_RENSHE)                 # another unit sees nothing of it
    assert not [t for t in texts(other, "warning") if "退回" in t]


WEB_IND, WEB_TASK = "up_web_ind_区发改局_2025Q3_0", "up_web_task_区发改局_2025Q3_0"


def web_entry(at: AppTest, ind_edits: dict, task_edits: dict) -> AppTest:
    """Fill the 网页填报 tables for 2025Q3 (as the editor records edits) and press 检查并预览."""
    at.switch_page("app_pages/upload.py").run()
    at.selectbox(key="up_web_period").select(Period(2025, 3)).run()
    at.session_state[WEB_IND] = {"edited_rows": ind_edits, "added_rows": [], "deleted_rows": []}
    at.session_state[WEB_TASK] = {"edited_rows": task_edits, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="up_web_check").click().run()
    assert not at.exception, at.exception
    return at


def test_web_entry_goes_through_the_same_checks_and_is_stored_as_a_workbook(env, plan):
    at = sign_in(app(), DEPT_FAGAI)
    # an implausible value: the finding names the item, not a row of a workbook the clerk never saw
    at = web_entry(at, {0: {"数值": 1e9}}, {})
    shown = findings(at)
    assert list(zip(shown["级别"], shown["位置"], shown["填写内容"])) == [("警告", "指标进度 Y01「数值」", "1000000000")]
    assert at.button(key="up_web_confirm").disabled          # until the warning is acknowledged
    # corrected: Y01 8.5 and one task; the other rows are left out, not reported
    at = web_entry(at, {0: {"数值": 8.5, "备注": "统计快报"}}, {0: {"进展状态": "推进中", "完成进度": 60, "工作进展": "已开工"}})
    assert texts(at, "success")[-1] == "检查通过:指标 1 行、任务 1 行,没有发现问题。"
    preview = frame(at, "变化", "原值", "新值")
    assert list(zip(preview["编号"], preview["期间"], preview["新值"])) == [("Y01", "2025Q3", "8.5"), ("T01-01", "2025Q3", "推进中 60%")]
    at.button(key="up_web_confirm").click().run()
    assert not at.exception, at.exception
    latest = submissions(env).iloc[0]
    assert (latest["file_name"], latest["account"], latest["indicator_rows"], latest["task_rows"]) == \
        ("网页填报_2025Q3.xlsx", DEPT_FAGAI, 1, 1)
    assert f"已提交,报送编号 {latest['id']}(指标 1 行、任务 1 行),状态:待审核" in texts(at, "success")
    rows = seed_plan_store(env).submission_rows(int(latest["id"]))
    assert rows.indicator_rows[["indicator_id", "year", "quarter", "value", "note"]].values.tolist() == \
        [["Y01", 2025, 3, 8.5, "统计快报"]]
    assert rows.task_rows[["task_id", "state", "percent", "progress"]].values.tolist() == [["T01-01", "推进中", 60.0, "已开工"]]
    # the stored file is the workbook built from the table: it reads back to the same rows
    again = read_workbook(seed_plan_store(env).submission_file(int(latest["id"])), plan, unit="区发改局")
    assert again.ok and again.indicator_rows[["indicator_id", "value", "note"]].values.tolist() == [["Y01", 8.5, "统计快报"]]
    assert again.task_rows[["task_id", "state", "percent"]].values.tolist() == [["T01-01", "推进中", 60.0]]
    # the tables are cleared for the next entry
    assert "up_web_confirm" not in [b.key for b in at.button]
    assert all(k.endswith("_1") for k in (d.key for d in at.data_editor))
