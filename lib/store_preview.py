"""What adopting a file would change (the upload page and the review page show it before anyone decides).

Row by row, the new rows are compared with the effective rows they would replace: 新增 (nothing there yet),
变更 (a field differs; `changed` names the fields in Chinese) or 未变. The annual target compared is the one
that would be effective (`lib.targets`: an office setting still wins). `Store.preview` reads the store and
calls `preview`.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from lib.schema import INDICATOR_PROGRESS_KEY, INDICATOR_SHEET, TASK_PROGRESS_KEY, TASK_SHEET
from lib.store_labels import indicator_text, period_text, task_text
from lib.targets import with_office_targets

CHANGE_NEW, CHANGE_CHANGED, CHANGE_SAME = "新增", "变更", "未变"
PREVIEW_COLUMNS = ["sheet", "row", "item_id", "period", "unit", "change", "changed", "old", "new"]


def same(a: object, b: object) -> bool:
    """Equal as the office reads them: both empty, numbers equal to 1e-12, or the same text."""
    a_na, b_na = a is None or pd.isna(a), b is None or pd.isna(b)
    if a_na or b_na:
        return a_na and b_na
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return str(a) == str(b)


def compare(new: pd.DataFrame, old: pd.DataFrame, key: list[str], fields: dict[str, str], sheet: str,
            describe: Callable[[pd.Series | dict], str]) -> pd.DataFrame:
    """Row-by-row comparison of `new` with the effective rows `old` (indexed by `key`)."""
    out = []
    for rec in new.to_dict("records"):
        k = tuple(rec[c] for c in key)
        before = old.loc[k] if k in old.index else None
        if before is None:
            change, changed, old_text = CHANGE_NEW, "", ""
        else:
            diff = [label for f, label in fields.items() if not same(rec[f], before[f])]
            change, changed, old_text = (CHANGE_CHANGED if diff else CHANGE_SAME), "、".join(diff), describe(before)
        out.append({"sheet": sheet, "row": rec["row"], "item_id": rec[key[0]], "period": period_text(rec["year"], rec["quarter"]),
                    "unit": rec["unit"], "change": change, "changed": changed, "old": old_text, "new": describe(rec)})
    return pd.DataFrame(out)


def indicator_changes(new: pd.DataFrame, effective: pd.DataFrame, office: pd.DataFrame | None) -> pd.DataFrame:
    if len(new) == 0:
        return pd.DataFrame()
    new = with_office_targets(new, office)
    fields = {"value": INDICATOR_SHEET.label_of("value"), "annual_target": INDICATOR_SHEET.label_of("annual_target")}
    return compare(new, effective.set_index(INDICATOR_PROGRESS_KEY), INDICATOR_PROGRESS_KEY, fields, INDICATOR_SHEET.label,
                   indicator_text)


def task_changes(new: pd.DataFrame, effective: pd.DataFrame) -> pd.DataFrame:
    if len(new) == 0:
        return pd.DataFrame()
    fields = {c: TASK_SHEET.label_of(c) for c in ("state", "percent", "progress", "problems", "next_steps")}
    return compare(new, effective.set_index(TASK_PROGRESS_KEY), TASK_PROGRESS_KEY, fields, TASK_SHEET.label, task_text)


def preview(indicator_changes_: pd.DataFrame, task_changes_: pd.DataFrame) -> pd.DataFrame:
    """Both sheets' changes as one table of PREVIEW_COLUMNS (row as Int64: a web-entry row has none)."""
    out = [o for o in (indicator_changes_, task_changes_) if not o.empty]
    if not out:
        return pd.DataFrame(columns=PREVIEW_COLUMNS)
    frame = pd.concat(out, ignore_index=True)[PREVIEW_COLUMNS]
    frame["row"] = frame["row"].astype("Int64")
    return frame
