from __future__ import annotations

import pytest

from lib.units import VIA_ALIAS, VIA_DIRECT, VIA_GROUP, ROLE_LEAD, ROLE_RESPONSIBLE


@pytest.mark.parametrize("written,canonical", [
    ("区市场监督局", "区市场监管局"), ("区环保分局", "区生态环境分局"), ("环保分局", "区生态环境分局"),
    ("区政法委", "区委政法委"), (" 区发改局 ", "区发改局"), ("区发改局\n", "区发改局"), ("胜利街道办事处", "胜利街道"),
    ("各镇、街道", "各镇、街道"), ("区不存在局", None),
])
def test_resolve(plan, written, canonical):
    assert plan.units.resolve(written) == canonical


def test_groups(plan):
    towns = {"锣场镇", "岑河镇", "观音垱镇", "关沮镇"}
    streets = {"中山街道", "崇文街道", "解放街道", "胜利街道", "朝阳街道", "立新街道"}
    assert plan.units.members_of("各镇、街道") == towns | streets
    assert plan.units.members_of("各镇") == towns
    assert plan.units.members_of("各街道") == streets
    assert plan.units.members_of("区营商环境工作领导小组成员单位") == set()
    assert "区发改局" in plan.units.members_of("区政府各部门")
    assert set(plan.units.groups_of("胜利街道")) == {"各镇、街道", "各街道"}


def _resp(plan, unit):
    return plan.responsibilities(unit).set_index("item_id")


def test_subdistrict_through_group(plan):
    r = _resp(plan, "胜利街道")
    assert (r.at["T01-01", "role"], r.at["T01-01", "via"], r.at["T01-01", "named_as"]) == (ROLE_RESPONSIBLE, VIA_GROUP, "各镇、街道")
    assert r.at["T01-02", "named_as"] == "各街道"          # 建设现代化中心城区: 各街道
    assert "T01-03" not in r.index                          # 全面推进乡村振兴: 各镇 only
    assert "Y01" not in r.index


def test_alias_unit(plan):
    r = _resp(plan, "区市场监管局")
    assert (r.at["Y06", "role"], r.at["Y06", "via"]) == (ROLE_RESPONSIBLE, VIA_DIRECT)
    assert (r.at["T04-01", "role"], r.at["T04-01", "via"], r.at["T04-01", "named_as"]) == (ROLE_RESPONSIBLE, VIA_ALIAS, "区市场监督局")


def test_strongest_naming_wins(plan):
    r = _resp(plan, "区发改局")
    # T10-02: lead directly, and also responsible through 区政府各部门 → lead, direct
    assert (r.at["T10-02", "role"], r.at["T10-02", "via"]) == (ROLE_LEAD, VIA_DIRECT)
    assert (r.at["T10-01", "role"], r.at["T10-01", "via"]) == (ROLE_RESPONSIBLE, VIA_GROUP)
    eco = _resp(plan, "区生态环境分局")
    assert (eco.at["T07-01", "role"], eco.at["T07-01", "via"]) == (ROLE_LEAD, VIA_ALIAS)
    assert (eco.at["T07-04", "via"], eco.at["T07-04", "named_as"]) == (VIA_ALIAS, "环保分局")
    assert {"B02", "B03", "B04"} <= set(eco.index)


def test_closest_names(plan):
    assert plan.units.closest("区市场局")[0] == "区市场监管局"
    assert "区发改局" in plan.units.closest("发改局")
