"""`make grade` (tools/grade.py and its modules): the pieces on small inputs, then a whole class of fixture
submissions (tests/grade_fixtures.py) graded once, its gradebook compared row by row with the expected one.

Run by `make grade-test` (it starts a kernel per notebook, so it is not part of `make check`; .ci/run calls it).
"""
import csv
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))
import grade  # noqa: E402
import grade_course  # noqa: E402
import grade_fixtures as fixtures  # noqa: E402
import grade_run  # noqa: E402
import grade_sandbox  # noqa: E402
import make_student  # noqa: E402
from grade_course import NotGradable  # noqa: E402

LIMITS = grade_run.Limits(cell_seconds=15, notebook_seconds=120, memory_mb=1536)
CHAPTERS = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
NOT_WRITTEN = {exercise: f"{what}: not written yet. Replace this line with your code, then run the check below."
               for exercise, what in zip(["ex1", "ex2", "ex3", "ex4", "ex5", "ex6"], [
                   "correct_confidences", "Loss_CategoricalCrossentropy.forward", "classification_accuracy",
                   "disagreeing_predictions", "loss_slope", "fix_labels"])}
PASSED = {
    "04_loss": {
        "ex1": "Correct: correct_confidences picks each sample's probability of its true class, sparse and one-hot, "
               "on 4 batches",
        "ex2": "Correct: Loss_CategoricalCrossentropy clips both sides, takes -log of the true class for sparse and "
               "one-hot labels, and calculate averages",
        "ex3": "Correct: classification_accuracy agrees with nncore's accuracy for sparse and one-hot labels, on 5 "
               "batches",
        "ex4": "Correct: A: accuracy 1.00, loss 0.916; B: accuracy 0.50, loss 0.612: the more accurate predictions "
               "have the higher loss",
        "ex5": "Correct: the slope of the loss at p = 0.75 is -1.3333; the Loss_CategoricalCrossentropy above, "
               "measured with a small step, gives -1.3333. Where the clip holds p, the slope is 0.",
        "ex6": "Correct: fix_labels gives sparse labels of shape (N,) for wrapped and for correct labels"},
    "01_neurons": {
        "ex1": "Correct: neuron_output computes x . w + b on 5 neurons of 1 to 7 inputs",
        "ex2": "Correct: loop_layer_output gives one output per neuron, each with its own weights and bias, on 4 "
               "layers",
        "ex3": "Correct: layer_output computes X W^T + b, shape (N, n_neurons), on 4 batches of several sizes",
        "ex4": "Correct: summary_layer's weights give the mean, last minus first and the sum minus 5 for 2 to 7 "
               "features",
        "ex5": "Correct: dot_shape agrees with np.dot on 20 pairs of 1-D and 2-D shapes",
        "ex6": "Correct: four_layer_output runs each of the four layers with its own weights and biases, on 3 "
               "stacks"}}
CH01_CODE_CELLS = sum(cell.cell_type == "code"
                      for cell in nbformat.read(ROOT / "notebooks" / "01_neurons.ipynb", as_version=4).cells)
"""What the grader counts when a notebook of 01_neurons comes in for another chapter: every code cell is 01's."""
SQUEEZED = ("fix_labels of wrapped labels, shape (1, 1): gave shape (), a bare number: np.squeeze removes every axis "
            "of length 1, and one label in a batch of one still needs its axis, (1,); reshape to -1")
DIED = "(os._exit(), a crash, or more than the 1536 MB memory limit)"
STUCK = "ran past the 15 s limit and did not stop when interrupted"


def passed(chapter="04_loss", **changes):
    """{exercise: (status, message)}: every exercise passed but ``changes``."""
    return {**{exercise: ("passed", message) for exercise, message in PASSED[chapter].items()}, **changes}


def empty(**changes):
    return {**{exercise: ("failed", message) for exercise, message in NOT_WRITTEN.items()}, **changes}


def everywhere(status, message):
    return {exercise: (status, message) for exercise in NOT_WRITTEN}


PARTIAL = empty(ex1=passed()["ex1"], ex3=passed()["ex3"], ex6=("failed", SQUEEZED))
EXPECTED = {
    "complete": passed(),
    "partial": PARTIAL,
    "flat": PARTIAL,
    "empty": empty(),
    "cheat-edited-check": empty(),
    "cheat-redefined-check": empty(),
    "cheat-patched-checks": empty(ex6=("failed", fixtures.WRAPPED_MESSAGE)),
    "cheat-fake-checks-folder": empty(),
    "cheat-sys-modules": empty(ex6=("failed", fixtures.WRAPPED_MESSAGE)),
    "cheat-numpy-patch": empty(ex3=("failed", "sparse labels, shape (5,), for 5 samples of 3 classes: expected "
                                              "0.6000, got 0.5000")),
    "cheat-prints-correct": empty(),
    "cheat-forged-record": empty(ex6=("failed", fixtures.WRAPPED_MESSAGE)),
    "cheat-reads-solution": empty(ex6=("error", "your cell raised PermissionError: while it is graded, a notebook "
                                                f"may not read {fixtures.SOLUTION}")),
    "cheat-runs-cat": empty(ex6=("error", "your cell raised PermissionError: while it is graded, a notebook may "
                                          "not start other programs")),
    "cheat-imports-nncore": empty(ex3=("failed", "classification_accuracy is nncore.metrics.accuracy, not code "
                                                 "written in the notebook")),
    "broken-invalid-json": everywhere("invalid", "not a notebook: the file is not valid JSON (Expecting value: "
                                                 "line 1 column 13 (char 12))"),
    "broken-not-a-notebook": everywhere("invalid", "not a notebook: the file is JSON, an object without the cells "
                                                   "and nbformat of a Jupyter notebook"),
    "broken-deleted-cells": passed(ex6=("missing", "the cell of this exercise is not in the notebook (deleted, or "
                                                   "turned into text)")),
    "broken-reordered-cells": passed(),
    "broken-infinite-loop": passed(ex3=("timeout", "a cell of this exercise ran past the 15 s limit (an endless "
                                                   "loop?)")),
    "broken-loop-ignoring-interrupt": passed(
        ex3=("timeout", f"a cell of this exercise {STUCK}, so nothing after it ran"),
        **{exercise: ("timeout", f"not run: a cell of ex3 {STUCK}") for exercise in ("ex4", "ex5", "ex6")}),
    "broken-sys-exit": passed(ex2=("error", "your cell raised SystemExit: 1"),
                              ex5=("error", "the check cell raised NameError: name 'Loss_CategoricalCrossentropy' is "
                                            "not defined"),
                              ex6=("error", "the check stopped on SystemExit: 0")),
    "broken-os-exit": passed(ex4=("error", f"the kernel died in this exercise {DIED}, so nothing after it ran"),
                             **{exercise: ("error", f"not run: the kernel died in ex4 {DIED}")
                                for exercise in ("ex5", "ex6")}),
    "broken-memory-bomb": passed(ex3=("error", "your cell raised MemoryError: Unable to allocate 76.3 MiB for an "
                                               "array with shape (10000000,) and data type float64 (a notebook may "
                                               "use 1536 MB)")),
    "broken-big-output": passed(),
    "broken-other-chapter": everywhere("invalid", f"this is the notebook of 01_neurons ({CH01_CODE_CELLS} of its "
                                                  "cells), not of 04_loss"),
}


def expected_rows():
    rows = [["", "", "", "invalid", "0", "0", "notes.ipynb: not named STUDENT-CHAPTER.ipynb (like "
                                              "alice-04_loss.ipynb)"]]
    for student in sorted(EXPECTED):
        chapters = {"01_neurons": passed("01_neurons") if student == "complete" else
                    everywhere("missing", f"no 01_neurons.ipynb from {student}"), "04_loss": EXPECTED[student]}
        for chapter, outcomes in chapters.items():
            for exercise, (status, message) in outcomes.items():
                rows.append([student, chapter, exercise, status, "1" if status == "passed" else "0", "1", message])
        if student == "complete":
            rows.append(["complete", "99_magic", "", "invalid", "0", "0",
                         f"no chapter 99_magic in the course; its chapters are {', '.join(CHAPTERS)}"])
    return rows


# The pieces -----------------------------------------------------------------------------------------------------

def test_make_student_labels_each_code_cell_and_each_exercises_cells():
    teacher = nbformat.read(ROOT / "notebooks" / "04_loss.ipynb", as_version=4)
    student = fixtures.edition()
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.metadata["nncore"]["cell"] == cell.id
    found = make_student.exercises(teacher)
    assert [exercise for exercise, _, _ in found] == ["ex1", "ex2", "ex3", "ex4", "ex5", "ex6"]
    for exercise, answers, check in found:
        assert [student.cells[index].metadata["nncore"]["role"] for index in answers] == ["answer"] * len(answers)
        assert student.cells[check].metadata["nncore"] == {"cell": student.cells[check].id, "exercise": exercise,
                                                           "role": "check"}


def test_a_chapter_knows_its_exercises_pieces_and_checks_modules():
    chapter = grade_course.load_course()["04_loss"]
    assert [(e.id, e.name, e.kind, e.points) for e in chapter.exercises] == [
        ("ex1", "correct_confidences", "piece", 1.0), ("ex2", "categorical_crossentropy", "piece", 1.0),
        ("ex3", "classification_accuracy", "piece", 1.0), ("ex4", "disagreeing_predictions", "exercise", 1.0),
        ("ex5", "loss_slope", "exercise", 1.0), ("ex6", "fix_labels", "exercise", 1.0)]
    assert chapter.modules == ("checks.ch04",) and chapter.cells[0].role == "given"
    assert chapter.exercises[1].defines == ("Loss", "Loss_CategoricalCrossentropy")


def small_chapter(tmp_path, check_tags=(), first="import numpy as np"):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(first, metadata={"tags": ["solution"]} if first.startswith("def") else {}),
        nbformat.v4.new_code_cell("def f():\n    return 1", metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("from checks.ch99 import check_f\ncheck_f(f)", metadata={"tags": list(check_tags)})])
    path = tmp_path / "99_small.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_points_tag_weighs_an_exercise_and_bad_chapters_are_refused(tmp_path):
    assert grade_course.load_chapter(small_chapter(tmp_path, ["points-2.5"])).exercises[0].points == 2.5
    with pytest.raises(ValueError, match="one points-N tag, got 2"):
        grade_course.load_chapter(small_chapter(tmp_path, ["points-2", "points-3"]))
    with pytest.raises(ValueError, match="first code cell must be the chapter's setup"):
        grade_course.load_chapter(small_chapter(tmp_path, first="def setup():\n    pass"))


@pytest.mark.parametrize("content, reason", [
    (b'{"cells": [', "not valid JSON"), (b"\xff\xfe\x00binary", "not text (UTF-8)"),
    (b"[1, 2]", "JSON, a list without the cells"), (b'"text"', "JSON, a single value"),
    (b'{"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5}', "ValidationError: The notebook is "
                                                                                  "invalid and is missing an expected"),
    (b'{"cells": [{"cell_type": "code", "source": 5, "metadata": {}, "outputs": [], "execution_count": null}], '
     b'"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "cell 0 has no text source or an unknown cell_type"),
])
def test_a_file_that_is_no_notebook_says_what_it_is(tmp_path, content, reason):
    path = tmp_path / "04_loss.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotGradable, match=reason.replace("(", r"\(").replace(")", r"\)")):
        grade_course.read_submission(path)


def test_a_notebook_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(grade_course, "MAX_NOTEBOOK_BYTES", 1000)
    path = tmp_path / "04_loss.ipynb"
    path.write_text(" " * 2000)
    with pytest.raises(NotGradable, match="notebooks of more than 0 MB are not graded"):
        grade_course.read_submission(path)


def course_and_owners():
    course = grade_course.load_course()
    return course, {cell.id: chapter.name for chapter in course.values() for cell in chapter.cells}


def test_cells_are_found_by_id_by_the_copy_in_metadata_by_source_and_by_the_names_they_define():
    course, owners = course_and_owners()
    chapter = course["04_loss"]
    notebook = fixtures.solved()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    code[1].id = "new-id-1"  # a frontend that gave new ids but kept the metadata
    code[2].id, code[2].metadata = "new-id-2", {}  # lost both: found by its source
    answer = fixtures.cell(notebook, "ex6")
    answer.id, answer.metadata = "new-id-3", {}  # an answer with neither: found by the name it defines
    pasted = nbformat.v4.new_code_cell(fixtures.cell(notebook, "ex1").source,
                                       metadata=dict(fixtures.cell(notebook, "ex1").metadata))
    notebook.cells.append(pasted)  # a pasted copy of ex1's answer takes nothing from the original
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    found = grade_course.match(chapter, code)
    assert found[1] == chapter.cells[1].id and found[2] == chapter.cells[2].id
    assert found[code.index(answer)] == chapter.exercises[5].answers[0]
    assert found[code.index(fixtures.cell(notebook, "ex1"))] == chapter.exercises[0].answers[0]
    assert code.index(pasted) not in found
    plan = grade_course.plan(chapter, notebook, owners)
    assert [step.role for step in plan.steps].count("added") == 1 and not plan.missing and not plan.notes


def test_added_cells_follow_the_cell_they_followed_and_missing_answers_are_noted():
    course, owners = course_and_owners()
    notebook = fixtures.solved()
    position = notebook.cells.index(fixtures.cell(notebook, "ex2"))
    notebook.cells.insert(position + 1, nbformat.v4.new_code_cell("helper = 1"))
    notebook.cells.insert(0, nbformat.v4.new_code_cell("first = 1"))
    notebook.cells.remove(fixtures.cell(notebook, "ex4"))
    plan = grade_course.plan(course["04_loss"], notebook, owners)
    sources = [step.source for step in plan.steps]
    assert sources.index("first = 1") == 1  # after the setup, which runs first
    answer = next(k for k, step in enumerate(plan.steps) if step.course_id == course["04_loss"].exercises[1].answers[0])
    assert sources[answer + 1] == "helper = 1" and plan.steps[answer + 1].span == 1
    assert plan.missing == {3}
    assert [step.span for step in plan.steps if step.role == "check"] == [0, 1, 2, 3, 4, 5]


def test_a_notebook_of_another_chapter_or_of_none_is_not_graded():
    course, owners = course_and_owners()
    with pytest.raises(NotGradable,
                       match=rf"this is the notebook of 01_neurons \({CH01_CODE_CELLS} of its cells\), not of 04_loss"):
        grade_course.plan(course["04_loss"], fixtures.solved("01_neurons"), owners)
    stranger = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    with pytest.raises(NotGradable, match="none of the cells of 04_loss are in this notebook"):
        grade_course.plan(course["04_loss"], stranger, owners)


def test_only_a_record_signed_with_the_runs_key_is_believed():
    key = b"k" * 32
    record = {"item": 2, "status": "passed", "message": "Correct: yes", "undone": ["numpy.isclose"]}
    record["mac"] = grade_sandbox.sign(key, 2, "passed", "Correct: yes", ["numpy.isclose"])
    assert grade_run.verified([record], key) == record
    assert grade_run.verified([{**record, "message": "Correct: changed"}], key) is None
    assert grade_run.verified([{**record, "item": 3}], key) is None
    assert grade_run.verified([record], b"x" * 32) is None
    assert grade_run.verified(["passed", {"mac": 1}, None], key) is None


@pytest.mark.parametrize("name, value", [("cell_seconds", 0), ("notebook_seconds", 2.5), ("memory_mb", True),
                                         ("memory_mb", "2048")])
def test_limits_must_be_whole_positive_numbers(name, value):
    with pytest.raises(ValueError, match=f"Limits.{name} must be a whole number of at least 1, got {value!r}"):
        grade_run.Limits(**{name: value})


def test_messages_lose_colours_addresses_and_temporary_paths():
    assert grade.clean("\x1b[31mNameError\x1b[0m at 0x7f3a2b1c9d10\n  in /tmp/nncore-grade-ab12/kernel/x.py") \
        == "NameError at 0x... in ./x.py"
    assert grade.clean("invalid syntax (/tmp/ipykernel_123/4567.py, line 2)") == "invalid syntax (<cell>, line 2)"
    assert grade.clean("x" * 600) == "x" * 497 + "..."


def test_both_layouts_are_found_and_a_file_is_no_folder(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "04_loss.ipynb").write_text("{}")
    (tmp_path / "alice" / "notes.txt").write_text("")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "bob-the-great-01_neurons.ipynb").write_text("{}")
    (tmp_path / "loose.ipynb").write_text("{}")
    (tmp_path / "carol").mkdir()
    found = [(s.student, s.chapter, s.path and s.path.name) for s in grade.discover(tmp_path)]
    assert found == [("alice", "", None), ("alice", "04_loss", "04_loss.ipynb"),
                     ("bob-the-great", "01_neurons", "bob-the-great-01_neurons.ipynb"), ("carol", "", None),
                     ("", "", "loose.ipynb")]
    with pytest.raises(NotADirectoryError, match="SUBMISSIONS must be a folder of submissions, got .* a file"):
        grade.discover(tmp_path / "loose.ipynb")
    with pytest.raises(NotADirectoryError, match="which is not there"):
        grade.discover(tmp_path / "nowhere")


def test_the_class_plan_names_duplicates_absences_and_unknown_chapters(tmp_path):
    course, _ = course_and_owners()
    for path in ("alice/04_loss.ipynb", "alice-04_loss.ipynb", "bob/01_neurons.ipynb", "carol/04_lost.ipynb"):
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text("{}")
    tasks, fixed = grade.plan_class(grade.discover(tmp_path), course)
    assert [(student, chapter) for student, chapter, _ in tasks] == [("bob", "01_neurons")]
    messages = {(g.student, g.chapter): g.rows[0].message for g in fixed}
    assert messages[("alice", "04_loss")].startswith("2 notebooks of 04_loss (04_loss.ipynb, alice-04_loss.ipynb)")
    assert messages[("alice", "01_neurons")] == "no 01_neurons.ipynb from alice"
    assert messages[("bob", "04_loss")] == "no 04_loss.ipynb from bob"
    assert messages[("carol", "04_lost")].startswith("no chapter 04_lost in the course; its chapters are 01_neurons")
    with pytest.raises(ValueError, match="--chapters names 4_loss, not in the course"):
        grade.plan_class(grade.discover(tmp_path), course, chapters=["4_loss"])


@pytest.mark.parametrize("jobs", [0, -2, 1.5])
def test_jobs_must_be_a_positive_whole_number(tmp_path, jobs):
    with pytest.raises(ValueError, match=f"jobs must be a whole number of at least 1, got {jobs!r}"):
        grade.grade_class(tmp_path, tmp_path / "grades", jobs=jobs)


def test_code_that_reaches_for_the_grader_is_flagged_for_review():
    chapter = grade_course.load_course()["04_loss"]
    steps = [grade_course.Step("given", "import gc\ngc.collect()"),
             grade_course.Step("answer", "import sys\nframe = sys._getframe(1)"),
             grade_course.Step("added", "import ctypes")]
    assert grade.flags_of(grade_course.Plan(chapter, steps)) == ["frames", "ctypes"]


# A class graded -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = fixtures.make_class(tmp_path_factory.mktemp("class") / "submissions")
    output = folder.parent / "grades"
    rows = grade.grade_class(folder, output, jobs=2, limits=LIMITS, quiet=True)
    return folder, output, rows


def test_the_gradebook_holds_exactly_the_expected_rows(graded):
    _, output, _ = graded
    with open(output / "gradebook.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == list(grade.COLUMNS)
    expected = expected_rows()
    for got, wanted in zip(rows[1:], expected):
        assert got == wanted
    assert len(rows) - 1 == len(expected)


def test_each_student_gets_a_feedback_page_with_notes_and_review_flags(graded):
    _, output, _ = graded
    index = (output / "index.html").read_text()
    assert index.count('href="students/') == len(EXPECTED) and "<svg" in index and "pass rate" in index
    assert "<li>notes.ipynb: not named STUDENT-CHAPTER.ipynb" in index  # a file that belongs to no student
    pages = {path.stem: path.read_text() for path in (output / "students").glob("*.html")}
    assert set(pages) == set(EXPECTED)
    assert "they ran in the course&#x27;s order" in pages["broken-reordered-cells"]
    assert "changed numpy.isclose; the checks ran with the originals" in pages["cheat-numpy-patch"]
    assert "changed sys.modules[&#x27;checks.ch04&#x27;]" in pages["cheat-sys-modules"]
    assert "the notebook printed 47.7 MB; outputs are not kept" in pages["broken-big-output"]
    assert "this code uses the checks; look at it by hand" in pages["cheat-patched-checks"]
    assert "look at it by hand" not in pages["complete"] and "Note:" not in pages["complete"]
    assert "<script" not in index + "".join(pages.values())


def test_grading_the_same_folder_twice_gives_the_same_bytes(tmp_path):
    folder = fixtures.make_class(tmp_path / "submissions", ["complete", "cheat-numpy-patch", "broken-invalid-json"])
    outputs = [tmp_path / "first", tmp_path / "second"]
    for output in outputs:
        grade.grade_class(folder, output, jobs=2, limits=LIMITS, quiet=True)
    files = sorted(path.relative_to(outputs[0]) for path in outputs[0].rglob("*") if path.is_file())
    assert [str(path) for path in files] == ["gradebook.csv", "index.html", "students/broken-invalid-json.html",
                                            "students/cheat-numpy-patch.html", "students/complete.html"]
    for path in files:
        assert (outputs[0] / path).read_bytes() == (outputs[1] / path).read_bytes(), path


def test_the_command_line_grades_a_folder_and_refuses_bad_arguments(tmp_path, capsys):
    folder = fixtures.make_class(tmp_path / "submissions", ["broken-not-a-notebook"])
    assert grade.main([str(folder), "-o", str(tmp_path / "out"), "-j", "1"]) == 0
    printed = capsys.readouterr().out
    assert "0 of 6 passed" in printed and "6 invalid" in printed
    assert (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[0] == ",".join(grade.COLUMNS)
    for arguments, message in (([], "give the folder of submissions"),
                               ([str(folder), "--memory-mb", "0"], "Limits.memory_mb must be a whole number"),
                               ([str(folder / "nothing")], "SUBMISSIONS must be a folder")):
        with pytest.raises(SystemExit):
            grade.main(arguments)
        assert message in capsys.readouterr().err
