"""Write the sample plans beside the seed plan: 沙市区 "十五五" (2026–2030) and the fictitious 示例区 of the same city.

Reproducible (fixed seed, no network):

    .venv/bin/python scripts/make_sample_plans.py             # writes data/plans/shashi-15/ and data/plans/shili-15/

Each folder holds the four plan files and `progress.xlsx` with sample progress for 2026Q1–2026Q3. Everything is
marked 示例: plan.toml says `sample = true`, every target sentence and baseline source says 示例, every 备注 and
工作进展 starts with 示例数据. Where the national 15th plan outline (adopted March 2026) published a figure, the sample
uses it and says so in `baseline_source`/`target_text` (R&D spending growth ≥ 7 % a year, CO₂ per unit of GDP down
17 % over five years, life expectancy 80 years, 劳动年龄人口平均受教育年限 11.7 years, 养老机构护理型床位占比 73 %,
digital-economy core industries 12.5 % of GDP); the source is listed in data/source/public-figures.csv.

Indicators that continue from the 14th plan carry the same `code` (GDP_GROWTH, URBANIZATION, FOREST_COVER,
GRAIN_CAPACITY …). Those whose predecessor has a 2025Q4 value leave `baseline_value` empty: the new plan's baseline
is the previous plan's final value (基期值来源: 上期规划期末值), which the store fills in. 示例区 is invented: its
units are named like every district's (区发改局 …), which is what tests of district isolation need.
"""
from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import schema  # noqa: E402
from lib.xlsx import write_progress_workbook  # noqa: E402

SEED = 20260301
SAMPLE = "示例数据"
NATIONAL = "国家“十五五”规划纲要(2026年3月)主要指标"
QUARTERS = ((2026, 1), (2026, 2), (2026, 3))  # the 15th plan's first three quarters: the sample's "so far"


@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    name: str
    text: str              # the target sentence (示例)
    kind: str
    target: float | None
    unit: str
    lead: str
    code: str = ""
    baseline: float | None = None   # None with a code that continues: inherited from the previous plan's final value
    baseline_source: str = ""
    ref: str = ""
    annual: bool = False
    task: str = ""
    plausible: tuple[float | None, float | None] = (None, None)
    hard: tuple[float | None, float | None] = (None, None)
    sample: tuple[float, float] = (0.0, 0.0)   # (first-quarter value, change per quarter) of the sample progress
    assigned: float | None = None              # quota: the target the higher level assigned for 2026


def _ind(id, category, name, text, kind, target, unit, lead, **kw) -> Indicator:  # noqa: ANN001 - table rows
    return Indicator(id, category, name, text, kind, target, unit, lead, **kw)


PCT = (0, 100)
SHASHI_15 = [
    _ind("Y01", "预期性", "地区生产总值增长", "地区生产总值年均增长6%左右(示例目标)。", "growth_rate", 6, "%", "区发改局",
         code="GDP_GROWTH", plausible=(-10, 20), hard=(-100, None), sample=(6.0, 0.15)),
    _ind("Y02", "预期性", "全社会研发经费投入增长", "全社会研发经费投入年均增长7%以上(与国家目标一致)。", "growth_rate", 7, "%",
         "区科技局", code="RD_SPENDING_GROWTH", plausible=(-20, 40), hard=(-100, None), sample=(6.2, 0.3)),
    _ind("Y03", "预期性", "数字经济核心产业增加值占地区生产总值比重", "数字经济核心产业增加值占地区生产总值比重达到10%(示例目标;国家目标12.5%)。",
         "level_up", 10, "%", "区经信局", code="DIGITAL_CORE_SHARE", baseline=6.0, baseline_source="示例值",
         plausible=(0, 30), hard=PCT, sample=(6.1, 0.15)),
    _ind("Y04", "预期性", "常住人口城镇化率", "常住人口城镇化率达到93%(示例目标)。", "level_up", 93, "%", "区发改局",
         code="URBANIZATION", plausible=(80, 100), hard=PCT, sample=(90.3, 0.1)),
    _ind("Y05", "预期性", "居民人均可支配收入增长", "居民人均可支配收入增长与经济增长同步(示例)。", "in_step", None, "%", "区统计局",
         code="INCOME_GROWTH", ref="Y01", plausible=(-10, 20), hard=(-100, None), sample=(5.4, 0.25)),
    _ind("Y06", "预期性", "城镇调查失业率", "城镇调查失业率控制在5.5%以内(示例目标)。", "ceiling", 5.5, "%", "区人社局",
         code="UNEMPLOYMENT", plausible=(2, 10), hard=PCT, sample=(5.3, -0.05)),
    _ind("Y07", "预期性", "劳动年龄人口平均受教育年限", "劳动年龄人口平均受教育年限提高到11.8年(示例目标;国家目标11.7年)。",
         "level_up", 11.8, "年", "区教育局", code="EDUCATION_YEARS", baseline=11.3, baseline_source="示例值",
         annual=True, plausible=(8, 16), hard=(0, 25), sample=(11.3, 0.0)),
    _ind("Y08", "预期性", "人均预期寿命", "人均预期寿命提高到80岁(与国家目标一致)。", "level_up", 80, "岁", "区卫健局",
         code="LIFE_EXPECTANCY", annual=True, plausible=(70, 90), hard=(0, 120), sample=(79.5, 0.0)),
    _ind("Y09", "预期性", "每千人口拥有执业(助理)医师数", "每千人口拥有执业(助理)医师数达到4.5人(示例目标)。", "level_up", 4.5,
         "人", "区卫健局", code="DOCTORS_PER_1000", baseline=4.02, baseline_source="示例值(上期规划2025年数据未报)",
         annual=True, plausible=(2, 8), hard=(0, None), sample=(4.02, 0.0)),
    _ind("Y10", "预期性", "养老机构护理型床位占比", "养老机构护理型床位占比提高到73%(与国家目标一致)。", "level_up", 73, "%",
         "区民政局", code="NURSING_BED_SHARE", baseline=60.0, baseline_source="示例值", plausible=(30, 100), hard=PCT,
         sample=(60.2, 0.2)),
    _ind("Y11", "预期性", "每千人口拥有3岁以下婴幼儿托位数", "每千人口拥有3岁以下婴幼儿托位数达到4.5个(示例目标)。", "level_up", 4.5,
         "个", "区卫健局", code="CHILDCARE_PLACES", plausible=(0, 8), hard=(0, None), sample=(1.95, 0.08)),
    _ind("B01", "约束性", "单位地区生产总值二氧化碳排放降低", "单位地区生产总值二氧化碳排放五年累计降低17%(与国家目标一致)。",
         "reduction_total", 17, "%", "区发改局", code="CO2_INTENSITY_CUT", plausible=(-5, 15), hard=(None, 99.9),
         sample=(3.2, 0.1)),
    _ind("B02", "约束性", "单位地区生产总值能源消耗降低", "完成上级下达的单位地区生产总值能源消耗降低目标(示例)。", "quota", None, "%",
         "区发改局", code="ENERGY_INTENSITY_CUT", plausible=(-5, 15), hard=(None, 99.9), sample=(2.9, 0.1), assigned=3.0),
    _ind("B03", "约束性", "空气质量优良天数比率", "完成上级下达的空气质量优良天数比率目标(示例)。", "quota", None, "%",
         "区生态环境分局", code="AIR_QUALITY", plausible=(50, 100), hard=PCT, sample=(84.5, 0.4), assigned=85.0),
    _ind("B04", "约束性", "地表水达到或好于Ⅲ类水体比例", "完成上级下达的地表水达到或好于Ⅲ类水体比例目标(示例)。", "quota", None, "%",
         "区生态环境分局", code="WATER_QUALITY", plausible=(30, 100), hard=PCT, sample=(83.3, 0.0)),
    _ind("B05", "约束性", "森林覆盖率", "森林覆盖率达到36.5%(示例目标)。", "level_up", 36.5, "%", "区自规分局",
         code="FOREST_COVER", plausible=(20, 50), hard=PCT, sample=(36.1, 0.02)),
    _ind("B06", "约束性", "粮食综合生产能力", "粮食综合生产能力稳定在13.2万吨以上(示例目标)。", "level_up", 13.2, "万吨",
         "区农业农村局", code="GRAIN_CAPACITY", annual=True, plausible=(8, 16), hard=(0, None), sample=(12.9, 0.0)),
    _ind("K01", "任务指标", "服务业增加值", "到2030年,服务业增加值达到520亿元(示例目标)。", "level_up", 520, "亿元", "区发改局",
         code="SERVICE_VALUE_ADDED", annual=True, task="T02-01", plausible=(300, 800), hard=(0, None), sample=(405, 0)),
    _ind("K02", "任务指标", "城镇新增就业(五年累计)", "城镇新增就业五年累计4万人以上(示例目标)。", "cumulative", 40000, "人",
         "区人社局", code="NEW_URBAN_JOBS", task="T03-01", plausible=(0, 20000), hard=(0, None), sample=(2800, 2850)),
]

# (section, title, lead, responsible, description): illustrative tasks only.
SHASHI_15_TASKS = [
    (1, "加快建设区域科技创新高地", "区科技局", "区经信局|区教育局", "示例任务:支持企业建设研发平台,推动科技成果就地转化。"),
    (1, "推进数字经济和实体经济深度融合", "区经信局", "区政数局|区商务局", "示例任务:实施制造业数字化转型行动,培育数字经济核心产业。"),
    (2, "大力提振消费", "区商务局", "区文旅局|各街道", "示例任务:发展商圈和夜间经济,扩大服务消费。"),
    (2, "扩大有效投资", "区发改局", "区住建局|区招商中心", "示例任务:谋划储备重大项目,推进城市更新和基础设施建设。"),
    (3, "促进高质量充分就业", "区人社局", "各镇、街道", "示例任务:做好高校毕业生、农民工等重点群体就业服务。"),
    (3, "积极应对人口老龄化", "区民政局", "区卫健局|各镇、街道", "示例任务:增加护理型养老床位,发展社区嵌入式养老服务。"),
    (4, "推进碳达峰行动", "区发改局", "区经信局|区生态环境分局", "示例任务:推动重点行业节能降碳改造,建设绿色工厂。"),
    (4, "提升粮食安全保障能力", "区农业农村局", "各镇", "示例任务:建设高标准农田,稳定粮食播种面积。"),
]
SECTIONS = {1: "科技创新引领、建设现代化产业体系", 2: "扩大内需、做强国内大循环", 3: "增进民生福祉", 4: "绿色低碳和安全发展"}

# 示例区: invented; a smaller set of the same codes so the city page has something to compare.
SHILI_UNITS = [
    ("区发改局", "区直部门", "", ""), ("区统计局", "区直部门", "", ""), ("区科技局", "区直部门", "", ""),
    ("区经信局", "区直部门", "", ""), ("区人社局", "区直部门", "", ""), ("区卫健局", "区直部门", "", ""),
    ("区生态环境分局", "区直部门", "环保分局", ""), ("区自规分局", "区直部门", "", ""), ("区农业农村局", "区直部门", "", ""),
    ("区商务局", "区直部门", "", ""), ("示例一镇", "镇", "", ""), ("示例二镇", "镇", "", ""), ("示例街道", "街道", "", ""),
    ("各镇、街道", "组团", "", "示例一镇|示例二镇|示例街道"), ("各镇", "组团", "", "示例一镇|示例二镇"),
]
SHILI_IDS = ("Y01", "Y02", "Y04", "Y05", "Y06", "B01", "B03", "B05", "B06")
SHILI_TARGETS = {"Y01": 5.5, "Y02": 8, "Y04": 75, "Y06": 5.0, "B01": 16, "B05": 42, "B06": 30}
SHILI_BASELINES = {"Y04": 68.0, "B05": 40.2, "B06": 28.5}
SHILI_PLAUSIBLE = {"Y04": (50, 100), "B06": (15, 45)}
SHILI_START = {"Y01": 5.1, "Y02": 8.4, "Y04": 68.4, "Y05": 5.3, "Y06": 5.2, "B01": 2.6, "B03": 80.1, "B05": 40.3, "B06": 28.7}
SHILI_TASKS = [
    (1, "培育特色产业集群", "区经信局", "区科技局|各镇", "示例任务:示例区的虚构任务,用于演示区县对比。"),
    (2, "扩大有效投资", "区发改局", "区商务局", "示例任务:示例区的虚构任务,用于演示区县对比。"),
    (3, "促进高质量充分就业", "区人社局", "各镇、街道", "示例任务:示例区的虚构任务,用于演示区县对比。"),
    (4, "推进碳达峰行动", "区发改局", "区生态环境分局", "示例任务:示例区的虚构任务,用于演示区县对比。"),
]


def _shili_indicators() -> list[Indicator]:
    by_id = {i.id: i for i in SHASHI_15}
    out = []
    for iid in SHILI_IDS:
        base = by_id[iid]
        target = SHILI_TARGETS.get(iid, base.target)
        text = base.text.split("(")[0].replace(_number(base.target), _number(target)) + "(示例目标)。" if base.target else base.text
        baseline = SHILI_BASELINES.get(iid)
        out.append(Indicator(**{**base.__dict__, "target": target, "text": text, "baseline": baseline,
                                "baseline_source": "示例值" if baseline is not None else "",
                                "lead": "区统计局" if iid == "Y05" else base.lead,
                                "plausible": SHILI_PLAUSIBLE.get(iid, base.plausible),
                                "sample": (SHILI_START[iid], base.sample[1])}))
    return out


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# --- plan files ---------------------------------------------------------------------------------

def _toml(path: Path, fields: dict[str, object]) -> None:
    lines = ["# 示例规划:由 scripts/make_sample_plans.py 生成,数值均为示例,不是正式文件。"]
    for key, value in fields.items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, int) else chr(34) + str(value) + chr(34)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _indicator_rows(indicators: list[Indicator], tasks: list[tuple]) -> list[list[object]]:
    task_ids = _task_ids(tasks)
    rows = []
    for i in indicators:
        responsible = [i.lead]
        if i.task:
            responsible += [u for u in tasks[task_ids.index(i.task)][3].split("|") if u != i.lead]
        rows.append([i.id, i.category, i.name, i.text, i.kind, _number(i.target), i.unit,
                     "down" if i.kind == "ceiling" else "up", i.ref, str(i.annual).lower(), _number(i.baseline), i.baseline_source,
                     i.lead if i.task else "", "|".join(responsible), i.task,
                     _bound(i.plausible[0]), _bound(i.plausible[1]), _bound(i.hard[0]), _bound(i.hard[1]), i.code])
    return rows


def _task_ids(tasks: list[tuple]) -> list[str]:
    ids, count = [], {}
    for section, *_ in tasks:
        count[section] = count.get(section, 0) + 1
        ids.append(f"T{section:02d}-{count[section]:02d}")
    return ids


def write_plan(folder: Path, config: dict[str, object], indicators: list[Indicator], tasks: list[tuple],
               units: list[tuple[str, str, str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _toml(folder / "plan.toml", config)
    _csv(folder / "indicators.csv", schema.INDICATORS.names, _indicator_rows(indicators, tasks))
    _csv(folder / "tasks.csv", schema.TASKS.names,
         [[tid, s, SECTIONS[s], title, desc, lead, resp] for tid, (s, title, lead, resp, desc) in zip(_task_ids(tasks), tasks)])
    _csv(folder / "units.csv", schema.UNITS.names, [list(u) for u in units])


def _seed_units() -> list[tuple[str, str, str, str]]:
    frame = pd.read_csv(ROOT / "data" / "units.csv", dtype=str, keep_default_na=False)
    rows = [tuple(r) for r in frame[schema.UNITS.names].itertuples(index=False)]
    return rows + ([("区统计局", "区直部门", "", "")] if "区统计局" not in set(frame["unit"]) else [])


# --- sample progress ----------------------------------------------------------------------------

TASK_TEXT = {"推进中": ("{title}按年度计划推进,完成进度{percent}%", "", "继续按计划推进"),
             "滞后": ("{title}已部署,进度慢于计划", "项目资金尚未落实", "倒排工期,按月调度"),
             "未启动": ("{title}正在开展前期研究", "", "制定实施方案")}


def progress_frames(indicators: list[Indicator], tasks: list[tuple], rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Year-to-date values for 2026Q1–Q3 (annual indicators have none yet: their first value is 2026Q4)."""
    rows = []
    for i in indicators:
        if i.annual:
            continue
        first, step = i.sample
        for n, (year, quarter) in enumerate(QUARTERS):
            value = first + step * n + (rng.normal(0, 0.05) if i.kind != "cumulative" else 0)
            digits = 0 if i.kind == "cumulative" else 2 if abs(value) < 10 else 1
            waiting = i.kind == "quota" and i.assigned is None
            rows.append({"indicator_id": i.id, "indicator_name": i.name, "year": year, "quarter": quarter,
                         "value": round(value, digits),
                         "annual_target": i.assigned, "unit": i.lead, "note": SAMPLE + ("(年度目标待上级下达)" if waiting else "")})
    task_rows = []
    for n, (tid, (_, title, lead, _, _)) in enumerate(zip(_task_ids(tasks), tasks)):
        for year, quarter in QUARTERS:
            tau = quarter / 20
            state = "未启动" if n % 4 == 3 and quarter == 1 else "滞后" if n % 5 == 4 and quarter == 3 else "推进中"
            percent = 0 if state == "未启动" else int(round(100 * tau + rng.integers(0, 6)))
            progress, problems, next_steps = TASK_TEXT[state]
            task_rows.append({"task_id": tid, "task_name": title, "year": year, "quarter": quarter, "state": state,
                              "percent": float(percent), "progress": f"{SAMPLE}:" + progress.format(title=title, percent=percent),
                              "problems": problems, "next_steps": next_steps, "unit": lead})
    return pd.DataFrame(rows), pd.DataFrame(task_rows)


def build(out_dir: Path) -> list[Path]:
    rng = np.random.default_rng(SEED)
    common = {"city": "荆州市", "city_id": "jingzhou", "base_year": 2025, "target_year": 2030, "sample": True}
    plans = [
        (out_dir / "shashi-15", {"id": "shashi-15", "name": "荆州市沙市区国民经济和社会发展第十五个五年规划(示例)",
                                 "short_name": "沙市区“十五五”规划(示例)", "source": f"示例规划,指标体系参照{NATIONAL}",
                                 "district": "沙市区", "district_id": "shashi", **common},
         SHASHI_15, SHASHI_15_TASKS, _seed_units()),
        (out_dir / "shili-15", {"id": "shili-15", "name": "示例区国民经济和社会发展第十五个五年规划(示例)",
                                "short_name": "示例区“十五五”规划(示例)", "source": "虚构的示例区,用于演示全市多区县共用一套系统",
                                "district": "示例区", "district_id": "shili", **common},
         _shili_indicators(), SHILI_TASKS, SHILI_UNITS),
    ]
    written = []
    for folder, config, indicators, tasks, units in plans:
        write_plan(folder, config, indicators, tasks, units)
        ind_rows, task_rows = progress_frames(indicators, tasks, rng)
        write_progress_workbook(ind_rows, task_rows).save(folder / "progress.xlsx")
        written.append(folder)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "data" / "plans"), help="folder that receives one sub-folder per plan")
    args = parser.parse_args(argv)
    for folder in build(Path(args.out)):
        print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
