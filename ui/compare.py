"""区县对比: which districts a viewer may compare, and the comparison, cached per plan and data version."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from lib import compare, settings
from lib.plan import Plan
from lib.plan_catalog import stored_plan
from ui.auth import current_account
from ui.data import root_store

CITY_ROLE = "city"


@dataclass(frozen=True)
class Scope:
    """What the viewer compares: one city (a city account), or every district (public browsing)."""
    city_id: str | None
    label: str


def compare_scope() -> Scope | None:
    """A city account compares its city; anyone else browsing publicly, every district. None: not allowed
    (public browsing off and a district account signed in)."""
    account = current_account()
    if account is not None and getattr(account.role, "value", account.role) == CITY_ROLE:
        city_id = getattr(account, "city_id", None)
        return Scope(city_id, getattr(account, "city", None) or city_id or "本市")
    if settings.get("public_browsing"):
        return Scope(None, "全部区县")
    return None


@st.cache_resource(show_spinner=False, max_entries=64)
def _stored_plan(plan_id: str, versions: int) -> Plan:
    return stored_plan(root_store(), plan_id)


@st.cache_resource(show_spinner="正在汇总各区县的数据…", max_entries=64)
def _district(plan_id: str, key: tuple, today: str, tolerance: tuple, _plans: pd.DataFrame) -> compare.DistrictResult:
    versions = dict(zip(_plans["plan_id"], _plans["versions"]))
    return compare.assess_district(root_store(), plan_id, date.fromisoformat(today), _plans,
                                   lambda pid: _stored_plan(pid, int(versions[pid])))


def comparison(scope: Scope) -> tuple[compare.Comparison, tuple]:
    """The comparison for `scope` and its cache key (changes when any compared plan's data or version does).
    Each district is cached on its own plans' versions and data versions, so an adoption in one district
    re-assesses only that district."""
    root = root_store()
    plans = compare.districts_plans(root, scope.city_id)
    today = date.today()
    state = {pid: (int(v), root.plan(pid).data_version()) for pid, v in zip(plans["plan_id"], plans["versions"])}
    tolerance = (float(settings.get("tolerance")), float(settings.get("tolerance_pp")),
                 int(settings.get("report_deadline_days")))
    results = []
    for pid, district in zip(*[compare.current_plans(plans, today)[c] for c in ("plan_id", "district_id")]):
        own = tuple(sorted((p, state[p]) for p in plans.loc[plans["district_id"] == district, "plan_id"]))
        results.append(_district(pid, own, today.isoformat(), tolerance, plans))
    key = (scope.city_id, today.isoformat(), tolerance, tuple(sorted(state.items())))
    return compare.Comparison(scope.city_id, today, tuple(results)), key
