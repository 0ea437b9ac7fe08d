"""Is this upload a readable, safe workbook? Checked before any parser sees the bytes.

`check_file` looks at magic bytes, the zip directory (sizes as declared), then inflates every member once
in bounded chunks to check that its stream ends exactly at its declared size (a member that declares
1 KB but inflates to 2 GB passes the size and ratio checks and would make calamine inflate all of it),
and reads the first bytes of each XML member. Memory stays bounded (one chunk at a time) whatever the
upload is; time is that of inflating at most `max_unzipped_mb`. It returns one finding, or None when
the file may be handed to the workbook reader.

Accepted: an .xlsx/.xlsm (a zip holding xl/workbook.xml) and an old-format .xls (an OLE2 compound file
holding a Workbook stream, not encrypted). Everything else gets one `file.*` code.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import olefile
from msoffcrypto import OfficeFile
from msoffcrypto.exceptions import FileFormatError, ParseError

from lib import settings
from lib.findings import Finding, finding

MIB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_PART = "xl/workbook.xml"
XLS_STREAMS = ("Workbook", "Book")        # BIFF8 and BIFF5 workbook streams
ENCRYPTED_STREAM = "EncryptedPackage"     # an OOXML file with a password is an OLE2 holding this

# Members smaller than this cannot hurt, whatever their compression ratio (a few KB of repeated empty
# cells compress 300:1); the ratio check applies to members above it.
RATIO_CHECK_MIN_BYTES = 1 * MIB
MAX_MEMBERS = 10_000
# The XML prolog (where a DOCTYPE must sit) is read in chunks up to this many bytes; Office files have a
# prolog of one line, so a longer one is itself a sign of tampering.
PROLOG_SCAN_BYTES = 64 * 1024
SCAN_CHUNK = 4096
INFLATE_IN_CHUNK = 64 * 1024      # compressed bytes fed at a time
INFLATE_OUT_CHUNK = 1024 * 1024   # at most this much inflated output held at a time
LOCAL_HEADER = struct.Struct("<4s22xHH")   # signature … file name length, extra field length
XML_SUFFIXES = (".xml", ".rels", ".vml")

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def check_file(data: bytes, file_name: str = "") -> Finding | None:
    """None when `data` looks like a safe workbook; else the one finding that says why not."""
    name = file_name or "上传的文件"
    if len(data) == 0:
        return finding("file.empty", value=name)
    limit_mb = settings.get("max_upload_mb")
    if len(data) > limit_mb * MIB:
        return finding("file.too_large", value=name, size_mb=f"{len(data) / MIB:.1f}", max_mb=limit_mb)
    if data.startswith(ZIP_MAGIC) or data.startswith(EMPTY_ZIP_MAGIC):
        return _check_zip(data, name)
    if data.startswith(OLE2_MAGIC):
        return _check_ole2(data, name)
    return finding("file.not_workbook", value=name, detected=_sniff(data))


def _sniff(data: bytes) -> str:
    """What the file seems to be instead, for the message."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"\x89png", b"\xff\xd8\xff", b"gif8", b"bm")):
        return "图片"
    if head.startswith(b"%pdf"):
        return "PDF 文档"
    if head.startswith((b"<!doctype html", b"<html", b"<meta", b"<table")) or b"<html" in head:
        return "网页(HTML)"
    if head.startswith(b"<?xml"):
        return "XML 文本"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:4096].decode("gb18030")
        except UnicodeDecodeError:
            return "未知格式"
    return "文本文件(如 CSV)"


def _check_zip(data: bytes, name: str) -> Finding | None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, struct.error, EOFError):
        # NotImplementedError: a directory claiming a zip version or feature Python does not read.
        return finding("file.truncated", value=name)
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if WORKBOOK_PART not in names:
            return finding("file.not_workbook", value=name, detected="其他压缩文件(不是 .xlsx 工作簿)")
        bomb = _zip_bomb(infos)
        if bomb:
            return finding("file.zip_bomb", value=name, detail=bomb)
        for info in infos:
            try:
                lie = _inflated_size_lie(data, info)
            except (zipfile.BadZipFile, zlib.error, struct.error, NotImplementedError, RuntimeError):
                return finding("file.truncated", value=name)
            if lie:
                return finding("file.member_size", value=name, member=info.filename, detail=lie)
        for info in infos:
            if info.filename.lower().endswith(XML_SUFFIXES):
                try:
                    declared = _has_declaration(zf, info)
                except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
                    # RuntimeError: an encrypted zip member; NotImplementedError: an unknown compression.
                    return finding("file.truncated", value=name)
                if declared:
                    return finding("file.xml_entities", value=name, member=info.filename)
    return None


def _zip_bomb(infos: list[zipfile.ZipInfo]) -> str:
    """Why the directory looks like a zip bomb ("" when it does not). Sizes as declared; the reader
    re-checks them while reading (Python's zipfile stops at the declared size and checks the CRC)."""
    if len(infos) > MAX_MEMBERS:
        return f"包含 {len(infos)} 个内部文件"
    total = sum(i.file_size for i in infos)
    max_mb = settings.get("max_unzipped_mb")
    if total > max_mb * MIB:
        return f"解压后约 {total / MIB:,.0f} MB,上限 {max_mb} MB"
    max_ratio = settings.get("max_zip_ratio")
    for i in infos:
        if i.file_size > RATIO_CHECK_MIN_BYTES and i.file_size > max_ratio * max(i.compress_size, 1):
            return f"内部文件 {i.filename} 压缩比 {i.file_size / max(i.compress_size, 1):,.0f}:1,上限 {max_ratio}:1"
    return ""


def _inflated_size_lie(data: bytes, info: zipfile.ZipInfo) -> str:
    """"" when the member's stream inflates to exactly its declared size; else what it does instead.
    Inflates in bounded chunks and stops as soon as the output passes the declared size (which the
    directory check has already bounded by `max_unzipped_mb`). Raises on a damaged or unsupported member."""
    if info.flag_bits & 0x1:
        raise RuntimeError("encrypted member")
    offset = info.header_offset
    signature, name_len, extra_len = LOCAL_HEADER.unpack_from(data, offset)
    if signature != ZIP_MAGIC:
        raise zipfile.BadZipFile("bad local header")
    start = offset + LOCAL_HEADER.size + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise zipfile.BadZipFile("member runs past the end")
    if info.compress_type == zipfile.ZIP_STORED:
        total = len(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        total = _inflate_count(raw, info.file_size)
        if total > info.file_size:
            return f"超过记录的 {info.file_size:,} 字节"
    else:
        raise NotImplementedError(f"compression {info.compress_type}")
    return "" if total == info.file_size else f"实际 {total:,} 字节,记录为 {info.file_size:,} 字节"


def _inflate_count(raw: memoryview, declared: int) -> int:
    """Bytes the raw deflate stream inflates to, counted chunk by chunk; stops once past `declared`.
    A stream that does not end inside `raw` is damage (zlib.error)."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total, pos = 0, 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            out = inflater.decompress(inflater.unconsumed_tail, INFLATE_OUT_CHUNK)
        elif pos < len(raw):
            out = inflater.decompress(raw[pos:pos + INFLATE_IN_CHUNK], INFLATE_OUT_CHUNK)
            pos += INFLATE_IN_CHUNK
        else:
            raise zlib.error("deflate stream ends early")
        total += len(out)
        if total > declared:
            break
    return total


def _has_declaration(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the member's prolog declares a DOCTYPE or ENTITY. Reads chunk by chunk and stops at the
    first element (after which a DOCTYPE is not allowed) or after PROLOG_SCAN_BYTES."""
    seen = b""
    with zf.open(info) as member:
        while len(seen) < PROLOG_SCAN_BYTES:
            chunk = member.read(SCAN_CHUNK)
            if not chunk:
                break
            seen += chunk
            text = _as_ascii_bytes(seen)
            if _DECLARATION.search(text):
                return True
            body = _skip_prolog_markup(text)
            if body is not None and _FIRST_ELEMENT.search(text, body):
                return False
        else:
            return True  # a prolog this long is not something Office writes
    return bool(_DECLARATION.search(_as_ascii_bytes(seen)))


def _skip_prolog_markup(text: bytes) -> int | None:
    """Offset after leading XML declaration/comments/PIs, or None when they are not yet complete."""
    pos = 0
    while True:
        while pos < len(text) and text[pos:pos + 1] in b" \t\r\n\xef\xbb\xbf":
            pos += 1
        if text.startswith(b"<?", pos):
            end = text.find(b"?>", pos)
        elif text.startswith(b"<!--", pos):
            end = text.find(b"-->", pos)
        else:
            return pos
        if end < 0:
            return None
        pos = end + 2


def _as_ascii_bytes(raw: bytes) -> bytes:
    """XML may be UTF-16; markup characters are ASCII, so drop the zero bytes to scan it."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 3 and (raw[1] == 0 or raw[0] == 0)):
        return raw.replace(b"\x00", b"")
    return raw


def _check_ole2(data: bytes, name: str) -> Finding | None:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        with ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, KeyError, struct.error, RecursionError, TypeError):
        # olefile on a damaged directory: TypeError/RecursionError come from cyclic or missing entries.
        return finding("file.truncated", value=name)
    if ENCRYPTED_STREAM in streams:
        return finding("file.encrypted", value=name)
    if not any(s in streams for s in XLS_STREAMS):
        return finding("file.not_workbook", value=name, detected="其他 Office 文档(不是 Excel 工作簿)")
    try:
        encrypted = OfficeFile(io.BytesIO(data)).is_encrypted()
    except (FileFormatError, ParseError, OSError, ValueError, IndexError, AssertionError, KeyError, struct.error,
            TypeError, RecursionError):
        return finding("file.truncated", value=name)
    if encrypted:
        return finding("file.encrypted", value=name)
    return None
