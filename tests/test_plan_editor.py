"""Plans edited as tables and published through the catalogue (lib/plan_editor.py, the 规划管理 page's logic)."""
from __future__ import annotations

import pandas as pd
import pytest

from lib import notice
from lib import plan_catalog as catalog
from lib import plan_editor as ed
from lib.store import open_store
from tests.conftest import DATA, SEED_PLAN
from tests.test_store import dump

NOTICE = DATA / "source" / "shashi-14th-five-year-plan-task-division.txt"
IDENTITY = {"id": "notice-14", "district": "示范区", "district_id": "demo-district", "city": "荆州市"}


@pytest.fixture
def db(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'editor.db'}")
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def draft_tables() -> ed.PlanTables:
    return ed.tables_from_draft(ed.draft_from_upload(NOTICE.read_bytes(), NOTICE.name))


def named(tables: ed.PlanTables) -> ed.PlanTables:
    return ed.with_config(tables, **IDENTITY)


def set_cell(tables: ed.PlanTables, key: str, id_col: str, row_id: str, col: str, value: str) -> ed.PlanTables:
    frame = getattr(tables, key).copy()
    frame.loc[frame[id_col] == row_id, col] = value
    return ed.with_frames(tables, **{key: frame})


def refused(exc: pytest.ExceptionInfo) -> list[tuple[str, str, int | None, str]]:
    return [(f.code, f.sheet, f.row, f.column) for f in exc.value.findings if f.is_error]


# --- publishing a notice's draft -----------------------------------------------------------------

def test_the_seed_notice_publishes_as_a_new_plan_with_its_18_indicators(db, draft_tables):
    result = ed.publish_new(db, named(draft_tables), "fgj-zhao")
    assert (result.plan_id, result.version, result.changed) == ("notice-14", 1, True)
    listed = catalog.list_plans(db)
    assert listed[["plan_id", "district", "district_id", "city", "period", "versions"]].values.tolist() == [
        ["notice-14", "示范区", "demo-district", "荆州市", "2021—2025", 1]]
    stored = catalog.stored_plan(db, "notice-14")
    expected = pd.read_csv(DATA / "indicators.csv", dtype=str, keep_default_na=False)
    main = expected[expected["category"] != "任务指标"]   # the seed plan also has task indicators, the notice not
    assert stored.indicators[["indicator_id", "name"]].values.tolist() == main[["indicator_id", "name"]].values.tolist()
    assert len(stored.indicators) == 18 and len(stored.tasks) == 38
    assert catalog.plan_versions(db, "notice-14")["account"].tolist() == ["fgj-zhao"]


def test_a_new_draft_takes_the_offices_district_as_the_store_knows_it(db, draft_tables):
    ed.publish_new(db, named(draft_tables), "fgj-zhao")       # the store now knows 示范区 (demo-district), 荆州市
    read_from_notice = ed.with_config(draft_tables, district="沙市区")
    filled = ed.for_district(read_from_notice, db, "demo-district")
    keys = ("district", "district_id", "city", "city_id")
    assert [filled.config.get(k) for k in keys] == ["示范区", "demo-district", "荆州市", None]
    unknown = ed.for_district(read_from_notice, db, "new-district")   # no plan of it yet: only its code
    assert [unknown.config.get(k) for k in keys] == ["沙市区", "new-district", None, None]
    assert ed.for_district(read_from_notice, db, None) is read_from_notice   # an account without a district


# Rows of the seed notice's draft: Y03 is indicators.csv row 4 (the only one naming 区公安分局),
# Y05 row 6, B02 row 15; the header is row 1, as in the table on the page.
@pytest.mark.parametrize("edit, expected", [
    (lambda t: set_cell(t, "indicators", "indicator_id", "Y05", "kind", ""),
     [("plan.required_empty", "indicators.csv", 6, "kind")]),
    (lambda t: set_cell(t, "indicators", "indicator_id", "Y05", "kind", "增长"),
     [("plan.bad_choice", "indicators.csv", 6, "kind")]),
    (lambda t: set_cell(t, "indicators", "indicator_id", "B02", "unit", ""),
     [("plan.required_empty", "indicators.csv", 15, "unit")]),
    (lambda t: ed.with_frames(t, units=t.units[t.units["unit"] != "区公安分局"]),
     [("plan.unknown_unit", "indicators.csv", 4, "responsible_units")]),
    (lambda t: set_cell(t, "tasks", "task_id", "T01-01", "lead_units", ""),
     [("plan.required_empty", "tasks.csv", 2, "lead_units")]),
    (lambda t: ed.with_config(t, district_id=""),
     [("plan.identity_incomplete", "plan.toml", None, "")]),
    (lambda t: ed.with_config(t, id="", district="", district_id="", city=""),
     [("catalog.identity_required", "plan.toml", None, "")]),
])
def test_a_draft_with_a_gap_is_refused_naming_its_row_and_nothing_is_stored(db, draft_tables, edit, expected):
    before = dump(db)
    with pytest.raises(catalog.PlanCatalogError) as exc:
        ed.publish_new(db, edit(named(draft_tables)), "fgj-zhao")
    assert refused(exc) == expected
    assert dump(db) == before


def test_refusals_are_listed_with_the_table_row_and_column_label(db, draft_tables):
    with pytest.raises(catalog.PlanCatalogError) as exc:
        ed.publish_new(db, set_cell(named(draft_tables), "indicators", "indicator_id", "Y05", "kind", ""), "fgj-zhao")
    table = ed.refusal_table(exc.value.findings)
    assert table[["级别", "表", "行", "列", "代码"]].values.tolist() == [
        ["错误", "主要指标", 6, "测算方法(kind)", "plan.required_empty"]]


def test_warnings_come_after_errors_in_the_refusal_table(db, draft_tables):
    with pytest.raises(catalog.PlanCatalogError) as exc:
        ed.publish_new(db, ed.with_config(draft_tables, id=""), "fgj-zhao")   # checked whole: baselines warned
    table = ed.refusal_table(exc.value.findings)
    assert table["代码"].iloc[0] == "catalog.identity_required"
    assert table["代码"].iloc[1:].tolist() == ["plan.missing_baseline"] * 9
    assert table["行"].iloc[1:].tolist() == [4, 6, 7, 10, 11, 12, 13, 18, 19]


def test_publishing_the_same_draft_twice_changes_nothing(db, draft_tables):
    ed.publish_new(db, named(draft_tables), "fgj-zhao")
    before = dump(db)
    again = ed.publish_new(db, named(draft_tables), "someone-else")
    assert (again.version, again.changed) == (1, False)
    assert dump(db) == before


def test_a_taken_plan_id_with_other_files_is_refused(db, draft_tables):
    ed.publish_new(db, named(draft_tables), "fgj-zhao")
    other = set_cell(named(draft_tables), "indicators", "indicator_id", "Y01", "target_value", "8")
    with pytest.raises(ed.PlanEditError) as exc:
        ed.publish_new(db, other, "fgj-zhao")
    assert refused(exc) == [("editor.plan_exists", "plan.toml", None, "id")]
    assert catalog.plan_versions(db, "notice-14")["version"].tolist() == [1]


def test_an_oversized_upload_is_refused_before_it_is_read():
    with pytest.raises(notice.NoticeError) as exc:
        ed.draft_from_upload(b"a" * (notice.MAX_TEXT_BYTES + 1), "big.txt")
    assert exc.value.code == "notice.too_large"


# --- editing a stored plan -----------------------------------------------------------------------

@pytest.fixture
def seeded(db):
    catalog.load_plan_version(db, DATA, "system")
    return db


def test_an_unchanged_stored_plan_renders_to_its_stored_files_byte_for_byte(seeded):
    tables = ed.tables_of_version(seeded, SEED_PLAN)
    assert ed.plan_texts(tables) == catalog.stored_texts(seeded, SEED_PLAN)
    before = dump(seeded)
    result = ed.publish_version(seeded, SEED_PLAN, tables, "fgj-zhao")
    assert (result.version, result.changed) == (1, False)
    assert dump(seeded) == before


def test_a_corrected_target_is_version_2_and_the_history_says_who_and_what(seeded):
    tables = set_cell(ed.tables_of_version(seeded, SEED_PLAN), "indicators", "indicator_id", "Y03", "target_value", "91")
    result = ed.publish_version(seeded, SEED_PLAN, tables, "fgj-zhao", note="上级调整城镇化目标")
    assert (result.version, result.changed) == (2, True)
    assert catalog.stored_plan(seeded, SEED_PLAN).indicator("Y03")["target_value"] == 91.0
    history = ed.version_history(seeded, SEED_PLAN)
    assert history[["version", "account", "note", "changes"]].values.tolist() == [
        [2, "fgj-zhao", "上级调整城镇化目标", "主要指标修改 1 行"],
        [1, "system", "", "首次载入"]]
    assert ed.changes_table(ed.version_changes(seeded, SEED_PLAN, 2)).values.tolist() == [
        ["主要指标", "Y03", "修改", "目标值(target_value)", "90", "91"]]


def test_a_renamed_unit_follows_everywhere_keeps_its_old_name_and_shows_as_a_rename(seeded):
    tables = ed.rename_unit(ed.tables_of_version(seeded, SEED_PLAN), "区公安分局", "区公安局")
    result = ed.publish_version(seeded, SEED_PLAN, tables, "fgj-zhao")
    plan = catalog.stored_plan(seeded, SEED_PLAN)
    assert result.version == 2
    assert plan.indicator("Y03")["responsible_units"] == ("区发改局", "区公安局")
    assert plan.units.resolve("区公安分局") == "区公安局"
    changes = ed.version_changes(seeded, SEED_PLAN, 2)
    assert [(c.file, c.key, c.change) for c in changes] == [   # 区政府各部门 lists it as a member
        ("indicators.csv", "Y03", "修改"), ("units.csv", "区政府各部门", "修改"), ("units.csv", "区公安局", "改名")]
    assert changes[-1].fields == (("unit", "区公安分局", "区公安局"),)


@pytest.mark.parametrize("old, new, code", [
    ("区公安厅", "区公安局", "editor.unit_unknown"),
    ("区公安分局", "区财政局", "editor.unit_exists"),
    ("区公安分局", " ", "editor.unit_exists"),
])
def test_a_rename_to_or_from_a_wrong_name_is_refused(seeded, old, new, code):
    with pytest.raises(ed.PlanEditError) as exc:
        ed.rename_unit(ed.tables_of_version(seeded, SEED_PLAN), old, new)
    assert [f.code for f in exc.value.findings] == [code]


def test_an_alias_is_a_new_version_and_one_that_names_another_unit_is_refused_with_its_row(seeded):
    tables = ed.tables_of_version(seeded, SEED_PLAN)
    row = int(tables.units.index[tables.units["unit"] == "区财政局"][0]) + 2   # the row whose name is claimed twice
    assert ed.publish_version(seeded, SEED_PLAN, ed.add_alias(tables, "区公安分局", "公安分局"), "fgj-zhao").version == 2
    assert catalog.stored_plan(seeded, SEED_PLAN).units.resolve("公安分局") == "区公安分局"
    with pytest.raises(catalog.PlanCatalogError) as exc:
        ed.publish_version(seeded, SEED_PLAN, ed.add_alias(tables, "区公安分局", "区财政局"), "fgj-zhao")
    assert refused(exc) == [("plan.name_conflict", "units.csv", row, "aliases")]


def test_an_edit_may_not_change_the_plan_id(seeded):
    tables = ed.with_config(ed.tables_of_version(seeded, SEED_PLAN), id="shashi-14b")
    with pytest.raises(ed.PlanEditError) as exc:
        ed.publish_version(seeded, SEED_PLAN, tables, "fgj-zhao")
    assert refused(exc) == [("editor.id_changed", "plan.toml", None, "id")]


def test_rows_added_and_removed_are_listed_with_their_cells():
    before = {"indicators.csv": "indicator_id,name,kind\nY01,甲,level_up\nY02,乙,ceiling\n"}
    after = {"indicators.csv": "indicator_id,name,kind\nY01,甲,level_up\nY03,丙,quota\n"}
    assert [(c.key, c.change, c.fields) for c in ed.diff_texts(before, after)] == [
        ("Y03", "新增", (("indicator_id", "", "Y03"), ("name", "", "丙"), ("kind", "", "quota"))),
        ("Y02", "删除", (("indicator_id", "Y02", ""), ("name", "乙", ""), ("kind", "ceiling", "")))]


def test_plan_toml_changes_are_listed_by_key():
    before = {"plan.toml": 'name = "甲"\nbase_year = 2020\n'}
    after = {"plan.toml": 'name = "乙"\nbase_year = 2020\ncity = "荆州市"\n'}
    assert [(c.key, c.change, c.fields) for c in ed.diff_texts(before, after)] == [
        ("name", "修改", (("name", "甲", "乙"),)), ("city", "新增", (("city", "", "荆州市"),))]


def test_rows_left_blank_at_the_end_of_an_edited_table_are_dropped():
    frame = pd.DataFrame({"unit": ["区发改局", None, ""], "kind": ["区直部门", None, None]})
    assert ed._clean(frame).values.tolist() == [["区发改局", "区直部门"]]


@pytest.mark.parametrize("publish", ["new", "version"])
def test_an_office_publishes_only_its_own_districts_plans(request, publish):
    """示例区's planning office may neither publish a plan for 沙市区 nor change one of 沙市区's plans."""
    if publish == "new":
        store = request.getfixturevalue("db")
        tables = named(request.getfixturevalue("draft_tables"))
    else:
        store = request.getfixturevalue("seeded")
        tables = ed.tables_of_version(store, SEED_PLAN)
    before = dump(store)
    with pytest.raises(ed.PlanEditError) as exc:
        if publish == "new":
            ed.publish_new(store, tables, "shili.planner", district_id="shili")
        else:
            ed.publish_version(store, SEED_PLAN, tables, "shili.planner", district_id="shili")
    assert refused(exc) == [("editor.other_district", "plan.toml", None, "district_id")]
    assert dump(store) == before
