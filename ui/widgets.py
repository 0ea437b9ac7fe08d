"""HTML widgets with escaped user text: indicator cards, tables, lists, legends, downloads, flash messages."""
from __future__ import annotations

import html
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd
import streamlit as st

from lib import export as _export
from lib import fmt, verdict
from lib.status import (
    AT_RISK_LIGHT,
    LEGEND_AMBER,
    STATUS_LOOK,
    Status,
    light_look,
    outlook_label,
    status_label,
)


def search_mask(frame: pd.DataFrame, text: str, columns: list[str]) -> pd.Series:
    """Case-insensitive substring match over the given text columns; regex characters are literal."""
    if not text.strip():
        return pd.Series(True, index=frame.index)
    needle = text.strip().lower()
    hay = frame[columns].astype(str).agg(" ".join, axis=1).str.lower()
    return hay.str.contains(needle, regex=False)


def escape(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _card(row: pd.Series) -> str:
    """One traffic-light card: the light (colour; amber when not behind but at risk), status icon + words,
    name, the value that matters first (a five-year total before its year-to-date part), target, progress."""
    light = light_look(row["status"], row.get("outlook"))
    look = STATUS_LOOK[Status(row["status"])]
    label = status_label(row["status"], row["time_elapsed"])
    caption, latest = verdict.latest_text(row)
    target = fmt.target_phrase(row["kind"], row["target_value"], row["unit"], row["ref_indicator"])
    if row["kind"] == "quota" and pd.notna(row["assigned_target"]):
        target += f"(当年 {fmt.with_unit(row['assigned_target'], row['unit'])})"
    tags = ""
    if light is AT_RISK_LIGHT:
        tags += f'<div class="pm-tag" style="color:#8a5a00">{light.icon} {escape(outlook_label(row["outlook"]))}</div>'
    if verdict.judged_earlier(row):
        tags += f'<div class="pm-tag">数据截至 {escape(row["latest_period"])}</div>'
    meter = ""
    progress = verdict.progress_text(row)
    if pd.notna(row["achievement"]):
        p = max(0.0, min(float(row["achievement"]), 1.0))
        meter = (f'<div class="pm-meter" title="完成度 {fmt.percent(row["achievement"])},时间进度 {fmt.percent(row["time_elapsed"])}">'
                 f'<div class="pm-fill" style="width:{p:.0%};background:{light.colour}"></div>'
                 f'<div class="pm-tick" style="left:{float(row["time_elapsed"]):.0%}"></div></div>'
                 f'<div class="pm-small">{escape(progress)} · 时间进度 {fmt.percent(row["time_elapsed"])}</div>')
    elif row["status"] == "no_data":
        meter = f'<div class="pm-small">{escape(row["reason"])}</div>'
    elif progress:
        meter = f'<div class="pm-small">{escape(progress)}</div>'
    return (f'<div class="pm-card" style="border-top:5px solid {light.colour}">'
            f'<div class="pm-status" style="color:{look.colour if light is not AT_RISK_LIGHT else "#8a5a00"}">'
            f'{look.icon} {escape(label)}</div>{tags}'
            f'<div class="pm-name" title="{escape(row["name"])}">{escape(row["indicator_id"])} {escape(row["name"])}</div>'
            f'<div class="pm-line">{caption}:{escape(latest)}</div><div class="pm-line">目标:{escape(target)}</div>{meter}</div>')


_CARD_CSS = """<style>
.pm-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px;margin:4px 0 12px}
.pm-card{border:1px solid #ddd;border-radius:6px;padding:8px 10px;background:#fff;min-height:128px}
.pm-status{font-weight:700;font-size:0.95rem}.pm-name{font-weight:600;margin:2px 0 4px;line-height:1.3;
overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical}
.pm-line{font-size:0.85rem;color:#333}.pm-small{font-size:0.78rem;color:#555;margin-top:2px}
.pm-tag{display:inline-block;font-size:0.78rem;font-weight:600;color:#444;margin-right:6px}
.pm-meter{position:relative;height:8px;background:#eee;border-radius:4px;margin-top:6px}
.pm-fill{height:8px;border-radius:4px}.pm-tick{position:absolute;top:-3px;width:2px;height:14px;background:#222}
</style>"""


def indicator_cards(indicators: pd.DataFrame) -> None:
    """The traffic-light grid. Text is escaped: names come from plan files, reasons from the engine."""
    if indicators.empty:
        st.info("没有符合筛选条件的指标。")
        return
    cards = "".join(_card(r) for _, r in indicators.iterrows())
    st.html(_CARD_CSS + f'<div class="pm-grid">{cards}</div>')


_TABLE_CSS = """<style>
.pm-scroll{overflow-x:auto;margin:2px 0 12px}
.pm-table{border-collapse:collapse;width:100%;font-size:0.88rem;margin:2px 0 12px}.pm-scroll .pm-table{margin:0}
.pm-table th,.pm-table td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.pm-table thead th{background:#f3f4f6;font-weight:600;white-space:nowrap}.pm-table tbody th{font-weight:600}
.pm-table td.pm-long{min-width:12em}.pm-table tbody th{min-width:9em}
.pm-bar{display:inline-block;width:56px;height:8px;background:#e5e7eb;border-radius:4px;margin-right:6px;vertical-align:middle}
.pm-bar>span{display:block;height:100%;background:#1F5FA8;border-radius:4px}
@media print{.pm-scroll{overflow:visible}}
@media (max-width:640px){
.pm-stack thead{display:none}.pm-stack,.pm-stack tbody,.pm-stack tr,.pm-stack th,.pm-stack td{display:block;width:auto}
.pm-stack tr{border:1px solid #ddd;border-radius:6px;margin:0 0 8px;padding:4px 8px}
.pm-table.pm-stack th,.pm-table.pm-stack td{border:none;padding:2px 0;min-width:0;white-space:normal !important;overflow-wrap:anywhere}
.pm-stack td::before{content:attr(data-label) ":";color:#555;margin-right:4px}.pm-stack td:empty{display:none}
}
</style>"""


def _cell(value: object) -> str:
    text = "" if fmt.is_missing(value) else str(value)
    return escape(text).replace("\n", "<br>")


def _share_bar(share: object) -> str:
    """A share (0–1) as a small bar and its percent (lib.fmt.percent): what st.dataframe's progress column
    showed, without its grid. Missing → "—" and no bar."""
    if fmt.is_missing(share):
        return "—"
    width = min(max(float(share), 0.0), 1.0) * 100
    return f'<span class="pm-bar" aria-hidden="true"><span style="width:{width:.0f}%"></span></span>{escape(fmt.percent(share))}'


def html_table(frame: pd.DataFrame, bars: tuple[str, ...] = ()) -> None:
    """A static table that wraps long Chinese text and prints, the first column as row headers; the `bars`
    columns hold shares (0–1), drawn as small bars with their percent. Plain HTML (st.html, no Markdown pass),
    every cell escaped: departments type the 存在问题 text. Used on the monitoring pages instead of
    st.dataframe, whose grid and Arrow scripts (about 1.6 MB) were the largest part of a page's load in the
    browser (bench/pages.py). On a phone a table with long text (a cell over 14 characters) becomes one small
    card a row: the first column as its title, then "column: value" lines (empty cells left out); a table of
    short cells stays a table and scrolls sideways."""
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    first, *lengths = [frame[c].map(lambda v: len(_cell(v))).max() if len(frame) else 0 for c in frame.columns]
    label = [f' data-label="{escape(c)}"' for c in frame.columns[1:]]
    td = [f'<td{a} style="white-space:nowrap">' if c in bars or n <= 10 else f'<td{a} class="pm-long">' if n > 20 else f"<td{a}>"
          for c, n, a in zip(frame.columns[1:], lengths, label)]   # short (e.g. 状态): never wrapped; long text: not squeezed
    show = [_share_bar if c in bars else _cell for c in frame.columns[1:]]
    rows = "".join(f"<tr><th scope=\"row\">{_cell(r[0])}</th>" + "".join(f"{t}{f(v)}</td>" for t, f, v in zip(td, show, r[1:]))
                   + "</tr>" for r in frame.itertuples(index=False))
    stack = " pm-stack" if max([first, *lengths]) > 14 else ""   # short cells only (e.g. counts): a table still fits
    st.html(f'{_TABLE_CSS}<div class="pm-scroll"><table class="pm-table{stack}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


_FACTS_CSS = """<style>
.pm-facts{display:flex;flex-wrap:wrap;gap:8px 22px;margin:4px 0 8px}.pm-fact{min-width:88px;max-width:100%}
.pm-fact-k{font-size:0.8rem;color:#555}.pm-fact-v{font-weight:600;font-size:0.95rem}
</style>"""


def facts(items: dict[str, str]) -> None:
    """Label/value pairs that wrap on a phone instead of squeezing a table's columns to one character."""
    cells = "".join(f'<div class="pm-fact"><div class="pm-fact-k">{escape(k)}</div><div class="pm-fact-v">{escape(v)}</div></div>'
                    for k, v in items.items())
    st.html(f'{_FACTS_CSS}<div class="pm-facts">{cells}</div>')


class Tile(NamedTuple):
    """One headline number: its label, its value with unit ("3 项"), and an optional explanation."""
    label: str
    value: str
    help: str = ""


_TILES_CSS = """<style>
.pm-tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(132px,1fr));gap:8px 16px;margin:4px 0 12px}
.pm-tile-k{font-size:0.85rem;color:#444}.pm-tile-v{font-size:1.7rem;font-weight:600;line-height:1.25}
.pm-tile details{font-size:0.78rem;color:#555}.pm-tile summary{cursor:pointer;color:#1F5FA8}
@media (max-width:640px){.pm-tiles{grid-template-columns:repeat(2,minmax(0,1fr))}.pm-tile-v{font-size:1.4rem}}
</style>"""


def tiles(items: Iterable[Tile]) -> None:
    """Headline numbers in a grid (two a row on a phone), as static HTML instead of st.metric, whose scripts
    (number formatting, a chart loader) every monitoring page would fetch on load (bench/pages.py). An
    explanation opens under its number when 说明 is tapped, which a hover tooltip cannot do on a phone."""
    def tile(t: Tile) -> str:
        more = f"<details><summary>说明</summary>{escape(t.help)}</details>" if t.help else ""
        return (f'<div class="pm-tile"><div class="pm-tile-k">{escape(t.label)}</div>'
                f'<div class="pm-tile-v">{escape(t.value)}</div>{more}</div>')
    st.html(_TILES_CSS + '<div class="pm-tiles">' + "".join(tile(t) for t in items) + "</div>")


def status_legend(final: bool = False) -> str:
    """What the colours and icons mean: the status labels (final-evaluation ones at the plan's end) and amber."""
    tau = 1.0 if final else None
    shown = [s for s in Status if not (final and s is Status.AHEAD)]  # 快于预期 cannot occur at τ = 1
    labels = " ".join(f"{STATUS_LOOK[s].icon} {status_label(s, tau)}" for s in shown)
    return f"{labels};{AT_RISK_LIGHT.icon} {LEGEND_AMBER}"


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on `colour` ("#RRGGBB")."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "#fff"


_LIST_CSS = """<style>
.pm-hl{width:100%;border-collapse:collapse;font-size:0.86rem}.pm-hl th{font-weight:600;text-align:left;
padding:2px 4px;border-bottom:1px solid #ccc;white-space:nowrap}.pm-hl td{padding:3px 4px;border-bottom:1px solid #eee;
vertical-align:middle}.pm-hl-note{font-size:0.78rem;color:#555;margin:0 0 4px}.pm-hl td.c{text-align:center;width:2.6em}.pm-hl span{display:inline-block;min-width:1.7em;
border-radius:3px;text-align:center;font-weight:700;line-height:1.5}
</style>"""


def task_history_list(history: pd.DataFrame) -> None:
    """The task × quarter history as a list for phones: full task names, the last quarters' status icons."""
    from lib.heatlist import RECENT_QUARTERS, recent_states, short_period
    from lib.status import TASK_STATUS_LOOK, TaskStatus
    grid = recent_states(history)
    if grid.empty:
        st.info("暂无任务推进记录。")
        return
    periods = [c for c in grid.columns if c != "title"]
    head = "<th>任务</th>" + "".join(f'<th class="c">{escape(short_period(p))}</th>' for p in periods)

    def cell(code: str, period: str) -> str:
        if not code:
            return '<td class="c" title="无记录">—</td>'
        look = TASK_STATUS_LOOK[TaskStatus(code)]
        return (f'<td class="c" title="{escape(period)}:{escape(look.label)}"><span style="background:{look.colour};'
                f'color:{_ink(look.colour)}">{look.icon}</span></td>')

    rows = "".join(f"<tr><td><b>{escape(t)}</b> {escape(r['title'])}</td>" + "".join(cell(r[p], p) for p in periods)
                   + "</tr>" for t, r in grid.iterrows())
    legend = " ".join(f"{lk.icon} {lk.label}" for lk in TASK_STATUS_LOOK.values())
    st.html(f'{_LIST_CSS}<div class="pm-hl-note">最近 {RECENT_QUARTERS} 个季度;图例:{escape(legend)}。'
            f'完整的逐季热力图请在电脑上查看。</div><table class="pm-hl"><thead><tr>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table>')


def beijing_times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy with UTC timestamp columns shown as '2024-04-15 09:30' 北京时间 text (empty where missing)."""
    from lib.store import display_time
    out = frame.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c].map(display_time).astype(object)
    return out


def downloads(frame: pd.DataFrame, stem: str, key: str, sheet: str = "数据") -> None:
    """CSV and Excel downloads of a table; formula-leading text is neutralised (lib.export)."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("下载 CSV", _export.csv_bytes(frame), file_name=f"{stem}.csv", mime="text/csv",
                         key=f"{key}_csv", on_click="ignore", icon="⬇️")
    right.download_button("下载 Excel", _export.xlsx_bytes({sheet: frame}), file_name=f"{stem}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", on_click="ignore", icon="⬇️")


def flash(key: str, kind: str, text: str) -> None:
    """Remember a one-off confirmation for the next run (set from a widget callback)."""
    st.session_state[key] = (kind, text)


def show_flash(key: str) -> None:
    """Show and forget the confirmation a callback left. Text goes through st.text-like rendering only."""
    kind, text = st.session_state.pop(key, (None, None))
    if kind is None:
        return
    box = {"success": st.success, "info": st.info, "error": st.error, "warning": st.warning}[kind]
    box(escape_markdown(text))


def bullets(lines: Iterable[object]) -> str:
    """A Markdown list of plain-text lines (each escaped), for one st.markdown element."""
    return "\n".join(f"- {escape_markdown(line)}" for line in lines)


def escape_markdown(text: object) -> str:
    """Text shown in st.success/st.error etc. (which render Markdown) without any Markdown or HTML effect.
    ':' too (':red[…]' is a directive). GFM turns bare 'http://…', 'www.…' and 'a@b.c' into links after
    escapes are read, so an invisible WORD JOINER (U+2060) after the scheme, 'www' and '@' stops that."""
    import re
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", "" if text is None else str(text))
    return re.sub(r"(?i)(https?|ftp|www|@)", "\\1\u2060", escaped)


_FINDINGS_CSS = """<style>
.pm-findings td{overflow-wrap:anywhere}.pm-findings td:nth-child(4){min-width:14em}
.pm-findings .pm-error{color:#D55E00;font-weight:600}.pm-findings .pm-warn{color:#8a6100;font-weight:600}
</style>"""


_SEVERITY_CLASS = {"错误": "pm-error", "警告": "pm-warn"}


_SEVERITY_ICON = {"错误": "✖", "警告": "▲"}


def findings_table(frame: pd.DataFrame) -> None:
    """lib.findings.findings_display as a wrapped, escaped HTML table: the 说明 (how to fix) is never cut off,
    at 1366 px or on a phone. 级别 carries an icon as well as its colour (Okabe–Ito vermilion / dark yellow)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    body = "".join(
        f'<tr><td class="{_SEVERITY_CLASS.get(r[0], "")}" style="white-space:nowrap">{_SEVERITY_ICON.get(r[0], "")} {_cell(r[0])}</td>'
        + "".join(f"<td>{_cell(v)}</td>" for v in r[1:]) + "</tr>"
        for r in frame.itertuples(index=False))
    st.html(f'{_TABLE_CSS}{_FINDINGS_CSS}<table class="pm-table pm-findings"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def export_buttons(files: list[tuple[str, bytes, str, str]], key: str) -> None:
    """Download buttons side by side: (label, bytes, file name, extension) each."""
    mime = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "txt": "text/plain",
            "csv": "text/csv"}
    for n, (col, (label, data, name, ext)) in enumerate(zip(st.columns(len(files) + 1), files)):
        col.download_button(label, data, file_name=name, mime=mime.get(ext, "application/octet-stream"),
                            key=f"{key}_{n}", on_click="ignore", icon="⬇️", width="stretch")
