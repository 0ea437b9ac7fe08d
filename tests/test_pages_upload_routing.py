"""数据填报 under AppTest while 沙市区's 15th plan is on screen: a department's 2025 final figures go to the 14th
plan (the plan of their year, within the account's district), and a file spanning both plans is refused."""
from __future__ import annotations

import pytest

from lib.store import open_store
from tests.apptest import demo_store
from tests.conftest import DATA, SEED_PLAN
from tests.test_ingest import LABEL_14, LABEL_15, workbook
from tests.test_pages_upload import DEPT_FAGAI, app, confirm_button, findings, sign_in, texts, upload

SHOWN = "shashi-15"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """As tests/test_pages_upload.py's env, with the 15th plan shown (its own sample progress)."""
    yield from demo_store(tmp_path, monkeypatch, PLANMON_PLAN_DIR=str(DATA / "plans" / SHOWN),
                          PLANMON_SAMPLE_PROGRESS=str(DATA / "plans" / SHOWN / "progress.xlsx"))


def pending(db: str) -> dict[str, int]:
    store = open_store(db)
    return {pid: len(store.plan(pid).submissions(state="pending")) for pid in (SEED_PLAN, SHOWN)}


def test_2025_rows_go_to_the_14th_plan_while_the_15th_is_shown(env):
    at = upload(sign_in(app(), DEPT_FAGAI), "2025Q4.xlsx", workbook(2025))
    assert not at.error
    assert texts(at, "info")[0] == f"按数据年份,本文件报送到:沙市区“十四五”规划(2021—2025 年)(不是页面上正在查看的规划)"
    confirm_button(at).click().run()
    assert not at.exception, at.exception
    assert texts(at, "success")[0].startswith("已提交")
    assert pending(env) == {SEED_PLAN: 1, SHOWN: 0}


def test_2026_rows_stay_in_the_plan_on_screen(env):
    at = upload(sign_in(app(), DEPT_FAGAI), "2026Q1.xlsx", workbook(2026))
    assert texts(at, "info")[0] == "按数据年份,本文件报送到:沙市区“十五五”规划(示例)(2026—2030 年)"
    confirm_button(at).click().run()
    assert pending(env) == {SEED_PLAN: 0, SHOWN: 1}


def test_a_file_with_rows_of_both_plans_is_refused_and_stores_nothing(env):
    at = upload(sign_in(app(), DEPT_FAGAI), "both.xlsx", workbook(2025, 2026))
    shown = findings(at)
    assert list(zip(shown["级别"], shown["位置"])) == [("错误", "全表")]
    assert LABEL_14 in shown.at[0, "说明"] and LABEL_15 in shown.at[0, "说明"]
    assert confirm_button(at).disabled
    assert pending(env) == {SEED_PLAN: 0, SHOWN: 0}
