"""The global view (as-of quarter, category, section, unit) in the sidebar, mirrored in the URL for shared links."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from lib import charts, fmt
from lib.fmt import chinese_numeral
from lib.periods import Period
from lib.plan import Plan
from lib.schema import CATEGORIES

if TYPE_CHECKING:
    from ui.data import Data


def unit_options(p: Plan) -> list[str]:
    """Reporting units first (departments, towns, subdistricts), then groups."""
    return p.units.reporting_units() + [u for u, info in p.units.units.items() if info.is_group]


ALL = "全部"


_VIEW_KEYS = {"as_of": "v_as_of", "category": "v_category", "section": "v_section", "unit": "v_unit"}


@dataclass(frozen=True)
class View:
    as_of: Period
    category: str | None
    section: int | None
    unit: str | None

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.category, self.section, self.unit))


def _held(key: str) -> str:
    """The session key that keeps a view widget's value between runs, apart from the widget."""
    return f"{key}_held"


def _hold(key: str) -> None:
    """on_change: the visitor's choice becomes the held value."""
    st.session_state[_held(key)] = st.session_state[key]


def _restore(key: str, param: str, options: list) -> None:
    """Before a view widget is drawn, give it the held value (first: a shared link's, else the default). The
    widgets sit in popovers the browser builds only when opened, and Streamlit keeps an unbuilt widget's value
    for one page switch only: held apart from the widget, a linked quarter or filter survives every page."""
    held = st.session_state.get(_held(key), st.session_state.get(key))
    if held is None:
        raw = st.query_params.get(param)
        held = next((o for o in options if str(o) == raw), options[0])
    elif held not in options:
        held = options[0]   # e.g. a period another plan has no data for
    st.session_state[key] = st.session_state[_held(key)] = held


def _view_widget(widget, label: str, name: str, options: dict[str, list], **kwargs) -> None:
    """A view widget (st.radio or st.selectbox) that hands each choice to its held value."""
    key = _VIEW_KEYS[name]
    widget(label, options[name], key=key, on_change=_hold, args=(key,), **kwargs)


def _options(p: Plan, periods: list[Period]) -> dict[str, list]:
    return {
        "as_of": list(reversed(periods or p.periods[:1])),
        "category": [ALL, *CATEGORIES],
        "section": [ALL, *p.sections["section_no"].tolist()],
        "unit": [ALL, *unit_options(p)],
    }


_FILTERS = ("category", "section", "unit")


def filter_summary(category: str, section: str, unit: str) -> tuple[str, str]:
    """The filter popover's label (what is chosen, or 筛选:全部; e.g. "筛选:约束性 · 区发改局"), each choice
    cut to fit the sidebar, and the full text for its hover help."""
    chosen = [v for v in (category, section, unit) if v != ALL]
    label = "筛选:" + (" · ".join(fmt.abbreviate(v, 12) for v in chosen) if chosen else "全部")
    return label, "筛选:" + (" · ".join(chosen) if chosen else "全部")


def _section_name(section: int | str, titles: dict[int, str]) -> str:
    """A section's whole name ("八、改善人民生活品质、建设幸福宜居首善区"), or 全部."""
    return section if section == ALL else f"{chinese_numeral(section)}、{titles[section]}"


def _view_from_state(options: dict[str, list]) -> View:
    value = {name: st.session_state.get(key, options[name][0]) for name, key in _VIEW_KEYS.items()}
    return View(value["as_of"], None if value["category"] == ALL else value["category"],
                None if value["section"] == ALL else int(value["section"]), None if value["unit"] == ALL else value["unit"])


def view_sidebar(p: Plan, periods: list[Period]) -> View:
    """Render the global as-of selector and filters in the sidebar (from the entry script, so the widgets
    and their state are shared by every page); mirror them into the URL; return the view."""
    options = _options(p, periods)
    for name, key in _VIEW_KEYS.items():
        _restore(key, name, options[name])
    titles = dict(zip(p.sections["section_no"], p.sections["section_title"]))
    chosen = {n: st.session_state[_VIEW_KEYS[n]] for n in _FILTERS}
    with st.sidebar:
        st.markdown("**查看范围**")
        # Radios in popovers labelled with what they hold, not dropdowns: the browser builds a popover's widgets
        # only when it is opened, and a dropdown on the page costs every page's load about 20 more scripts
        # (bench/pages.py).
        as_of = st.session_state[_VIEW_KEYS["as_of"]]
        with st.popover(f"截至 {period_label(as_of)}", icon=":material/calendar_month:", width="stretch"):
            _view_widget(st.radio, "截至季度", "as_of", options, format_func=period_label)
            st.caption("评估以该季度末为准,之后的数据不计入;默认是数据中最新的季度。")
        label, full = filter_summary(chosen["category"], _section_name(chosen["section"], titles), chosen["unit"])
        with st.popover(label, icon=":material/filter_alt:", width="stretch", help=full if full != label else None):
            _view_widget(st.selectbox, "指标类别", "category", options)
            _view_widget(st.selectbox, "任务篇章", "section", options,
                         format_func=lambda s: s if s == ALL else charts.section_label(s, titles[s]))
            _view_widget(st.selectbox, "责任单位", "unit", options,
                         help="只看该单位牵头或负责的指标和任务(含通过别名、组团分到的);「责任单位」页据此显示该单位")
    view = _view_from_state(options)
    _mirror_to_url(view, options["as_of"][0])
    return view


def url_widget_value(key: str, param: str, default: str = "") -> None:
    """Before a page's own widget is drawn: on first show, take its value from the URL (a shared link)."""
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, default)


def mirror_param(param: str, value: str | None, default: str | None = None) -> None:
    """Write a page's widget value into the URL (dropped when it is the default), so a copied link keeps it."""
    if value is None or value == default or value == "":
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def current_view(d: "Data") -> View:
    """The view the sidebar (rendered by dashboard.py) currently shows."""
    return _view_from_state(_options(d.plan, d.periods))


def _mirror_to_url(view: View, latest: Period) -> None:
    wanted = {"as_of": str(view.as_of) if view.as_of != latest else None, "category": view.category,
              "section": None if view.section is None else str(view.section), "unit": view.unit}
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def period_label(p: Period) -> str:
    return p.chinese
