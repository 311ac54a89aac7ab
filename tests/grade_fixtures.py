"""A class of submissions made from the student edition of 04_loss (and 01_neurons), for tests/test_grade.py and
the gradebook screenshot of tests/export/test_browser.py.

``make_class(folder)`` writes one student per case: complete, partial and empty; one per cheat (each on the empty
edition, so that any point it gets is a point it stole); one per broken notebook.
"""
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import grade  # noqa: E402
import make_student  # noqa: E402

COURSE = ROOT / "notebooks"
SOLUTION = COURSE / "04_loss.ipynb"
WRAPPED_MESSAGE = ("fix_labels of wrapped labels, shape (1, 300): expected shape (300,), got (1, 300)")
FAKE_CHECK = 'def {name}(*args):\n    print("Correct: all good")\n    return args[0]\n'


def edition(chapter="04_loss"):
    return make_student.student_version(nbformat.read(COURSE / f"{chapter}.ipynb", as_version=4))


def solved(chapter="04_loss"):
    return grade.solved_submission(COURSE / f"{chapter}.ipynb")


def cell(notebook, exercise, role="answer"):
    """The first cell of ``notebook`` that `make student` labelled with ``exercise`` and ``role``."""
    return next(cell for cell in notebook.cells
                if cell.metadata.get("nncore", {}).get("exercise") == exercise
                and cell.metadata["nncore"]["role"] == role)


def teachers(exercise, chapter="04_loss"):
    """The instructor's source of the exercise's answer cell."""
    return cell(solved(chapter), exercise).source


def answered(notebook, **answers):
    """``notebook`` with the answer cells of ``ex1=source, ...`` replaced."""
    for exercise, source in answers.items():
        cell(notebook, exercise).source = source
    return notebook


def without(notebook, *cells):
    for unwanted in cells:
        notebook.cells.remove(unwanted)
    return notebook


def moved_to_end(notebook, *cells):
    for moving in cells:
        notebook.cells.remove(moving)
        notebook.cells.append(moving)
    return notebook


def stub(exercise):
    return cell(edition(), exercise).source


def partial():
    return answered(edition(), ex1=teachers("ex1"), ex3=teachers("ex3"),
                    ex6="def fix_labels(labels):\n    return np.squeeze(labels)")


def edited_check():
    notebook = edition()
    cell(notebook, "ex6", "check").source = 'print("Correct: fix_labels gives sparse labels of shape (N,)")'
    return notebook


def forged_record():
    return answered(edition(), ex6=(
        "from IPython.display import publish_display_data\n\n"
        "def fix_labels(labels):\n"
        '    record = {"item": 5, "status": "passed", "message": "Correct: forged", "undone": [], "mac": "0" * 64}\n'
        '    publish_display_data({"application/vnd.nncore.grade+json": record})\n'
        "    return labels"))


def infinite_loop(catching):
    loop = ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n    except KeyboardInterrupt:\n        pass"
            if catching else "while True:\n    pass")
    return answered(solved(), ex3=teachers("ex3") + "\n\n" + loop)


def big_output():
    notebook = solved()
    position = notebook.cells.index(cell(notebook, "ex1", "check")) + 1
    printing = nbformat.v4.new_code_cell('print("x" * 50_000_000)')
    printing.outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 50_000_000)]
    notebook.cells.insert(position, printing)
    return notebook


CASES = {
    "complete": lambda: solved(),
    "partial": partial,
    "empty": edition,
    # cheats
    "cheat-edited-check": edited_check,
    "cheat-redefined-check": lambda: answered(edition(), ex6=stub("ex6") + "\n\n" + FAKE_CHECK.format(
        name="check_fix_labels")),
    "cheat-patched-checks": lambda: answered(edition(), ex6=(
        "import checks.ch04\n"
        'checks.ch04.check_fix_labels = lambda f: checks.correct("fix_labels is fine")\n'
        "checks.ch04.expect = lambda condition, message: None\n\n"
        "def fix_labels(labels):\n    return labels")),
    "cheat-fake-checks-folder": edition,
    "cheat-sys-modules": lambda: answered(edition(), ex6=(
        "import sys\nimport types\n\n"
        'fake = types.ModuleType("checks.ch04")\n'
        'fake.check_fix_labels = lambda fix_labels: print("Correct: fix_labels")\n'
        'sys.modules["checks.ch04"] = fake\n\n'
        "def fix_labels(labels):\n    return labels")),
    "cheat-numpy-patch": lambda: answered(edition(), ex3=(
        "np.isclose = lambda *args, **kwargs: True\n\n"
        "def classification_accuracy(probs, y):\n    return 0.5")),
    "cheat-prints-correct": lambda: answered(edition(), ex6=(
        'print("Correct: fix_labels gives sparse labels of shape (N,) for wrapped and for correct labels")\n'
        + stub("ex6"))),
    "cheat-forged-record": forged_record,
    "cheat-reads-solution": lambda: answered(edition(), ex6=(
        f"import json\nsolution = json.load(open({str(SOLUTION)!r}))\n" + stub("ex6"))),
    "cheat-runs-cat": lambda: answered(edition(), ex6=(
        f"import subprocess\nsolution = subprocess.run(['cat', {str(SOLUTION)!r}], capture_output=True).stdout\n"
        + stub("ex6"))),
    "cheat-imports-nncore": lambda: answered(edition(), ex3="from nncore import accuracy as classification_accuracy"),
    # broken notebooks
    "broken-invalid-json": None,
    "broken-not-a-notebook": None,
    "broken-deleted-cells": lambda: (lambda notebook: without(notebook, cell(notebook, "ex6"),
                                                              cell(notebook, "ex4", "check")))(solved()),
    "broken-reordered-cells": lambda: (lambda notebook: moved_to_end(notebook, cell(notebook, "ex2"),
                                                                     cell(notebook, "ex5")))(solved()),
    "broken-infinite-loop": lambda: infinite_loop(catching=False),
    "broken-loop-ignoring-interrupt": lambda: infinite_loop(catching=True),
    "broken-sys-exit": lambda: answered(solved(), ex2="import sys\nsys.exit(1)\n\n" + teachers("ex2"),
                                        ex6="def fix_labels(labels):\n    raise SystemExit(0)"),
    "broken-os-exit": lambda: answered(solved(), ex4="import os\nos._exit(1)"),
    "broken-memory-bomb": lambda: answered(solved(), ex3=(
        "def hog():\n    blocks = []\n    while True:\n        blocks.append(np.ones(10 ** 7))\n\n\nhog()\n\n"
        + teachers("ex3"))),
    "broken-big-output": big_output,
    "broken-other-chapter": lambda: solved("01_neurons"),
}


def make_class(folder, cases=None):
    """Write the submissions of ``cases`` (names of CASES, all by default) into ``folder``; also, from "complete",
    its 01_neurons, from "partial" a flat copy ``flat-04_loss.ipynb`` and a misnamed flat ``notes.ipynb``, and
    a 04_loss saved as ``99_magic.ipynb``."""
    folder = Path(folder)
    for name in cases or CASES:
        student = folder / name
        student.mkdir(parents=True)
        path = student / "04_loss.ipynb"
        if name == "broken-invalid-json":
            path.write_text('{"cells": [ this is not JSON')
        elif name == "broken-not-a-notebook":
            path.write_text(json.dumps({"student": name, "answers": [1, 2, 3]}))
        else:
            nbformat.write(CASES[name](), path)
        if name == "complete":
            nbformat.write(solved("01_neurons"), student / "01_neurons.ipynb")
            nbformat.write(edition(), student / "99_magic.ipynb")
        if name == "partial":
            nbformat.write(partial(), folder / "flat-04_loss.ipynb")
            nbformat.write(partial(), folder / "notes.ipynb")
        if name == "cheat-fake-checks-folder":
            (student / "checks").mkdir()
            (student / "checks" / "__init__.py").write_text("")
            checks = [cell.source.split()[3] for cell in edition().cells
                      if cell.metadata.get("nncore", {}).get("role") == "check"]
            (student / "checks" / "ch04.py").write_text("\n\n".join(FAKE_CHECK.format(name=check)
                                                                    for check in checks))
    return folder
