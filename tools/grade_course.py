"""The course as `make grade` sees it, and the notebook a submission becomes before it runs.

A chapter's graded exercises are its checks (``make_student.exercises``): every check cell under cells the learner
writes, pieces and exercises alike, numbered ``ex1``, ``ex2``, ... in order. A check is worth one point unless its
cell in notebooks/ carries a tag ``points-N``.

A submission runs as the course's own code cells in the course's order, with the student's version of each cell
the student writes (found by cell id, by the copy of the id that `make student` writes into the metadata, by equal
source, or, for an answer, by the names it defines) and every cell the student added after the cell it followed.
The student's copies of the other cells, checks included, are never run.
"""
import ast
import json
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
POINTS_TAG = re.compile(r"^points-(\d+(?:\.\d+)?)$")
MAX_NOTEBOOK_BYTES = 100 * 2 ** 20


class NotGradable(Exception):
    """A submitted file that cannot be graded; the message says why, for the student."""


@dataclass(frozen=True)
class Exercise:
    """One graded check. ``index`` counts from 0; ``answers`` and ``check`` are course cell ids."""
    id: str
    index: int
    name: str
    kind: str
    points: float
    answers: tuple
    check: str
    source: str
    defines: tuple


@dataclass(frozen=True)
class CourseCell:
    """A code cell of the student edition: ``role`` is "given", "answer" or "check"."""
    id: str
    role: str
    source: str
    exercise: int = None
    defines: tuple = ()


@dataclass(frozen=True)
class Chapter:
    name: str
    cells: tuple
    exercises: tuple
    modules: tuple


@dataclass
class Step:
    """A cell of the notebook that runs: ``span`` is the index of the exercise whose check comes next."""
    role: str
    source: str
    course_id: str = None
    span: int = None


@dataclass
class Plan:
    chapter: Chapter
    steps: list
    missing: set = field(default_factory=set)
    notes: list = field(default_factory=list)


def defined_names(source):
    """Top-level functions and classes a cell defines, in order; () if it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    return tuple(node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))


def check_call(source):
    """(name, kind) of a check cell: the check it calls without ``check_``, and "piece" if its result is kept."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.Expr)) and isinstance(node.value, ast.Call):
            name = getattr(node.value.func, "id", "")
            if name.startswith("check_"):
                return name[len("check_"):], "piece" if isinstance(node, ast.Assign) else "exercise"
    return "check", "exercise"


def points(cell, where):
    values = [POINTS_TAG.match(tag) for tag in cell.metadata.get("tags", [])]
    values = [float(match.group(1)) for match in values if match]
    if len(values) > 1:
        raise ValueError(f"{where}: a check cell takes one points-N tag, got {len(values)}")
    return values[0] if values else 1.0


def load_chapter(path):
    """The chapter of the instructor's notebook ``path`` (solutions in place) as the grader uses it."""
    teacher = nbformat.read(path, as_version=4)
    student = make_student.student_version(nbformat.read(path, as_version=4))
    exercises, roles = [], {}
    for number, (exercise_id, answers, check) in enumerate(make_student.exercises(teacher)):
        cell = teacher.cells[check]
        name, kind = check_call(cell.source)
        defines = tuple(name for index in answers for name in defined_names(teacher.cells[index].source))
        exercises.append(Exercise(exercise_id, number, name, kind, points(cell, f"{path.name}, cell {cell.id}"),
                                  tuple(teacher.cells[index].id for index in answers), cell.id, cell.source, defines))
        roles.update({teacher.cells[index].id: ("answer", number) for index in answers})
        roles[cell.id] = ("check", number)
    cells = tuple(CourseCell(cell.id, roles.get(cell.id, ("given", None))[0], cell.source,
                             roles.get(cell.id, ("given", None))[1], defined_names(cell.source))
                  for cell in student.cells if cell.cell_type == "code")
    if not cells or cells[0].role != "given":
        raise ValueError(f"{path.name}: the first code cell must be the chapter's setup, not an exercise")
    modules = sorted({node.module for cell in cells for node in ast.walk(ast.parse(cell.source))
                      if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("checks.")})
    return Chapter(path.stem, cells, tuple(exercises), tuple(modules))


def load_course(folder=NOTEBOOKS):
    """Every chapter in ``folder`` by name: ``{"04_loss": Chapter, ...}``."""
    return {path.stem: load_chapter(path) for path in sorted(Path(folder).glob("[0-9][0-9]*_*.ipynb"))}


def read_submission(path):
    """The notebook in the file ``path``, or NotGradable saying what the file is instead."""
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise NotGradable(f"the file holds {size / 2 ** 20:.0f} MB; notebooks of more than "
                          f"{MAX_NOTEBOOK_BYTES // 2 ** 20} MB are not graded (clear the outputs and save it again)")
    try:
        content = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise NotGradable("not a notebook: the file is not text (UTF-8)") from None
    except json.JSONDecodeError as error:
        raise NotGradable(f"not a notebook: the file is not valid JSON ({error})") from None
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list) \
            or not isinstance(content.get("nbformat"), int):
        kind = {dict: "an object", list: "a list"}.get(type(content), "a single value")
        raise NotGradable(f"not a notebook: the file is JSON, {kind} without the cells and nbformat of a "
                          "Jupyter notebook")
    try:
        with warnings.catch_warnings():  # a cell without an id is common and harmless here: it is matched otherwise
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(content), as_version=4, capture_validation_error={})
    except Exception as error:  # nbformat raises many kinds on a damaged notebook; any of them means the same
        raise NotGradable(f"not a notebook nbformat can read: {type(error).__name__}: {error}") from None
    for number, cell in enumerate(notebook.cells):
        if not isinstance(cell.get("source"), str) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotGradable(f"not a notebook nbformat can read: cell {number} has no text source or an unknown "
                              "cell_type")
    return notebook


def cell_keys(cell):
    """The course ids a submitted cell may carry: its own id, then the copy `make student` wrote."""
    label = cell.metadata.get("nncore")
    return [key for key in (cell.get("id"), label.get("cell") if isinstance(label, dict) else None)
            if isinstance(key, str)]


def match(chapter, cells):
    """{position in ``cells``: course cell id} for the submitted code ``cells``; unmatched ones are the student's."""
    course = {cell.id: cell for cell in chapter.cells}
    found, taken = {}, set()

    def take(position, course_id):
        found[position] = course_id
        taken.add(course_id)

    for rank in range(2):  # ids first, so that a pasted copy never takes the place of the cell it copies
        for position, cell in enumerate(cells):
            keys = cell_keys(cell)
            if position not in found and len(keys) > rank and keys[rank] in course and keys[rank] not in taken:
                take(position, keys[rank])
    for position, cell in enumerate(cells):
        if position in found:
            continue
        same = [c.id for c in chapter.cells if c.id not in taken and c.role != "answer" and c.source == cell.source]
        names = defined_names(cell.source)
        named = [c.id for c in chapter.cells if c.id not in taken and c.role == "answer" and names
                 and c.defines == names]
        if same or named:
            take(position, (same or named)[0])
    return found


def recognised(cells, owners):
    """How many of ``cells`` carry an id of each chapter: ``{chapter: count}``, from ``owners`` {id: chapter}."""
    counts = {}
    for cell in cells:
        chapters = {owners[key] for key in cell_keys(cell) if key in owners}
        for name in chapters:
            counts[name] = counts.get(name, 0) + 1
    return counts


def plan(chapter, notebook, owners):
    """The steps a submission runs (the setup cell first), or NotGradable for a notebook of another chapter.

    ``owners`` maps every course cell id to its chapter's name.
    """
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = recognised(cells, owners)
    others = {name: count for name, count in counts.items() if name != chapter.name}
    if others and max(others.values()) > counts.get(chapter.name, 0):
        other = max(sorted(others), key=others.get)
        raise NotGradable(f"this is the notebook of {other} ({others[other]} of its cells), not of {chapter.name}")
    found = match(chapter, cells)
    if not found:
        raise NotGradable(f"none of the cells of {chapter.name} are in this notebook: it is not the student edition "
                          "of the chapter")
    by_course = {course_id: cells[position] for position, course_id in found.items()}
    order = [course_id for _, course_id in sorted(found.items())]
    rank = {cell.id: number for number, cell in enumerate(chapter.cells)}
    result = Plan(chapter, [])
    if [rank[course_id] for course_id in order] != sorted(rank[course_id] for course_id in order):
        result.notes.append("the notebook's cells were in another order than the course's: they ran in the "
                            "course's order")
    added, anchor = {}, chapter.cells[0].id
    for position, cell in enumerate(cells):
        if position in found:
            anchor = found[position]
        elif cell.source.strip():
            added.setdefault(anchor, []).append(cell.source)
    for cell in chapter.cells:
        if cell.role == "answer":
            if cell.id in by_course:
                result.steps.append(Step("answer", by_course[cell.id].source, cell.id))
        else:
            result.steps.append(Step(cell.role, cell.source, cell.id))
        result.steps.extend(Step("added", source) for source in added.get(cell.id, []))
    for exercise in chapter.exercises:
        if not any(course_id in by_course for course_id in exercise.answers):
            result.missing.add(exercise.index)
    span = 0
    for step in result.steps[1:]:  # the setup, first, belongs to no exercise
        step.span = span if span < len(chapter.exercises) else None
        if step.role == "check":
            span += 1
    return result
