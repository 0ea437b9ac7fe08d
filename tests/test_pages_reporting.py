"""报送情况 page under AppTest: dates without NaT, one percent format, 催报 list and notice from lib/reminders.py,
the sidebar's unit filter by lib.scope's rule."""
from __future__ import annotations

import re

import pytest

from lib import fmt
from lib.periods import Period, today
from lib.reminders import reminder_list, reminder_text
from lib.reporting import STATE_LATE, STATE_MISSING, completeness, deadline, reporting_status
from lib.scope import filter_reporting
from tests import apptest
from tests.conftest import seed_plan_store
from tests.test_pages_upload import app, env, frame, plain  # noqa: F401  (env: temp database, caches cleared)

PAGE = "app_pages/reporting.py"


def on_page(as_of: Period):
    at = app()
    at.switch_page(PAGE).run()
    at.radio(key="v_as_of").set_value(as_of).run()
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


def test_rates_share_one_format(env, plan):
    as_of = Period(2025, 4)
    at = on_page(as_of)
    rates = frame(at, "单位", "报送率")
    expected = completeness(expected_status(env, plan, as_of)).sort_values(["报送率", "unit"])
    assert list(rates["报送率"]) == [fmt.percent(v) for v in expected["报送率"]]   # "33.3%" beside "75%"
    body = next(h.proto.body for h in at.get("html") if "报送率" in h.proto.body)
    widths = [float(w) for w in re.findall(r'class="pm-bar"[^>]*><span style="width:([\d.]+)%"', body)]
    assert widths == [round(v * 100) for v in expected["报送率"]]   # each rate's bar, as long as the rate


def test_reminder_list_and_notice(env, plan):
    as_of = Period(2025, 4)
    at = on_page(as_of)
    status = expected_status(env, plan, as_of)
    owed = reminder_list(status)
    assert not owed.empty
    shown = frame(at, "单位", "缺报项数", "缺报指标", "缺报任务", "逾期天数")
    assert shown.values.tolist() == owed.astype(str).values.tolist()
    assert at.code[0].value == reminder_text(owed, as_of, deadline(as_of, 15), today())
    assert [b.proto.label for b in at.get("download_button")] == ["下载催报清单(Excel)", "下载通知文字(TXT)"]


# A unit with a missing report (区卫健局: Y09), one without (区人社局), and a group (its members' rows; the page
# used to show none: it looked for rows of the group's own name).
@pytest.mark.parametrize("unit", ["区卫健局", "区人社局", "区政府各部门"])
def test_unit_filter_shows_the_rows_lib_scope_selects(env, plan, unit):
    as_of = Period(2025, 4)
    at = on_page(as_of)
    at.selectbox(key="v_unit").set_value(unit).run()
    assert not at.exception, at.exception
    every = expected_status(env, plan, as_of)
    expected = filter_reporting(plan, every, unit=unit)
    assert len(expected) > 0
    if plan.units.units[unit].is_group:   # members' rows of the items the plan names the group for
        assert set(expected["unit"]) <= plan.units.members_of(unit)
        assert set(expected["item_id"]) <= set(plan.responsibilities(unit)["item_id"])
    else:                                 # a unit: every row of its own
        assert list(expected.index) == list(every.index[every["unit"] == unit])

    assert apptest.tiles(at)["应报与已报项"] == f"{len(expected)} 项"
    rates = frame(at, "单位", "应报", "报送率")
    per_unit = completeness(expected).sort_values(["报送率", "unit"])
    assert rates[["单位", "应报"]].values.tolist() == per_unit[["unit", "应报"]].astype(str).values.tolist()
    gaps = expected[expected["state"].isin([STATE_MISSING, STATE_LATE])]
    if gaps.empty:
        assert [s.value for s in at.success][0] == "本季度没有缺报或逾期。"
    else:
        shown = frame(at, "单位", "类型", "事项", "状态")
        assert list(zip(shown["单位"], shown["事项"].str.split(" ").str[0], shown["状态"])) == \
            list(zip(gaps["unit"], gaps["item_id"], gaps["state"]))


def test_page_carries_the_phone_and_print_rules(env):
    """Without ui.page_head the 70-column matrix showed on phones and the phone sentence on laptops."""
    import ui
    at = on_page(Period(2025, 4))
    html = [h.value for h in at.get("html")]
    assert ui.PAGE_CSS in html
    heads = [h for h in html if "pm-print-head" in h and "<div" in h]
    assert len(heads) == 1 and "截至 2025年第四季度" in heads[0]
