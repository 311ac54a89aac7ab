"""Self-checks for the chapters' exercises.

Each chapter has a module (``checks.ch01`` ...). A check either prints one line
starting with "Correct" or raises ``AssertionError`` saying what was expected
and what came, so a learner knows what to fix, not just that something is wrong.
"""
import numpy as np


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
        worst = np.unravel_index(np.argmax(np.abs(actual - expected)), actual.shape) if actual.ndim else ()
        raise AssertionError(
            f"{name}: expected {np.round(expected[worst], 6)} at index {worst}, got {np.round(actual[worst], 6)}"
            if actual.ndim else f"{name}: expected {expected:.6g}, got {actual:.6g}")


def expect_near_result(name, value, *, expected, tol):
    """Check a result of long training against ``expected`` within ``tol``.

    Prints the expected value, not the measured one: training on another CPU
    changes the last digits, and this line must read the same everywhere.
    """
    value = float(value)
    expect(abs(value - expected) <= tol,
           f"{name}: expected {expected} within {tol}, got {value:.4f}. "
           "Did you change the seed, the data or the order of the cells?")
    print(f"{name} ≈ {expected} (within {tol}): OK")
