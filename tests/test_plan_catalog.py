"""Plans in the store (lib/plan_catalog.py) and the store's isolation between plans and districts.

Runs on SQLite and, with PLANMON_TEST_PG_URL, on PostgreSQL (the store_url fixture of test_store.py).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib import plan_catalog as catalog
from lib.plan import load_plan
from lib.store import StoreError, open_store
from tests.conftest import ALL_PLAN_DIRS, DATA, SEED_PLAN
from tests.test_store import UNIT, dump, store_url, submit  # noqa: F401  (store_url is a fixture)

PLANS = DATA / "plans"
PLAN_FILES = ("plan.toml", "indicators.csv", "tasks.csv", "units.csv")


@pytest.fixture
def db(store_url):
    opened = open_store(store_url)
    yield opened
    opened.close()


def copy_plan(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in PLAN_FILES:
        shutil.copy(src / name, dst / name)
    return dst


def edit_indicators(folder: Path, fn) -> None:
    frame = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    frame = fn(frame)
    frame.to_csv(folder / "indicators.csv", index=False)


def codes(exc: pytest.ExceptionInfo) -> list[tuple[str, str, str]]:
    return [(f.code, f.sheet, f.value) for f in exc.value.findings if f.is_error]


# --- loading and versions ------------------------------------------------------------------------

def test_loading_the_same_folder_twice_changes_nothing(db):
    first = catalog.load_plan_version(db, DATA, "planner")
    before = dump(db)
    again = catalog.load_plan_version(db, DATA, "someone-else")
    assert (first.version, first.changed) == (1, True)
    assert (again.version, again.changed) == (1, False)
    assert dump(db) == before


def test_a_changed_target_is_a_new_version_and_keeps_who_loaded_it(db, tmp_path):
    catalog.load_plan_version(db, DATA, "planner")
    folder = copy_plan(DATA, tmp_path / "v2")
    edit_indicators(folder, lambda f: f.assign(target_value=f["target_value"].where(f["indicator_id"] != "Y03", "91")))
    result = catalog.load_plan_version(db, folder, "fgj-zhao", note="上级调整城镇化目标")
    assert (result.version, result.changed) == (2, True)
    listed = catalog.list_plans(db)
    assert listed[["plan_id", "versions", "account", "state"]].values.tolist() == [[SEED_PLAN, 2, "fgj-zhao", "active"]]
    assert catalog.stored_plan(db, SEED_PLAN).indicator("Y03")["target_value"] == 91.0
    assert catalog.stored_plan(db, SEED_PLAN, version=1).indicator("Y03")["target_value"] == 90.0


def test_a_version_may_not_drop_an_indicator_that_has_data(db, tmp_path):
    catalog.load_plan_version(db, DATA, "planner")
    submit(db.plan(SEED_PLAN), UNIT, [("Y02", 2023, 4, 9.0)])
    folder = copy_plan(DATA, tmp_path / "dropped")
    edit_indicators(folder, lambda f: f[~f["indicator_id"].isin(["Y02", "Y04"])])   # Y04 has no data: may go
    before = dump(db)
    with pytest.raises(catalog.PlanCatalogError) as err:
        catalog.load_plan_version(db, folder, "planner")
    assert codes(err) == [("catalog.drops_reported", "indicators.csv", "Y02")]
    assert dump(db) == before


def test_dropping_an_indicator_without_data_is_allowed(db, tmp_path):
    catalog.load_plan_version(db, DATA, "planner")
    folder = copy_plan(DATA, tmp_path / "dropped")
    edit_indicators(folder, lambda f: f[f["indicator_id"] != "Y04"])
    assert catalog.load_plan_version(db, folder, "planner").version == 2


def test_plans_of_one_district_may_not_overlap(db, tmp_path):
    catalog.load_plan_version(db, DATA, "planner")
    folder = copy_plan(PLANS / "shashi-15", tmp_path / "bad")
    text = (folder / "plan.toml").read_text(encoding="utf-8").replace("base_year = 2025", "base_year = 2024")
    (folder / "plan.toml").write_text(text, encoding="utf-8")
    with pytest.raises(catalog.PlanCatalogError) as err:
        catalog.load_plan_version(db, folder, "planner")
    assert codes(err) == [("catalog.period_overlap", "plan.toml", "shashi-15")]
    assert catalog.load_plan_version(db, PLANS / "shashi-15", "planner").changed   # the real one fits after it


def test_a_folder_without_identity_is_refused(db, tmp_path):
    folder = copy_plan(DATA, tmp_path / "anonymous")
    lines = [l for l in (folder / "plan.toml").read_text(encoding="utf-8").splitlines()
             if not l.startswith(("id ", "district", "city"))]
    (folder / "plan.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(catalog.PlanCatalogError) as err:
        catalog.load_plan_version(db, folder, "planner")
    assert codes(err) == [("catalog.identity_required", "plan.toml", "")]


def test_the_stored_plan_equals_the_folder(db):
    catalog.load_plan_version(db, PLANS / "shashi-15", "planner")
    stored, folder = catalog.stored_plan(db, "shashi-15"), load_plan(PLANS / "shashi-15")
    assert stored.config == folder.config
    pd.testing.assert_frame_equal(stored.indicators, folder.indicators)
    pd.testing.assert_frame_equal(stored.tasks, folder.tasks)
    with pytest.raises(catalog.PlanCatalogError) as err:
        catalog.stored_plan(db, "nowhere-15")
    assert codes(err) == [("catalog.unknown_plan", "", "nowhere-15")]


# --- archiving ---------------------------------------------------------------------------------------

def test_an_archived_plan_is_read_only(db, tmp_path):
    catalog.load_plan_version(db, DATA, "planner")
    scoped = db.plan(SEED_PLAN)
    kept = submit(scoped, UNIT, [("Y01", 2025, 4, 5.8)], auto_adopt=True)
    pending = submit(scoped, UNIT, [("Y01", 2025, 3, 5.5)])
    catalog.archive_plan(db, SEED_PLAN, "planner")
    before = dump(db)
    for write in (lambda: submit(scoped, UNIT, [("Y01", 2025, 4, 6.0)]),
                  lambda: scoped.adopt(pending.submission_id, "planner"),
                  lambda: scoped.revoke(kept.submission_id, "planner", "更正"),
                  lambda: scoped.set_annual_target("B01", 2025, 3.2, "planner"),
                  lambda: scoped.set_baseline("Y03", 85.2, "planner")):
        with pytest.raises(StoreError) as err:
            write()
        assert err.value.code == "store.plan_archived"
    assert dump(db) == before
    assert scoped.effective_indicator_progress()["value"].tolist() == [5.8]     # still readable
    late = copy_plan(DATA, tmp_path / "late")
    edit_indicators(late, lambda f: f.assign(target_value=f["target_value"].where(f["indicator_id"] != "Y03", "91")))
    with pytest.raises(catalog.PlanCatalogError) as err:
        catalog.load_plan_version(db, late, "planner")
    assert codes(err) == [("catalog.archived", "plan.toml", SEED_PLAN)]
    assert catalog.load_plan_version(db, DATA, "planner").changed is False      # the same files: nothing to refuse
    with pytest.raises(catalog.PlanCatalogError) as err:
        catalog.archive_plan(db, SEED_PLAN, "planner")
    assert codes(err) == [("catalog.already_archived", "", SEED_PLAN)]
    assert catalog.list_plans(db)["state_label"].tolist() == ["已归档"]


def test_writing_to_a_plan_that_is_not_loaded_is_refused(db):
    with pytest.raises(StoreError) as err:
        submit(db.plan("shashi-15"), UNIT, [("Y01", 2026, 1, 6.0)])
    assert err.value.code == "store.unknown_plan"


def test_an_unscoped_store_refuses_data_access(db):
    with pytest.raises(StoreError) as err:
        db.submissions()
    assert err.value.code == "store.not_scoped"


# --- isolation: two plans of one district, two districts, one database ---------------------------------

@pytest.fixture
def city(db):
    for folder in (DATA, PLANS / "shashi-15", PLANS / "shili-15"):
        catalog.load_plan_version(db, folder, "system")
    return db


def test_each_plan_sees_only_its_own_submissions(city):
    old, new, other = (city.plan(p) for p in (SEED_PLAN, "shashi-15", "shili-15"))
    a = submit(old, UNIT, [("Y01", 2025, 4, 5.8)], data=b"same bytes")
    b = submit(new, UNIT, [("Y01", 2026, 1, 6.1)], data=b"same bytes")        # same unit name, same file: another plan
    c = submit(other, UNIT, [("Y01", 2026, 1, 5.2)], data=b"shili bytes")     # 示例区 has its own 区发改局
    assert not b.duplicate and len({a.submission_id, b.submission_id, c.submission_id}) == 3
    assert old.submissions()["id"].tolist() == [a.submission_id]
    assert new.submissions()["id"].tolist() == [b.submission_id]
    assert other.submissions(unit=UNIT)["id"].tolist() == [c.submission_id]
    assert other.reported_items(2026, 1)["submission_id"].tolist() == [c.submission_id]
    assert new.submission_file(b.submission_id) == b"same bytes"
    assert other.submission_file(a.submission_id) is None
    assert other.submission_rows(a.submission_id).indicator_rows.empty
    assert len(dump(city)["uploaded_files"]) == 3                               # nothing shared between plans


def test_a_plan_cannot_review_or_read_another_plans_submission(city):
    mine, theirs = city.plan("shili-15"), city.plan(SEED_PLAN)
    pending = submit(theirs, UNIT, [("Y01", 2025, 4, 5.8)])
    before = dump(city)
    for act in (lambda: mine.adopt(pending.submission_id, "planner"),
                lambda: mine.return_submission(pending.submission_id, "planner", "不是本区的"),
                lambda: mine.submission(pending.submission_id)):
        with pytest.raises(StoreError) as err:
            act()
        assert err.value.code == "store.not_found"
    assert dump(city) == before
    assert mine.submission_events(pending.submission_id).empty


def test_settings_and_history_stay_in_their_plan(city):
    old, new = city.plan(SEED_PLAN), city.plan("shashi-15")
    old.set_annual_target("B01", 2025, 3.2, "planner")
    new.set_annual_target("B02", 2026, 3.0, "planner")
    new.set_baseline("Y04", 90.1, "planner", "上期规划期末值")
    assert old.annual_targets()[["indicator_id", "year"]].values.tolist() == [["B01", 2025]]
    assert new.annual_targets()[["indicator_id", "year"]].values.tolist() == [["B02", 2026]]
    assert old.baselines().empty and new.baselines()["baseline_value"].tolist() == [90.1]
    assert old.history("B02").empty and len(new.history("B02")) == 1
    assert old.data_version() != new.data_version()


def test_first_start_loads_every_configured_plan_and_its_sample(store_url, monkeypatch):
    from lib.plan_catalog import ready_store
    monkeypatch.setenv("PLANMON_PLAN_DIRS", ALL_PLAN_DIRS)
    scoped = ready_store(load_plan(DATA), store_url)
    try:
        assert scoped.plan_id == SEED_PLAN
        listed = catalog.list_plans(scoped)
        assert listed["plan_id"].tolist() == [SEED_PLAN, "shashi-15", "shili-15"]
        assert listed["district"].tolist() == ["沙市区", "沙市区", "示例区"]
        for plan_id in ("shashi-15", "shili-15"):
            rows = scoped.plan(plan_id).effective_indicator_progress()
            assert set(rows["year"]) == {2026} and set(rows["quarter"]) == {1, 2, 3}
        assert set(scoped.effective_indicator_progress()["year"]) == set(range(2021, 2026))
        before = dump(scoped)
        ready_store(load_plan(DATA), store_url)                                 # a second start changes nothing
        assert dump(scoped) == before
    finally:
        open_store(store_url).close()
