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


def test_python_pptx_is_imported_only_by_the_deck_module():
    assert _importers("pptx", *APP_CODE) == {"lib/briefing.py"}


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
