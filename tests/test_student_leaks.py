"""No solution leaks into the student edition.

For every piece the learner writes (each function or method of a cell tagged ``solution``, or the region between
``# BEGIN SOLUTION`` and ``# END SOLUTION``), no visible code of the same student notebook, code cells and the
code blocks of its text, holds half or more of the piece's statements, compared up to names and whitespace.
Statements too small to give anything away (``return x``, ``self.inputs = inputs``, ``len(y)``) are not compared.
"""
import ast
import copy
import math
import re
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_student  # noqa: E402

CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
FENCED = re.compile(r"```(?:python)?\n(.*?)```", re.DOTALL)
SMALLEST_TELLING = 5  # AST nodes: np.maximum(0, z) has 5, len(y) and dvalues.copy() have 3


class Anonymise(ast.NodeTransformer):
    """Every name the same: a variable, an argument, an attribute of ``self``."""

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            return ast.Name(id="_", ctx=ast.Load())
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        return ast.Name(id="_", ctx=ast.Load())

    def visit_arg(self, node):
        node.arg = "_"
        return node


def size(node):
    return sum(1 for child in ast.walk(node) if not isinstance(child, (ast.expr_context, ast.operator)))


def statements(tree):
    """(key, source) for every telling statement under ``tree``: the value an assignment, a return or an expression
    computes, and the condition or iterable of an ``if``, ``for`` or ``while``; bodies are searched too."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr, ast.AugAssign)):
            value = node.value
            if isinstance(node, ast.Expr) and isinstance(value, ast.Constant):  # a docstring
                continue
        elif isinstance(node, (ast.If, ast.While)):
            value = node.test
        elif isinstance(node, ast.For):
            value = node.iter
        else:
            continue
        if value is None or size(value) < SMALLEST_TELLING:
            continue
        operator = type(node.op).__name__ if isinstance(node, ast.AugAssign) else ""
        key = operator + ast.dump(Anonymise().visit(copy.deepcopy(value)))
        found.append((key, ast.unparse(value)))
    return found


def parse(source):
    """The code of ``source``, without IPython's ``%`` and ``!`` lines; None if it is not Python."""
    kept = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        return ast.parse(kept)
    except SyntaxError:
        return None


def pieces(cell):
    """(name, statements) of each piece a teacher's cell holds."""
    if "solution" in cell.metadata.get("tags", []):
        tree = ast.parse(cell.source)
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        if not functions:
            return [("the exercise's cell", statements(tree))]
        return [(function.name, statements(ast.Module(body=function.body, type_ignores=[])))
                for function in functions]
    regions = re.findall(rf"{make_student.BEGIN}\n(.*?){make_student.END}", cell.source, re.DOTALL)
    return [("a marked region", statements(parse(textwrap.dedent(region)))) for region in regions]


def visible_code(student):
    """(where, tree) of every piece of code a learner sees in the student notebook."""
    for index, cell in enumerate(student.cells):
        sources = [cell.source] if cell.cell_type == "code" else FENCED.findall(cell.source)
        for source in sources:
            tree = parse(source)
            if tree is not None:
                yield f"cell {index}", tree


@pytest.mark.parametrize("path", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_no_visible_code_gives_a_piece_away(path):
    teacher = nbformat.read(path, as_version=4)
    student = make_student.student_version(copy.deepcopy(teacher))
    shown = [(where, dict(statements(tree))) for where, tree in visible_code(student)]
    leaks = []
    for index, cell in enumerate(teacher.cells):
        if cell.cell_type != "code":
            continue
        for name, own in pieces(cell):
            keys = {key for key, _ in own}
            if not keys:
                continue
            for where, seen in shown:
                shared = keys & seen.keys()
                if len(shared) >= math.ceil(len(keys) / 2):
                    leaks.append(f"{name} (cell {index}) is visible in {where}: "
                                 + "; ".join(sorted(seen[key] for key in shared)))
    assert not leaks, "\n".join(leaks)


def test_a_copied_statement_is_found_whatever_its_names():
    piece = statements(ast.parse("def backward(self, dvalues):\n"
                                 "    self.dweights = np.dot(self.inputs.T, dvalues)\n"
                                 "    return self.dweights"))
    copied = statements(ast.parse("grad_w = np.dot(X.T, G)"))
    assert [key for key, _ in piece] == [key for key, _ in copied]
    assert statements(ast.parse("dinputs = dvalues.copy()\nreturn x")) == []
