"""报送情况 page under AppTest: dates without NaT, one percent format, 催报 list and notice from lib/reminders.py."""
from __future__ import annotations

import json
from datetime import date

from lib.periods import Period, today
from lib.reminders import reminder_list, reminder_text
from lib.reporting import STATE_MISSING, deadline, reporting_status
from tests.conftest import seed_plan_store
from tests.test_pages_upload import app, env, frame, plain  # noqa: F401  (env: temp database, caches cleared)

PAGE = "app_pages/reporting.py"


def on_page(as_of: Period):
    at = app()
    at.switch_page(PAGE).run()
    at.selectbox(key="v_as_of").set_value(as_of).run()
    assert not at.exception, at.exception
    return at


def expected_status(db: str, plan, as_of: Period):
    store = seed_plan_store(db)
    # As the page: Beijing's date (lib.periods.today, not the server clock's), and finished tasks are not owed.
    return reporting_status(plan, as_of, store.reported_items(as_of.year, as_of.quarter), 15, today(),
                            task_progress=store.effective_task_progress())


def test_missing_reports_say_so_and_never_nat(env, plan):
    at = on_page(Period(2025, 4))
    gaps = frame(at, "单位", "类型", "事项", "状态", "报送日期")
    assert len(gaps) and "NaT" not in set(gaps["报送日期"])
    assert set(gaps.loc[gaps["状态"] == STATE_MISSING, "报送日期"]) == {STATE_MISSING}


def test_rates_share_one_format(env):
    at = on_page(Period(2025, 4))
    rates = next(d for d in at.dataframe if "报送率" in d.value.columns)
    config = json.loads(rates.proto.columns)
    assert config["报送率"]["type_config"] == {"type": "progress", "format": "%.1f%%", "min_value": 0, "max_value": 100}
    assert rates.value["报送率"].between(0, 100).all() and rates.value["报送率"].max() > 1   # percent points


def test_reminder_list_and_notice(env, plan):
    as_of = Period(2025, 4)
    at = on_page(as_of)
    status = expected_status(env, plan, as_of)
    owed = reminder_list(status)
    assert not owed.empty
    shown = frame(at, "单位", "缺报项数", "缺报指标", "缺报任务", "逾期天数")
    assert shown.values.tolist() == owed.values.tolist()
    assert at.code[0].value == reminder_text(owed, as_of, deadline(as_of, 15), date.today())
    assert [b.proto.label for b in at.get("download_button")] == ["下载催报清单(Excel)", "下载通知文字(TXT)"]
