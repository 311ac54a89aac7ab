"""Self-checks for the chapters' exercises and the pieces of nncore the learner writes.

Each chapter has a module (``checks.ch01`` ...). An exercise's check either
prints one line starting with "Correct" or raises ``AssertionError`` saying what
was expected, what came and the likely mistake, so a learner knows what to fix,
not just that something is wrong. A check tries the learner's code on inputs of
its own (random shapes and values), not only on the chapter's example.

A *piece* is code the chapter builds and later cells use (``Layer_Dense``, a
loss, an optimizer). Its check is made with ``@piece(fallback)``: it returns
what the cells below should use, the learner's code once it passes, and until
then says why not and hands back nncore's finished version, so the rest of the
chapter keeps running.
"""
import contextlib
import functools
import inspect

import numpy as np


class NotWrittenYet(AssertionError):
    """The learner's code still raises ``NotImplementedError``: its stub is not replaced yet."""


def plain(value):
    """``value`` as a learner would write it: ``3``, not ``np.int64(3)``; arrays by their shape."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(plain(item) for item in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if inspect.isclass(value) or callable(value):
        return getattr(value, "__qualname__", type(value).__name__).split("<locals>.")[-1]
    return repr(value)


def call(function, *args, returns, name=None):
    """Run the learner's ``function(*args)`` and return its result.

    A stub's ``NotImplementedError`` becomes ``NotWrittenYet``; any other exception of
    the learner's code becomes one sentence naming the call the check made and what it
    should have given (``returns``), instead of a traceback into the check.
    """
    name = name or plain(function)
    try:
        return function(*args)
    except NotImplementedError as stub:
        raise NotWrittenYet(str(stub) or f"{name}: not written yet. Write it, run its cell, then this check.") from None
    except AssertionError:
        raise
    except Exception as error:  # the learner's own mistake, reported in one sentence
        arguments = ", ".join(plain(argument) for argument in args)
        raise AssertionError(f"the check called {name}({arguments}) and it raised {type(error).__name__}: {error}. "
                             f"It should return {returns}.") from None


@contextlib.contextmanager
def seeded(seed):
    """Seed NumPy's global generator for a check and give the chapter its own stream back afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def piece(fallback):
    """Make a check for a piece the chapter goes on using.

    ``fallback()`` gives nncore's finished version. The decorated check prints
    "Correct: ..." and returns the learner's code when it passes; otherwise it prints
    "Not yet: <what is wrong>" and returns the fallback (a fresh subclass, for a
    class, so that methods added later do not change nncore), saying whose it is:
    nncore's, or a reference function of the checks where nncore has none. ``check.strict`` is
    the check itself, raising ``AssertionError``.
    """
    def decorate(check):
        @functools.wraps(check)
        def adopt(learners, *args):
            try:
                check(learners, *args)
            except AssertionError as problem:
                finished = fallback()
                whose = "nncore's" if getattr(finished, "__module__", "").startswith("nncore") else "the checks'"
                if inspect.isclass(finished):
                    finished = type(finished.__name__, (finished,), {"__doc__": finished.__doc__})
                print(f"Not yet: {problem}")
                print(f"Until yours passes this check, the cells below use {whose} finished {plain(finished)}.")
                return finished
            return learners
        adopt.strict = check
        return adopt
    return decorate


def names_read(function):
    """The global and attribute names that ``function``'s code, and the functions defined in it, read (an empty
    set for something without code)."""
    code = getattr(function, "__code__", None)
    names, pending = set(), [code] if code is not None else []
    while pending:
        code = pending.pop()
        names.update(code.co_names)
        pending.extend(constant for constant in code.co_consts if hasattr(constant, "co_names"))
    return names


def correct(message):
    """Report a passed exercise."""
    print(f"Correct: {message}")


def expect(condition, message):
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(message)


def expect_shape(name, value, shape):
    """Fail unless ``value`` is an array of ``shape``."""
    actual = np.shape(value)
    expect(actual == tuple(shape), f"{name}: expected shape {tuple(shape)}, got {actual}")


def expect_close(name, actual, expected, *, rtol=1e-5, atol=1e-8):
    """Fail unless ``actual`` equals ``expected`` within tolerance; show the largest difference."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    expect_shape(name, actual, expected.shape)
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(actual - expected)), actual.shape))
        wanted, got = float(expected[worst]), float(actual[worst])
        digits = 6 if f"{wanted:.6g}" != f"{got:.6g}" else 10  # enough digits to show that they differ
        where = f" at index {worst}" if actual.ndim else ""
        raise AssertionError(f"{name}: expected {wanted:.{digits}g}{where}, got {got:.{digits}g}")


_budget = {"book": False}


def use_budget(book_budget):
    """Say which budget the chapter trains on: its setup cell passes ``BOOK_BUDGET``.

    The expected results of ``expect_near_result`` and ``expect_result`` are those of the course budget. With the
    book's (``True``) training runs longer and ends elsewhere, so they print what came instead of checking it, and
    the chapter runs to its end.
    """
    _budget["book"] = bool(book_budget)


def expect_result(condition, message):
    """Fail with ``message`` unless ``condition``, a claim about the course budget's results, holds.

    On the book's budget (``use_budget(True)``) the claim is printed as not checked.
    """
    if _budget["book"]:
        print(f"not checked with BOOK_BUDGET = True, the course budget's claim: {message}")
    else:
        expect(condition, message)


def expect_near_result(name, value, *, expected, tol):
    """Check a result of long training against ``expected`` within ``tol``.

    Prints the expected value, not the measured one: training on another CPU
    changes the last digits, and this line must read the same everywhere. On the
    book's budget (``use_budget(True)``) it prints the value beside the course
    budget's expectation, without checking it.
    """
    value = float(value)
    if _budget["book"]:
        print(f"{name}: {value:.4f} with BOOK_BUDGET = True (the course budget's {expected} within {tol}, "
              "not checked)")
        return
    expect(abs(value - expected) <= tol,
           f"{name}: expected {expected} within {tol}, got {value:.4f}. "
           "Did you change the seed, the data or the order of the cells?")
    print(f"{name} ≈ {expected} (within {tol}): OK")
