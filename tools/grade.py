"""`make grade`: grade a class's notebooks offline, with the course's own checks, into build/grades/.

Usage: python tools/grade.py SUBMISSIONS [-o build/grades] [-j JOBS] [--chapters 04_loss,...]
                             [--cell-seconds 120] [--notebook-seconds 900] [--memory-mb 2048]
       python tools/grade.py --bench [-j JOBS]

SUBMISSIONS holds one folder per student with the chapters' student notebooks under their course names
(``alice/04_loss.ipynb``), or notebooks named ``STUDENT-CHAPTER.ipynb`` (``alice-04_loss.ipynb``), or both.
Each notebook runs in a fresh kernel (tools/grade_run.py) with the course's cells and the student's answers
(tools/grade_course.py); the results are ``gradebook.csv`` (one row per student, chapter and exercise), ``index.html``
and one feedback page per student (tools/grade_report.py). The chapters graded are those anyone handed in, unless
--chapters names them; a student without one of them gets its exercises as ``missing``.
"""
import argparse
import concurrent.futures
import csv
import multiprocessing
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import grade_course  # noqa: E402
import grade_report  # noqa: E402
import grade_run  # noqa: E402
import make_student  # noqa: E402
from grade_course import NOTEBOOKS, ROOT, NotGradable  # noqa: E402

COLUMNS = ("student", "chapter", "exercise", "status", "points", "max_points", "message")
STATUSES = ("passed", "failed", "error", "timeout", "missing", "invalid")
FLAT_NAME = re.compile(r"^(?P<student>.+)-(?P<chapter>\d\d_\w+)$")
SUSPICIOUS = {"frames": r"_getframe|tb_frame|f_back|f_globals|f_locals|inspect\.(?:stack|currentframe)",
              "the grader": r"__nncore_grader__|nncore_grader|grade_sandbox",
              "the garbage collector": r"\bgc\.", "ctypes": r"\bctypes\b", "sys.modules": r"sys\.modules",
              "tracing": r"settrace|setprofile|addaudithook", "builtins": r"\bbuiltins\b|__builtins__",
              "the checks": r"\bchecks\b\s*\.|import\s+checks|from\s+checks|importlib"}
OUTPUT_NOTE_BYTES = 10 * 2 ** 20
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
CELL_FILE = re.compile(r"/tmp/ipykernel_\d+/\d+\.py|<ipython-input-[^>]*>")
WORKDIR = re.compile(r"/\S*?nncore-grade-[^/\s'\"]+(?:/kernel)?")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Row:
    student: str
    chapter: str
    exercise: str
    status: str
    points: float
    max_points: float
    message: str


@dataclass
class Graded:
    """One submitted notebook (or its absence): its rows, and notes and review flags for its feedback page."""
    student: str
    chapter: str
    rows: list
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    seconds: float = 0.0


def clean(message, limit=500):
    """``message`` on one line, without colour codes, memory addresses or this machine's temporary paths."""
    text = WORKDIR.sub(".", CELL_FILE.sub("<cell>", ADDRESS.sub("0x...", ANSI.sub("", str(message)))))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def solved_submission(path):
    """The student edition of the chapter ``path`` with the instructor's solutions pasted into its answer cells."""
    teacher = nbformat.read(path, as_version=4)
    student = make_student.student_version(nbformat.read(path, as_version=4))
    for mine, theirs in zip(student.cells, teacher.cells):
        if make_student.is_answer(theirs):
            mine.source = theirs.source
    return student


# Discovery ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Submission:
    student: str
    chapter: str
    path: Path


def discover(folder):
    """Every notebook in ``folder``, in both layouts, sorted, and every student folder (with ``path`` None).

    A flat file not named STUDENT-CHAPTER.ipynb belongs to no student: its student and chapter are "".
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"SUBMISSIONS must be a folder of submissions, got {str(folder)!r}, which is "
                                 f"{'a file' if folder.exists() else 'not there'}")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found.append(Submission(entry.name, "", None))  # a student folder, even an empty one
            found.extend(Submission(entry.name, path.stem, path) for path in sorted(entry.glob("*.ipynb"))
                         if not path.name.startswith("."))
        elif entry.suffix == ".ipynb":
            named = FLAT_NAME.match(entry.stem)
            found.append(Submission(named["student"], named["chapter"], entry) if named
                         else Submission("", "", entry))
    return found


# One notebook -------------------------------------------------------------------------------------------------

def rows_for(student, chapter, status, message):
    return [Row(student, chapter.name, exercise.id, status, 0, exercise.points, message)
            for exercise in chapter.exercises]


def stop_message(reason, limits, where):
    """Why the kernel stopped early, ``where`` naming the part of the notebook ("ex3", "this exercise")."""
    return {"died": f"the kernel died in {where} (os._exit(), a crash, or more than the {limits.memory_mb} MB "
                    "memory limit)",
            "time": f"the notebook's time limit of {limits.notebook_seconds} s ran out in {where}",
            "stuck": f"a cell of {where} ran past the {limits.cell_seconds} s limit and did not stop when "
                     "interrupted"}[reason]


def outcome(exercise, plan, run, limits):
    """(status, message) of one exercise of a run."""
    steps = [k for k, step in enumerate(plan.steps) if step.span == exercise.index]
    check = next(k for k in steps if plan.steps[k].role == "check")
    if run.cells[check].state == "not run":
        stopped_span = plan.steps[run.stopped_at].span if run.stopped_at is not None else None
        status = "error" if run.stopped == "died" else "timeout"
        if run.stopped_at in steps:
            return status, stop_message(run.stopped, limits, "this exercise") + ", so nothing after it ran"
        where = "the chapter's setup" if stopped_span is None else f"ex{stopped_span + 1}"
        return status, "not run: " + stop_message(run.stopped, limits, where)
    own = [k for k in steps if plan.steps[k].role in ("answer", "added")]
    if any(run.cells[k].state == "timeout" for k in own):
        return "timeout", f"a cell of this exercise ran past the {limits.cell_seconds} s limit (an endless loop?)"
    if run.cells[check].state == "timeout":
        return "timeout", f"the check ran past the {limits.cell_seconds} s limit: the code it calls takes too long"
    raised = next((run.cells[k].error for k in own if run.cells[k].state == "error"), "")
    if raised.startswith("MemoryError"):
        raised += f" (a notebook may use {limits.memory_mb} MB)"
    record = run.records.get(exercise.index)
    if record is not None and record["status"] == "passed":
        return "passed", record["message"]
    if exercise.index in plan.missing:
        return "missing", "the cell of this exercise is not in the notebook (deleted, or turned into text)"
    if raised:
        return "error", f"your cell raised {raised}"
    if record is None:
        return "error", "the check did not report: the notebook stopped or replaced the grader"
    return record["status"], record["message"]


def flags_of(plan):
    code = "\n".join(step.source for step in plan.steps if step.role in ("answer", "added"))
    return [what for what, pattern in SUSPICIOUS.items() if re.search(pattern, code)]


def grade_notebook(student, chapter, path, owners, limits, blocked=()):
    """Grade the notebook ``path`` of ``student`` as ``chapter``; never raises for a bad notebook."""
    try:
        plan = grade_course.plan(chapter, grade_course.read_submission(path), owners)
    except NotGradable as reason:
        return Graded(student, chapter.name, rows_for(student, chapter, "invalid", clean(reason)))
    run = grade_run.run(plan, limits, blocked)
    rows, notes = [], list(plan.notes)
    for exercise in chapter.exercises:
        status, message = outcome(exercise, plan, run, limits)
        rows.append(Row(student, chapter.name, exercise.id, status, exercise.points if status == "passed" else 0,
                        exercise.points, clean(message)))
    undone = sorted({entry for record in run.records.values() for entry in record["undone"]})
    if undone:
        notes.append(f"the notebook had changed {', '.join(undone[:8])}{' ...' if len(undone) > 8 else ''}; the "
                     "checks ran with the originals")
    if run.output_bytes > OUTPUT_NOTE_BYTES:
        notes.append(f"the notebook printed {run.output_bytes / 2 ** 20:.1f} MB; outputs are not kept")
    return Graded(student, chapter.name, rows, notes, flags_of(plan))


# The class ----------------------------------------------------------------------------------------------------

_WORKER = {}


def _start_worker(owners, limits, blocked):
    _WORKER.update(owners=owners, limits=limits, blocked=blocked)


def _grade_task(student, chapter, path):
    start = time.monotonic()
    try:
        graded = grade_notebook(student, chapter, path, _WORKER["owners"], _WORKER["limits"], _WORKER["blocked"])
    except Exception as error:  # one notebook's failure must not stop the class; its rows say what went wrong
        failed = clean(f"the grader failed: {error}")
        graded = Graded(student, chapter.name, rows_for(student, chapter, "invalid", failed))
    graded.seconds = time.monotonic() - start
    return graded


def plan_class(submissions, course, chapters=None):
    """(tasks, fixed): notebooks to run as (student, chapter name, path), and Graded entries with no run."""
    named = {}
    for submission in submissions:
        named.setdefault(submission.student, [])
        if submission.path is not None:
            named[submission.student].append(submission)
    graded = sorted(chapters if chapters is not None else
                    {s.chapter for s in submissions if s.chapter in course})
    unknown = [name for name in graded if name not in course]
    if unknown:
        raise ValueError(f"--chapters names {', '.join(unknown)}, not in the course; its chapters are "
                         f"{', '.join(course)}")
    tasks, fixed = [], []
    for student in sorted(named):
        by_chapter = {}
        for submission in named[student]:
            by_chapter.setdefault(submission.chapter, []).append(submission.path)
        for chapter_name, paths in sorted(by_chapter.items()):
            where = ", ".join(path.name for path in paths)
            if chapter_name not in course:
                why = (f"{where}: not named STUDENT-CHAPTER.ipynb (like alice-04_loss.ipynb)" if not chapter_name
                       else f"no chapter {chapter_name} in the course; its chapters are {', '.join(course)}")
                fixed.append(Graded(student, chapter_name, [Row(student, chapter_name, "", "invalid", 0, 0, why)]))
            elif chapter_name not in graded:
                continue
            elif len(paths) > 1:
                fixed.append(Graded(student, chapter_name, rows_for(
                    student, course[chapter_name], "invalid", f"{len(paths)} notebooks of {chapter_name} ({where}): "
                                                              "hand in one")))
            else:
                tasks.append((student, chapter_name, paths[0]))
        for chapter_name in graded if student else ():
            if chapter_name not in by_chapter:
                fixed.append(Graded(student, chapter_name, rows_for(
                    student, course[chapter_name], "missing", f"no {chapter_name}.ipynb from {student}")))
    return tasks, fixed


def grade_class(folder, output, jobs=None, chapters=None, limits=grade_run.Limits(), quiet=False):
    """Grade every submission in ``folder`` into ``output``; returns the sorted rows of the gradebook."""
    course = grade_course.load_course()
    owners = {cell.id: chapter.name for chapter in course.values() for cell in chapter.cells}
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    output = Path(output)
    tasks, results = plan_class(discover(folder), course, chapters)
    blocked = [Path(folder).resolve(), output.resolve()]
    width = len(str(len(tasks)))
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                                                initargs=(owners, limits, blocked)) as pool:
        started = {pool.submit(_grade_task, student, course[chapter], path): path for student, chapter, path in tasks}
        for done, future in enumerate(concurrent.futures.as_completed(started), 1):
            graded = future.result()
            results.append(graded)
            if not quiet:
                passed = sum(row.status == "passed" for row in graded.rows)
                print(f"[{done:>{width}}/{len(tasks)}] {started[future].relative_to(folder)}: {passed} of "
                      f"{len(graded.rows)} passed ({graded.seconds:.1f} s)", flush=True)
    order = {name: number for number, name in enumerate(sorted(course))}
    results.sort(key=lambda graded: (graded.student, order.get(graded.chapter, len(order)), graded.chapter))
    rows = [row for graded in results for row in graded.rows]
    write_gradebook(output, rows)
    grade_report.write(output, results, course)
    return rows


def points_text(value):
    return f"{value:g}"


def write_gradebook(output, rows):
    output.mkdir(parents=True, exist_ok=True)
    with open(output / "gradebook.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.student, row.chapter, row.exercise, row.status, points_text(row.points),
                             points_text(row.max_points), row.message])


# Throughput ---------------------------------------------------------------------------------------------------

def bench(copies=20, chapter="04_loss", jobs=None):
    """Grade ``copies`` complete submissions of ``chapter`` on ``jobs`` workers (all cores by default).

    Returns {"chapter", "notebooks", "jobs", "seconds", "per_minute"}.
    """
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    with tempfile.TemporaryDirectory() as folder:
        notebook = solved_submission(NOTEBOOKS / f"{chapter}.ipynb")
        for copy in range(1, copies + 1):
            student = Path(folder) / "class" / f"student{copy:02d}"
            student.mkdir(parents=True)
            nbformat.write(notebook, student / f"{chapter}.ipynb")
        start = time.perf_counter()
        rows = grade_class(Path(folder) / "class", Path(folder) / "grades", jobs=jobs, quiet=True)
        seconds = time.perf_counter() - start
    failed = [row for row in rows if row.status != "passed"]
    if failed:
        raise RuntimeError(f"a complete submission did not pass: {failed[0]}")
    return {"chapter": chapter, "notebooks": copies, "jobs": jobs, "seconds": seconds,
            "per_minute": 60 * copies / seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="?", type=Path, help="the folder of submissions")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "build" / "grades")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="notebooks run at once (default: all cores)")
    parser.add_argument("--chapters", help="comma-separated chapters to grade (default: those handed in)")
    parser.add_argument("--cell-seconds", type=int, default=grade_run.Limits.cell_seconds)
    parser.add_argument("--notebook-seconds", type=int, default=grade_run.Limits.notebook_seconds)
    parser.add_argument("--memory-mb", type=int, default=grade_run.Limits.memory_mb)
    parser.add_argument("--bench", action="store_true", help="time 20 complete submissions of 04_loss and exit")
    args = parser.parse_args(argv)
    if args.bench:
        result = bench(jobs=args.jobs)
        print(f"graded {result['notebooks']} submissions of {result['chapter']} in {result['seconds']:.1f} s on "
              f"{result['jobs']} workers: {result['per_minute']:.1f} notebooks per minute")
        return 0
    if args.submissions is None:
        parser.error("give the folder of submissions (make grade SUBMISSIONS=path/to/folder)")
    try:
        limits = grade_run.Limits(args.cell_seconds, args.notebook_seconds, args.memory_mb)
        chapters = [name.strip() for name in args.chapters.split(",")] if args.chapters else None
        rows = grade_class(args.submissions, args.output, args.jobs, chapters, limits)
    except (ValueError, NotADirectoryError) as error:
        parser.error(str(error))
    counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
    print(", ".join(f"{count} {status}" for status, count in counts.items() if count) or "nothing to grade")
    print(f"wrote {args.output / 'gradebook.csv'} and {args.output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
