"""The layering, checked on the source (so lazy imports count too): lib/ is plain Python and never imports
streamlit, ui or a page; page scripts do not import each other; the heavy document libraries have one home
each; a few shared constants are spelled in one module only."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib import settings
from lib.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _modules(*patterns: str) -> list[Path]:
    return sorted({p for pattern in patterns for p in ROOT.glob(pattern)})


def _importers(top_level: str, *patterns: str) -> set[str]:
    """The files (of `patterns`) that import the package `top_level`."""
    return {p.relative_to(ROOT).as_posix() for p in _modules(*patterns) if top_level in _imports(p)}


def _constants(path: Path) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


APP_CODE = ("lib/**/*.py", "app_pages/*.py", "ui/*.py", "dashboard.py", "scripts/*.py", "bench/*.py")


def test_lib_never_imports_streamlit():
    offenders = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "lib").rglob("*.py")) if "streamlit" in _imports(p)]
    assert offenders == []


@pytest.mark.parametrize("package", ["ui", "app_pages", "dashboard"])
def test_lib_never_imports_the_streamlit_side(package):
    assert _importers(package, "lib/**/*.py") == set()


def test_page_scripts_never_import_each_other():
    pages = {p.stem for p in _modules("app_pages/*.py")}
    offenders = {}
    for page in _modules("app_pages/*.py"):
        tree = ast.parse(page.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module for a in n.names}
        hits = sorted(x for x in names if x.startswith("app_pages") or x.split(".")[0] in pages)
        if hits:
            offenders[page.name] = hits
    assert offenders == {}


def _plotly_names(path: Path) -> set[str]:
    """The plotly names a file uses: "plotly.subplots.make_subplots", "plotly.graph_objects.Bar", …"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "plotly":
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else "plotly"
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "plotly":
            names |= {f"{node.module}.{a.name}" for a in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            names.add(f"{aliases[node.value.id]}.{node.attr}")
    return names


# What code outside lib/charts/ may touch of plotly: the figure type (annotations, a copy before export) and
# the layout's Template (lib/images.py). Traces, subplots and plotly.express are drawing: lib/charts/ only.
FIGURE_ONLY = {"plotly.graph_objects.Figure", "plotly.graph_objects.layout"}


def test_charts_are_drawn_only_in_lib_charts():
    """Every chart module lives in lib/charts/: nothing else in lib/, ui/ or the pages builds a trace."""
    drawing = {p.relative_to(ROOT).as_posix(): sorted(_plotly_names(p) - FIGURE_ONLY)
               for p in _modules("lib/**/*.py", "app_pages/*.py", "ui/*.py", "dashboard.py")
               if "charts" not in p.relative_to(ROOT).parts[:2]}
    assert {path: names for path, names in drawing.items() if names} == {}


def test_lib_imports_plotly_only_in_lib_charts_and_the_figure_handlers():
    """Outside lib/charts/, two lib modules hold figures without drawing them: lib/images.py renders them
    to PNG, lib/briefing.py carries the briefing's charts to the deck and the image ZIP."""
    outside = {p for p in _importers("plotly", "lib/**/*.py") if not p.startswith("lib/charts/")}
    assert outside == {"lib/briefing.py", "lib/images.py"}


def test_python_pptx_is_imported_only_by_the_deck_module():
    assert _importers("pptx", *APP_CODE) == {"lib/briefing_deck.py"}


@pytest.mark.parametrize("constant,home", [
    ("Asia/Shanghai", "lib/periods.py"),   # TIME_ZONE
    ("system", "lib/store.py"),            # SYSTEM_ACCOUNT, the account that seeds the sample data
])
def test_shared_constant_is_spelled_in_one_module(constant, home):
    assert {p.relative_to(ROOT).as_posix() for p in _modules(*APP_CODE) if constant in _constants(p)} == {home}


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [s.env for s in settings.SETTINGS if s.env not in readme] == []


def test_message_catalogue_templates_render():
    import string
    for code, template in MESSAGES.items():
        fields = {f: (1.0 if spec else "X") for _, f, spec, _ in string.Formatter().parse(template) if f}
        assert MESSAGES[code].format(**fields), code


def test_only_the_report_writer_imports_python_docx():
    """python-docx stays behind one module (lib/report/word.py): content and pages never touch it."""
    roots = [ROOT / "lib", ROOT / "app_pages", ROOT / "ui", ROOT / "dashboard.py"]
    files = [p for r in roots for p in ([r] if r.is_file() else sorted(r.rglob("*.py")))]
    importers = [p.relative_to(ROOT).as_posix() for p in files if "docx" in _imports(p)]
    assert importers == ["lib/report/word.py"]


def test_briefing_and_report_content_load_without_python_pptx():
    """The deck's library is loaded only when a deck is made (lib/briefing_deck.py)."""
    import subprocess
    import sys
    code = "import sys, lib.briefing, lib.briefing_exports, lib.report.content; print(sorted(m for m in sys.modules if m.split('.')[0] == 'pptx'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
