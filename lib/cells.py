"""One cell value as the user typed it: blank or not, a number, a year, a quarter, text (part of lib.workbook's
reader). Each function takes what calamine gives (str, int, float, bool, datetime …) and never raises.

Numbers: full-width digits and signs, thousands separators and a trailing % are accepted (NFKC first);
booleans, dates, NaN and inf are not numbers. Years are four digits (2023, 2023.0, "2023年"); quarters
are 1–4, Q1–Q4, 第一季度 … 第四季度. Text keeps everything but control characters.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np
import pandas as pd

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?年?$")
_CHINESE_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"^(?:Q([1-4])|第?([1-4一二三四])季度?|([1-4])(?:\.0+)?)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_TYPES = (dt.date, dt.datetime, dt.time, dt.timedelta, pd.Timestamp)

NUM_OK, NUM_EMPTY, NUM_DATE, NUM_BAD = "ok", "empty", "date", "bad"


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NaT


def show(value: object) -> str:
    """A cell value as the user would recognise it in a message."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".10g")
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d") if (value.hour, value.minute, value.second) == (0, 0, 0) else str(value)
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _nfkc(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).replace("\u2212", "-")
    return "".join(text.split())


def parse_number(value: object) -> tuple[float | None, str, bool]:
    """(number, status, had_percent_sign). Booleans and dates are not numbers; nor are NaN or inf."""
    if isinstance(value, bool):
        return None, NUM_BAD, False
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None, NUM_EMPTY, False
        number = float(value)
        return (number, NUM_OK, False) if math.isfinite(number) else (None, NUM_BAD, False)
    if isinstance(value, _DATE_TYPES):
        return None, NUM_DATE, False
    if is_blank(value):
        return None, NUM_EMPTY, False
    text = _nfkc(value)
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return None, NUM_BAD, False
    number = float(text)
    return (number, NUM_OK, percent) if math.isfinite(number) else (None, NUM_BAD, False)


def parse_year(value: object) -> int | None:
    if isinstance(value, bool) or isinstance(value, _DATE_TYPES):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 1000 <= value <= 9999 else None
    if isinstance(value, int):
        return value if 1000 <= value <= 9999 else None
    m = _YEAR.match(_nfkc(value))
    return int(m.group(1)) if m else None


def parse_quarter(value: object) -> int | None:
    if isinstance(value, bool) or isinstance(value, _DATE_TYPES):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value) in (1.0, 2.0, 3.0, 4.0) else None
    m = _QUARTER.match(_nfkc(value).upper())
    if not m:
        return None
    return _CHINESE_QUARTER[next(g for g in m.groups() if g)]


def clean_text(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return show(value)


def normalise_id(value: object) -> str:
    return _nfkc(value).upper()


def _cached(fn: Callable[[object], Any]) -> Callable[[object], Any]:
    cache: dict[tuple[type, object], Any] = {}

    def wrapper(value: object) -> Any:
        try:
            key = (type(value), value)
            if key in cache:
                return cache[key]
            result = cache[key] = fn(value)
            return result
        except TypeError:  # unhashable: never from calamine, but stay total
            return fn(value)
    return wrapper



def column_map(fn: Callable[[object], Any], column: list[object]) -> np.ndarray:
    """fn of every cell of a column (an object array), called once per distinct (type, value) as `_cached`
    keys it, without a Python call per cell (see `group_codes`). fn sees the first cell of each group."""
    return grouped_map(fn, group_codes(column), column)


def group_codes(column: list[object]) -> np.ndarray:
    """Per cell, the number of its (type, value) group, numbered in order of first appearance: grouped in C
    (pandas.factorize), with the type kept apart so that 1, 1.0 and True, or None and NaN, stay distinct. A
    column of one type (most of them) is grouped by value alone. Unhashable cells (never from calamine) each
    get a group of their own."""
    n = len(column)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    cells = np.empty(n, dtype=object)
    cells[:] = column
    try:
        # The empty cells share the sentinel -1, renumbered in place; use_na_sentinel=False would do the same
        # with one more pass over the column (isna), the largest part of the grouping's time.
        codes, _ = pd.factorize(cells)
        if codes.min() < 0:
            codes, _ = pd.factorize(codes)
        if len(set(map(type, column))) > 1:
            type_codes, types = pd.factorize(np.fromiter(map(type, column), dtype=object, count=n))
            codes, _ = pd.factorize(codes.astype(np.int64) * len(types) + type_codes)
    except TypeError:
        return np.arange(n, dtype=np.int64)
    return codes.astype(np.int64, copy=False)


def joint_codes(*codes: np.ndarray) -> np.ndarray:
    """Group numbers of the rows' combinations of several `group_codes` (first appearance order kept)."""
    out = codes[0]
    for more in codes[1:]:
        if len(out) == 0:
            break
        out, _ = pd.factorize(out * (int(more.max()) + 1) + more)
        out = out.astype(np.int64, copy=False)
    return out


def grouped_map(fn: Callable[..., Any], codes: np.ndarray, *columns: Sequence[Any], dtype: Any = object) -> np.ndarray:
    """fn(*the row's cells of `columns`) for every row, called once per group of `codes`, on the group's
    first row: rows of one group must give fn the same answer (they hold equal cells). With a `dtype` (bool,
    float) the answers are converted per group, before they are spread over the rows."""
    if len(codes) == 0:
        return np.empty(0, dtype=dtype)
    groups = int(codes.max()) + 1
    results = np.empty(groups, dtype=object)
    for j, i in enumerate(_first_of_each(codes, groups).tolist()):
        results[j] = fn(*(column[i] for column in columns))
    return (results if dtype is object else results.astype(dtype))[codes]


def _first_of_each(codes: np.ndarray, groups: int) -> np.ndarray:
    """The index of the first cell of each group 0 … groups - 1. pandas.factorize numbers the groups in
    the order they first appear, so each first cell is where the running maximum grows; that is checked,
    and np.unique (a sort) answers when it does not hold."""
    running = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.concatenate(([True], running[1:] > running[:-1])))
    if len(first) == groups and np.array_equal(codes[first], np.arange(groups)):
        return first
    return np.unique(codes, return_index=True)[1]
