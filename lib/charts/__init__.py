"""Plotly figures for the dashboard and for meeting slides.

Plain Python (plotly + pandas, never streamlit). Every builder takes a DataFrame shaped like the output of
`lib.assess` / `lib.rollup` and returns a new `go.Figure`; inputs are never changed.

House rules kept by every builder (see `layout._base_layout`):

- statuses take their label, colour, icon and bar pattern from `lib.status` only;
- an explicit `plotly_white` template and a CJK font stack, so nothing depends on Streamlit's template
  (whose placeholder colours turn server-exported bars black);
- Chinese title, axis titles with units, Chinese hover text carrying the full names, long names
  abbreviated on the axes ("…") in the browser and wrapped to two lines in exported images
  (`for_export`), a horizontal legend right under the title (see `_legend_at`: on a phone it wraps to
  more rows and pushes the plot area down, never over the title), and a height computed from the number
  of rows so labels stay readable on a 1366×768 laptop and a projector;
- no data → a figure with a centred "暂无数据", never an exception.

`chart_config` and `for_export` turn a figure into something that stands alone when pasted into a slide:
a file name, the as-of quarter, the data source, and a visible "示例数据" mark for sample data.
`for_browser` leaves room above the title for plotly's toolbar.

One module per subject: `layout` (the shared look), `indicators`, `series`, `tasks`, `units`, `reporting`,
`compare` (区县对比), `continuity` (one measure across plans) and `export` (browser and slide copies). Every
name of the first six and `export` is re-exported here, so `from lib import charts; charts.status_counts(...)`
keeps working; `compare` and `continuity` are imported as modules (`from lib.charts import compare`): they
take state codes from lib.compare and lib.reporting, which this package must not load. The Chinese text
helpers `chinese_numeral` and `abbreviate` live in `lib.fmt`. No other module draws (tests/test_architecture.py).
"""
from __future__ import annotations

from lib.status import GREY  # noqa: F401  (reached as charts.GREY)
from lib.fmt import LABEL_CHARS, _CN_DIGITS, abbreviate, chinese_numeral  # noqa: F401
from lib.charts.layout import (  # noqa: F401
    FONT_FAMILY, TEMPLATE, EMPTY_TEXT, EXPORT_LINE_CHARS, EXPORT_ROW_PX, TOOLBAR_PX, SERIES_COLOUR,
    REFERENCE_COLOUR, PATH_COLOUR, TARGET_COLOUR, TEXT_GREY, NOT_JUDGED_TEXT, PAD_TOP, TITLE_PX,
    LEGEND_ROW_PX, LEGEND_TOP_PX, SUBTITLE_PX, FOOTER_PX, BAR_ROW_PX, HEAT_ROW_PX, MIN_HEIGHT, _char_width,
    wrap_label, _keep_full_names, section_label, indicator_label, _wrap, _top_margin, _legend_at,
    _base_layout, _rows_height, _left_margin, _empty_figure, _count_dtick, _whole_dtick, _pattern, _note,
    _status_look, _html_list, _ids_line, _legend_label, _discrete_colourscale, _legend_swatches, _state_cells,
    _rows_figure, _state_heatmap,
)
from lib.charts.indicators import (  # noqa: F401
    KINDS_WITHOUT_P, status_counts, achievement_vs_time, _at_risk, _light_groups, _full_label,
    _achievement_customdata, _no_p_note,
)
from lib.charts.series import (  # noqa: F401
    _period_text, _clean_series, _get, indicator_series, _cumulative_totals, _latest_usable, _projection,
    _growth_lines, _quota_targets,
)
from lib.charts.tasks import (  # noqa: F401
    tasks_by_section, task_heatmap,
)
from lib.charts.units import (  # noqa: F401
    unit_ranking, ROLE_LEAD, ROLE_RESPONSIBLE, _section_tick, responsibility_matrix,
)
from lib.charts.reporting import (  # noqa: F401
    REPORT_STATES, REPORT_LOOK, _item_key, reporting_matrix,
)
from lib.charts.export import (  # noqa: F401
    SAMPLE_MARK, TOOLBAR_REMOVED, chart_config, for_browser, _wrap_full_names, _title_text, for_export,
)
