"""年度目标值 (annual targets of quota indicators): the planning office's setting wins.

A quota indicator's target for a year can come from two places: the 年度目标值 column of the departments'
workbooks, and the planning office's setting (`Store.set_annual_target`; the latest one per indicator and
year, cleared ones left out, is `Store.annual_targets()`). The office is the authority on what the higher
level assigned, so its setting for (indicator, year) replaces the workbook's number on every row of that
year. `with_office_targets` is that rule, used by the store's effective progress, the upload preview and
`lib.assess.assess_indicators`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

OFFICE_TARGET_COLUMNS = ["indicator_id", "year", "annual_target"]


def _ids(values: pd.Series) -> pd.Series:
    """Indicator ids compared as the assessment compares them (trimmed, upper case)."""
    return values.astype(str).str.strip().str.upper()


def _settings(office: pd.DataFrame | None) -> pd.Series:
    """The office's targets keyed by (indicator id, year as float); unset and unreadable ones left out."""
    if office is None or len(office) == 0:
        return pd.Series(dtype=float)
    frame = pd.DataFrame({"id": _ids(office["indicator_id"]),
                          "year": pd.to_numeric(office["year"], errors="coerce").astype(float),
                          "target": pd.to_numeric(office["annual_target"], errors="coerce").astype(float)})
    frame = frame.dropna().drop_duplicates(["id", "year"], keep="last")
    return frame.set_index(["id", "year"])["target"]


def with_office_targets(rows: pd.DataFrame, office: pd.DataFrame | None, *, add_years: bool = False) -> pd.DataFrame:
    """A copy of `rows` (indicator_id, year, annual_target, any other columns) whose annual_target is the
    office's setting for that indicator and year wherever there is one. With `add_years`, a setting for a
    year no row carries is appended as a row of its own (the other columns empty): the assessment's
    per-year targets need it, a list of reported rows does not."""
    out = rows.copy()
    settings = _settings(office)
    if settings.empty:
        return out
    ids = _ids(out["indicator_id"]) if len(out) else pd.Series(dtype=str)
    years = pd.to_numeric(out["year"], errors="coerce").astype(float) if len(out) else pd.Series(dtype=float)
    hit = settings.reindex(pd.MultiIndex.from_arrays([ids, years])).to_numpy(dtype=float) if len(out) else np.array([])
    current = pd.to_numeric(out["annual_target"], errors="coerce").to_numpy(dtype=float) if "annual_target" in out else \
        np.full(len(out), np.nan)
    out["annual_target"] = np.where(np.isnan(hit), current, hit)
    if add_years:
        carried = set(zip(ids, years))
        extra = [(i, int(y), t) for (i, y), t in settings.items() if (i, y) not in carried]
        if extra:
            out = pd.concat([out, pd.DataFrame(extra, columns=OFFICE_TARGET_COLUMNS)], ignore_index=True)
    return out
