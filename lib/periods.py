"""Quarters and the share of the plan period they represent; the time zone dates are shown in.

The one home of how a quarter is written: `Period.label` ("2023Q2": files, URLs, tables, chart axes),
`Period.chinese` ("2023年第二季度": titles and sentences), `Period.short_label` ("23年Q2": a phone's column
heading), and `period_labels` for whole columns of years and quarters."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from lib.fmt import chinese_numeral

# The district's local time: submission times are stored in UTC and shown, dated and judged late in this zone.
TIME_ZONE = ZoneInfo("Asia/Shanghai")

_PERIOD = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How a quarter is written everywhere (files, URLs, tables): 2023Q2."""
        return f"{self.year}Q{self.quarter}"

    @property
    def chinese(self) -> str:
        """How a quarter reads in a sentence or a title: 2023年第二季度."""
        return f"{self.year}年第{chinese_numeral(self.quarter)}季度"

    @property
    def short_label(self) -> str:
        """A column heading a phone can fit four of: 23年Q2."""
        return f"{self.year % 100:02d}年Q{self.quarter}"

    @property
    def end(self) -> date:
        """The quarter's last day (2023Q2 → 2023-06-30), from which report deadlines count."""
        month = self.quarter * 3
        return date(self.year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)

    @property
    def index(self) -> int:
        """Monotone integer key: year * 4 + quarter - 1."""
        return period_index(self.year, self.quarter)

    @classmethod
    def parse(cls, text: str) -> "Period":
        m = _PERIOD.match(str(text))
        if not m:
            raise ValueError(f"期间“{text}”格式不对,应写作 2023Q2")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def from_index(cls, index: int) -> "Period":
        return cls(int(index) // 4, int(index) % 4 + 1)


def period_labels(years, quarters) -> np.ndarray:
    """`Period.label` of whole columns (lists, numpy arrays or pandas Series, in their order): an object
    array of "2023Q2" texts, "" where the year or the quarter is missing."""
    y, q = np.asarray(years, dtype=float), np.asarray(quarters, dtype=float)
    known = np.isfinite(y) & np.isfinite(q)
    out = np.full(y.shape, "", dtype=object)
    out[known] = [Period(int(a), int(b)).label for a, b in zip(y[known], q[known])]
    return out


def period_index(year, quarter):
    """Works on scalars and on numpy/pandas arrays alike."""
    return year * 4 + quarter - 1


def time_elapsed(year, quarter, base_year: int, target_year: int):
    """τ(y, q) = ((y − (B+1)) + q/4) / (T − B), clipped to [0, 1]; vectorised."""
    tau = ((np.asarray(year, dtype=float) - (base_year + 1)) + np.asarray(quarter, dtype=float) / 4) / (target_year - base_year)
    tau = np.clip(tau, 0.0, 1.0)
    return float(tau) if tau.ndim == 0 else tau


def plan_periods(base_year: int, target_year: int) -> list[Period]:
    return [Period(y, q) for y in range(base_year + 1, target_year + 1) for q in (1, 2, 3, 4)]


def today() -> date:
    """Today's date in the plans' time zone (Beijing), whatever the server's clock zone."""
    return datetime.now(TIME_ZONE).date()
