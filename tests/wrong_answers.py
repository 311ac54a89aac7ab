"""What the tests of the chapters' checks share (``tests/test_checks_chNN.py``).

Each of those files holds ``WRONG_ANSWERS``: for every check of its chapter, at least three known-wrong answers,
each with the words the check's message must contain to name the mistake::

    WRONG_ANSWERS = {
        "check_dense_backward": [
            ("no division by N", lambda: (too_large_backward,), "times too large"),
            ...
        ],
    }

An answer is a function returning the arguments the check is called with (built fresh for every test, so a
wrong class or function cannot leak state from one test into another).
"""
import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

MINIMUM = 3
CHAPTERS = sorted(path.stem for path in (NOTEBOOKS / "checks").glob("ch[0-9][0-9].py"))
"""Every chapter with checks: each must have its file of wrong answers."""


def chapter_checks(chapter):
    """The module ``checks.chNN`` of the chapters' folder."""
    return importlib.import_module(f"checks.{chapter}")


def strict(check):
    """The check as a function that raises: a piece's check otherwise prints and hands back nncore's version."""
    return getattr(check, "strict", check)


def refusal(chapter, check_name, arguments):
    """The message with which ``check_name`` of ``chapter`` refuses ``arguments``; fails if it accepts them."""
    check = strict(getattr(chapter_checks(chapter), check_name))
    with pytest.raises(AssertionError) as refused:
        check(*arguments)
    return str(refused.value)


def accepted(chapter, check_name, arguments, capsys):
    """Run ``check_name`` of ``chapter`` on ``arguments`` from a seeded global random stream.

    Returns what it printed and whether it left the stream where it found it (a check must not move it).
    """
    np.random.seed(5)
    before = np.random.get_state()
    strict(getattr(chapter_checks(chapter), check_name))(*arguments)
    stream_kept = all(np.array_equal(a, b) for a, b in zip(before[1:], np.random.get_state()[1:]))
    return capsys.readouterr().out, stream_kept


def cases(wrong_answers):
    """pytest parameters, one per wrong answer, named after the check and the mistake."""
    return [pytest.param(check_name, answer, says, id=f"{check_name}: {mistake}")
            for check_name, answers in wrong_answers.items() for mistake, answer, says in answers]


def not_written_yet(*_args, **_kwargs):
    """A stub as the student edition writes it."""
    raise NotImplementedError("this piece: not written yet. Replace this line with your code, then run the check "
                              "below.")
