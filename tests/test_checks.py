"""The chapters' checks as a whole: every check is tried on wrong answers, and a stub gets a message saying what
to do (each chapter's own wrong answers are in ``tests/test_checks_chNN.py``)."""
import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

import wrong_answers
from wrong_answers import CHAPTERS, MINIMUM, chapter_checks, strict

CHECKS = [(chapter, name) for chapter in CHAPTERS
          for name, function in inspect.getmembers(chapter_checks(chapter), inspect.isfunction)
          if name.startswith("check_") and function.__module__ == f"checks.{chapter}"]


def test_every_chapter_has_checks():
    assert len(CHAPTERS) >= 11 and all(any(chapter == c for c, _ in CHECKS) for chapter in CHAPTERS)


@pytest.mark.parametrize("chapter, name", CHECKS, ids=[f"{c}.{n}" for c, n in CHECKS])
def test_every_check_is_tried_on_wrong_answers(chapter, name):
    path = Path(__file__).with_name(f"test_checks_{chapter}.py")
    assert path.exists(), f"{path.name} is missing: it holds the wrong answers {name} must refuse"
    tried = importlib.import_module(path.stem).WRONG_ANSWERS.get(name, [])
    assert len(tried) >= MINIMUM, f"{name}: {len(tried)} wrong answers tried, at least {MINIMUM} expected"


@pytest.mark.parametrize("chapter, name", CHECKS, ids=[f"{c}.{n}" for c, n in CHECKS])
def test_a_stub_is_told_it_is_not_written_yet(chapter, name):
    check = strict(getattr(chapter_checks(chapter), name))
    stubs = [wrong_answers.not_written_yet] * len(inspect.signature(check).parameters)
    with pytest.raises(AssertionError, match="not written yet"):
        check(*stubs)


def test_plain_numbers_and_the_learners_own_exception():
    checks = importlib.import_module("checks")
    assert checks.plain(np.int64(3)) == "3" and checks.plain(np.float32(0.5)) == "0.5"
    assert checks.plain((np.zeros((2, 3)), 4)) == "(an array of shape (2, 3), 4)"

    def broken(inputs):
        return inputs[5]

    with pytest.raises(AssertionError) as refused:
        checks.call(broken, np.zeros(3), returns="the outputs, shape (3,)")
    assert str(refused.value) == ("the check called broken(an array of shape (3,)) and it raised IndexError: index 5 "
                                  "is out of bounds for axis 0 with size 3. It should return the outputs, shape (3,).")


def test_results_are_checked_on_the_course_budget_and_printed_on_the_books(capsys):
    checks = importlib.import_module("checks")
    checks.use_budget(False)
    checks.expect_near_result("accuracy", 0.81, expected=0.8, tol=0.02)
    with pytest.raises(AssertionError, match="accuracy: expected 0.8 within 0.02, got 0.6125"):
        checks.expect_near_result("accuracy", 0.6125, expected=0.8, tol=0.02)
    with pytest.raises(AssertionError, match="run 11 spikes"):
        checks.expect_result(False, "run 11 spikes")
    checks.use_budget(True)
    try:
        checks.expect_near_result("accuracy", 0.6125, expected=0.8, tol=0.02)
        checks.expect_result(False, "run 11 spikes")
    finally:
        checks.use_budget(False)
    assert capsys.readouterr().out.splitlines() == [
        "accuracy ≈ 0.8 (within 0.02): OK",
        "accuracy: 0.6125 with BOOK_BUDGET = True (the course budget's 0.8 within 0.02, not checked)",
        "not checked with BOOK_BUDGET = True, the course budget's claim: run 11 spikes"]


def test_a_piece_hands_back_the_finished_version_until_the_learners_passes(capsys):
    checks = importlib.import_module("checks")

    class Finished:
        """nncore's."""

    @checks.piece(lambda: Finished)
    def check_thing(thing):
        checks.expect(checks.call(thing, returns="42") == 42, "thing() should return 42")
        checks.correct("thing returns 42")

    def mine():
        return 42

    assert check_thing(mine) is mine
    assert capsys.readouterr().out == "Correct: thing returns 42\n"
    stand_in = check_thing(wrong_answers.not_written_yet)
    assert issubclass(stand_in, Finished) and stand_in is not Finished
    assert capsys.readouterr().out.splitlines() == [
        "Not yet: this piece: not written yet. Replace this line with your code, then run the check below.",
        "Until yours passes this check, the cells below use the checks' finished Finished."]
