"""lib/ is plain Python: nothing in it may import streamlit (checked on the source, so lazy imports count too)."""
from __future__ import annotations

import ast
from pathlib import Path

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


def test_lib_never_imports_streamlit():
    offenders = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "lib").rglob("*.py")) if "streamlit" in _imports(p)]
    assert offenders == []


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
    roots = [ROOT / "lib", ROOT / "app_pages", ROOT / "ui.py", ROOT / "dashboard.py"]
    files = [p for r in roots for p in ([r] if r.is_file() else sorted(r.rglob("*.py")))]
    importers = [p.relative_to(ROOT).as_posix() for p in files if "docx" in _imports(p)]
    assert importers == ["lib/report/word.py"]
