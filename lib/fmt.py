"""Chinese number formatting: values carry their unit (亿元, 万人, %), one decimal where sensible."""
from __future__ import annotations

import math

import pandas as pd

_COUNT_UNITS = ("人", "家", "个", "件")


def number(value: float | None, digits: int = 1) -> str:
    """12.0 → "12", 12.34 → "12.3", 40000 → "40,000"; missing → "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    value = float(value)
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}"
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def with_unit(value: float | None, unit: str, digits: int = 1) -> str:
    """9.5, "%" → "9.5%"; 40000, "人" → "4万人"; 250.03, "亿元" → "250.03亿元" (money keeps 2 decimals)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit in _COUNT_UNITS and abs(float(value)) >= 10000:
        return f"{number(float(value) / 10000, 2)}万{unit}"
    if unit == "亿元":
        digits = 2
    return f"{number(value, digits)}{unit}"


def percent(share: float | None) -> str:
    """A share 0.4285 → "42.9%"."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.1f}%"


def target_phrase(kind: str, target: float | None, unit: str, ref: str = "") -> str:
    """How the target reads on screen, by kind."""
    if kind == "growth_rate":
        return f"年均增长 {with_unit(target, unit)}"
    if kind == "level_up":
        return f"达到 {with_unit(target, unit)}"
    if kind == "ceiling":
        return f"控制在 {with_unit(target, unit)} 以内"
    if kind == "cumulative":
        return f"五年累计 {with_unit(target, unit)}"
    if kind == "in_step":
        return f"与 {ref} 基本同步"
    return "完成上级下达指标"


def units_text(names: tuple[str, ...] | list[str]) -> str:
    return "、".join(names)
