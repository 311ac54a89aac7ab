"""Run one submission's plan (tools/grade_course.py) in a fresh kernel, within its limits, and read its outcomes.

The kernel starts in an empty temporary folder holding the course's ``checks/`` and ``growing.py`` (never the
student's folder), under tools/guard (offline, no writes into the repository) like `make check`, with
tools/grade_sandbox.py as its first cell. Each cell has a time limit, cut short so that the notebook keeps its own;
a cell past its limit is interrupted, and if the kernel does not come back the kernel is stopped. Outputs are not
kept: only the grader's signed outcomes of the check cells are read, and only from those cells.
"""
import hmac
import importlib.util
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync

import grade_sandbox
from grade_course import ROOT, NOTEBOOKS

GUARD = ROOT / "tools" / "guard"
SANDBOX = Path(grade_sandbox.__file__)
RECOVERY_SECONDS = 5
KERNEL_ENV = {"PYTHONPATH": str(GUARD), "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Limits:
    """Seconds per cell and per notebook, and megabytes of address space for the kernel."""
    cell_seconds: int = 120
    notebook_seconds: int = 900
    memory_mb: int = 2048

    def __post_init__(self):
        for name in ("cell_seconds", "notebook_seconds", "memory_mb"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{name} must be a whole number of at least 1, got {value!r}")


@dataclass
class Cell:
    """What became of one step: ``state`` is "ok", "error", "timeout" or "not run"; ``error`` is "Name: text"."""
    state: str = "not run"
    error: str = ""


@dataclass
class Run:
    """The outcome of running a plan: ``cells`` follow ``plan.steps``; ``records`` are the verified outcomes by
    exercise index; ``stopped`` says why the kernel stopped early ("" if it did not); ``stopped_at`` is the index
    of the step it stopped in."""
    cells: list
    records: dict = field(default_factory=dict)
    stopped: str = ""
    stopped_at: int = None
    output_bytes: int = 0


class GradingClient(NotebookClient):
    """nbclient keeping no output but the grader's own, from the cells it marks as the grader's."""

    def __init__(self, notebook, graders, **kwargs):
        super().__init__(notebook, **kwargs)
        self.graders, self.kept, self.output_bytes = graders, {}, 0

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        data = content.get("data", {}) if msg["msg_type"] == "display_data" else {}
        mime = grade_sandbox.KEY_MIME if cell_index == 0 else grade_sandbox.RECORD_MIME
        if cell_index in self.graders and mime in data and len(self.kept.setdefault(cell_index, [])) < 10:
            self.kept[cell_index].append(data[mime])
        else:
            self.output_bytes += len(content.get("text", "")) + sum(len(str(value)) for value in data.values())
        return None


def sandbox_source(chapter, limits, blocked, allowed):
    params = {"memory_mb": limits.memory_mb, "modules": list(chapter.modules),
              "blocked": [os.path.realpath(path) for path in blocked],
              "allowed": [os.path.realpath(path) for path in allowed],
              "exercises": [{"id": exercise.id, "source": exercise.source, "defines": list(exercise.defines)}
                            for exercise in chapter.exercises]}
    return (f"__nncore_setup__ = {{'__name__': 'nncore_grader'}}\n"
            f"exec(compile({SANDBOX.read_text()!r}, 'nncore_grader', 'exec'), __nncore_setup__)\n"
            f"__nncore_setup__['install']({json.dumps(params)})\n"
            "del __nncore_setup__")


def verified(records, key):
    """The last record of a cell that carries this run's signature, or None."""
    good = [record for record in records if isinstance(record, dict) and isinstance(record.get("mac"), str)
            and isinstance(record.get("message"), str) and isinstance(record.get("undone"), list)
            and hmac.compare_digest(record["mac"], grade_sandbox.sign(key, record.get("item"), str(record.get(
                "status")), record["message"], [str(entry) for entry in record["undone"]]))]
    return good[-1] if good else None


def workdir():
    """A fresh folder with the course's checks/ and growing.py, the kernel's working directory."""
    folder = Path(tempfile.mkdtemp(prefix="nncore-grade-"))
    (folder / "kernel").mkdir()
    shutil.copytree(NOTEBOOKS / "checks", folder / "kernel" / "checks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(NOTEBOOKS / "growing.py", folder / "kernel" / "growing.py")
    return folder


def run(plan, limits, blocked=()):
    """Execute ``plan`` (its setup step first); the kernel may not read ``blocked`` folders (nor the course's)."""
    folder = workdir()
    try:
        return _run(plan, limits, folder, [ROOT, *blocked])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(plan, limits, folder, blocked):
    allowed = [folder, *importlib.util.find_spec("nncore").submodule_search_locations, sys.prefix]
    sources = [sandbox_source(plan.chapter, limits, blocked, allowed), plan.steps[0].source,
               "__nncore_grader__.seal()"]
    checks = {}
    for step in plan.steps[1:]:
        if step.role == "check":
            checks[len(sources)] = step.span
            sources.append(f"__nncore_grader__.check({step.span})")
        else:
            sources.append(step.source)
    step_of = [None, 0, None] + list(range(1, len(plan.steps)))  # cell index -> step index
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    timeout_name = f"GradingTimeout{secrets.token_hex(8)}"
    replies = {}
    client = GradingClient(notebook, graders={0, *checks}, kernel_name="python3", allow_errors=True,
                           interrupt_on_timeout=True, shutdown_kernel="immediate", startup_timeout=120,
                           error_on_timeout={"ename": timeout_name, "evalue": "", "traceback": []},
                           on_cell_executed=lambda cell, cell_index, execute_reply:
                           replies.__setitem__(cell_index, execute_reply["content"]))
    result = Run([Cell() for _ in plan.steps])
    deadline = time.monotonic() + limits.notebook_seconds
    log = open(folder / "kernel.log", "wb")
    env = {**os.environ, **KERNEL_ENV}
    try:
        with client.setup_kernel(env=env, cwd=str(folder / "kernel"), stdout=subprocess.DEVNULL, stderr=log):
            for index, cell in enumerate(notebook.cells):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    result.stopped = "time"
                    result.stopped_at = step_of[index] if step_of[index] is not None else 0
                    break
                client.timeout = max(1, min(limits.cell_seconds, math.ceil(remaining)))
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    result.stopped, result.stopped_at = "died", step_of[index] if step_of[index] is not None else 0
                    _mark(result, step_of[index], "error", "the kernel died")
                    break
                reply = replies.get(index, {})
                timed_out = reply.get("ename") == timeout_name
                if step_of[index] is not None:
                    state = "timeout" if timed_out else "error" if reply.get("status") == "error" else "ok"
                    _mark(result, step_of[index], state, f"{reply.get('ename', '')}: {reply.get('evalue', '')}")
                if timed_out and not _recovers(client, notebook, timeout_name, replies):
                    result.stopped, result.stopped_at = "stuck", step_of[index] if step_of[index] is not None else 0
                    run_sync(client.km.shutdown_kernel)(now=True)
                    break
    except RuntimeError as error:  # the kernel would not start or talk: a problem of this machine, not the notebook
        log.close()
        tail = (folder / "kernel.log").read_text(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"the grading kernel failed: {error} {' '.join(tail)}") from None
    finally:
        log.close()
    key = _key(client.kept.get(0, []))
    for index, exercise in checks.items():
        record = verified(client.kept.get(index, []), key) if key else None
        if record is not None and record["item"] == exercise:
            result.records[exercise] = record
    result.output_bytes = client.output_bytes
    return result


def _mark(result, step, state, error):
    if step is not None:
        result.cells[step] = Cell(state, error if state != "ok" else "")


def _key(kept):
    try:
        return bytes.fromhex(kept[0]["key"])
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def _recovers(client, notebook, timeout_name, replies):
    """After an interrupted cell, whether the kernel answers again within RECOVERY_SECONDS."""
    notebook.cells.append(nbformat.v4.new_code_cell("pass"))
    index = len(notebook.cells) - 1
    client.timeout = RECOVERY_SECONDS
    try:
        client.execute_cell(notebook.cells[index], index)
    except DeadKernelError:
        return False
    finally:
        notebook.cells.pop()
    return replies.get(index, {}).get("ename") != timeout_name
