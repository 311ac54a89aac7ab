"""The stub generator of `make student` (fast; the full student run is `make student-test`)."""
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import make_student  # noqa: E402


def test_functions_keep_signature_and_docstring_and_lose_their_body():
    source = 'import math\n\ndef area(r):\n    """Disc area."""\n    return math.pi * r ** 2\n\nresult = area(2)'
    stub = make_student.stub_solution_cell(source)
    assert stub.startswith('import math\n\ndef area(r):\n    """Disc area."""\n    # YOUR CODE HERE\n')
    assert 'raise NotImplementedError("area: not written yet.' in stub
    assert "math.pi" not in stub and "result" not in stub
    compile(stub, "stub", "exec")


def test_one_line_and_multi_line_signatures():
    stub = make_student.stub_solution_cell("def f(x): return 2 * x\n\ndef g(a,\n      b):\n    return a + b")
    assert stub.splitlines()[:2] == ["def f(x):", "    # YOUR CODE HERE"]
    assert "def g(a,\n      b):\n    # YOUR CODE HERE" in stub
    compile(stub, "stub", "exec")


def test_cells_without_functions_and_marked_regions():
    assert make_student.stub_solution_cell("x = 3").endswith('raise NotImplementedError("this exercise: not written '
                                                             'yet. Replace this line with your code, then run the '
                                                             'check below.")')
    marked = make_student.stub_marked_regions("a = 1\n    # BEGIN SOLUTION\n    b = 2\n    # END SOLUTION\nprint(a)")
    assert marked.splitlines() == ["a = 1", "    # YOUR CODE HERE", marked.splitlines()[2], "print(a)"]
    assert "b = 2" not in marked


def test_student_version_clears_outputs_and_keeps_checks():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("def f():\n    return 1", metadata={"tags": ["solution"]},
                                                execution_count=1, outputs=[nbformat.v4.new_output("stream", text="x")]),
                      nbformat.v4.new_code_cell("check(f)", execution_count=2)]
    student = make_student.student_version(notebook)
    assert [cell.outputs for cell in student.cells] == [[], []]
    assert [cell.execution_count for cell in student.cells] == [None, None]
    assert "NotImplementedError" in student.cells[0].source and student.cells[1].source == "check(f)"


def test_a_method_stub_names_its_class():
    stub = make_student.stub_solution_cell('class Layer:\n    """Doc."""\n    def forward(self, x):\n        return x\n\n'
                                           '@add_to_class(Layer)\ndef backward(self, d):\n    return d')
    assert stub.startswith('class Layer:\n    """Doc."""\n    def forward(self, x):\n')
    assert 'NotImplementedError("Layer.forward: not written yet.' in stub
    assert '@add_to_class(Layer)\ndef backward(self, d):' in stub and '"Layer.backward: not written yet.' in stub
    compile(stub, "stub", "exec")


def test_the_edition_stands_alone_with_its_own_nncore_and_requirements(tmp_path):
    edition = tmp_path / "student"
    make_student.main(edition)
    requirements = (edition / "requirements.txt").read_text()
    assert "-e" not in requirements and "numpy==" in requirements and "jupyterlab==" in requirements
    assert "requirements.txt" in (edition / "README.md").read_text()
    found = subprocess.run([sys.executable, "-c", "import nncore, checks, growing; print(nncore.__file__)"],
                           cwd=edition, capture_output=True, text=True, check=True).stdout
    assert Path(found.strip()).parent == edition / "nncore"
