"""Chinese number formatting: values carry their unit (亿元, 万人, %). One rule for cards, tables and charts.

The rule: a **reported** value (latest value, target, baseline, assigned target) is shown with the decimals
it was reported with, and at least the unit's usual decimals (亿元 2, others 1) — so 79.45 never shows as
79.5 beside a target of 79.5. A **computed** value (average growth, a projection) is rounded to the digits
its caller names. Rounding is half-up on the decimal digits as written (12.85 → 12.9 and 1.85 → 1.9, where
binary floats would give 12.8), and trailing zeros are dropped (6.90 → 6.9).
"""
from __future__ import annotations

import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

_COUNT_UNITS = ("人", "家", "个", "件")
MAX_DECIMALS = 4  # beyond this a reported decimal is arithmetic noise (0.1 + 0.2), not what was typed
USUAL_DECIMALS = {"亿元": 2}


def usual_digits(unit: str) -> int:
    """The decimals a computed value in `unit` is rounded to (亿元 2, others 1)."""
    return USUAL_DECIMALS.get(unit, 1)


def is_missing(value: object) -> bool:
    """No value: None, pandas' NA and NaT, or a float NaN (what a table cell or a formatter shows as empty/"—")."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def decimals(value: float) -> int:
    """Decimals a value was written with (shortest form): 79.45 → 2, 12.0 → 0, 0.1 + 0.2 → 4 (capped)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return min(MAX_DECIMALS, max(0, -int(exponent)))


def _half_up(value: float, digits: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(value: float | None, digits: int = 1, *, keep: bool = False) -> str:
    """12.0 → "12", 12.34 → "12.3", 12.85 → "12.9", 40000 → "40,000"; missing → "—".
    `keep`: never fewer decimals than the value carries (79.45 stays "79.45")."""
    if is_missing(value):
        return "—"
    value = float(value)
    if keep:
        digits = max(digits, decimals(value))
    text = f"{_half_up(value, digits):,f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def with_unit(value: float | None, unit: str, digits: int | None = None) -> str:
    """9.5, "%" → "9.5%"; 79.45, "岁" → "79.45岁"; 40000, "人" → "4万人"; 250.03, "亿元" → "250.03亿元".
    Without `digits` the reported-value rule applies; with it (computed values) the value is rounded to it."""
    if is_missing(value):
        return "—"
    value = float(value)
    keep = digits is None
    if digits is None:
        digits = usual_digits(unit)
    if unit in _COUNT_UNITS and abs(value) >= 10000:
        return f"{number(value / 10000, max(2, decimals(value) + 4) if keep else 2)}万{unit}"
    return f"{number(value, digits, keep=keep)}{unit}"


def signed(value: float | None, digits: int = 2) -> str:
    """A difference with its sign: −0.16 → "-0.16", 0.5 → "+0.5"."""
    if is_missing(value):
        return "—"
    text = number(value, digits)
    return text if text.startswith("-") or text == "0" else "+" + text


def percent(share: float | None) -> str:
    """A share 0.4285 → "42.9%", 0.5 → "50%" (the same rule: half-up, no trailing zeros)."""
    if is_missing(share):
        return "—"
    return f"{number(float(share) * 100, 1)}%"


# How a target reads, by kind: (on screen — cards, sentences, the plan table; compact — a table cell of the
# evaluation report). {value} is the target with its unit, {ref} the reference indicator's name.
TARGET_WORDING: dict[str, tuple[str, str]] = {
    "growth_rate": ("年均增长 {value}", "年均{value}"),
    "level_up": ("达到 {value}", "{value}"),
    "ceiling": ("控制在 {value} 以内", "≤{value}"),
    "cumulative": ("五年累计 {value}", "累计{value}"),
    "reduction_total": ("五年累计降低 {value}", "累计降低{value}"),
    "in_step": ("与 {ref} 基本同步", "与{ref}同步"),
}
ASSIGNED_TARGET_TEXT = "完成上级下达指标"   # quota: the target is whatever the level above assigns


def target_phrase(kind: str, target: float | None, unit: str, ref: str = "", *, compact: bool = False) -> str:
    """How the target reads, by kind (`TARGET_WORDING`): "年均增长 9%" on screen, "年均9%" compact."""
    wording = TARGET_WORDING.get(kind)
    if wording is None:
        return ASSIGNED_TARGET_TEXT
    return wording[compact].format(value=with_unit(target, str(unit or "")), ref=ref)


def units_text(names: tuple[str, ...] | list[str]) -> str:
    return "、".join(names)


# --- Chinese text for labels (moved here from lib.charts; charts re-exports them) ---------------------

LABEL_CHARS = 10          # names longer than this are cut on axes ("…"); hover shows them in full

_CN_DIGITS = "零一二三四五六七八九"


def abbreviate(text: object, limit: int = LABEL_CHARS) -> str:
    """"地方一般公共预算收入年均增速" → "地方一般公共预算收…" (at most `limit` characters)."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (section numbers 1–99)."""
    n = int(n)
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def display_width(text: object) -> int:
    """How many half-width columns a text takes (an Excel column, a line of a chart note): CJK (wide)
    characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))
