"""Make the student edition of the chapters: outputs cleared, solutions replaced by stubs, checks kept.

Usage: python tools/make_student.py [OUTPUT_DIR]        (default build/student)

In a code cell tagged ``solution``, imports stay, every function keeps its
signature and docstring and gets a stub body, and any other statement is
removed. Inside any code cell, the lines between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` become a stub too. A stub raises ``NotImplementedError``
naming what to write, so the exercise's check fails with that message until
the learner replaces it.

Every code cell keeps its id and gets ``metadata["nncore"] = {"cell": <id>}``, a copy that frontends which drop
cell ids keep; the cells the learner writes and the check under them also get ``"exercise": "ex3"`` and
``"role": "answer"`` or ``"check"``. `make grade` (tools/grade.py) finds the learner's cells by these.
"""
import ast
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


def stub_lines(what, indent):
    pad = " " * indent
    return [f"{pad}# YOUR CODE HERE",
            f'{pad}raise NotImplementedError("{what}: not written yet. Replace this line with your code, '
            'then run the check below.")']


def owner(node):
    """The class a function is grown onto with ``@add_to_class(Name)``, or None."""
    for decorator in node.decorator_list:
        if (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "add_to_class"
                and decorator.args and isinstance(decorator.args[0], ast.Name)):
            return decorator.args[0].id
    return None


def stub_function(lines, node, cls=None):
    """Decorators, signature and docstring of ``node`` from ``lines``, then a stub body naming ``Class.method``."""
    cls = cls or owner(node)
    what = f"{cls}.{node.name}" if cls else node.name
    first = node.body[0]
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    if first.lineno == node.lineno:  # def f(x): return ... on one line
        head = lines[start:node.lineno - 1] + [lines[node.lineno - 1][:first.col_offset].rstrip()]
        return head + stub_lines(what, node.col_offset + 4)
    keep_until = first.end_lineno if ast.get_docstring(node, clean=False) is not None else first.lineno - 1
    return lines[start:keep_until] + stub_lines(what, first.col_offset)


def stub_solution_cell(source):
    tree = ast.parse(source)
    lines = source.splitlines()
    out = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.extend(lines[node.lineno - 1:node.end_lineno])
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            if out:
                out.append("")
            if isinstance(node, ast.ClassDef):
                out.extend(stub_class(lines, node))
            else:
                out.extend(stub_function(lines, node))
    if not any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) for node in tree.body):
        out.extend(stub_lines("this exercise", 0))
    return "\n".join(out)


def stub_class(lines, node):
    first = node.body[0]
    keep_until = first.end_lineno if ast.get_docstring(node, clean=False) is not None else first.lineno - 1
    head = lines[node.lineno - 1:keep_until]
    methods = [item for item in node.body if isinstance(item, ast.FunctionDef)]
    out = list(head)
    for method in methods:
        out.extend(stub_function(lines, method, node.name))
    return out if methods else head + stub_lines(node.name, node.body[0].col_offset)


def stub_marked_regions(source):
    out, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            inside = True
            out.extend(stub_lines("this part", len(line) - len(line.lstrip())))
        elif stripped == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def is_answer(cell):
    """Whether the learner writes (part of) this code cell."""
    return "solution" in cell.metadata.get("tags", []) or BEGIN in cell.source


def exercises(notebook):
    """The graded checks of a chapter, in order: ``(exercise_id, answer_indices, check_index)``.

    A check is the first code cell after one or more cells the learner writes that the learner does not write;
    the ids are ``ex1``, ``ex2``, ... in the order of the checks.
    """
    found, answers = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if is_answer(cell):
            answers.append(index)
        elif answers:
            found.append((f"ex{len(found) + 1}", tuple(answers), index))
            answers = []
    return found


def label(notebook):
    """Write each code cell's id, and its exercise and role, into ``metadata["nncore"]`` (see the module doc)."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.get("id"):
            cell.metadata.setdefault("nncore", {})["cell"] = cell.id
    for exercise, answers, check in exercises(notebook):
        for index, role in [(answer, "answer") for answer in answers] + [(check, "check")]:
            cell = notebook.cells[index]
            cell.metadata.setdefault("nncore", {}).update(exercise=exercise, role=role)


def student_version(notebook):
    label(notebook)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if "solution" in cell.metadata.get("tags", []):
            cell.source = stub_solution_cell(cell.source)
        elif BEGIN in cell.source:
            cell.source = stub_marked_regions(cell.source)
    return notebook


STARTING = """# The nncore course, student edition

Python 3.11 or newer. In this folder, once:

    python3 -m venv .venv
    .venv/bin/pip install -r requirements.txt

then, each time:

    .venv/bin/jupyter lab

and open 01_neurons.ipynb. The chapters import nncore, the checks and growing.py from this folder.
"""


def student_requirements(requirements):
    """The course's pinned requirements without its own editable install: the edition carries nncore itself."""
    kept = [line for line in requirements.splitlines() if line.strip() != "-e ."]
    while kept and kept[-1].startswith("#"):  # the comment that explained the editable install
        kept.pop()
    return "\n".join(kept) + "\n"


def main(output):
    """Write the edition to hand out: the chapters, checks/, growing.py, nncore/, requirements.txt and a README."""
    if output.exists():
        shutil.rmtree(output)
    for folder in (NOTEBOOKS / "checks", ROOT / "nncore"):
        shutil.copytree(folder, output / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(NOTEBOOKS / "growing.py", output / "growing.py")
    (output / "requirements.txt").write_text(student_requirements((ROOT / "requirements.txt").read_text()))
    (output / "README.md").write_text(STARTING)
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb")):
        notebook = student_version(nbformat.read(path, as_version=4))
        nbformat.write(notebook, output / path.name)
        print(f"student version of {path.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "student")
