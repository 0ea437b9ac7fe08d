"""Read and validate an upload in a separate process with memory and CPU limits.

    result = read_isolated(data_or_path, plan, unit="区发改局", file_name="2023Q2.xlsx", known_targets=targets)
    routed = route_isolated(data, candidates, unit="区发改局", file_name="2023Q2.xlsx")   # lib.ingest

Why: calamine can abort the whole process (SIGABRT on a failed 512 GiB allocation) or panic, and no
`except` catches an abort. A parser that can abort or allocate without bound therefore never runs in the
dashboard's or the CLI's own process. `read_isolated` starts `python -m lib.readworker`, which sets
RLIMIT_AS (settings `reader_memory_mb`) and RLIMIT_CPU before anything heavy is imported, then runs
`lib.workbook.read_workbook` and sends its WorkbookResult back. A child that dies (signal, memory
exhausted, wall-clock timeout, unexpected error) becomes one `file.*` finding with a Chinese message;
the caller's process is untouched.

Protocol: one pickle on the child's stdin (the request), one pickle on its stdout (the result, its frames'
text columns sent as categoricals and restored exactly: lib.framepack). The child is this module: its
output is trusted like any other function's return value. The upload itself
is only ever parsed inside the child.

Warm worker: starting a child (interpreter, pandas, calamine) costs ~0.85 s. A long-running process
(the dashboard) calls `warm_up()` once; from then on one spare child is kept ready: started with its
limits set and its imports done, waiting for a request on stdin. `read_isolated` takes it and starts the
next once its read is answered: the start-up then overlaps the idle time before the next upload, and not
the read the user is waiting for (on two cores, a read that proves its sheet in two processes uses both).
Each child still reads exactly one upload and exits: no upload's data or memory is ever left in a process
that reads another, and RLIMIT_CPU (which counts a process's whole life) stays per upload. A spare that
has died, or was started with other settings (environment), is replaced. The CLI reads one file and does
not call warm_up, so it never starts a process it will not use. A spare whose parent exits sees its stdin
close and exits.

Cost: starting the child and the warm path are measured in bench/workbook.py (README 性能).
"""
from __future__ import annotations

import gc
import logging
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from lib import settings

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
EXIT_UNEXPECTED = 3
# The validation budget counts CPU seconds inside read_workbook. The child may use this much more CPU
# (start-up, reading) before RLIMIT_CPU stops it (SIGXCPU); the wall-clock guard allows for a busy machine
# (WALL_FACTOR × that). The budget inside read_workbook normally answers first.
SLACK_S = 20
WALL_FACTOR = 3
GC_THRESHOLD = 100_000   # new containers between cycle collections in the reading process (_tune_collector)

log = logging.getLogger(__name__)

_spare_lock = threading.Lock()
_spare: tuple[tuple, subprocess.Popen] | None = None   # (environment it was started with, the process)
_keep_warm = False


def warm_up() -> None:
    """Keep a spare reading process ready from now on (for a long-running server)."""
    global _keep_warm
    with _spare_lock:
        _keep_warm = True
        _ensure_spare(_child_env())


def _start(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lib.readworker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def _ensure_spare(env: dict[str, str]) -> None:
    """Under _spare_lock: a live spare started with `env`, replacing one that died or differs."""
    global _spare
    key = tuple(sorted(env.items()))
    if _spare is not None:
        spare_key, proc = _spare
        if spare_key == key and proc.poll() is None:
            return
        _discard(proc)
    _spare = (key, _start(env))


def _discard(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate()   # reap it and close its pipes


def _take_worker(env: dict[str, str]) -> subprocess.Popen:
    """The warm spare when there is a usable one (`_replenish` starts the next after the read); else a new child."""
    global _spare
    with _spare_lock:
        if not _keep_warm:
            return _start(env)
        _ensure_spare(env)
        _, proc = _spare
        _spare = None
        return proc


def _replenish(env: dict[str, str]) -> None:
    """After a read: a spare for the next upload, when the process keeps one."""
    with _spare_lock:
        if _keep_warm:
            _ensure_spare(env)


def read_isolated(source: bytes | Path, plan: Any, *, unit: str | None = None, file_name: str = "",
                  known_targets: Any = None) -> Any:
    """lib.workbook.read_workbook in a limited child process; same arguments, same WorkbookResult."""
    from lib.workbook import _load, _unreadable

    data, name, problem = _load(source, file_name)   # the size limit applies before anything is read
    if problem is not None or data is None:
        return _unreadable(problem)
    return _run({"data": data, "plan": plan, "unit": unit, "file_name": name, "known_targets": known_targets},
                name, _unreadable)


def route_isolated(data: bytes, candidates: list[tuple[Any, Any]], *, unit: str | None = None, file_name: str = "",
                   known_targets: dict[str, Any] | None = None) -> Any:
    """lib.ingest.read_routed in a limited child process: the upload is read against the district's plans
    (`candidates`: (PlanOption, Plan) pairs, preferred first) and goes to the one that holds its years.
    Returns a lib.ingest.Routed; a child that dies gives the same `file.*` findings as `read_isolated`."""
    from lib.ingest import Routed
    from lib.workbook import _load, _unreadable

    data, name, problem = _load(data, file_name)
    if problem is not None or data is None:
        return Routed(_unreadable(problem), None)
    return _run({"data": data, "candidates": candidates, "unit": unit, "file_name": name,
                 "known_targets": known_targets or {}}, name, lambda f: Routed(_unreadable(f), None))


def _run(request: dict[str, Any], name: str, unreadable: Any) -> Any:
    """One request to a fresh child; its result, or `unreadable(finding)` when the child did not answer."""
    from lib.findings import finding

    shown = name or "上传的文件"
    payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
    wall = (settings.get("validate_budget_s") + SLACK_S) * WALL_FACTOR
    env = _child_env()
    proc = _take_worker(env)
    try:
        stdout, stderr = proc.communicate(payload, timeout=wall)
    except subprocess.TimeoutExpired:
        _discard(proc)
        log.warning("readworker: %s killed after %s s", shown, wall)
        return unreadable(finding("file.check_timeout", value=shown, seconds=settings.get("validate_budget_s")))
    finally:
        _replenish(env)
    if proc.returncode == 0 and stdout:
        from lib.framepack import unpack
        return unpack(pickle.loads(stdout))
    note = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    log.warning("readworker: %s ended with %s %s", shown, _describe(proc.returncode), note)
    if proc.returncode == -signal.SIGXCPU:
        return unreadable(finding("file.check_timeout", value=shown, seconds=settings.get("validate_budget_s")))
    return unreadable(finding("file.unsafe", value=shown))


def _describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"exit {returncode}"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    # One thread each: BLAS/OpenMP pools reserve address space per thread, which RLIMIT_AS counts.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[name] = "1"
    env["RUST_BACKTRACE"] = "0"   # an abort's note stays one line in the log
    return env


def apply_limits(memory_mb: int, cpu_s: int) -> None:
    """Address space and CPU seconds for this process (and nothing it has not yet allocated can exceed them)."""
    memory = memory_mb * MIB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))   # SIGXCPU, then SIGKILL 5 s later
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))              # an abort leaves no core file behind


def _tune_collector() -> None:
    """This process reads one upload and exits. What its imports made lives until then, so it is frozen out
    of the cycle collector's scans, and a collection runs per GC_THRESHOLD new containers instead of per
    700: reading the largest sheet allowed makes millions of objects, of which about a thousand end in
    cycles; the collector's pauses there fell from ~0.2 s to ~0.03 s (timed with gc.callbacks)."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)


def _child() -> int:
    apply_limits(settings.get("reader_memory_mb"), settings.get("validate_budget_s") + SLACK_S)
    # Imported under the limits and before the request arrives: a warm spare has done this while waiting.
    from lib.findings import finding
    from lib.framepack import pack
    from lib.sheetxml import allow_forked_proof
    from lib.workbook import _unreadable, read_workbook
    _tune_collector()
    allow_forked_proof()   # this process reads one upload, on its own: a large sheet's proof may use a second core
    try:
        request = pickle.load(sys.stdin.buffer)
    except EOFError:
        return 0      # a spare whose parent went away (or discarded it) without a request

    shown = request["file_name"] or "上传的文件"
    try:
        if "candidates" in request:
            from lib.ingest import Routed, read_routed
            try:
                result = read_routed(request["data"], request["candidates"], unit=request["unit"],
                                     file_name=request["file_name"], known_targets=request["known_targets"])
            except MemoryError:
                result = Routed(_unreadable(finding("file.unsafe", value=shown)), None)
        else:
            result = read_workbook(request["data"], request["plan"], unit=request["unit"],
                                   file_name=request["file_name"], known_targets=request["known_targets"])
    except MemoryError:
        result = _unreadable(finding("file.unsafe", value=shown))
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line for the log, a message for the user
        print(f"readworker: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNEXPECTED
    sys.stdout.buffer.write(pickle.dumps(pack(result), protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child())
