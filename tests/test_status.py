"""lib.status: the one place for labels, colours and icons — monitoring vs final labels, outlook, 红黄绿 light."""
from __future__ import annotations

import pytest

from lib.status import (AMBER, GREY, OUTLOOK_LOOK, RED, STATUS_LOOK, Outlook, Status, badge, is_final,
                        light_look, outlook_label, status_label, task_badge, task_status_label)


@pytest.mark.parametrize("status,tau,label", [
    ("achieved", 0.5, "提前实现"), ("ahead", 0.5, "快于预期"), ("on_track", 0.5, "基本符合预期"),
    ("behind", 0.5, "滞后"), ("no_data", 0.5, "数据缺失"), ("achieved", None, "提前实现"),
    ("achieved", 1.0, "已完成"), ("on_track", 1.0, "基本完成"), ("behind", 1.0, "未完成"), ("no_data", 1.0, "数据缺失"),
    ("behind", 1 - 1e-10, "未完成"),          # within the 1e-9 allowance
    ("behind", 0.95, "滞后"),                 # 2025Q3 is not the end
])
def test_status_label(status, tau, label):
    assert status_label(status, tau) == label


@pytest.mark.parametrize("status,tau,text", [("behind", 0.5, "▼ 滞后"), ("behind", 1.0, "▼ 未完成"), ("achieved", 1.0, "★ 已完成")])
def test_badge(status, tau, text):
    assert badge(status, tau) == text


@pytest.mark.parametrize("status,final,label", [
    ("done", False, "已完成"), ("on_track", False, "正常推进"), ("not_reported", False, "未报送"),
    ("done", True, "已完成"), ("on_track", True, "未完成"), ("behind", True, "未完成"), ("not_started", True, "未完成"),
    ("not_reported", True, "未完成"),
])
def test_task_status_label(status, final, label):
    assert task_status_label(status, final) == label
    assert task_badge(status, final).endswith(" " + label)


@pytest.mark.parametrize("tau,final", [(None, False), (0.0, False), (0.95, False), (1 - 2e-9, False), (1 - 1e-10, True), (1.0, True),
                                       (float("nan"), False)])
def test_is_final(tau, final):
    assert is_final(tau) is final


@pytest.mark.parametrize("outlook,label", [("likely", "预计可完成"), ("at_risk", "预计难以完成"), (None, ""), ("", ""),
                                           (float("nan"), "")])
def test_outlook_label(outlook, label):
    assert outlook_label(outlook) == label


@pytest.mark.parametrize("status,outlook,colour", [
    ("behind", "at_risk", RED), ("behind", "likely", RED), ("behind", None, RED),
    ("ahead", "at_risk", AMBER), ("on_track", "at_risk", AMBER),
    ("ahead", "likely", STATUS_LOOK[Status.AHEAD].colour), ("on_track", None, STATUS_LOOK[Status.ON_TRACK].colour),
    ("achieved", None, STATUS_LOOK[Status.ACHIEVED].colour), ("no_data", None, GREY),
])
def test_light_look_colour(status, outlook, colour):
    assert light_look(status, outlook).colour == colour


def test_amber_is_told_apart_without_colour():
    icons = [light_look(s).icon for s in Status] + [light_look(Status.ON_TRACK, Outlook.AT_RISK).icon]
    assert len(set(icons)) == len(icons)
    assert OUTLOOK_LOOK[Outlook.AT_RISK].colour == AMBER
