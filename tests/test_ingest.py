"""lib/ingest.py: an upload goes to the plan of its district whose period holds its rows' years.

The routing table runs `read_routed` in this process on the repository's plan folders (沙市区 14th 2021–2025,
沙市区 15th 2026–2030 示例, 示例区 15th); `check`/`submit` run through the reader process on a store with
the three plans loaded, to show that a refused file stores nothing.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from lib import ingest
from lib.plan import load_plan
from lib.plan_catalog import archive_plan, ready_store
from lib.schema import INDICATOR_SHEET, TASK_SHEET
from lib.template import INSTRUCTIONS_SHEET, template_plan_id, unit_template
from lib.xlsx import workbook_bytes, write_progress_workbook
from tests.conftest import ALL_PLAN_DIRS, DATA


@pytest.fixture(autouse=True)
def all_sample_plans(monkeypatch):
    """This module works with both districts: the seed plan and the sample plans are loaded."""
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)

SHASHI_14, SHASHI_15, SHILI_15 = "shashi-14", "shashi-15", "shili-15"
LABEL_14 = "沙市区“十四五”规划(shashi-14,2021—2025 年)"
LABEL_15 = "沙市区“十五五”规划(示例)(shashi-15,2026—2030 年)"
LABEL_SHILI = "示例区“十五五”规划(示例)(shili-15,2026—2030 年)"
UNIT = "区发改局"   # reports Y01 in all three plans


@pytest.fixture(scope="module")
def plans() -> dict[str, object]:
    return {p.config.id: p for p in (load_plan(DATA), load_plan(DATA / "plans" / "shashi-15"),
                                     load_plan(DATA / "plans" / "shili-15"))}


def candidates(plans, district: str, archived: frozenset[str] = frozenset()) -> list:
    return [(ingest.PlanOption.of_plan(p, p.config.id in archived), p) for p in plans.values()
            if p.config.district_id == district]


def workbook(*years: int, unit: str = UNIT) -> bytes:
    """Y01 rows of `unit`, one per year (Q4 for years up to 2025, else Q1)."""
    rows = [("Y01", "", y, 4 if y <= 2025 else 1, 6.5, None, unit, "") for y in years]
    frame = pd.DataFrame(rows, columns=INDICATOR_SHEET.names)
    return workbook_bytes(write_progress_workbook(frame, None))


def summary(routed: ingest.Routed) -> tuple[str | None, list[tuple[str, int | None, str]]]:
    return routed.plan_id, [(f.code, f.row, f.value) for f in routed.result.findings]


@pytest.mark.parametrize("district, years, expected", [
    ("shashi", (2025,), (SHASHI_14, [])),
    ("shashi", (2026,), (SHASHI_15, [])),
    ("shashi", (2021, 2025), (SHASHI_14, [])),
    ("shashi", (2025, 2026), (None, [("ingest.spans_plans", None, "2025、2026")])),
    ("shashi", (2031,), (None, [("ingest.no_plan", None, "2031"), ("wb.year_outside_plan", 2, "2031")])),
    ("shashi", (2020, 2026), (None, [("ingest.no_plan", None, "2020"), ("wb.year_outside_plan", 2, "2020")])),
    ("shili", (2026,), (SHILI_15, [])),
    ("shili", (2025,), (None, [("ingest.no_plan", None, "2025"), ("wb.year_outside_plan", 2, "2025")])),
])
def test_rows_go_to_the_plan_that_holds_their_years(plans, district, years, expected):
    for prefer in (None, SHASHI_14, SHASHI_15):   # the plan on screen never changes where rows go
        order = candidates(plans, district)
        ranked = [c for c in order if c[0].plan_id == prefer] + [c for c in order if c[0].plan_id != prefer]
        assert summary(ingest.read_routed(workbook(*years), ranked, unit=UNIT)) == expected


def test_two_plans_in_one_file_names_both_plans_and_periods(plans):
    routed = ingest.read_routed(workbook(2025, 2026), candidates(plans, "shashi"), unit=UNIT)
    assert routed.result.findings[0].message == (
        f"文件中的数据分属不同规划:2025 年属于{LABEL_14},2026 年属于{LABEL_15}。"
        "一个文件只能报送一个规划的数据,请按年份分成两个文件分别上传")
    assert routed.result.indicator_rows.empty and not routed.result.ok


def test_a_year_in_no_plan_names_the_districts_plans(plans):
    routed = ingest.read_routed(workbook(2031), candidates(plans, "shashi"), unit=UNIT)
    assert routed.result.findings[0].message == (
        f"2031 年不在沙市区任何规划的规划期内(本区县的规划:{LABEL_14}、{LABEL_15}),请检查「年份」列")


def test_an_archived_plan_refuses_its_years(plans):
    routed = ingest.read_routed(workbook(2025), candidates(plans, "shashi", frozenset({SHASHI_14})), unit=UNIT)
    assert summary(routed) == (None, [("ingest.plan_archived", None, "")])
    assert LABEL_14 in routed.result.findings[0].message and "已在总结评估后归档" in routed.result.findings[0].message
    assert summary(ingest.read_routed(workbook(2026), candidates(plans, "shashi", frozenset({SHASHI_14})),
                                      unit=UNIT)) == (SHASHI_15, [])


def filled_template(plan, year: int) -> bytes:
    """The 区发改局 template of `plan`, every 年份 changed to `year` and every 数值/进度 filled in."""
    book = load_workbook(io.BytesIO(unit_template(plan, UNIT, plan.base_year + 1, 4)))
    for table, fills in ((INDICATOR_SHEET, {"value": 5}), (TASK_SHEET, {"state": "推进中", "percent": 50})):
        ws = book[table.label]
        ws.protection.sheet = False
        for row in range(2, ws.max_row + 1):
            ws.cell(row, table.names.index("year") + 1).value = year
            for name, value in fills.items():
                ws.cell(row, table.names.index(name) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_template_names_its_plan(plans):
    data = unit_template(plans[SHASHI_15], UNIT, 2026, 3)
    assert template_plan_id(data) == SHASHI_15
    notes = load_workbook(io.BytesIO(data))[INSTRUCTIONS_SHEET]
    assert notes["A2"].value == "规划编号:shashi-15    规划期:2026–2030 年(只能填报本规划期内的数据)"
    assert template_plan_id(workbook(2026)) is None            # not a template: nothing to compare
    assert template_plan_id(b"not a zip") is None


def test_a_template_of_one_plan_with_the_other_plans_year_is_refused(plans):
    data = filled_template(plans[SHASHI_14], 2026)
    routed = ingest.read_routed(data, candidates(plans, "shashi"), unit=UNIT)
    assert routed.plan_id is None
    first = routed.result.findings[0]
    assert (first.code, first.value) == ("ingest.template_other_plan", "2026")
    assert first.message.startswith(f"这是{LABEL_14}的填报模板,但文件中是 2026 年的数据,属于{LABEL_15}。")
    assert routed.result.indicator_rows.empty and routed.result.task_rows.empty
    assert summary(ingest.read_routed(filled_template(plans[SHASHI_14], 2025), candidates(plans, "shashi"),
                                      unit=UNIT))[0] == SHASHI_14   # its own year: accepted


def test_a_template_of_another_district_is_refused(plans):
    data = filled_template(plans[SHASHI_15], 2026)
    routed = ingest.read_routed(data, candidates(plans, "shili"), unit=UNIT)
    assert [(f.code, f.value) for f in routed.result.findings[:1]] == [("ingest.template_foreign", SHASHI_15)]


# --- through the reader process and the store -------------------------------------------------------------

@pytest.fixture
def store(tmp_path, plans):
    scoped = ready_store(plans[SHASHI_14], f"sqlite:///{tmp_path / 'ingest.sqlite'}", seed=False)
    yield scoped
    scoped.close()


def stored(store) -> dict[str, int]:
    return {pid: len(store.plan(pid).submissions()) for pid in (SHASHI_14, SHASHI_15, SHILI_15)}


def test_a_2025_upload_goes_to_the_14th_plan_while_the_15th_is_shown(store):
    upload = ingest.Upload.of(workbook(2025), "2025Q4.xlsx")
    checked = ingest.check(store, upload, district_id="shashi", unit=UNIT, prefer=SHASHI_15)
    assert (checked.plan_id, checked.ok, checked.findings) == (SHASHI_14, True, [])
    assert list(ingest.preview(store, checked)["change"]) == ["新增"]
    outcome = ingest.submit(store, checked, unit=UNIT, account="fgj")
    assert stored(store) == {SHASHI_14: 1, SHASHI_15: 0, SHILI_15: 0}
    assert store.plan(SHASHI_14).submission(outcome.submission_id)["sha256"] == upload.sha256


def test_a_refused_upload_stores_nothing(store):
    checked = ingest.check(store, ingest.Upload.of(workbook(2025, 2026), "both.xlsx"), district_id="shashi", unit=UNIT)
    assert [f.code for f in checked.findings] == ["ingest.spans_plans"] and not checked.ok
    with pytest.raises(ingest.IngestError) as refused:
        ingest.submit(store, checked, unit=UNIT, account="fgj")
    assert refused.value.code == "ingest.not_checked"
    assert stored(store) == {SHASHI_14: 0, SHASHI_15: 0, SHILI_15: 0}


def test_a_department_of_one_district_never_reaches_the_other(store, plans):
    # 示例区's 区发改局 sends 沙市区's 2025 figures: 2025 is in no plan of 示例区.
    checked = ingest.check(store, ingest.Upload.of(workbook(2025), "shashi.xlsx"), district_id="shili", unit=UNIT)
    assert [f.code for f in checked.findings][:1] == ["ingest.no_plan"] and LABEL_SHILI in checked.findings[0].message
    # A unit that only 沙市区 has does not resolve in 示例区.
    only_shashi = "区公安分局"
    checked = ingest.check(store, ingest.Upload.of(workbook(2026, unit=only_shashi), "x.xlsx"), district_id="shili",
                           unit=only_shashi)
    assert "wb.submitter_unknown" in [f.code for f in checked.findings] and not checked.ok
    # A check routed in 沙市区 cannot be submitted as 示例区's.
    good = ingest.check(store, ingest.Upload.of(workbook(2026), "y.xlsx"), district_id="shashi", unit=UNIT)
    forged = ingest.Checked(good.upload, UNIT, "shili", good.plan_id, good.result)
    with pytest.raises(ingest.IngestError) as refused:
        ingest.submit(store, forged, unit=UNIT, account="shili-fgj")
    assert (refused.value.code, refused.value.params["value"]) == ("ingest.other_district", SHASHI_15)
    assert stored(store) == {SHASHI_14: 0, SHASHI_15: 0, SHILI_15: 0}


def test_an_archived_plan_refuses_an_upload_and_stores_nothing(store):
    archive_plan(store, SHASHI_14, "planner")
    checked = ingest.check(store, ingest.Upload.of(workbook(2025), "late.xlsx"), district_id="shashi", unit=UNIT)
    assert [f.code for f in checked.findings] == ["ingest.plan_archived"] and checked.plan_id is None
    assert stored(store) == {SHASHI_14: 0, SHASHI_15: 0, SHILI_15: 0}


def test_seeding_reads_the_sample_once(store, plans):
    ids = ingest.seed_sample(store.plan(SHASHI_15), plans[SHASHI_15], DATA / "plans" / "shashi-15" / "progress.xlsx")
    assert len(ids) == stored(store)[SHASHI_15] > 0
    assert ingest.seed_sample(store.plan(SHASHI_15), plans[SHASHI_15], DATA / "plans" / "shashi-15" / "progress.xlsx") == []
