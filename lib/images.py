"""Chart images for meeting slides: Plotly figure → PNG, rendered by one headless Chromium per process.

Plain Python (no streamlit), so it runs the same from the app, pytest and the command line.

Why it is built this way (measured on the development machine; timings in README 性能, `bench/images.py`):

- kaleido 1.x drives a real Chromium. Starting one per image costs ~2 s, so this module keeps ONE
  browser for the whole process, started lazily on the first export, on its own thread with its own
  asyncio loop. ``mathjax=False``: otherwise every page load tries a MathJax CDN and stalls offline.
- kaleido's own ``start_sync_server`` is not used: it waits on a shared queue with no timeout (a
  browser that fails to start, or wedges, hangs the caller forever) and it is not thread-safe. Here
  each export is a future with a deadline, and a module-level lock serialises exports, so Streamlit
  sessions (threads) each get their own image, and a timeout measures one render, not a queue.
- Chinese text needs a CJK font that Chromium can find. The repo carries Noto Sans CJK SC in
  ``fonts/``; ``FONTCONFIG_FILE`` is pointed at ``fonts/fonts.conf`` (system fonts + that folder)
  before the browser starts, unless the environment already sets it.
- ``import streamlit`` makes "streamlit" plotly's default template; its colours are placeholders that
  only Streamlit's front end fills in, so server-rendered bars come out black. Exported figures get an
  explicit template and font (on a copy: the caller's figure is not changed).
"""
from __future__ import annotations

import asyncio
import atexit
import io
import os
import re
import signal
import subprocess
import threading
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from lib.messages import MESSAGES, CatalogueError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = PROJECT_ROOT / "fonts"
FONTS_CONF = FONT_DIR / "fonts.conf"
FONT_FAMILY = '"Noto Sans SC", "Noto Sans CJK SC", sans-serif'
EXPORT_TEMPLATE = "plotly_white"

# Debian's real binary first: /usr/bin/chromium is a wrapper script that prints noise on every start.
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")

START_TIMEOUT_S = 60.0  # browser start (a cold start takes ~1-3 s)
RENDER_TIMEOUT_S = 30.0  # one image (a warm export takes ~0.1-0.3 s)
QUEUE_TIMEOUT_S = 120.0  # waiting for other sessions' exports to finish


class ExportError(CatalogueError, RuntimeError):
    """An image could not be exported; ``code`` keys lib.messages, ``str(e)`` is the Chinese message."""


class ExportTimeout(ExportError, TimeoutError):
    pass


# --- finding the browser ---------------------------------------------------------------------------

def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def chromium_path() -> str | None:
    """BROWSER_PATH if set (and only it: a wrong explicit path is an error, not a reason to guess),
    else the first Debian Chromium binary that exists."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if _is_executable(explicit) else None
    return next((p for p in CHROMIUM_CANDIDATES if _is_executable(p)), None)


def export_available() -> tuple[bool, str]:
    """(True, info) when a browser was found, else (False, a Chinese message saying how to install one).
    Does not start the browser."""
    path = chromium_path()
    if path:
        return True, MESSAGES["image.ok"].format(path=path)
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return False, MESSAGES["image.bad_browser_path"].format(path=explicit)
    return False, MESSAGES["image.no_browser"]


# --- the persistent browser ------------------------------------------------------------------------

def _kaleido_class() -> type:
    """kaleido.Kaleido, but reloading the tab after the caller has its image rather than before.

    kaleido reloads the page (plotly.js and all) after every image, before handing the bytes back: about
    half of a warm export (0.17 of 0.31 s). Deferring it keeps the clean-tab guarantee (the next export
    waits for the reloaded tab) and halves single-export latency. It overrides a private kaleido method,
    so it applies only where that method exists (kaleido 1.5 is pinned); otherwise plain Kaleido."""
    import kaleido  # late: only exports need it

    if not hasattr(kaleido.Kaleido, "_return_kaleido_tab"):
        return kaleido.Kaleido

    class DeferredReloadKaleido(kaleido.Kaleido):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._reloads: set[asyncio.Task] = set()

        async def _return_kaleido_tab(self, tab) -> None:
            task = asyncio.create_task(super()._return_kaleido_tab(tab))
            self._reloads.add(task)  # keep a reference until done
            task.add_done_callback(self._reloads.discard)

    return DeferredReloadKaleido


class _Browser:
    """One kaleido/Chromium on a private thread running an asyncio loop; callers submit futures."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._k = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="planmon-image-browser", daemon=True)
        self._thread.start()
        try:
            self._call(self._open(), START_TIMEOUT_S)
        except BaseException:
            self.close(kill=True)
            raise

    async def _open(self) -> None:
        # timeout=None: the deadline is ours (render()). kaleido's own one cancels inside choreographer,
        # which sometimes surfaces as ChannelClosedError instead of a timeout, leaving the tab in doubt.
        k = _kaleido_class()(n=1, timeout=None, mathjax=False, path=self.path)
        self._k = k  # before open(), so close() can kill a browser whose start timed out
        await k.open()

    @staticmethod
    async def _abandonable(coro):
        """Run ``coro``; if the caller has given up (timeout → cancel) turn a late error into a plain
        cancellation, so asyncio does not log "Task exception was never retrieved"."""
        try:
            return await coro
        except Exception:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError from None
            raise

    def _call(self, coro, timeout: float):
        future = asyncio.run_coroutine_threadsafe(self._abandonable(coro), self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def alive(self) -> bool:
        proc = getattr(self._k, "subprocess", None)
        return self._thread.is_alive() and proc is not None and proc.poll() is None

    def render(self, fig_dict: dict, opts: dict) -> bytes:
        # the deadline includes waiting for the tab to finish reloading after the previous image; on
        # expiry the caller kills this browser, so nothing half-done is reused
        return self._call(self._k.calc_fig(fig_dict, opts=opts), RENDER_TIMEOUT_S)

    def close(self, *, kill: bool = False) -> None:
        """Close the browser; ``kill=True`` (after a timeout) kills its processes first instead of asking
        it to quit, since a wedged browser would not answer."""
        if kill:
            self._kill()
        if self._k is not None and self._loop.is_running():
            try:  # also removes kaleido's and the browser's temporary folders
                self._call(self._k.close(), 3 if kill else 15)
            except BaseException:  # noqa: BLE001 - closing is best effort; the kill below is the backstop
                pass
        self._kill()
        if self._loop.is_running():
            try:
                self._call(self._cancel_leftovers(), 5)
            except BaseException:  # noqa: BLE001
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    @staticmethod
    async def _cancel_leftovers() -> None:
        """Cancel what choreographer left running (its watchdog), so the loop stops with nothing pending."""
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=3)

    def _kill(self) -> None:
        """Kill the browser's whole process group (choreographer starts it in a new session)."""
        proc = getattr(self._k, "subprocess", None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (AttributeError, ProcessLookupError, PermissionError):  # Windows has no killpg
            proc.kill()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


_lock = threading.Lock()
_browser: _Browser | None = None


def _ensure_browser() -> _Browser:
    """Start the browser if needed (caller holds _lock)."""
    global _browser
    if _browser is not None and not _browser.alive():
        _browser.close()
        _browser = None
    if _browser is None:
        path = chromium_path()
        if path is None:
            code = "image.bad_browser_path" if os.environ.get("BROWSER_PATH") else "image.no_browser"
            raise ExportError(code, path=os.environ.get("BROWSER_PATH", ""))
        if FONTS_CONF.is_file():
            os.environ.setdefault("FONTCONFIG_FILE", str(FONTS_CONF))  # Chromium inherits the environment
        try:
            _browser = _Browser(path)
        except TimeoutError:
            raise ExportTimeout("image.timeout", seconds=START_TIMEOUT_S) from None
        except ExportError:
            raise
        except Exception as e:
            raise ExportError("image.failed", detail=f"浏览器无法启动({type(e).__name__}: {e})") from e
    return _browser


def shutdown() -> None:
    """Close the browser (tests, benchmarks; the next export starts a new one)."""
    global _browser
    with _lock:
        if _browser is not None:
            _browser.close()
            _browser = None


@atexit.register
def _shutdown_at_exit() -> None:
    """Remove the browser's temporary folders on a normal exit. (On a hard kill Chromium still exits by
    itself: its control pipe closes.) Never wait on an export stuck in another thread."""
    global _browser
    if _lock.acquire(timeout=2):
        try:
            if _browser is not None:
                _browser.close()
                _browser = None
        finally:
            _lock.release()


# --- exporting -------------------------------------------------------------------------------------

def export_figure(fig: go.Figure, template: str | go.layout.Template = EXPORT_TEMPLATE) -> go.Figure:
    """A copy of ``fig`` with an explicit template and the bundled CJK font, ready for server rendering."""
    out = go.Figure(fig)
    out.update_layout(template=template, font_family=FONT_FAMILY)
    return out


def figure_png(fig: go.Figure, *, width: int = 1200, height: int = 675, scale: float = 2) -> bytes:
    """PNG bytes of ``fig`` at width×height layout pixels (16:9 by default), ×scale real pixels.

    Thread-safe; raises ExportError (ExportTimeout when the browser does not answer in time, after which
    the browser is restarted on the next call)."""
    global _browser
    spec = export_figure(fig).to_dict()
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    if not _lock.acquire(timeout=QUEUE_TIMEOUT_S):
        raise ExportTimeout("image.busy")
    try:
        browser = _ensure_browser()
        try:
            return browser.render(spec, opts)
        except TimeoutError:
            browser.close(kill=True)
            _browser = None
            raise ExportTimeout("image.timeout", seconds=RENDER_TIMEOUT_S) from None
        except Exception as e:
            if not browser.alive():
                browser.close()
                _browser = None
            raise ExportError("image.failed", detail=f"{type(e).__name__}: {e}") from e
    finally:
        _lock.release()


# --- several charts at once ------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_CHARS = 60


def safe_filename(name: str, fallback: str = "图表") -> str:
    """A file name (no extension) that Windows, macOS and Linux all accept, keeping Chinese as is:
    NFC, path separators and reserved characters → "_", no leading/trailing dots or spaces, ≤ 60 chars."""
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"\s+", " ", name)
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = name[:MAX_NAME_CHARS].rstrip(" .")
    if not name or name.upper() in _RESERVED:
        name = fallback if not name else f"{name}_"
    return name


@dataclass(frozen=True)
class _Entry:
    arcname: str
    png: bytes


def figures_zip(named_figures: list[tuple[str, go.Figure]], *, width: int = 1200, height: int = 675,
                scale: float = 2) -> bytes:
    """A ZIP of PNGs, one per (name, figure), named "<safe name>.png" (UTF-8 names; duplicates get
    " (2)", " (3)", …). Exports one after another; an ExportError stops the whole ZIP."""
    entries: list[_Entry] = []
    taken: set[str] = set()
    for i, (name, fig) in enumerate(named_figures, start=1):
        stem = safe_filename(name, fallback=f"图表{i}")
        arcname, n = f"{stem}.png", 1
        while arcname.casefold() in taken:
            n += 1
            arcname = f"{stem} ({n}).png"
        taken.add(arcname.casefold())
        entries.append(_Entry(arcname, figure_png(fig, width=width, height=height, scale=scale)))
    buf = io.BytesIO()
    now = time.localtime()[:6]
    with zipfile.ZipFile(buf, "w") as zf:
        for e in entries:
            info = zipfile.ZipInfo(e.arcname, date_time=now)
            info.compress_type = zipfile.ZIP_STORED  # PNG is already compressed
            zf.writestr(info, e.png)
    return buf.getvalue()
