"""ui.data.shared_frames: a cached result is computed once, and every caller gets frames of its own (what it
changes never reaches the cache or another caller), as st.cache_data promised, without unpickling on each hit."""
import pandas as pd
import streamlit as st

from ui.data import shared_frames

CALLS: list[str] = []


@shared_frames(max_entries=4)
def _table(key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    CALLS.append(key)
    return pd.DataFrame({"名称": ["甲", "乙"], "值": [1.0, 2.0]}), pd.DataFrame({"n": [1]})


def setup_function() -> None:
    st.cache_resource.clear()
    CALLS.clear()


def test_computed_once_per_key() -> None:
    _table("a")
    _table("a")
    _table("b")
    assert CALLS == ["a", "b"]


def test_a_callers_changes_stay_its_own() -> None:
    first, _ = _table("a")
    first["值"] = first["值"] * 100        # a column replaced
    first.loc[0, "名称"] = "改"            # a cell written
    first["新列"] = 1                      # a column added
    again, other = _table("a")
    assert again.to_dict("list") == {"名称": ["甲", "乙"], "值": [1.0, 2.0]}
    assert other.to_dict("list") == {"n": [1]}
    assert CALLS == ["a"]


def test_clear_recomputes() -> None:
    _table("a")
    _table.clear()
    _table("a")
    assert CALLS == ["a", "a"]
