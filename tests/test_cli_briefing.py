"""`python -m lib briefing` through a real subprocess on a temp database: the files it writes, exit codes, and
what happens without a browser (summary and tables still written, exit 2 with the install message)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lib.messages import MESSAGES as IMAGE_MESSAGES

ROOT = Path(__file__).resolve().parents[1]
DATA_FILES = ["评估与进度_{s}.xlsx", "指标评估_{s}.csv", "任务评估_{s}.csv", "指标进度_{s}.csv", "任务进度_{s}.csv"]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PLANMON_DB_URL": f"sqlite:///{tmp_path / 'planmon.sqlite'}", **env}
    return subprocess.run([sys.executable, "-m", "lib", "briefing", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=180)


def test_whole_plan_pack(tmp_path):
    out = tmp_path / "out"
    done = run(tmp_path, "--as-of", "2023Q4", "--out", str(out))
    assert done.returncode == 0, done.stderr
    expected = ["简报_2023Q4.pptx", "图表_2023Q4.zip", "摘要_2023Q4.txt", *(f.format(s="2023Q4") for f in DATA_FILES)]
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    assert done.stdout.splitlines() == [str(out / n) for n in expected]
    summary = (out / "摘要_2023Q4.txt").read_text(encoding="utf-8")
    assert summary.startswith("截至2023年第四季度(时间进度60%),26项指标中")
    with zipfile.ZipFile(out / "图表_2023Q4.zip") as zf:
        assert all(n.endswith("_2023Q4.png") for n in zf.namelist()) and len(zf.namelist()) >= 6
    from pptx import Presentation
    prs = Presentation(io.BytesIO((out / "简报_2023Q4.pptx").read_bytes()))
    assert [s.shapes.title.text for s in prs.slides][1] == "总体情况"


def test_unit_scope_names_the_files(tmp_path):
    out = tmp_path / "unit"
    done = run(tmp_path, "--as-of", "2023Q2", "--out", str(out), "--scope", "unit:区人社局")
    assert done.returncode == 0, done.stderr
    assert (out / "简报_2023Q2_区人社局.pptx").is_file()
    assert (out / "摘要_2023Q2_区人社局.txt").read_text(encoding="utf-8").startswith("截至2023年第二季度(时间进度50%),区人社局负责的")


@pytest.mark.parametrize("args, message", [
    (["--scope", "section:99"], "规划中没有第 99 篇,可选:1、2、3、4、5、6、7、8、9、10"),
    (["--scope", "unit:区不存在局"], "单位“区不存在局”不在单位名录中"),
    (["--scope", "town:1"], "范围“town:1”不对,应写作 all、section:3(第3篇)或 unit:区人社局"),
])
def test_bad_scope_exits_2_before_writing(tmp_path, args, message):
    out = tmp_path / "bad"
    done = run(tmp_path, "--as-of", "2023Q2", "--out", str(out), *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert not out.exists()


def test_bad_as_of_is_an_argparse_error(tmp_path):
    done = run(tmp_path, "--as-of", "2023-06", "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and "2023Q2" in done.stderr


def test_without_a_browser_text_and_tables_are_written_and_exit_is_2(tmp_path):
    out = tmp_path / "nobrowser"
    done = run(tmp_path, "--as-of", "2023Q2", "--out", str(out), BROWSER_PATH=str(tmp_path / "no-such-chromium"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        IMAGE_MESSAGES["image.bad_browser_path"].format(path=tmp_path / "no-such-chromium"),
        "未生成演示文稿和图片(摘要和数据表已写出)。",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(["摘要_2023Q2.txt", *(f.format(s="2023Q2") for f in DATA_FILES)])
