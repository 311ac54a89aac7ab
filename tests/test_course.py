"""The course machinery: pinned set-up, Makefile targets, CI script, README and the executor."""
import importlib.util
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_requirements_are_pinned_and_install_nncore():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    packages = [line for line in lines if line and not line.startswith("-")]
    assert packages and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.]*", p) for p in packages), packages
    assert "-e ." in lines


def test_jupyter_starts_without_compiling_a_grammar():
    """Every pytest worker, JupyterLab and the course's tools import nbformat, whose schema validator loads its
    format checkers; jsonschema 4.25 and newer load one that compiles Earley grammars (2.8 s) at import."""
    probe = "import sys, nbformat, jupyter_events.validators; print('lark' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", "importing nbformat compiles Lark grammars: see jsonschema's pin"


def test_make_help_lists_the_targets():
    out = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("setup", "lab", "check", "execute", "html", "html-test", "student", "student-test",
                   "browser-test"):
        assert re.search(rf"^{target}\s+\S", out, re.M), f"`make help` does not describe {target}:\n{out}"


def run_make(target, tmp_path, *, fail=False):
    """Run `make TARGET` with a stand-in for the venv's python that records each call's arguments and
    PYTHONPATH (and fails every call if ``fail``); returns make's exit code and the calls."""
    log = tmp_path / "calls.jsonl"
    stand_in = tmp_path / "python"
    stand_in.write_text(f"""#!{sys.executable}
import json, os, sys
with open({str(log)!r}, "a") as log:
    log.write(json.dumps({{"args": sys.argv[1:], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}}) + "\\n")
sys.exit({int(fail)})
""")
    stand_in.chmod(0o755)
    result = subprocess.run(["make", "-s", "-o", ".venv/.installed", target, f"PYTHON={stand_in}"], cwd=ROOT,
                            capture_output=True, text=True)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result.returncode, calls


def test_check_runs_the_unit_tests_and_nbval_strictly_over_every_notebook_in_one_run(tmp_path):
    code, calls = run_make("check", tmp_path)
    assert code == 0 and [call["args"][:2] for call in calls] == [["-m", "pytest"]], calls
    args = calls[0]["args"]
    assert "tests" in args and "notebooks" in args, "the unit tests and the chapters share one run and both cores"
    assert "--nbval" in args and "--nbval-lax" not in args
    assert "-n" in args, "make check runs tests and chapters on every core (pytest-xdist)"
    # Only conftest.py's scheduling keeps the cells of a chapter in one kernel: no other may be asked for.
    assert "--dist" not in args, args
    assert calls[0]["PYTHONPATH"].endswith("tools/guard"), "the chapters run under the guard"


def test_check_stops_with_an_error_when_its_run_fails(tmp_path):
    code, calls = run_make("check", tmp_path, fail=True)
    assert code != 0 and len(calls) == 1, calls


def test_setup_goes_on_when_an_installed_file_does_not_compile(tmp_path):
    # PyTorch, installed beside the course for `make bench`, ships a file in Python 3.12 syntax.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    stand_in = venv / "bin" / "python"
    stand_in.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(1 if 'compileall' in sys.argv else 0)\n")
    stand_in.chmod(0o755)
    result = subprocess.run(["make", "-s", "setup", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "do not compile" in result.stdout and (venv / ".installed").exists()
    # a VENV given as an absolute path keeps its bytecode cache inside it, not in a copy of that path in the repository
    assert not (ROOT / venv.relative_to(venv.anchor)).exists()


def test_pytest_run_directly_keeps_blas_on_one_thread_and_fixes_hashing_as_the_makefile_does():
    settings = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED")
    environment = {name: value for name, value in os.environ.items() if name not in settings}
    probe = ("import os, pytest\nfrom threadpoolctl import threadpool_info\n"
             "class Probe:\n"
             "    def pytest_collection_finish(self, session):\n"
             "        blas = sorted({pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas'})\n"
             "        print('probe', blas, [os.environ[name] for name in %r])\n"
             "pytest.main(['-q', '--co', '-p', 'no:cacheprovider', 'tests/test_course.py'], plugins=[Probe()])\n"
             % (settings,))
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert "probe [1] ['1', '1', '1', '0']" in result.stdout, result.stdout[-2000:] + result.stderr


def _root_conftest():
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cells_of_a_notebook_are_one_unit_of_work_and_every_other_test_its_own():
    split_scope = _root_conftest().NotebookScheduling._split_scope
    cells = {split_scope(None, f"notebooks/08_regression.ipynb::Cell {n}") for n in range(3)}
    assert cells == {"notebooks/08_regression.ipynb"}
    tests = ["tests/test_layers.py::test_a", "tests/test_layers.py::test_b[1]", "tests/test_layers.py::test_b[2]"]
    assert [split_scope(None, test) for test in tests] == tests


def test_the_longest_work_is_handed_out_first_and_cells_keep_their_order():
    class Item:
        def __init__(self, path, chapter=None):
            self.path = Path(path)
            if chapter is not None:
                self.callspec = types.SimpleNamespace(params={"chapter": chapter})

    items = [Item("tests/test_layers.py"), Item("notebooks/01_neurons.ipynb"), Item("notebooks/13_deep.ipynb"),
             Item("tests/test_book_chapters.py", 15), Item("notebooks/01_neurons.ipynb"),
             Item("tests/test_book_chapters.py", 18), Item("notebooks/13_deep.ipynb")]
    cells_01 = [items[1], items[4]]
    _root_conftest().pytest_collection_modifyitems(items)
    assert [item.path.name for item in items] == [
        "13_deep.ipynb", "13_deep.ipynb", "01_neurons.ipynb", "01_neurons.ipynb", "test_book_chapters.py",
        "test_book_chapters.py", "test_layers.py"]
    assert items[2:4] == cells_01 and items[4].callspec.params["chapter"] == 18


def test_ci_runs_make_check_first_then_only_targets_the_makefile_describes():
    commands = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert all(c.startswith(("set ", "cd ", "make ")) for c in commands), commands
    targets = [target for c in commands if c.startswith("make ") for target in c.split()[1:]]
    assert targets[0] == "check", f".ci/run must start with make check, runs {targets}"
    described = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert all(re.search(rf"^{target}\s", described, re.M) for target in targets), targets


def test_readme_shows_the_two_commands_and_every_chapter():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make check" in readme and "nnfs.init()" in readme
    for chapter in sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb")):
        assert chapter.name in readme, f"README does not list {chapter.name}"


def test_executor_writes_clean_metadata(tmp_path):
    notebook = nbformat.v4.new_notebook(metadata={"widgets": {}, "toc": {}})
    notebook.cells = [nbformat.v4.new_code_cell("print(6 * 7)", metadata={"scrolled": True, "tags": ["keep"]}),
                      nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
                      nbformat.v4.new_code_cell("import json\njson.loads('not json')",
                                                metadata={"tags": ["raises-exception"]})]
    path = tmp_path / "demo.ipynb"
    nbformat.write(notebook, path)
    subprocess.run([sys.executable, str(ROOT / "tools/execute_notebooks.py"), str(path)], check=True,
                   capture_output=True)
    done = nbformat.read(path, as_version=4)
    assert set(done.metadata) == {"kernelspec", "language_info"}
    assert done.metadata.kernelspec.display_name == "Python 3 (ipykernel)"
    assert [cell.metadata for cell in done.cells] == [{"tags": ["keep"]}] + [{"tags": ["raises-exception"]}] * 2
    assert [cell.execution_count for cell in done.cells] == [1, 2, 3]
    library_error = "".join(done.cells[2].outputs[0].traceback)
    assert "JSONDecodeError" in library_error and "json/" not in library_error, "a library path is in the output"
    assert done.cells[0].outputs[0].text == "42\n"
    assert done.cells[1].outputs[0].ename == "ZeroDivisionError"
    assert "execution" not in done.cells[0].metadata


GUARD_PROBE = """
import os, socket, sitecustomize, sys
with socket.socket() as sock:
    try:
        sitecustomize._check_address(sock, ("192.0.2.1", 80))
    except PermissionError as error:
        print("blocked:", error)
    sitecustomize._check_address(sock, ("127.0.0.1", 80))
try:
    open(os.path.join(sitecustomize._REPOSITORY, "notebooks", "stray.txt"), "w")
except PermissionError as error:
    print("blocked:", error)
import tempfile
with tempfile.TemporaryFile("w") as file:
    file.write("fine")
print("temporary files are fine")
cached = os.path.join(sys.pycache_prefix, "guard-probe.pyc")  # the Makefile's bytecode cache, inside .venv
os.makedirs(sys.pycache_prefix, exist_ok=True)
with open(cached, "wb") as file:
    file.write(b"fine")
os.remove(cached)
print("the bytecode cache is fine")
"""


def test_guard_blocks_the_network_and_writes_into_the_repository():
    result = subprocess.run([sys.executable, "-c", GUARD_PROBE], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(ROOT / "tools" / "guard"), "PATH": "",
                                 "PYTHONPYCACHEPREFIX": str(ROOT / ".venv" / "pycache")})
    assert result.stdout.splitlines() == [
        "blocked: the course runs offline: a connection to 192.0.2.1 was blocked",
        "blocked: a chapter may not write into the repository; use a temporary folder (tried notebooks/stray.txt)",
        "temporary files are fine", "the bytecode cache is fine"]
    assert not (ROOT / "notebooks" / "stray.txt").exists()


@pytest.mark.parametrize("target", ["check", "notebooks"])
def test_make_runs_every_chapter_under_the_guard(target, tmp_path):
    _, calls = run_make(target, tmp_path)
    nbval = [call for call in calls if "--nbval" in call["args"]]
    assert nbval and all(str(ROOT / "tools" / "guard") in call["PYTHONPATH"].split(":") for call in nbval), \
        f"`make {target}` runs chapters without tools/guard: {nbval}"


def test_make_execute_runs_its_kernels_under_the_guard():
    assert 'os.environ["PYTHONPATH"]' in (ROOT / "tools/execute_notebooks.py").read_text(), \
        "`make execute` runs its kernels without tools/guard"


def test_add_to_class_grows_a_class_that_objects_already_made_see():
    spec = importlib.util.spec_from_file_location("growing", ROOT / "notebooks" / "growing.py")
    growing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(growing)

    class Counter:
        def __init__(self):
            self.count = 0

    counter = Counter()

    @growing.add_to_class(Counter)
    def increment(self, by=1):
        self.count += by

    counter.increment(2)
    assert counter.count == 2 and Counter.increment is increment


def test_the_executor_joins_the_pieces_of_one_stream():
    spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "tools" / "execute_notebooks.py")
    executor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(executor)
    pieces = [nbformat.v4.new_output("stream", name="stdout", text="long path == shortcut:"),
              nbformat.v4.new_output("stream", name="stdout", text=" True\n"),
              nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
              nbformat.v4.new_output("stream", name="stdout", text="next\n")]
    assert [(o.name, o.text) for o in executor.joined_streams(pieces)] == [
        ("stdout", "long path == shortcut: True\n"), ("stderr", "warning\n"), ("stdout", "next\n")]
