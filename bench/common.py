"""Set-up the benchmark scripts share: the sample data through a temporary store, and the overview's filter reruns."""
from __future__ import annotations

import os
import tempfile
import time

FILTER_VALUES = ["约束性", "预期性", "全部"]   # the overview's 指标属性 filter, stepped through in turn


def exported_sample_inputs(prefix: str) -> tuple:
    """The sample data read through a temporary store (as `python -m lib briefing|report` reads it):
    (plan, indicator progress, task progress, annual targets). Exits 1, saying why on stderr, when chart images
    cannot be exported (no browser): the briefing and report benchmarks time the images too."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("PLANMON_DB_URL", f"sqlite:///{tmp}/planmon.sqlite")

    from lib import images, settings
    from lib.plan import load_plan
    from lib.plan_catalog import ready_store
    from lib.store import assessment_inputs

    ok, message = images.export_available()
    if not ok:
        raise SystemExit(message)   # printed on stderr, exit status 1
    plan = load_plan(settings.get("plan_dir"))
    return assessment_inputs(ready_store(plan), plan)


def filter_rerun_seconds(at, runs: int) -> list[float]:  # noqa: ANN001 - a run AppTest of the dashboard
    """Server time of each overview rerun after a filter change, with every filter value warmed first (cache hits)."""
    for v in FILTER_VALUES:
        at.selectbox(key="v_category").set_value(v).run()
    times = []
    for i in range(runs * len(FILTER_VALUES)):
        at.selectbox(key="v_category").set_value(FILTER_VALUES[i % len(FILTER_VALUES)])
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return times
