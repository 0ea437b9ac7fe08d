"""规划管理 page under AppTest: only the planning office gets in; a pasted notice becomes a draft with its
findings, is refused while its identity is missing (row and column named) and published once filled in; a
stored plan's unit is renamed and published as version 2, which the history lists with who and what."""
from __future__ import annotations

import pytest

from lib import plan_catalog as catalog
from lib.store import open_store
from tests.apptest import OFFICE_ONLY_REFUSALS, page_as
from tests.conftest import ALL_PLAN_DIRS, DATA, SEED_PLAN
from tests.test_pages_upload import app, env, frame, sign_in, texts  # noqa: F401 (fixture)

PAGE = "app_pages/plan_admin.py"
NOTICE = DATA / "source" / "shashi-14th-five-year-plan-task-division.txt"


def planner_on_page(mode: str | None = None, username: str = "planner"):
    at = sign_in(app(), username)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    if mode is not None:
        at.radio(key="pa_mode").set_value(mode).run()
        assert not at.exception, at.exception
    return at


def editor(at, table: str):
    """The data editor of one plan table (its key ends with the table's name)."""
    return next(e for e in at.data_editor if e.key.endswith(f"_{table}"))


def edit_cells(at, table: str, edits: dict[int, dict[str, str]]):
    """Type into an editor as the browser would: its edit state, set before the next run."""
    at.session_state[editor(at, table).key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


def text_input(at, label_start: str):
    return next(t for t in at.text_input if t.label.startswith(label_start))


@pytest.mark.parametrize("username, message", OFFICE_ONLY_REFUSALS)
def test_only_the_planning_office_may_manage_plans(env, username, message):
    at = page_as(username, PAGE)
    assert texts(at, "warning") == [message]
    assert not at.main.radio and not at.main.button   # the sidebar keeps its plan choice


def test_a_pasted_notice_is_a_draft_refused_until_named_then_published_and_shows_in_the_plan_selector(env, monkeypatch):
    """示例区's office publishes the notice as a plan of its own district (2021—2025, before its 15th plan)."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    at = planner_on_page(username="shili.planner")
    at.radio(key="pa_source").set_value("粘贴文字").run()
    at.text_area(key="pa_text").input(NOTICE.read_text(encoding="utf-8")).run()
    at.button(key="pa_read").click().run()
    assert not at.exception, at.exception
    findings = frame(at, "级别", "位置", "说明", "原文")
    assert len(findings) == 36 and "区市场监督局" in " ".join(findings["说明"])
    indicators = editor(at, "indicators")
    assert (indicators.editing_mode, indicators.value["indicator_id"].tolist()[:3]) == ("dynamic", ["Y01", "Y02", "Y03"])
    assert indicators.value["行"].tolist()[:3] == [2, 3, 4]     # the row numbers refusals name

    # the office's own district, as the store knows it, is filled in; the notice names none of it
    assert [text_input(at, label).value for label in ("区县名称", "区县编号", "所属城市")] == ["示例区", "shili", "荆州市"]
    at.button(key="pa_publish_new").click().run()          # no plan id yet
    assert texts(at, "error") == ["未发布:有 1 处须改正。请按下表修改后再发布(行号为表格中的「行」)。"]
    refusals = frame(at, "级别", "位置", "说明", "代码")
    assert refusals[["位置", "代码"]].values.tolist() == [["规划信息", "plan.identity_incomplete"]]
    assert "还须填写 id" in refusals["说明"].iloc[0]
    assert "notice-14" not in catalog.plan_ids(open_store(env))

    text_input(at, "规划编号").input("notice-14")
    text_input(at, "区县编号").input("shashi")                 # another district's: refused, nothing stored
    at.run()
    at.button(key="pa_publish_new").click().run()
    assert frame(at, "级别", "位置", "说明", "代码")["代码"].tolist()[:1] == ["editor.other_district"]
    assert "notice-14" not in catalog.plan_ids(open_store(env))
    text_input(at, "区县编号").input("shili")
    at.run()
    at.button(key="pa_publish_new").click().run()
    assert not at.exception, at.exception
    assert texts(at, "success") == ["已发布规划 notice-14 第 1 版(沙市区“十四五”规划)。"]
    assert len(catalog.stored_plan(open_store(env), "notice-14").indicators) == 18
    at.switch_page("app_pages/overview.py").run()                # the new plan is in the 规划 selector at once
    assert at.radio(key="pm_plan").options == ["沙市区“十四五”规划(2021—2025)", "“十五五”规划(2026—2030,示例)"]
    at.radio(key="pm_plan").set_value("notice-14").run()
    assert not at.exception, at.exception
    cards = next(h.value for h in at.get("html") if "pm-grid" in h.value)
    assert cards.count('class="pm-card"') == 18                  # the overview now shows its 18 main indicators


def test_a_renamed_unit_is_version_2_and_the_history_lists_it(env):
    at = planner_on_page("修改已有规划")
    at.selectbox(key="pa_plan").select(SEED_PLAN).run()
    unit = next(s for s in at.selectbox if s.label == "单位")
    unit.select("区公安分局").run()
    text_input(at, "新名称").input("区公安局").run()
    at.button(key="pa_edit_rename").click().run()
    assert not at.exception, at.exception
    assert texts(at, "info")[0].startswith("已把“区公安分局”改为“区公安局”")
    pending = frame(at, "表", "编号", "变化", "字段", "原值", "新值")
    assert ["责任单位", "区公安局", "改名", "单位名称(unit)", "区公安分局", "区公安局"] in pending.values.tolist()

    text_input(at, "修改说明").input("机构改革更名").run()
    at.button(key="pa_publish_version").click().run()
    assert not at.exception, at.exception
    assert texts(at, "success") == ["已发布规划 shashi-14 第 2 版(沙市区“十四五”规划)。"]
    assert catalog.stored_plan(open_store(env), SEED_PLAN).units.resolve("区公安分局") == "区公安局"

    at.radio(key="pa_mode").set_value("版本历史").run()
    assert at.selectbox(key="pa_plan").value == SEED_PLAN     # the plan just published
    history = frame(at, "版本", "发布人", "说明", "修改")
    assert history[["版本", "发布人", "说明"]].values.tolist()[0] == [2, "planner", "机构改革更名"]
    changes = frame(at, "表", "编号", "变化", "字段")
    assert ["责任单位", "区公安局", "改名"] in changes[["表", "编号", "变化"]].values.tolist()


def test_a_target_corrected_in_the_table_is_version_2_and_a_blank_kind_is_refused_with_its_row(env):
    at = planner_on_page("修改已有规划")
    at.selectbox(key="pa_plan").select(SEED_PLAN).run()
    edit_cells(at, "indicators", {2: {"target_value": "91"}})       # Y03, file row 4
    assert not at.exception, at.exception
    pending = frame(at, "表", "编号", "变化", "字段", "原值", "新值")
    assert pending.values.tolist() == [["主要指标", "Y03", "修改", "目标值(target_value)", "90", "91"]]

    edit_cells(at, "indicators", {2: {"target_value": "91"}, 4: {"kind": None}})   # Y05 left without a kind
    assert texts(at, "warning")[0].startswith("1 项指标的测算方法待选择:第6行 Y05。")
    at.button(key="pa_publish_version").click().run()
    refusals = frame(at, "级别", "位置", "代码")
    assert refusals[["位置", "代码"]].values.tolist() == [["主要指标 第6行「测算方法(kind)」", "plan.required_empty"]]
    assert catalog.plan_versions(open_store(env), SEED_PLAN)["version"].tolist() == [1]

    edit_cells(at, "indicators", {2: {"target_value": "91"}})
    at.button(key="pa_publish_version").click().run()
    assert texts(at, "success") == ["已发布规划 shashi-14 第 2 版(沙市区“十四五”规划)。"]
    assert catalog.stored_plan(open_store(env), SEED_PLAN).indicator("Y03")["target_value"] == 91.0
