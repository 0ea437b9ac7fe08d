"""Dates as Chinese official documents write them."""
from __future__ import annotations

from datetime import date


def chinese_date(day: date) -> str:
    """2026-12-01 → "2026年12月1日": no leading zeros (公文 style), e.g. on a print header or a deck cover."""
    return f"{day.year}年{day.month}月{day.day}日"
