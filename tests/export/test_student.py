"""The student edition: no outputs, no solutions, runs up to the first stub, and every stub's check explains itself.

Run by `make student-test` after `make student` (it executes every chapter, so it is not part of `make check`).
"""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "build" / "student"
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


def tags(cell):
    return cell.metadata.get("tags", [])


def next_code_cell(cells, index):
    return next(i for i in range(index + 1, len(cells)) if cells[i].cell_type == "code")


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


def test_runs_to_the_first_stub_and_each_check_fails_helpfully(chapter):
    _, student = chapter
    NotebookClient(student, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(STUDENT)}}).execute()
    cells = student.cells
    stubs = [i for i, cell in enumerate(cells) if "solution" in tags(cell)]
    failing = [i for i, cell in enumerate(cells) if cell.cell_type == "code" and "raises-exception" not in tags(cell)
               and any(output.output_type == "error" for output in cell.outputs)]
    assert stubs, "a chapter has exercises with stubs"
    assert failing and failing[0] > stubs[0], f"cells {failing} fail before the first stub (cell {stubs[0]})"
    for stub in stubs:
        check = next_code_cell(cells, stub)
        errors = [output for output in cells[check].outputs if output.output_type == "error"]
        assert errors, f"the check after the stub in cell {stub} passed with no solution"
        assert "not written yet" in errors[0].evalue, \
            f"the check after cell {stub} fails with an unhelpful {errors[0].ename}: {errors[0].evalue[:200]}"
