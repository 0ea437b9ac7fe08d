"""The one streamlit-aware package: cached loaders, view and URL state, widgets, sign-in, upload helpers.

Page scripts stay thin: read widgets → call lib → render with these helpers. The data store lives in
`lib.store`; `st.session_state` holds widget state only. Modules, from the bottom up:

| module | what it holds |
|---|---|
| `ui.widgets` | HTML widgets with escaped text: cards, tables, lists, legends, downloads, flash messages |
| `ui.view` | the sidebar's view (as-of quarter, filters) and its mirror in the URL |
| `ui.setup` | the broken-set-up page and the demo-exposure warning |
| `ui.data` | the store, the chosen plan, its data and assessment, cached per data version |
| `ui.page` | the monitoring pages' head, print rules, charts, methodology |
| `ui.auth` | sign-in, sessions, roles |
| `ui.upload` | the upload flow: validation in a limited process, templates, preview, web entry |
| `ui.compare` | 区县对比: who compares which districts, the comparison cached per plan and data version |
| `ui.plan_admin` | the 规划管理 page: notice input, plan tables as editors, publishing, version history |

Everything public is importable as `ui.name` (but `ui.plan_admin`, which only its page imports, as a module).
"""
from ui.auth import (  # noqa: F401
    ACCOUNT_PAGE,
    LOGIN_PASSWORD_KEY,
    LOGIN_USER_KEY,
    REVIEW_PAGE,
    UPLOAD_PAGE,
    accounts,
    current_account,
    demo_accounts,
    public_browsing_gate,
    require_role,
    require_sign_in,
    role_label,
    scope_label,
    sign_in_form,
    sign_in_gate,
    sign_out_button,
)
from ui.compare import Scope, compare_scope, comparison  # noqa: F401
from ui.data import (  # noqa: F401
    DISTRICT_KEY,
    PLAN_KEY,
    PLAN_PARAM,
    Data,
    all_plans,
    data_version,
    district_series,
    plan_id,
    plan_label,
    plan_sidebar,
    plans,
    root_store,
    assessment,
    contributions,
    data,
    filter_reporting,
    filter_results,
    plan,
    reporting_status,
    store,
    task_history,
)
from ui.page import (  # noqa: F401
    METHODOLOGY_FILE,
    METHODOLOGY_PAGE,
    PAGE_CSS,
    PRINT_WIDTH_PX,
    BrowsePage,
    browse_page,
    chart,
    methodology_markdown,
    newcomer_intro,
    page_head,
    print_header_html,
    responsibility_matrix,
    sample_banner,
    section_key,
    task_heatmap,
    time_caption,
)
from ui.setup import setup_problem_page, setup_problems, warn_demo_exposure  # noqa: F401
from ui.upload import (  # noqa: F401
    chinese_uploader,
    edited_table,
    entry_editor,
    prepare_reader,
    preview_table,
    recheck_submission,
    returned_notice,
    routed_plan,
    sha256,
    unit_template_bytes,
    upload_district,
    validate_upload,
    web_entry_tables,
)
from ui.view import (  # noqa: F401
    ALL,
    View,
    current_view,
    mirror_param,
    period_label,
    unit_options,
    url_widget_value,
    view_sidebar,
)
from ui.widgets import (  # noqa: F401
    Tile,
    beijing_times,
    bullets,
    downloads,
    escape,
    escape_markdown,
    export_buttons,
    facts,
    findings_table,
    flash,
    html_table,
    indicator_cards,
    search_mask,
    show_flash,
    status_legend,
    task_history_list,
    tiles,
)
