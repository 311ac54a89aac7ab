"""The student edition: no outputs, no solutions, runs up to the first stub, every stub's check explains itself, and
with the instructor's solutions put back into its stubs it is the instructor's chapter, whose checks all pass.

Run by `make student-test` after `make student` (it executes every chapter, so it is not part of `make check`);
.ci/run runs `make check` before it, which executes the instructor's chapters and compares their outputs.
"""
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402  (tools/: which cells the learner writes, and the checks under them)

STUDENT = ROOT / "build" / "student"
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


def tags(cell):
    return cell.metadata.get("tags", [])


@pytest.fixture(params=CHAPTERS, ids=[path.stem for path in CHAPTERS])
def chapter(request):
    teacher = nbformat.read(request.param, as_version=4)
    student = nbformat.read(STUDENT / request.param.name, as_version=4)
    return teacher, student


def test_outputs_cleared_and_solutions_replaced(chapter):
    teacher, student = chapter
    assert len(student.cells) == len(teacher.cells)
    for mine, theirs in zip(student.cells, teacher.cells):
        if mine.cell_type != "code":
            continue
        assert mine.outputs == [] and mine.execution_count is None
        if "solution" in tags(theirs):
            assert "raise NotImplementedError" in mine.source and mine.source != theirs.source
        else:
            assert mine.source == theirs.source or "# BEGIN SOLUTION" in theirs.source


def executed(notebook):
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(STUDENT)}}).execute()
    return notebook.cells


def printed(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def errors(cell):
    return [output for output in cell.outputs if output.output_type == "error"]


def test_runs_to_the_first_stub_and_each_check_fails_helpfully(chapter):
    teacher, student = chapter
    cells = executed(student)
    stubs = [i for i, cell in enumerate(cells) if "solution" in tags(cell)]
    exercises = make_student.exercises(teacher)
    checked = {answer for _, answers, _ in exercises for answer in answers}
    assert set(stubs) <= checked, f"the stubs in cells {sorted(set(stubs) - checked)} have no check under them"
    failing = [i for i, cell in enumerate(cells)
               if cell.cell_type == "code" and "raises-exception" not in tags(cell) and errors(cell)]
    assert stubs, "a chapter has exercises with stubs"
    assert failing and failing[0] > stubs[0], f"cells {failing} fail before the first stub (cell {stubs[0]})"
    # A piece may take several stub cells: it is checked once, by the first cell after them that is not a stub.
    for _, answers, check_index in exercises:
        check, stub = cells[check_index], answers[-1]
        if errors(check):  # an exercise's check raises
            message = errors(check)[0].evalue
        else:  # a piece's check says "Not yet" and lets the chapter go on with nncore's finished version
            message = printed(check)
            assert message.startswith("Not yet: "), f"the check after the stub in cell {stub} passed with no solution"
        assert "not written yet" in message, f"the check after cell {stub} fails unhelpfully: {message[:200]}"


def test_the_instructors_solutions_in_the_stubs_give_back_the_chapter_that_make_check_runs(chapter):
    """With the instructor's solutions put back into its stubs, a student chapter is the instructor's chapter, cell
    for cell: `make check` (which .ci/run runs first) re-executes that chapter and compares every output with the
    committed ones, where no cell fails and no check says "Not yet" (tests/test_notebooks.py). So every check
    passes on the instructor's solutions without executing the chapter a second time here."""
    teacher, student = chapter
    for mine, theirs in zip(student.cells, teacher.cells):
        if make_student.is_answer(theirs):
            mine.source = theirs.source
    assert [(cell.cell_type, cell.source) for cell in student.cells] == \
        [(cell.cell_type, cell.source) for cell in teacher.cells]


def python_files(folder):
    return sorted(path.relative_to(folder) for path in folder.rglob("*.py") if "__pycache__" not in path.parts)


def test_the_checks_helpers_and_nncore_beside_the_student_chapters_are_the_instructors():
    """The student edition runs against copies of notebooks/checks, growing.py and nncore/, byte for byte."""
    originals = {path: ROOT / "notebooks" / path for path in python_files(ROOT / "notebooks")}
    originals.update({"nncore" / path: ROOT / "nncore" / path for path in python_files(ROOT / "nncore")})
    assert python_files(STUDENT) == sorted(originals)
    for path, original in originals.items():
        assert (STUDENT / path).read_bytes() == original.read_bytes(), path
