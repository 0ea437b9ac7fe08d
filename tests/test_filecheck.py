"""Files that are not a readable workbook: one code each, fast (< 1 s), in bounded memory (< 50 MB)."""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from lib.filecheck import check_file
from lib.workbook import read_workbook
from scripts.make_bad_fixtures import _cfb, _rezip, good_bytes
from tests.conftest import ROOT

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
MAX_SECONDS = 1.0
MAX_PEAK_BYTES = 50 * 1024 * 1024

EXPECTED = {
    "empty.xlsx": "file.empty",
    "csv-renamed.xlsx": "file.not_workbook",
    "png-renamed.xlsx": "file.not_workbook",
    "html-renamed.xlsx": "file.not_workbook",
    "encrypted.xlsx": "file.encrypted",
    "truncated.xlsx": "file.truncated",
    "entities-in-sheet.xlsx": "file.xml_entities",
    "entities-in-workbook.xlsx": "file.xml_entities",
    "old-format.xls": None,    # a real .xls is accepted and read with calamine
}


def measured(fn, *args, **kwargs):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        out = fn(*args, **kwargs)
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"{elapsed:.2f} s"
    assert peak < MAX_PEAK_BYTES, f"{peak / 2**20:.0f} MB"
    return out


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """~1 MB that unzips to 1 GiB: zeros written in streaming fashion (nothing large is held in memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(1024):
                member.write(chunk)
    data = buf.getvalue()
    assert len(data) < 2 * 1024 * 1024
    return data


def code(found) -> str | None:
    return None if found is None else found.code


def test_every_hostile_fixture_is_listed():
    """Those of scripts/make_hostile_fixtures.py are tested in tests/test_hostile_uploads.py."""
    from scripts.make_hostile_fixtures import FIXTURES
    assert {p.name for p in HOSTILE.iterdir()} == set(EXPECTED) | set(FIXTURES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_fixture(name):
    data = (HOSTILE / name).read_bytes()
    assert code(measured(check_file, data, name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(n for n, c in EXPECTED.items() if c))
def test_read_workbook_refuses_hostile_files(plan, name):
    result = measured(read_workbook, HOSTILE / name, plan)
    assert not result.readable and not result.ok
    assert [f.code for f in result.findings] == [EXPECTED[name]]
    assert result.indicator_rows.empty and result.task_rows.empty


def test_zip_bomb(plan, zip_bomb):
    assert code(measured(check_file, zip_bomb, "bomb.xlsx")) == "file.zip_bomb"
    assert [f.code for f in measured(read_workbook, zip_bomb, plan).findings] == ["file.zip_bomb"]


def test_zip_bomb_by_ratio_alone(monkeypatch):
    """Under the total size limit but one member compresses far beyond max_zip_ratio."""
    data = _rezip(good_bytes(), {"xl/worksheets/sheet1.xml": lambda xml: xml + b" " * (20 * 1024 * 1024)})
    assert code(measured(check_file, data, "ratio.xlsx")) == "file.zip_bomb"
    monkeypatch.setenv("PLANMON_MAX_ZIP_RATIO", "100000")
    assert check_file(data, "ratio.xlsx") is None


def test_too_large(monkeypatch):
    monkeypatch.setenv("PLANMON_MAX_UPLOAD_MB", "1")
    assert code(check_file(b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024), "big.xlsx")) == "file.too_large"


def test_too_large_path_is_not_read(plan, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANMON_MAX_UPLOAD_MB", "1")
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"\x00" * (2 * 1024 * 1024))
    assert [f.code for f in read_workbook(path, plan).findings] == ["file.too_large"]


def test_missing_path(plan, tmp_path):
    result = read_workbook(tmp_path / "nope.xlsx", plan)
    assert [f.code for f in result.findings] == ["file.not_found"] and not result.readable


def test_good_workbook_passes():
    assert check_file(good_bytes(), "good.xlsx") is None


def test_ole2_with_encrypted_package_stream():
    assert code(check_file(_cfb("EncryptedPackage", b"\x01" * 5000), "locked.xlsx")) == "file.encrypted"


def test_ole2_that_is_not_a_workbook():
    assert code(check_file(_cfb("WordDocument", b"\x01" * 5000), "letter.xls")) == "file.not_workbook"


def test_truncated_ole2():
    data = _cfb("Workbook", b"\x01" * 5000)
    assert code(check_file(data[:700], "cut.xls")) == "file.truncated"


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert code(check_file(buf.getvalue(), "report.xlsx")) == "file.not_workbook"


@pytest.mark.parametrize("prolog", [
    b'<?xml version="1.0"?><!-- ' + b"x" * 10_000 + b' --><!DOCTYPE x [<!ENTITY a "b">]>',
    b'<?xml version="1.0"?>\n<!doctype x SYSTEM "file:///etc/passwd">',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16"),
    b"<!-- " + b"x" * 100_000 + b" -->",   # a prolog no Office program writes
])
def test_entity_declarations_anywhere_in_the_prolog(prolog):
    data = _rezip(good_bytes(), {"xl/styles.xml": lambda xml: prolog + xml})
    assert code(check_file(data, "x.xlsx")) == "file.xml_entities"


def test_doctype_word_in_cell_text_is_fine():
    data = _rezip(good_bytes(), {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"\xe7\xbb\x9f\xe8\xae\xa1\xe5\xbf\xab\xe6\x8a\xa5", b"&lt;!DOCTYPE&gt;")})
    assert check_file(data, "x.xlsx") is None


def test_far_cell_does_not_crash_calamine(plan):
    """One cell at XFD1048576 makes calamine allocate 512 GiB and abort the process; it is refused first."""
    data = (ROOT / "tests" / "fixtures" / "bad" / "sheet-too-large.xlsx").read_bytes()
    result = measured(read_workbook, data, plan)
    assert [f.code for f in result.findings] == ["wb.sheet_too_large"]
