"""简报导出 page under AppTest: pick a quarter and scope, press 生成简报, get the download buttons and the summary
text; without a browser the page says how to install one and still offers the summary and the tables."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import images
from lib.periods import Period
from tests.conftest import ROOT
from tests.test_pages_upload import app as upload_page_app
from tests.test_pages_upload import env, plain, sign_in  # noqa: F401  (env: temp database and accounts, caches cleared)

PAGE = "app_pages/briefing.py"


def page(username: str = "planner") -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    sign_in(at, username)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_a_visitor_is_asked_to_sign_in_before_building(env):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [plain(i.value) for i in at.info] == ["生成简报(演示文稿、图表图片、摘要和数据表)需要登录。请先登录(任何账号均可)。"]
    assert "br_go" not in [b.key for b in at.button] and not at.get("download_button")


def test_any_signed_in_account_may_build(env):
    at = page("leader")
    assert "br_go" in [b.key for b in at.button]


def download_names(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_generate_offers_every_download_and_the_summary(env, monkeypatch):
    from lib import briefing
    calls = []
    real = briefing.build_briefing
    monkeypatch.setattr(briefing, "build_briefing", lambda *a, **kw: calls.append(a[4]) or real(*a, **kw))
    at = page()
    assert [t.value for t in at.title] == ["简报导出"]
    assert download_names(at) == []
    at.selectbox(key="br_as_of").set_value(Period(2023, 2)).run()
    at.button(key="br_go").click().run()
    assert not at.exception, at.exception
    assert download_names(at) == ["演示文稿 PPTX", "图表图片 ZIP", "摘要文字 TXT", "数据表 Excel",
                                  "指标评估", "任务评估", "指标进度", "任务进度"]
    summary = at.code[0].value
    assert summary.startswith("截至2023年第二季度(时间进度50%),26项指标中提前实现1项、快于预期4项、基本符合预期13项、滞后6项、数据缺失2项。")
    # a rerun (any widget) keeps the pack: served from the cache, not regenerated
    at.run()
    assert len(download_names(at)) == 8 and at.code[0].value == summary
    assert calls == ["2023Q2"]
    images.shutdown()


def test_unit_scope(env):
    at = page()
    at.radio(key="br_kind").set_value("unit").run()
    at.selectbox(key="br_unit").set_value("区人社局").run()
    at.selectbox(key="br_as_of").set_value(Period(2023, 4)).run()
    at.button(key="br_go").click().run()
    assert not at.exception, at.exception
    assert "区人社局负责的" in at.code[0].value
    images.shutdown()


def test_without_a_browser_summary_and_tables_only(env, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    at = page()
    warnings = [w.value for w in at.warning]
    assert any("不是可执行文件" in w and "本页仍可生成摘要文字和数据表" in w for w in warnings)
    at.button(key="br_go").click().run()
    assert not at.exception, at.exception
    assert download_names(at) == ["摘要文字 TXT", "数据表 Excel", "指标评估", "任务评估", "指标进度", "任务进度"]
    assert at.code[0].value.startswith("截至")


# --- 评估报告: the planning office only ---------------------------------------------------------------------

def _report_widgets(at: AppTest) -> tuple[list[str], list[str]]:
    return [r.key for r in at.radio if r.key == "rp_kind"], [b.key for b in at.button if b.key == "rp_go"]


@pytest.mark.parametrize("username", [None, "leader", "dept01"])
def test_report_is_not_offered_to_others(env, username):
    at = upload_page_app()
    if username:
        sign_in(at, username)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert _report_widgets(at) == ([], [])
    # the deck needs sign-in (exports cost server time); a signed-in leader or department may build it
    assert [b.key for b in at.button if b.key == "br_go"] == (["br_go"] if username else [])


def test_planning_office_generates_the_report(env, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/no-such-chromium")  # the report without figures: no browser in this test
    at = sign_in(upload_page_app(), "planner")
    at.switch_page(PAGE).run()
    assert _report_widgets(at) == (["rp_kind"], ["rp_go"])
    at.radio(key="rp_kind").set_value("final").run()
    assert any("沙市区“十四五”规划实施情况总结评估报告(初稿),截至2025年第四季度" in c.value for c in at.caption)
    at.button(key="rp_go").click().run()
    assert not at.exception, at.exception
    button = next(b for b in at.get("download_button") if b.proto.label == "下载评估报告 DOCX")
    assert button.proto.help == "总结评估报告_2025Q4.docx"


def test_annual_report_for_a_chosen_mid_year_quarter_takes_the_previous_q4(env, monkeypatch):
    at = sign_in(upload_page_app(), "planner")
    at.switch_page(PAGE).run()
    at.selectbox(key="br_as_of").set_value(Period(2023, 2)).run()
    at.radio(key="rp_kind").set_value("annual").run()
    assert any("沙市区“十四五”规划2022年度实施情况评估报告(初稿),截至2022年第四季度" in c.value for c in at.caption)
