"""Read a district's task-division notice (任务分工方案) into a draft plan folder.

`read_notice(path)` is the I/O (with `read_known_units` for an existing units.csv): it turns a .txt, .docx or
saved .html file into numbered text lines (bounded in size, UTF-8 or GB18030). `parse_notice(lines)` is pure: it finds the main-indicator list and the
key-task list, reads each item's wording into a kind, target, unit and direction, collects every unit named
in the parentheses, and returns a `Draft` (plan.toml values, the three plan tables, and findings: what the
planning office must check, each with the sentence it came from). `draft_files(draft)` renders the five
files. Nothing here knows this district's ids, targets or unit names; the rules are the notice's wording.
"""
from __future__ import annotations

import html.parser
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from lib import schema
from lib.findings import Finding, SEVERITY_LABEL, finding
from lib.messages import CatalogueError
from lib.units import UnitDirectory, UnitInfo, normalise_name

MAX_TEXT_BYTES = 5 * 1024 * 1024       # a notice is ~20 KB of text; refuse anything far larger unread
MAX_DOCX_BYTES = 20 * 1024 * 1024      # the .docx file itself (images make it larger than its text)
MAX_DOCX_XML_BYTES = 20 * 1024 * 1024  # word/document.xml unpacked: checked in the zip directory first

DRAFT_FILES = ("plan.toml", "indicators.csv", "tasks.csv", "units.csv", "findings.csv")


class NoticeError(CatalogueError):
    """The file is not a readable notice, or holds no indicator / task list (the command exits 1)."""


# --- reading: file → lines ----------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    no: int       # 1-based line (paragraph) number in the file as read
    text: str


def read_notice(path: Path | str) -> list[Line]:
    """The notice's text lines. Raises NoticeError with a catalogue message for what cannot be read."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise NoticeError("notice.not_found", value=str(path))
    size = path.stat().st_size
    limit = MAX_DOCX_BYTES if path.suffix.lower() == ".docx" else MAX_TEXT_BYTES
    if size > limit:  # refused before reading a byte of it
        raise NoticeError("notice.too_large", value=name, size_mb=f"{size / 2**20:.0f}", max_mb=f"{limit / 2**20:.0f}")
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    return notice_lines(data, name)


def notice_lines(data: bytes, name: str) -> list[Line]:
    """Bytes of a .txt, .docx or .html notice → lines; the format is sniffed from the content, not the name."""
    if not data.strip():
        raise NoticeError("notice.empty", value=name)
    if data.startswith(b"PK\x03\x04"):
        texts = _docx_paragraphs(data, name)
    else:
        text = _decode(data, name)
        texts = _html_lines(text) if _looks_like_html(text) else text.splitlines()
    lines = [Line(i, t.replace("\u3000", " ").strip()) for i, t in enumerate(texts, start=1)]
    lines = [ln for ln in lines if ln.text]
    if not lines:
        raise NoticeError("notice.empty", value=name)
    return lines


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_TEXT_BYTES:
        raise NoticeError("notice.too_large", value=name, size_mb=f"{len(data) / 2**20:.0f}",
                          max_mb=f"{MAX_TEXT_BYTES / 2**20:.0f}")
    if b"\x00" in data:  # UTF-16 or a binary file; a notice saved as text has no NUL bytes
        raise NoticeError("notice.not_text", value=name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise NoticeError("notice.bad_encoding", value=name)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(8, len(text) // 100):  # GB18030 decodes some junk; text has next to no control bytes
        raise NoticeError("notice.not_text", value=name)
    return text


def _docx_paragraphs(data: bytes, name: str) -> list[str]:
    """word/document.xml's paragraphs (w:p → joined w:t), with the standard library and defusedxml only."""
    if len(data) > MAX_DOCX_BYTES:
        raise NoticeError("notice.too_large", value=name, size_mb=f"{len(data) / 2**20:.0f}",
                          max_mb=f"{MAX_DOCX_BYTES / 2**20:.0f}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                info = zf.getinfo("word/document.xml")
            except KeyError:
                raise NoticeError("notice.bad_docx", value=name, detail="没有 word/document.xml") from None
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise NoticeError("notice.bad_docx", value=name, detail=f"正文解压后 {info.file_size / 2**20:.0f} MB,过大")
            with zf.open(info) as fh:
                xml = fh.read(MAX_DOCX_XML_BYTES + 1)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise NoticeError("notice.bad_docx", value=name, detail="压缩包已损坏") from exc
    if len(xml) > MAX_DOCX_XML_BYTES:
        raise NoticeError("notice.bad_docx", value=name, detail="正文过大")
    try:
        root = SafeET.fromstring(xml)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise NoticeError("notice.bad_docx", value=name, detail="正文 XML 无法解析") from exc
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paragraphs: list[str] = []
    for p in root.iter(f"{w}p"):
        parts: list[str] = []
        for node in p.iter():
            if node.tag == f"{w}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{w}tab":
                parts.append("\t")
            elif node.tag in (f"{w}br", f"{w}cr"):
                parts.append("\n")
        paragraphs.extend("".join(parts).split("\n"))
    return paragraphs


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head or "<p>" in head or "<p " in head


class _TextOfHtml(html.parser.HTMLParser):
    """Tag-free text of a saved web page; block elements end a line, scripts and styles are dropped."""
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
              "title", "td", "th", "ul", "ol", "hr", "header", "footer"}
    SKIP = {"script", "style", "noscript", "template", "head", "title"}  # the page's <title> is not the notice

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "body":  # whatever an unclosed <head> left open, the body is text
            self.skipping = 0
        elif tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(" ".join(data.split("\n")))


def _html_lines(text: str) -> list[str]:
    parser = _TextOfHtml()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts).split("\n")


# --- structure: lines → blocks (numbered items, headings) ----------------------------------------

# Full-width ASCII → half-width, one character for one, so positions in the copy are positions in the original.
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def half(text: str) -> str:
    return text.translate(_HALF)


CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十百〇零两"
_NUMBERING = re.compile(
    rf"^(?:(?P<l1>[{_CN}]+)[、.]|\((?P<l2>[{_CN}]+)\)|(?P<n1>\d{{1,3}})(?:[、]|\.(?!\d))|\((?P<n2>\d{{1,3}})\)"
    r"|(?P<n3>[\u2460-\u2473]))\s*")
_TERMINAL = tuple("。;;::))」”!?!?》") + ("通知", "方案", "意见")
_NEW_PARAGRAPH = re.compile(r"^(发布时间|发布日期|来源|日期|索引号|文号)")
_NAVIGATION = re.compile(r"[>|>]|您现在的位置|当前位置")  # a web page's breadcrumb or links: never part of a title
_DATE_END = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2})$")
SHORT_LINE = 30  # a title or heading line is short; a wrapped body line is long


def cn_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十四 → 14, 二十三 → 23 (enough for section and plan numbers)."""
    if not text or any(ch not in CN_DIGITS and ch not in "十百" for ch in text):
        return None
    if "百" in text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + CN_DIGITS[ch]
    return value


@dataclass(frozen=True)
class Block:
    line: int        # the notice line it starts on
    text: str        # the paragraph without its numbering marker, as written
    level: str       # "l1" 一、 / "l2" (一) / "item" 1. 1、 (1) ① / "" unnumbered
    number: int | None = None


def _numbering(text: str) -> tuple[str, int | None, int]:
    """(level, number, length of the marker) of a line's leading numbering, or ("", None, 0)."""
    m = _NUMBERING.match(half(text))
    if not m:
        return "", None, 0
    for group, level in (("l1", "l1"), ("l2", "l2"), ("n1", "item"), ("n2", "item"), ("n3", "item")):
        token = m.group(group)
        if token is None:
            continue
        if group == "n3":
            number = ord(token) - 0x2460 + 1
        elif group in ("n1", "n2"):
            number = int(token)
        else:
            number = cn_number(token)
            if number is None:
                return "", None, 0
        return level, number, m.end()
    return "", None, 0


def _continues(previous: str, last_line: str, current: str) -> bool:
    """Whether `current` carries on the paragraph `previous` (a heading or a hard-wrapped line)."""
    if _numbering(current)[0] or _NEW_PARAGRAPH.match(current):
        return False
    if _NAVIGATION.search(last_line) or _NAVIGATION.search(current):
        return False
    prev = half(previous).rstrip()
    if prev.endswith(_TERMINAL) or _DATE_END.search(prev):
        return False
    if prev.count("(") > prev.count(")"):  # inside the units parenthesis
        return True
    if prev.endswith(("、", ",", "和", "及", "与")):
        return True
    if len(last_line) > SHORT_LINE:  # a wrapped body line
        return True
    return len(current) <= SHORT_LINE and "。" not in current


def blocks_of(lines: list[Line]) -> list[Block]:
    """Paragraphs: numbered items and headings, with lines split by wrapping or layout joined back."""
    out: list[Block] = []
    last_line = ""
    for ln in lines:
        if out and _continues(out[-1].text, last_line, ln.text):
            prev = out[-1]
            out[-1] = Block(prev.line, prev.text + ln.text, prev.level, prev.number)
        else:
            level, number, size = _numbering(ln.text)
            out.append(Block(ln.no, ln.text[size:].strip(), level, number))
        last_line = ln.text
    return out


# --- units in the parenthesis ----------------------------------------------------------------------

_PAREN_AT_END = re.compile(r"\(([^()]*)\)[。.;]?\s*$")
_LABELS_AT_END = re.compile(r"(?<=[。;,\s])((?:牵头|主责|责任|配合)(?:单位|部门)\s*:[^。]*)[。.]?\s*$")
_LEAD_LABELS = ("牵头", "主责")  # any other label (责任、配合、参与…单位) lists responsible units
_GENERIC_FOLLOWERS = re.compile(r"^(各)?(街道|镇|乡|乡镇|社区|园区|开发区|管委会|县市区|县区|市区|县|市|区)$")


def split_units(text: str) -> list[str]:
    """「区住建局、区商务局,各镇、街道」→ names. A group such as 各镇、街道 keeps its 、 (a bare 街道 after a
    各… name belongs to it); commas separate first."""
    names: list[str] = []
    for part in re.split(r"[,,]", text):
        tokens = [t.strip() for t in part.split("、") if t.strip()]
        for token in tokens:
            token = re.sub(r"等$", "", token)
            if names and names[-1].startswith("各") and _GENERIC_FOLLOWERS.match(token) and not token.startswith("各"):
                names[-1] = f"{names[-1]}、{token}"
            elif token:
                names.append(token)
    return names


@dataclass(frozen=True)
class Assignment:
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    category: str = ""       # 预期性 / 约束性 when the parenthesis says so


def assignment(text: str) -> tuple[str, Assignment]:
    """The item without its trailing units parenthesis, and what the parenthesis says."""
    h = half(text)
    m = _PAREN_AT_END.search(h)
    if not m or not any(k in m.group(1) for k in ("单位", "部门", "预期性", "约束性")):
        m = _LABELS_AT_END.search(h)  # "…。牵头单位:区发改局;责任单位:区统计局。" without a parenthesis
        if not m:
            return text, Assignment()
    body = text[:m.start()].rstrip()
    lead: list[str] = []
    responsible: list[str] = []
    category = ""
    content = text[m.start(1):m.end(1)].strip()
    for part in re.split(r"[;;]|\s+(?=[^\s::]*[::])", content):
        labelled = re.match(r"^(?P<label>[^::]*)[::](?P<names>.*)$", part)
        if not labelled:  # "(约束性)" or a bare list of names
            if _category_of(part):
                category = category or _category_of(part)
            else:
                responsible += split_units(part)
            continue
        *before, label = re.split(r"[,,]", labelled["label"])  # "预期性指标,牵头单位"
        for piece in before:
            category = category or _category_of(piece)
        if any(k in label for k in _LEAD_LABELS):
            lead += split_units(labelled["names"])
        else:
            responsible += split_units(labelled["names"])
    return body, Assignment(tuple(lead), tuple(responsible), category)


def _category_of(text: str) -> str:
    return "预期性" if "预期性" in text else "约束性" if "约束性" in text else ""


# --- wording → kind, target, unit, direction ----------------------------------------------------------

_UNIT = (r"个百分点|%|‰|微克/立方米|万亿元|亿元|万元|元|万吨标准煤|万吨|吨|万千瓦|千瓦|万平方米|平方米|平方公里|公里|千米|米|万亩|亩|公顷"
         r"|万人次|人次|万人|人|万户|户|件|个|家|所|岁|年|天|张|床|项|处|座|辆|台|套|次|小时|万立方米|立方米|公斤|千克")
_QUANTITY = re.compile(rf"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{_UNIT})(?P<suffix>以上|以内|以下|左右|内)?")
_LEVEL_VERBS = ("提高到", "提升到", "提高至", "提升至", "增加到", "增加至", "增长到", "增长至", "增至", "达到", "达", "突破",
                "超过", "不低于", "保持在", "稳定在", "力争", "实现", "为")
_CEILING_VERBS = ("控制在", "低于", "不超过", "不高于", "下降到", "下降至", "降低到", "降低至", "降至", "降到")
_REDUCTION_WORDS = ("降低", "下降", "减少", "削减")
_LOWER_IS_BETTER = ("失业率", "能耗", "能源消耗", "排放", "浓度", "死亡率", "发生率", "负债率", "事故", "贫困")
_QUOTA = re.compile(r"^(?P<name>.+?)(?P<verb>完成|达到|控制在|不超过|低于|不低于|确保完成)"
                    r"(?:省|市|上级|省市|国家|省级|市级)?(?:政府)?(?:下达|分解|确定)的?(?:目标|指标)(?:值|任务)?(?:以)?内?$")
_IN_STEP = re.compile(r"^(?P<name>.+?)(?:与|同)(?P<ref>[^与同]+?)(?:基本|保持)?(?:同步|相适应|相协调)(?:增长)?$")
_GROWTH_TAIL = re.compile(r"(?:年均|年平均)(?:增速|增长率|增长速度|增长)?(?:达到|保持在|为|保持)?$")
_CUMULATIVE_TAIL = re.compile(r"(?:五年)?累计(?:新增|完成|达到|超过|实现|建成|培育|新建)?$")
_REDUCTION_TAIL = re.compile(r"(?:五年)?累计(?:降低|下降|减少)$")
_TRAILING_REMARK = re.compile(r"\([^()]*\)$")

# Official names of the national Five-Year Plan's main indicators: a district's sentence sometimes drops the
# last word ("空气质量优良天数达到…" for the ratio), which this list restores (reported as a finding).
STANDARD_NAMES = (
    "常住人口城镇化率", "每万人口高价值发明专利拥有量", "数字经济核心产业增加值占GDP比重", "城镇调查失业率",
    "劳动年龄人口平均受教育年限", "每千人口拥有执业(助理)医师数", "基本养老保险参保率", "每千人口拥有3岁以下婴幼儿托位数",
    "人均预期寿命", "地级及以上城市空气质量优良天数比率", "空气质量优良天数比率", "地表水达到或好于Ⅲ类水体比例",
    "森林覆盖率", "粮食综合生产能力", "能源综合生产能力",
)
_COMPLETION_SUFFIXES = ("比率", "比例", "比重", "率")
# What a district writes for the reference of an in-step target, and the indicator names it means.
REF_SYNONYMS = {"经济增长": ("地区生产总值", "生产总值", "GDP"), "经济发展": ("地区生产总值", "生产总值", "GDP")}


@dataclass(frozen=True)
class Wording:
    """What a target sentence says. kind "" = not recognised (the office chooses)."""
    name: str
    kind: str = ""
    target: float | None = None
    unit: str = ""
    direction: str = ""
    ref: str = ""            # in_step: the reference as written (e.g. 经济增长)
    verb: str = ""
    guessed: bool = False    # kind inferred from a bare number, without a wording rule
    unit_assumed: bool = False


def _strip_verbs(name: str) -> tuple[str, str]:
    """「…力争达到」→ (「…」, 「达到」): every trailing verb goes; the last one written is returned."""
    verbs = sorted(_LEVEL_VERBS + _CEILING_VERBS, key=len, reverse=True)
    last = ""
    while verb := next((v for v in verbs if name.endswith(v) and len(name) > len(v)), ""):
        name, last = name[: -len(verb)], last or verb
    return name, last


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def classify(sentence: str) -> Wording:
    """One target sentence → kind, target, unit and direction, by the rules in docs/notice-import.md."""
    original = sentence.strip().rstrip("。.;;").strip()
    h = half(original)
    if remark := _TRAILING_REMARK.search(h):  # "(与国家目标一致)" after the target
        original, h = original[:remark.start()].rstrip(), h[:remark.start()].rstrip()
    if m := _QUOTA.match(h):
        name = original[:m.end("name")]
        verb = m.group("verb")
        down = verb in _CEILING_VERBS and not name.endswith(_REDUCTION_WORDS)
        return Wording(name, "quota", None, "%", "down" if down else "up", verb=verb, unit_assumed=True)
    if m := _IN_STEP.match(h):
        return Wording(original[:m.end("name")], "in_step", None, "%", "up", ref=original[m.start("ref"):m.end("ref")],
                       unit_assumed=True)
    quantities = [q for q in _QUANTITY.finditer(h) if not (q.group("unit") == "年" and len(q.group("num")) == 4)]
    if not quantities:
        return Wording(original)
    q = quantities[-1]
    prefix, target = original[:q.start()], _number(q.group("num"))
    hprefix, unit, suffix = h[:q.start()], q.group("unit"), q.group("suffix") or ""
    if m := _REDUCTION_TAIL.search(hprefix):
        return Wording(prefix[:m.start()] + "降低", "reduction_total", target, unit, "up", verb="累计降低")
    if m := _GROWTH_TAIL.search(hprefix):
        name = prefix[:m.end()]
        name, verb = _strip_verbs(name)
        return Wording(name, "growth_rate", target, unit, "up", verb=verb or "年均")
    if m := _CUMULATIVE_TAIL.search(hprefix):
        return Wording(prefix[:m.start()] + "(五年累计)", "cumulative", target, unit, "up", verb="累计")
    name, verb = _strip_verbs(prefix)
    if suffix in ("以内", "以下", "内") or verb in _CEILING_VERBS:
        return Wording(name, "ceiling", target, unit, "down", verb=verb or suffix)
    if suffix == "以上" or verb in _LEVEL_VERBS:
        return Wording(name, "level_up", target, unit, "up", verb=verb or suffix)
    if any(word in name for word in _LOWER_IS_BETTER):
        return Wording(name, "ceiling", target, unit, "down", guessed=True)
    if "新增" in name and unit not in ("%", "‰", "个百分点"):  # "新增就业4万人": new additions over the plan add up
        return Wording(name + "(五年累计)", "cumulative", target, unit, "up", guessed=True)
    return Wording(name, "level_up", target, unit, "up", guessed=True)


def standard_name(name: str) -> str:
    """The national indicator name `name` abbreviates by dropping its last word, or `name` itself."""
    if name in STANDARD_NAMES:
        return name
    for full in STANDARD_NAMES:
        for suffix in _COMPLETION_SUFFIXES:
            if full == name + suffix:
                return full
    return name


# --- units: kinds, groups, likely aliases ---------------------------------------------------------------

_GROUP = re.compile(r"^各|各部门$|各有关部门$|有关部门$|有关单位$|成员单位$")
# Spellings that name one office two ways: (pattern, replacement, why). Applied to both names before comparing.
ALIAS_RULES: tuple[tuple[str, str, str], ...] = (
    (r"市场监督管理|市场监督", "市场监管", "简称不同:市场监督管理/市场监管"),
    (r"环境保护|环保", "生态环境", "2018 年机构改革更名:环境保护 → 生态环境"),
    (r"^[区县市]委(?=.+委$)", "", "党委机构的简称:区委…委 / 区…委"),
    (r"^[区县市]", "", "是否带区、县、市前缀"),
)


def guess_unit_kind(name: str) -> str:
    if _GROUP.search(name):
        return schema.GROUP_KIND
    if name.endswith(("街道", "街道办事处")):
        return "街道"
    if name.endswith(("镇", "乡", "镇人民政府", "乡人民政府")):
        return "镇"
    if "人大" in name or "政协" in name:
        return "人大政协机关"
    if name.endswith(("公司", "集团")):
        return "国有企业"
    if re.match(r"^(?:[区县市]委|团[区县市]委)", name) or name.endswith(("妇联", "残联", "总工会", "工商联", "文明办", "科协", "侨联")):
        return "党群机关"
    return "区直部门"


def _alias_key(name: str) -> tuple[str, tuple[str, ...]]:
    key, reasons = normalise_name(name), []
    for pattern, replacement, why in ALIAS_RULES:
        new = re.sub(pattern, replacement, key)
        if new != key:
            key = new
            reasons.append(why)
    return key, tuple(reasons)


def likely_aliases(names: list[str]) -> list[tuple[str, str, str]]:
    """Pairs of names that probably mean one unit, with why: (first named, other, reason). Never merged."""
    groups: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for name in names:
        if guess_unit_kind(name) == schema.GROUP_KIND:
            continue
        key, reasons = _alias_key(name)
        groups.setdefault(key, []).append((name, reasons))
    pairs: list[tuple[str, str, str]] = []
    for members in groups.values():
        for i, (a, ra) in enumerate(members):
            for b, rb in members[i + 1:]:
                differing = [r for r in dict.fromkeys(ra + rb) if (r in ra) != (r in rb)] or list(dict.fromkeys(ra + rb))
                pairs.append((a, b, ";".join(differing)))
    return pairs


# --- the draft -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeFinding:
    """A finding about the draft, with the notice sentence (and its line) it came from."""
    finding: Finding
    sentence: str = ""
    line: int | None = None

    @property
    def code(self) -> str:
        return self.finding.code


@dataclass(frozen=True)
class Draft:
    config: dict[str, object]       # plan.toml values (name, short_name, source, base_year, target_year)
    indicators: pd.DataFrame        # schema.INDICATORS columns, list cells as tuples
    tasks: pd.DataFrame             # schema.TASKS columns
    units: pd.DataFrame             # schema.UNITS columns
    findings: list[NoticeFinding] = field(default_factory=list)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


@dataclass
class _Parsed:
    """Working state of one parse: the item blocks of each list, with what they say."""
    indicators: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    findings: list[NoticeFinding] = field(default_factory=list)
    unit_lines: dict[str, tuple[str, int]] = field(default_factory=dict)  # name → (sentence, line) first named

    def note(self, code: str, *, sentence: str = "", line: int | None = None, **params: object) -> None:
        """A finding of `code` (its severity is the catalogue's) tied to the notice's sentence and line."""
        self.findings.append(NoticeFinding(finding(code, **params), sentence, line))

    def name_units(self, names: tuple[str, ...], sentence: str, line: int) -> None:
        for name in names:
            self.unit_lines.setdefault(name, (sentence, line))


def _parts(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """The blocks under the level-1 heading with 指标 (the indicator list) and the one with 任务 (the tasks)."""
    heads = [i for i, b in enumerate(blocks) if b.level == "l1"]
    indicator_part: list[Block] = []
    task_part: list[Block] = []
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(blocks)
        title = blocks[i].text
        if "指标" in title and not indicator_part:
            indicator_part = blocks[i + 1:end]
        elif "任务" in title and not task_part and "原则" not in title and "要求" not in title:
            task_part = blocks[i + 1:end]
    return indicator_part, task_part


def _read_indicators(part: list[Block], parsed: _Parsed) -> None:
    category = ""
    for b in part:
        if b.level == "l2":
            category = _category_of(b.text.split("。")[0])
            continue
        if b.level != "item":
            continue
        sentence, units = assignment(b.text)
        parsed.indicators.append({"block": b, "sentence": sentence, "units": units,
                                  "category": units.category or category})
        parsed.name_units(units.lead + units.responsible, b.text, b.line)


def _read_tasks(part: list[Block], parsed: _Parsed) -> None:
    section_no, section_title, n = 0, "", 0
    for b in part:
        if b.level == "l2":
            section_no, section_title, n = b.number or section_no + 1, b.text.split("。")[0].strip(), 0
            continue
        if b.level != "item":
            continue
        if section_no == 0:  # a task list without (一) sections: one section
            section_no = 1
        n += 1
        body, units = assignment(b.text)
        title, sep, description = body.partition("。")
        parsed.tasks.append({"block": b, "n": n, "section_no": section_no, "section_title": section_title,
                             "title": title.strip(), "description": description.strip() if sep else "",
                             "units": units})
        parsed.name_units(units.lead + units.responsible, b.text, b.line)


def _indicator_ids(parsed: _Parsed) -> list[str]:
    counters = {"预期性": 0, "约束性": 0, "": 0}
    prefix = {"预期性": "Y", "约束性": "B", "": "X"}
    ids = []
    for item in parsed.indicators:
        counters[item["category"]] += 1
        ids.append(f"{prefix[item['category']]}{counters[item['category']]:02d}")
    return ids


def _find_ref(ref: str, names: dict[str, str], kinds: dict[str, str], self_id: str) -> str | None:
    wanted = (ref,) + REF_SYNONYMS.get(ref, ())
    hits = [iid for iid, name in names.items() if iid != self_id and any(w in name for w in wanted)]
    hits.sort(key=lambda iid: kinds[iid] != "growth_rate")  # an in-step target compares growth rates
    return hits[0] if hits else None


def _indicator_rows(parsed: _Parsed) -> pd.DataFrame:
    ids = _indicator_ids(parsed)
    rows: list[dict] = []
    wordings = [classify(item["sentence"]) for item in parsed.indicators]
    names = {iid: standard_name(w.name) for iid, w in zip(ids, wordings)}
    kinds = {iid: w.kind for iid, w in zip(ids, wordings)}
    for pos, (iid, item, w) in enumerate(zip(ids, parsed.indicators, wordings)):
        b, units, sentence = item["block"], item["units"], item["sentence"]
        where = {"sentence": b.text, "line": b.line, "sheet": "indicators.csv", "row": pos + 2}
        ref = ""
        if w.kind == "":
            parsed.note("notice.kind_unrecognised", column="kind", value=sentence,
                        choices="、".join(schema.KINDS), **where)
        if w.guessed:
            parsed.note("notice.kind_guessed", column="kind", value=sentence, kind=w.kind,
                        kind_label=schema.KIND_LABELS[w.kind], direction=w.direction, **where)
        if w.kind == "quota" and w.verb in _CEILING_VERBS and w.direction == "up":
            parsed.note("notice.direction_guessed", column="direction", value=sentence, verb=w.verb, **where)
        if w.unit_assumed:
            parsed.note("notice.unit_assumed", column="unit", value=sentence, unit=w.unit, **where)
        if names[iid] != w.name:
            parsed.note("notice.name_completed", column="name", value=w.name, name=names[iid], **where)
        if w.kind == "in_step":
            found = _find_ref(w.ref, names, kinds, iid)
            if found:
                ref = found
                parsed.note("notice.ref_found", column="ref_indicator", value=sentence, ref=w.ref, ref_id=found,
                            ref_name=names[found], **where)
            else:
                parsed.note("notice.ref_missing", column="ref_indicator", value=sentence, ref=w.ref, **where)
        if not item["category"]:
            parsed.note("notice.category_missing", column="category", value=sentence, **where)
        responsible = tuple(dict.fromkeys(units.lead + units.responsible))
        if not responsible:
            parsed.note("notice.units_missing", column="responsible_units", value=sentence,
                        role="责任单位", col="responsible_units", **where)
        rows.append({"indicator_id": iid, "category": item["category"], "name": names[iid], "target_text": sentence,
                     "kind": w.kind, "target_value": w.target, "unit": w.unit, "direction": w.direction,
                     "ref_indicator": ref, "annual": False, "lead_units": units.lead, "responsible_units": responsible})
    return _frame(schema.INDICATORS, rows)


def _task_rows(parsed: _Parsed) -> pd.DataFrame:
    rows: list[dict] = []
    for pos, item in enumerate(parsed.tasks):
        b, units = item["block"], item["units"]
        task_id = f"T{item['section_no']:02d}-{item['n']:02d}"
        where = {"sentence": b.text, "line": b.line, "sheet": "tasks.csv", "row": pos + 2}
        if b.number is not None and b.number != item["n"]:
            parsed.note("notice.numbering_gap", column="task_id", value=item["title"], written=b.number,
                        expected=item["n"], item_id=task_id, **where)
        if not item["description"]:
            parsed.note("notice.description_missing", column="description", value=item["title"], **where)
        if not units.lead:
            parsed.note("notice.units_missing", column="lead_units", value=item["title"],
                        role="牵头单位", col="lead_units", **where)
        rows.append({"task_id": task_id, "section_no": item["section_no"], "section_title": item["section_title"],
                     "title": item["title"], "description": item["description"], "lead_units": units.lead,
                     "responsible_units": units.responsible})
        _task_quantities(task_id, item["description"], b, parsed)
    return _frame(schema.TASKS, rows)


_CLAUSE = re.compile(r"[^,,。;;:]+")


def _task_quantities(task_id: str, description: str, b: Block, parsed: _Parsed) -> None:
    """Quantities written inside a task ("服务业增加值突破400亿元") become proposed task indicators."""
    for sentence in re.findall(r"[^。]+。?", description):
        for clause in _CLAUSE.findall(sentence):
            clause = clause.strip()
            quantities = [q for q in _QUANTITY.finditer(half(clause))
                          if not (q.group("unit") == "年" and len(q.group("num")) == 4)]
            start = 0
            for q in quantities:
                phrase = clause[start: q.end()].lstrip("、和及")
                phrase = phrase.split("、", 1)[1] if start and "、" in phrase[: q.start() - start] else phrase
                start = q.end()
                w = classify(phrase)
                params = {"sentence": sentence.strip(), "line": b.line, "sheet": "indicators.csv", "value": phrase,
                          "task_id": task_id}
                if w.kind and w.target is not None:
                    parsed.note("notice.task_quantity", name=_task_indicator_name(w.name), kind_label=schema.KIND_LABELS[w.kind],
                                target=f"{w.target:g}", unit=w.unit, **params)
                else:
                    parsed.note("notice.task_quantity_unclear", **params)


_LEADING_VERBS = re.compile(r"^(?:到\d{4}年)?(?:打造|争创|创建|建成|培育|新建|建设|实现|力争)")
_COUNT_WORDS = re.compile(r"[一两二三四五六七八九十]+[个家项]$")


def _task_indicator_name(name: str) -> str:
    """「打造装备制造、轻工纺织两个」→「装备制造、轻工纺织」: the thing counted, without the verb and the count."""
    return _COUNT_WORDS.sub("", _LEADING_VERBS.sub("", name)) or name


def _unit_rows(parsed: _Parsed, known: UnitDirectory | None) -> pd.DataFrame:
    """Every name the parentheses hold, as written; kinds and members from the known list where it has them."""
    names = list(parsed.unit_lines)
    rows = [_unit_row(name, known) for name in names]
    guessed = sum(1 for name in names if not _known_directly(name, known))
    present = {normalise_name(n) for n in names}
    for row in list(rows):  # members a known list gives, so the draft's groups resolve
        for member in row["members"]:
            if normalise_name(member) not in present:
                present.add(normalise_name(member))
                rows.append(_unit_row(member, known))
    _alias_findings(names, known, parsed)
    for i, row in enumerate(rows):
        if row["kind"] == schema.GROUP_KIND and not row["members"]:
            sentence, line = parsed.unit_lines.get(row["unit"], ("", None))
            parsed.note("notice.group_members", sheet="units.csv", row=i + 2, column="members", value=row["unit"],
                        sentence=sentence, line=line)
    if guessed:
        parsed.note("notice.unit_kind_guessed", sheet="units.csv", column="kind", count=guessed)
    return _frame(schema.UNITS, rows)


def _known_directly(name: str, known: UnitDirectory | None) -> UnitInfo | None:
    """The known list's entry when `name` is its canonical spelling (not an alias), else None."""
    info = known.units.get(known.resolve(name) or "") if known else None
    return info if info is not None and normalise_name(info.unit) == normalise_name(name) else None


def _unit_row(name: str, known: UnitDirectory | None) -> dict:
    info = _known_directly(name, known)
    return {"unit": name, "kind": info.kind if info else guess_unit_kind(name), "aliases": (),
            "members": info.members if info and info.is_group else ()}


def _alias_findings(names: list[str], known: UnitDirectory | None, parsed: _Parsed) -> None:
    """Likely aliases by spelling, and names the known list holds as aliases: reported, never merged."""
    pairs = likely_aliases(names)
    if known is not None:
        pairs += [(canonical, name, "已知单位名录中是别名") for name in names
                  if (canonical := known.resolve(name)) and normalise_name(canonical) != normalise_name(name)]
    for first, name, reason in pairs:
        sentence, line = parsed.unit_lines[name]
        parsed.note("notice.unit_alias", sheet="units.csv", row=names.index(name) + 2, column="unit", value=name,
                    other=first, reason=reason, sentence=sentence, line=line)


def _frame(table: schema.Table, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in table.columns:
        if col.name not in frame.columns:
            frame[col.name] = [() for _ in range(len(frame))] if col.dtype == "list" else None
    return frame.reindex(columns=table.names)


# --- plan.toml -------------------------------------------------------------------------------------------

_OUTLINE = re.compile(r"《([^》]*?五年规划[^》]*)》")
_PLAN_NUMBER = re.compile(r"第([一二三四五六七八九十]+)个五年规划|“?([一二三四五六七八九十]+)五”?规划")
_DISTRICT = re.compile(r"^(?:.{2,3}?省)?(?:.{2,4}?[市州盟])?(?P<district>.{2,}?[区县市旗])$")
_DATE = re.compile(r"(\d{4})(?:年|-)(\d{1,2})(?:月|-)(\d{1,2})日?")
FOURTEENTH_PLAN_BASE_YEAR = 2020  # the 14th plan runs 2021–2025; each plan is five years on


def plan_years(number: int) -> tuple[int, int]:
    """十四五 → (2020, 2025), 十五五 → (2025, 2030): base year = end of the previous plan."""
    base = FOURTEENTH_PLAN_BASE_YEAR + 5 * (number - 14)
    return base, base + 5


def _cn_plan_label(number: int) -> str:
    """14 → 十四, 15 → 十五, 20 → 二十 (the 十四 of “十四五”)."""
    digits = "一二三四五六七八九"
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else "十" if tens == 1 else digits[tens - 1] + "十"
    return head + (digits[ones - 1] if ones else "")


def _plan_config(blocks: list[Block], district: str | None, base_year: int | None, target_year: int | None,
                 parsed: _Parsed) -> dict[str, object]:
    text = "\n".join(b.text for b in blocks[:40])
    name = ""
    if m := _OUTLINE.search(text):
        name = re.match(r"^(.*?五年规划)", m.group(1)).group(1)
    else:
        for b in blocks[:40]:
            if m := re.search(r"([^《》“”]*?五年规划)", b.text):
                name = re.sub(r"^.*?关于印发", "", m.group(1))
                break
    number = None
    if m := _PLAN_NUMBER.search(name or text):
        number = cn_number(m.group(1) or m.group(2))
    if district is None and (m := _DISTRICT.match(re.split(r"国民经济|经济和社会", name)[0])):
        district = m.group("district")
    if base_year is None and target_year is None and number:
        base_year, target_year = plan_years(number)
    elif base_year is None and target_year is not None:
        base_year = target_year - 5
    elif target_year is None and base_year is not None:
        target_year = base_year + 5
    label = _cn_plan_label(number) if number else ""
    short = f"{district or ''}“{label}五”规划" if label else name
    config: dict[str, object] = {"name": name, "short_name": short, "source": _source(blocks)}
    if base_year is not None:
        config["base_year"], config["target_year"] = base_year, target_year
    for key, field_name, option in (("name", "规划名称", "plan.toml 的 name"), ("base_year", "基期和目标年份", "--base-year/--target-year")):
        if not config.get(key):
            parsed.note("notice.config_missing", sheet="plan.toml", column=key, field=field_name, option=option)
    if name and base_year is not None:
        parsed.note("notice.config_guessed", sheet="plan.toml", value=name, name=name, short_name=short,
                    base_year=base_year, target_year=target_year)
    return config


def _source(blocks: list[Block]) -> str:
    candidates = [b.text for b in blocks[:20] if b.text.endswith("通知") and len(b.text) < 150]
    title = next((t for t in candidates if "关于" in t), candidates[0] if candidates else "")  # not a page's <title>
    dates = [m for b in blocks[:20] if (m := _DATE.search(b.text))]
    if not title:
        return ""
    if dates:
        y, mo, d = dates[0].groups()
        return f"{title}({int(y)}年{int(mo)}月{int(d)}日)"
    return title


# --- the whole notice ----------------------------------------------------------------------------------

def parse_notice(lines: list[Line], *, name: str = "通知", district: str | None = None, base_year: int | None = None,
                 target_year: int | None = None, known_units: UnitDirectory | None = None) -> Draft:
    """The draft plan a notice describes. NoticeError when it has no indicator list or no task list."""
    blocks = blocks_of(lines)
    indicator_part, task_part = _parts(blocks)
    parsed = _Parsed()
    _read_indicators(indicator_part, parsed)
    if not parsed.indicators:
        raise NoticeError("notice.no_indicators", value=name)
    _read_tasks(task_part, parsed)
    if not parsed.tasks:
        raise NoticeError("notice.no_tasks", value=name)
    config = _plan_config(blocks, district, base_year, target_year, parsed)
    indicators = _indicator_rows(parsed)
    tasks = _task_rows(parsed)
    units = _unit_rows(parsed, known_units)
    _gap_findings(indicators, parsed)
    return Draft(config, indicators, tasks, units, parsed.findings)


def _gap_findings(indicators: pd.DataFrame, parsed: _Parsed) -> None:
    """What a notice never holds: one finding per kind of gap, not one per cell."""
    need = indicators[indicators["kind"].isin(schema.KINDS_NEEDING_BASELINE)]
    if len(need):
        parsed.note("notice.baseline_missing", sheet="indicators.csv", column="baseline_value",
                    ids="、".join(need["indicator_id"]), count=len(need))
    parsed.note("notice.bounds_missing", sheet="indicators.csv", column="plausible_min", count=len(indicators))
    parsed.note("notice.annual_default", sheet="indicators.csv", column="annual")


def read_known_units(path: Path | str) -> UnitDirectory:
    """A units.csv (or a plan folder holding one) whose kinds, members and aliases a draft may use."""
    path = Path(path)
    file = path / "units.csv" if path.is_dir() else path
    if not file.is_file():
        raise NoticeError("notice.known_units_missing", value=str(file))
    frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in ("unit", "kind") if c not in frame.columns]
    if missing:
        raise NoticeError("notice.known_units_invalid", value=str(file), columns="、".join(missing))
    for col in ("aliases", "members"):
        cells = frame[col] if col in frame.columns else pd.Series("", index=frame.index)
        frame[col] = cells.map(lambda c: tuple(p.strip() for p in str(c).split(schema.LIST_SEPARATOR) if p.strip()))
    return UnitDirectory.from_frame(frame)


def draft_from_notice(path: Path | str, **options: object) -> Draft:
    path = Path(path)
    return parse_notice(read_notice(path), name=path.name, **options)


# --- files -----------------------------------------------------------------------------------------------

def _cell(value: object) -> str:
    if isinstance(value, tuple):
        return schema.LIST_SEPARATOR.join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _csv(frame: pd.DataFrame) -> bytes:
    text = frame.map(_cell).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _toml(config: dict[str, object]) -> bytes:
    lines = ["# Draft plan read from a task-division notice by `python -m lib plan from-notice`; check findings.csv."]
    for key in ("name", "short_name", "source", "base_year", "target_year"):
        if key not in config:
            continue
        value = config[key]
        # A JSON string is a valid TOML basic string (same escapes); integers are written bare.
        lines.append(f"{key} = {value}" if isinstance(value, int) else f"{key} = {json.dumps(str(value), ensure_ascii=False)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def findings_table(findings: list[NoticeFinding]) -> pd.DataFrame:
    """findings.csv: what the office must check, each with the notice sentence it came from."""
    rows = [{"级别": SEVERITY_LABEL[f.finding.severity], "代码": f.code, "文件": f.finding.sheet,
             "行": f.finding.row, "列": f.finding.column, "说明": f.finding.message,
             "原文行号": f.line, "原文": f.sentence} for f in findings]
    frame = pd.DataFrame(rows, columns=["级别", "代码", "文件", "行", "列", "说明", "原文行号", "原文"])
    for col in ("行", "原文行号"):
        frame[col] = frame[col].astype("Int64")
    return frame


def draft_files(draft: Draft) -> dict[str, bytes]:
    """The five files of the draft folder, by name."""
    findings = findings_table(draft.findings).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    return {"plan.toml": _toml(draft.config), "indicators.csv": _csv(draft.indicators), "tasks.csv": _csv(draft.tasks),
            "units.csv": _csv(draft.units), "findings.csv": findings}
