"""Chart PNG export (lib/images.py): Chinese glyphs, the bundled font, thread safety, explicit template.

These tests drive a real headless Chromium. CI installs Debian's `chromium`; where it is missing the
browser tests fail with the install instruction rather than skip, so a missing browser is never
mistaken for a pass. Pixels are compared with Pillow (installed as a dependency of python-pptx).
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image, ImageChops

from lib import images
from lib.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[1]

# Same length, no character in common; 垱 and 洺 are outside GB2312 (a GB2312 subset would lose them).
TITLE_A = "观音垱镇洺水"
TITLE_B = "规划指标完成"


@pytest.fixture(scope="module")
def browser():
    ok, message = images.export_available()
    if not ok:
        pytest.fail(message, pytrace=False)
    yield
    images.shutdown()


def decode(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def title_band(png: bytes) -> Image.Image:
    """The top 15% of the image, where plotly puts the title (nothing else is drawn there)."""
    im = decode(png)
    return im.crop((0, 0, im.width, im.height * 15 // 100))


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def has_ink(im: Image.Image) -> bool:
    return ImageChops.difference(im, Image.new("RGB", im.size, "white")).getbbox() is not None


def titled(title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]))
    fig.update_layout(title=title)
    return fig


def run_export_script(script: str, out_dir: Path, env_extra: dict[str, str], drop_env: tuple[str, ...] = ()) -> str:
    """Run `script` in a fresh interpreter (own browser, own environment) from the project root."""
    env = {k: v for k, v in os.environ.items() if k not in drop_env} | env_extra
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), str(out_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


# --- (a) Chinese titles are real glyphs --------------------------------------------------------------

def test_different_chinese_titles_give_different_title_pixels(browser):
    a = images.figure_png(titled(TITLE_A), width=600, height=340, scale=1)
    b = images.figure_png(titled(TITLE_B), width=600, height=340, scale=1)
    band_a, band_b = title_band(a), title_band(b)
    assert has_ink(band_a) and has_ink(band_b)
    assert not same_pixels(band_a, band_b), "two different Chinese titles drew the same pixels: missing-glyph boxes?"


def test_png_size_is_layout_size_times_scale(browser):
    assert decode(images.figure_png(titled(TITLE_A), width=320, height=200, scale=2)).size == (640, 400)


# --- (b) the bundled font works with the system's CJK fonts hidden -----------------------------------

HIDE_SYSTEM_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">{include}</include>
  <cachedir>{cache}</cachedir>
  <selectfont><rejectfont>{globs}</rejectfont></selectfont>
</fontconfig>
"""
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"),
                    str(Path.home() / ".local/share/fonts"))

TWO_TITLES_SCRIPT = f"""
    import sys
    from pathlib import Path
    import plotly.graph_objects as go
    from lib import images
    for name, title in (("a", {TITLE_A!r}), ("b", {TITLE_B!r})):
        fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]))
        fig.update_layout(title=title)
        (Path(sys.argv[1]) / f"{{name}}.png").write_bytes(images.figure_png(fig, width=600, height=340, scale=1))
"""


def hidden_fonts_conf(tmp_path: Path, name: str, include: Path) -> Path:
    """A fontconfig file = `include` minus every font file in the system font folders."""
    globs = "".join(f"<glob>{d}/*</glob>" for d in SYSTEM_FONT_DIRS)
    conf = tmp_path / f"{name}.conf"
    conf.write_text(HIDE_SYSTEM_FONTS.format(include=include, cache=tmp_path / f"cache-{name}", globs=globs))
    return conf


def test_bundled_font_renders_chinese_with_system_fonts_hidden(browser, tmp_path):
    renders: dict[str, dict[str, bytes]] = {}
    # "repo": the project's own fonts/fonts.conf; "control": the system configuration alone.
    for name, include in (("repo", images.FONTS_CONF), ("control", Path("/etc/fonts/fonts.conf"))):
        out = tmp_path / name
        out.mkdir()
        conf = hidden_fonts_conf(tmp_path, name, include)
        run_export_script(TWO_TITLES_SCRIPT, out, {"FONTCONFIG_FILE": str(conf)})
        renders[name] = {k: (out / f"{k}.png").read_bytes() for k in ("a", "b")}

    control_a, control_b = title_band(renders["control"]["a"]), title_band(renders["control"]["b"])
    assert same_pixels(control_a, control_b), (
        "without the bundled font two different titles should both be missing-glyph boxes; they differ, "
        "so some CJK font outside the hidden folders is still visible and this test cannot tell")

    repo_a, repo_b = title_band(renders["repo"]["a"]), title_band(renders["repo"]["b"])
    assert not same_pixels(repo_a, repo_b), "with the bundled font, different titles must draw different glyphs"
    assert not same_pixels(repo_a, control_a), "with the bundled font, the title must not be missing-glyph boxes"


def test_bundled_font_file_covers_rare_place_name_characters():
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - fontTools is a dev dependency (extraction script)

    font = TTFont(images.FONT_DIR / "NotoSansSC-Regular.otf", lazy=True)
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
    cmap = font.getBestCmap()
    assert [c for c in TITLE_A + TITLE_B + "垱洺㙟堃" if ord(c) not in cmap] == []
    assert (images.FONT_DIR / "LICENSE-OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE Version 1.1")


# --- (c) concurrent exports each get their own image -------------------------------------------------

def sized_chart(i: int) -> tuple[go.Figure, int, int]:
    fig = go.Figure(go.Bar(x=["一", "二", "三"], y=[i + 1, 8 - i, (i * 3) % 5 + 1], marker_color="#009E73"))
    fig.update_layout(title=f"图{i + 1}:第{i + 1}季度")
    return fig, 360 + 40 * i, 240 + 20 * i


def test_parallel_exports_each_get_their_own_image(browser):
    charts = [sized_chart(i) for i in range(8)]
    expected = [decode(images.figure_png(fig, width=w, height=h, scale=1)) for fig, w, h in charts]
    start = threading.Barrier(len(charts))

    def export(i: int) -> bytes:
        fig, w, h = charts[i]
        start.wait()
        return images.figure_png(fig, width=w, height=h, scale=1)

    with ThreadPoolExecutor(len(charts)) as pool:
        got = [decode(png) for png in pool.map(export, range(len(charts)))]

    assert [im.size for im in got] == [(w, h) for _, w, h in charts]
    assert [i for i, (g, e) in enumerate(zip(got, expected)) if not same_pixels(g, e)] == []


# --- (d) `import streamlit` does not turn exported bars black ----------------------------------------

STREAMLIT_SCRIPT = """
    import json, os, sys
    import streamlit  # noqa: F401 - sets plotly's default template to "streamlit"
    import plotly.io as pio
    import plotly.graph_objects as go
    from PIL import Image
    import io
    from lib import images

    fig = go.Figure([go.Bar(x=["甲"], y=[1], marker_color="#009E73"), go.Bar(x=["乙"], y=[1])])
    fig.update_layout(width=400, height=300, margin=dict(l=0, r=0, t=0, b=0), bargap=0, showlegend=False,
                      xaxis_visible=False, yaxis=dict(visible=False, range=[0, 1]))
    im = Image.open(io.BytesIO(images.figure_png(fig, width=400, height=300, scale=1))).convert("RGB")
    print(json.dumps({
        "default_template": pio.templates.default,
        "explicit": "#%02x%02x%02x" % im.getpixel((100, 150)),
        "default": "#%02x%02x%02x" % im.getpixel((300, 150)),
        "second_of_colorway": pio.templates["plotly_white"].layout.colorway[1].lower(),
        "fontconfig_file": os.environ.get("FONTCONFIG_FILE"),
    }))
"""


def test_export_after_import_streamlit_keeps_trace_colours(browser, tmp_path):
    out = run_export_script(STREAMLIT_SCRIPT, tmp_path, {}, drop_env=("FONTCONFIG_FILE",))
    got = json.loads(out.strip().splitlines()[-1])
    assert got["default_template"] == "streamlit"  # the premise: streamlit changed the default
    assert got["explicit"] == "#009e73"  # the colour set on the trace
    assert got["default"] == got["second_of_colorway"] == "#ef553b"  # plotly_white's, not a black placeholder
    assert got["fontconfig_file"] == str(images.FONTS_CONF)  # set before the browser started


# --- exports do not hang -----------------------------------------------------------------------------

def test_render_timeout_raises_and_the_next_export_recovers(browser, monkeypatch):
    images.shutdown()
    monkeypatch.setattr(images, "RENDER_TIMEOUT_S", 0.001)
    with pytest.raises(images.ExportTimeout) as err:
        images.figure_png(titled(TITLE_A), width=300, height=200, scale=1)
    assert err.value.code == "image.timeout"
    monkeypatch.undo()
    assert decode(images.figure_png(titled(TITLE_A), width=300, height=200, scale=1)).size == (300, 200)


def test_browser_that_never_answers_times_out(tmp_path, monkeypatch):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\nexec sleep 600\n")
    fake.chmod(0o755)
    images.shutdown()
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    monkeypatch.setattr(images, "START_TIMEOUT_S", 2)
    with pytest.raises(images.ExportTimeout) as err:
        images.figure_png(titled(TITLE_A))
    assert err.value.code == "image.timeout"
    assert images._browser is None


# --- without a browser -------------------------------------------------------------------------------

def test_export_unavailable_without_chromium_says_how_to_install(monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(images, "CHROMIUM_CANDIDATES", ("/nonexistent/chromium",))
    assert images.chromium_path() is None
    ok, message = images.export_available()
    assert (ok, message) == (False, MESSAGES["image.no_browser"])
    assert "apt-get install chromium" in message


def test_wrong_browser_path_is_reported_not_guessed_around(monkeypatch):
    images.shutdown()
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    assert images.chromium_path() is None
    assert images.export_available() == (False, MESSAGES["image.bad_browser_path"].format(
        path="/nonexistent/chrome"))
    with pytest.raises(images.ExportError) as err:
        images.figure_png(titled(TITLE_A))
    assert err.value.code == "image.bad_browser_path"


def test_browser_path_wins(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", sys.executable)
    assert images.chromium_path() == sys.executable


# --- figure preparation and file names ---------------------------------------------------------------

def test_export_figure_sets_template_and_font_on_a_copy():
    fig = titled(TITLE_A)
    before = fig.to_dict()
    out = images.export_figure(fig)
    assert fig.to_dict() == before
    assert out.layout.font.family == images.FONT_FAMILY
    assert out.layout.template.to_plotly_json() == pio.templates["plotly_white"].to_plotly_json()


@pytest.mark.parametrize(("name", "expected"), [
    ("主要指标完成情况", "主要指标完成情况"),
    ("GDP/增速:2025", "GDP_增速_2025"),
    ('a<b>c"d|e?f*g\\h', "a_b_c_d_e_f_g_h"),
    ("  多余   空格\t和换行\n ", "多余 空格 和换行"),
    ("...隐藏文件", "隐藏文件"),
    ("结尾的点.", "结尾的点"),
    ("", "图表"),
    ("///", "图表"),
    ("CON", "CON_"),
    ("长" * 100, "长" * 60),
    ("e\u0301", "\u00e9"),  # NFC: macOS-style decomposed names become composed
])
def test_safe_filename(name, expected):
    assert images.safe_filename(name) == expected


def test_figures_zip_names_and_contents(monkeypatch):
    monkeypatch.setattr(images, "figure_png", lambda fig, **kw: f"png:{fig.layout.title.text}".encode())
    data = images.figures_zip([("指标/完成", titled("1")), ("指标/完成", titled("2")), ("", titled("3")),
                               ("图表3", titled("4"))])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["指标_完成.png", "指标_完成 (2).png", "图表3.png", "图表3 (2).png"]
        assert [zf.read(n) for n in zf.namelist()] == [b"png:1", b"png:2", b"png:3", b"png:4"]
        assert all(i.flag_bits & 0x800 for i in zf.infolist())  # names stored as UTF-8


def test_figures_zip_holds_real_pngs(browser):
    data = images.figures_zip([("完成情况", titled(TITLE_A)), ("进度", titled(TITLE_B))], width=300, height=200,
                              scale=1)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert [decode(zf.read(n)).size for n in zf.namelist()] == [(300, 200), (300, 200)]
