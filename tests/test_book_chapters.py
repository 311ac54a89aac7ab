"""The book's chapter listings run on ``from nncore.book import *`` and print what they print on book-style
classes: the same lines, every number within 0.01 (``tests/book_chapters.py`` holds both).

The listings run shortened (301 epochs, 3 for the batched digits chapters, and chapter 18's model of 512 neurons
with dropout on 100 spiral samples per class instead of 1,000, a tenth of the arithmetic of its every epoch);
``NNCORE_BOOK_LENGTH=book`` runs them at the book's own lengths (10,001 epochs, 10,000 random-search iterations,
10 batched epochs, 1,000 samples), some minutes."""
import contextlib
import io
import os
import re
import sys
import types

import numpy as np
import pytest

import book_chapters
from book_reference import nnfs_initialised

LENGTHS = {
    "short": {"EPOCHS": 301, "ITERATIONS": 903, "BATCHED_EPOCHS": 3, "WIDE_SAMPLES": 100},
    "book": {"EPOCHS": 10001, "ITERATIONS": 10000, "BATCHED_EPOCHS": 10, "WIDE_SAMPLES": 1000},
}[os.environ.get("NNCORE_BOOK_LENGTH", "short")]
WITHOUT_NNFS = {2}  # chapter 2 multiplies lists before the book introduces nnfs.init()
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+")


def printed(chapter, classes, folder, optimizer=None):
    """What the chapter's script prints after nnfs.init(), on the book-style classes or on nncore.book,
    run in ``folder`` (where chapters 21 and 22 save their files)."""
    script = book_chapters.CHAPTERS[chapter].replace("OPTIMIZER", optimizer or "")
    listing = types.ModuleType("book_listing")  # a module, so that the book's pickle can find its classes
    sys.modules["book_listing"] = listing
    namespace = listing.__dict__
    namespace.update(LENGTHS, INITIALISATION={"weight_scale": 0.1} if classes == "nncore" else {})
    prelude = ("import numpy as np\nfrom nnfs.datasets import sine_data, spiral_data, vertical_data\n"
               "from nncore.datasets import load_digits_split\n")
    if classes == "nncore":
        definitions = "from nncore.book import *\n"
    elif chapter == 17:  # the book's chapter 17 initialises its Layer_Dense with 0.1 inside the class
        definitions = book_chapters.BOOK_CLASSES.replace("0.01 * np.random.randn", "0.1 * np.random.randn")
    elif chapter < 18:
        definitions = book_chapters.BOOK_CLASSES
    else:
        version = 18 if chapter == 18 else 19 if chapter < 20 else 21
        definitions = book_chapters.BOOK_MODEL_CLASSES + f"\nModel = Model_Chapter{version}\n"
    output = io.StringIO()
    numpy_state = contextlib.nullcontext() if chapter in WITHOUT_NNFS else nnfs_initialised()
    with numpy_state, contextlib.redirect_stdout(output), np.errstate(over="ignore"), contextlib.chdir(folder):
        exec(prelude + definitions, namespace)
        exec(script, namespace)
    return output.getvalue().splitlines()


def differences(book_lines, nncore_lines):
    """The largest difference between the numbers of two printouts, after checking that their words agree."""
    assert len(book_lines) == len(nncore_lines), (book_lines, nncore_lines)
    largest = 0.0
    for book_line, nncore_line in zip(book_lines, nncore_lines):
        assert NUMBER.sub("#", book_line) == NUMBER.sub("#", nncore_line), (book_line, nncore_line)
        for a, b in zip(NUMBER.findall(book_line), NUMBER.findall(nncore_line)):
            largest = max(largest, abs(float(a) - float(b)))
    return largest


@pytest.mark.parametrize("chapter", sorted(set(book_chapters.CHAPTERS) - {10}))
def test_the_chapters_listing_prints_the_same_on_nncore(chapter, tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "nncore").mkdir()
    book_lines, nncore_lines = printed(chapter, "book", tmp_path / "book"), printed(chapter, "nncore", tmp_path / "nncore")
    assert book_lines
    assert differences(book_lines, nncore_lines) <= 0.01


@pytest.mark.parametrize("optimizer", book_chapters.OPTIMIZER_SETTINGS)
def test_chapter_10s_listing_prints_the_same_on_nncore_with_every_optimizer(optimizer, tmp_path):
    book_lines, nncore_lines = printed(10, "book", tmp_path, optimizer), printed(10, "nncore", tmp_path, optimizer)
    assert len(book_lines) == (LENGTHS["EPOCHS"] - 1) // 100 + 1
    assert differences(book_lines, nncore_lines) <= 0.01
