"""What an account may read: the one rule every page and list applies before showing a plan.

| role | reads |
|---|---|
| not signed in (public browsing) | every plan |
| `department`, `leader`, `planning` | the plans of its own district |
| `city` | the plans of every district of its city |

An account stored before districts existed has no district: it reads every plan (one-district deployments).
"""
from __future__ import annotations

import pandas as pd


def readable_plan_ids(account: object | None, plans: pd.DataFrame) -> list[str]:
    """The plan ids of `plans` (`lib.plan_catalog.list_plans` rows) that `account` may read, in their order."""
    if account is None:
        return plans["plan_id"].tolist()
    role = getattr(getattr(account, "role", None), "value", None)
    city, district = getattr(account, "city_id", None), getattr(account, "district_id", None)
    if role == "city":
        return plans.loc[plans["city_id"] == city, "plan_id"].tolist() if city else []
    if district:
        return plans.loc[plans["district_id"] == district, "plan_id"].tolist()
    return plans["plan_id"].tolist()
