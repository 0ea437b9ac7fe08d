"""User text is shown as text: an image or a link written in Markdown (or HTML) in a 依据/备注, 工作进展/
存在问题/下步计划, a file name or a rejection reason appears literally on every page that shows it —
nothing is loaded from an outside address and no link is made."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from tests.apptest import open_indicator_detail, open_task_sections
from tests.conftest import seed_plan_store
from tests.test_pages_upload import app, env, plain, sign_in  # noqa: F401 (fixture)
from tests.test_store import indicator_rows, task_rows

IMAGE = "![x](http://example.invalid/a.png)"
LINK = "[link](http://example.invalid/page)"
HOSTILE = f"{IMAGE} 见 {LINK} <img src=http://example.invalid/b.png>"
RAW_MARKS = ("![x](", "[link](", "<img", "http://")   # a bare URL would be autolinked
MARKDOWN_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader")
UNIT = "区发改局"


@pytest.fixture
def hostile(env):
    """The store holds HOSTILE in every user-entered text field the pages show."""
    import ui
    ui.store()   # seeded first, as on a real first start
    store = seed_plan_store(env)
    store.set_baseline("Y01", 1234.5, "planner", HOSTILE)
    tasks = task_rows(UNIT, [("T01-01", 2025, 4, "滞后", 10, HOSTILE)])
    tasks["problems"], tasks["next_steps"] = HOSTILE, HOSTILE
    adopted = store.submit(UNIT, "dept01", f"{HOSTILE}.xlsx", b"adopted file",
                           indicator_rows(UNIT, [("Y01", 2025, 4, 2000.0, float("nan"), HOSTILE)]), tasks, auto_adopt=False)
    store.adopt(adopted.submission_id, "planner")
    returned = store.submit(UNIT, "dept01", f"{HOSTILE}-2.xlsx", b"returned file",
                            indicator_rows(UNIT, [("Y01", 2025, 4, 2100.0)]), None, auto_adopt=False)
    store.return_submission(returned.submission_id, "planner", HOSTILE)
    return returned.submission_id


def markdown_values(at) -> list[str]:
    """What the page renders through Markdown: element bodies, expander and tab labels."""
    out = [e.value for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    out += [e.label for e in at.expander] + [e.label for e in at.tabs]
    return out


def shown_values(at) -> list[str]:
    """Everything the page shows, as the reader sees it (Markdown escapes removed)."""
    out = [plain(v).replace("\u2060", "") for v in markdown_values(at)] + [e.value for e in at.text]
    for frame in at.dataframe:
        out += [str(v) for v in pd.DataFrame(frame.value).astype(str).to_numpy().ravel()]
    out += [html.unescape(e.proto.body) for e in at.get("html")]
    return out


def assert_literal(at) -> None:
    assert not at.exception, at.exception
    unescaped = [re.sub(r"\\.", "", v) for v in markdown_values(at)]   # what Markdown would still interpret
    leaked = [v for v in unescaped if any(m in v for m in RAW_MARKS[:3])]
    leaked += [v for v in map(plain, markdown_values(at)) if "http://" in v]   # GFM autolinks bare URLs
    assert leaked == []
    assert any(IMAGE in v and LINK in v for v in shown_values(at)), "the hostile text is shown somewhere, as text"


@pytest.mark.parametrize("page,setup", [
    ("app_pages/indicators.py", lambda at: open_indicator_detail(at.radio(key="ind_pick").set_value("Y01").run())),
    ("app_pages/tasks.py", open_task_sections),
    ("app_pages/overview.py", lambda at: at),
])
def test_browse_pages_show_user_text_literally(hostile, page, setup):
    at = app()
    at.switch_page(page).run()
    setup(at)
    assert_literal(at)


def test_indicator_baseline_note_is_plain(hostile):
    at = app()
    at.switch_page("app_pages/indicators.py").run()
    at.radio(key="ind_pick").set_value("Y01").run()
    open_indicator_detail(at)   # the caption is in the detail, built when it is opened
    (caption,) = [c.value for c in at.caption if c.value.startswith("基期值来源")]
    assert plain(caption).replace("\u2060", "").endswith(f":{HOSTILE}")
    assert "\\!\\[x\\]\\(http\u2060\\://example\\.invalid/a\\.png\\)" in caption


def test_review_page_shows_file_name_and_reason_literally(hostile):
    at = sign_in(app(), "planner")
    at.switch_page("app_pages/review.py").run()
    at.selectbox(key="rv_state").set_value("全部").run()
    at.selectbox(key="rv_pick").select(hostile).run()
    assert_literal(at)
    assert f"文件名:{HOSTILE}-2.xlsx" in [t.value for t in at.text]
    assert HOSTILE in [t.value for t in at.text]   # the reason it was returned


def test_upload_page_shows_the_rejection_reason_literally(hostile):
    at = sign_in(app(), "dept01")
    at.switch_page("app_pages/upload.py").run()
    assert_literal(at)
    assert HOSTILE in [t.value for t in at.text]
