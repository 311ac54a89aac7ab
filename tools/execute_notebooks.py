"""Re-execute chapters in place, top to bottom in a fresh kernel, and save them with clean metadata.

Usage: python tools/execute_notebooks.py notebooks/01_neurons.ipynb [...]

The kernel starts in the notebook's folder, as in JupyterLab and nbval.
Per-cell metadata keeps only ``tags``; the notebook keeps the kernelspec and
the full ``language_info`` so JupyterLab does not mark it modified on opening.
A cell that raises is an error unless it is tagged ``raises-exception``; its
traceback keeps the notebook's own frames and the message, not the frames of
library files, whose paths belong to this machine. Consecutive pieces of one
stream are joined, so that a line printed while the machine is busy is stored
as one output, as on a quiet machine.
The kernels run under ``tools/guard`` (offline, no writes into the repository),
as they do under `make check`; this process itself writes the notebooks.
"""
import os
import re
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, ExecutePreprocessor

GUARD = Path(__file__).resolve().parent / "guard"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def without_file_frames(traceback):
    """The entries of an IPython traceback that do not show a file's frame (``File /path/...``)."""
    return [entry for entry in traceback if not ANSI.sub("", entry).startswith("File ")]


def joined_streams(outputs):
    """``outputs`` with each run of consecutive outputs of one stream (stdout, stderr) joined into one."""
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.output_type == "stream" and previous is not None and previous.output_type == "stream"
                and previous.name == output.name):
            previous.text += output.text
        else:
            joined.append(output)
    return joined


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    executor = ExecutePreprocessor(timeout=600, kernel_name="python3", record_timing=False)
    executor.preprocess(notebook, {"metadata": {"path": str(path.parent)}})
    cleaner = ClearMetadataPreprocessor(preserve_cell_metadata_mask={"tags"},
                                        preserve_nb_metadata_mask={"kernelspec", "language_info"})
    notebook, _ = cleaner.preprocess(notebook, {})
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = joined_streams(cell.outputs)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = without_file_frames(output.traceback)
    notebook.metadata["kernelspec"] = KERNELSPEC
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


def main(paths):
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD), os.environ.get("PYTHONPATH")]))
    for name in paths:
        path = Path(name)
        print(f"executing {path}", flush=True)
        execute(path)


if __name__ == "__main__":
    main(sys.argv[1:])
