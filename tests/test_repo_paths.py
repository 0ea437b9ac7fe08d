"""The repository stands alone: every repository path that the README, docs/ and the docstrings and comments
of the Python files name exists, and nothing names a place outside the checkout (a fresh clone has no
sibling folders)."""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Top-level folders of the repository: a path starting with one of these is a claim about the checkout.
REPO_DIRS = ("app_pages", "bench", "data", "docs", "fonts", "lib", "scripts", "tests", ".ci", ".streamlit")
# Generated at run time and ignored by git, so they need not exist in a checkout: the store and account
# file (var/), screenshots (artifacts/), the virtualenv (.venv/).
GENERATED_DIRS = ("var", "artifacts", ".venv")
# Where the prose lives. Python files contribute only docstrings and comments (code builds paths at run time).
MARKDOWN = ("README.md", "docs/*.md", "data/source/README.md")
PYTHON = ("*.py", "app_pages/*.py", "bench/*.py", "lib/*.py", "scripts/*.py", "tests/*.py")
# Text that code and CI read: none of it may point outside the checkout.
TEXT_FILES = (*MARKDOWN, *PYTHON, "Makefile", ".ci/run", "scripts/*.sh", "pyproject.toml", "requirements*.txt")

_FIRST = "|".join(re.escape(d) for d in (*REPO_DIRS, *GENERATED_DIRS))
# ASCII only: Python's \w would glue the Chinese text that follows a path onto it.
PATH = re.compile(rf"(?<![A-Za-z0-9_./-])(?:{_FIRST})/[A-Za-z0-9_.*/-]*")
OUTSIDE = re.compile(r"\.\./|/work/|\bshared/(?:seed|spec|notes|data)\b|/\s*[\"']shared[\"']")


def paths_in(text: str) -> set[str]:
    """Repository paths named in `text` (a folder of REPO_DIRS or GENERATED_DIRS, a slash, the rest), with
    any sentence punctuation after them dropped."""
    return {m.group(0).rstrip(".") for m in PATH.finditer(text)}


def python_prose(source: str) -> str:
    """The docstrings and comments of one Python file, joined."""
    parts = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(ast.get_docstring(node, clean=False) or "")
    return "\n".join(parts)


def files(patterns: tuple[str, ...]) -> list[Path]:
    return sorted({p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file()})


def exists(path: str) -> bool:
    if path.split("/", 1)[0] in GENERATED_DIRS:
        return True
    if "*" in path:
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def named_paths() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for file in files(MARKDOWN + PYTHON):
        text = file.read_text(encoding="utf-8")
        prose = python_prose(text) if file.suffix == ".py" else text
        out += [(file.relative_to(ROOT).as_posix(), path) for path in sorted(paths_in(prose))]
    return out


@pytest.mark.parametrize("text,expected", [
    ("见 `docs/methodology.md`。", {"docs/methodology.md"}),
    ("由 scripts/make_sample_progress.py 生成(固定随机种子)", {"scripts/make_sample_progress.py"}),
    ("默认 `var/planmon.sqlite`(不进 git", {"var/planmon.sqlite"}),
    ("the folder tests/fixtures/bad/.", {"tests/fixtures/bad/"}),
    ("pages in app_pages/*.py and lib/x.py", {"app_pages/*.py", "lib/x.py"}),
    ("`xl/workbook.xml`, https://example.org/lib/x.py, mylib/y.py", set()),
    ("data/progress.xlsx、data/units.csv", {"data/progress.xlsx", "data/units.csv"}),
])
def test_paths_in(text, expected):
    assert paths_in(text) == expected


def test_python_prose_is_docstrings_and_comments_only():
    source = '"""Reads `docs/a.md`."""\nPATH = "lib/b.py"  # see `lib/c.py`\ndef f():\n    """`tests/d.py`"""\n'
    assert paths_in(python_prose(source)) == {"docs/a.md", "lib/c.py", "tests/d.py"}


def test_scan_finds_the_paths_this_repository_names():
    named = named_paths()
    assert ("README.md", "docs/methodology.md") in named
    assert ("tests/notice.py", "data/source/README.md") in named


def test_every_named_repository_path_exists():
    assert [(file, path) for file, path in named_paths() if not exists(path)] == []


@pytest.mark.parametrize("text,outside", [
    ("NOTICE = ROOT.parent / 'shared' / 'seed' / 'notice.txt'", True),
    ("NOTICE = ROOT / 'data' / 'source' / 'notice.txt'", False),
    ("见 ../sibling/spec/plan-data.md", True),
    ("measurements in /work/notes/facts.md", True),
    ("contract: shared/spec/assessment.md", True),
    ("/usr/bin/chromium and data/source/", False),
])
def test_outside_pattern(text, outside):
    assert bool(OUTSIDE.search(text)) is outside


def test_nothing_names_a_place_outside_the_repository():
    hits = [(f.relative_to(ROOT).as_posix(), n + 1, line.strip()) for f in files(TEXT_FILES)
            for n, line in enumerate(f.read_text(encoding="utf-8").splitlines()) if OUTSIDE.search(line)]
    # This file spells the patterns it looks for; nothing else may.
    assert [h for h in hits if h[0] != "tests/test_repo_paths.py"] == []
