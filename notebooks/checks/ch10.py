"""Checks for the exercises of 10_real_data."""
import math

import numpy as np

from . import correct, expect


def check_n_steps(n_steps):
    for n, b in ((1437, 128), (128, 128), (129, 128), (1, 32), (100, 7)):
        expected = (math.ceil(n / b), n - (math.ceil(n / b) - 1) * b)
        got = tuple(n_steps(n, b))
        expect(got == expected, f"n_steps({n}, {b}): expected (steps, last batch) = {expected}, got {got}"
               + (" (keep the last, smaller batch)" if got[0] == n // b and n % b else ""))
    correct("steps and last batch sizes are right, including the partial batch")


def check_evaluate_both(evaluate_both, model, X, y):
    batched, whole = evaluate_both(model, X, y)
    expect(np.isclose(batched, whole), f"batch_size=7 gave {batched:.4f} but the whole set gave {whole:.4f}")
    correct("evaluate gives the same accuracy with and without batches")


def check_confusion_matrix(my_confusion_matrix):
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(13)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    got = np.asarray(my_confusion_matrix(y_true, y_pred, 4))
    expected = confusion_matrix(y_true, y_pred, labels=range(4))
    expect(got.shape == (4, 4), f"expected a (4, 4) matrix, got {got.shape}")
    if not np.array_equal(got, expected):
        hint = " (rows and columns are swapped)" if np.array_equal(got.T, expected) else ""
        raise AssertionError(f"the matrix differs from scikit-learn's{hint}:\nexpected\n{expected}\ngot\n{got}")
    correct("rows are true classes, columns predictions, as in scikit-learn")


def check_scale_splits(scale_splits):
    train, test = np.array([[0.0, 8.0, 16.0]]), np.array([[4.0, 12.0]])
    scaled_train, scaled_test = scale_splits(train, test, 16)
    expect(np.allclose(scaled_train, [[-1, 0, 1]]), f"training pixels 0, 8, 16 should become -1, 0, 1, got {scaled_train}")
    expect(np.allclose(scaled_test, [[-0.5, 0.5]]),
           f"test pixels 4 and 12 should become -0.5 and 0.5 with the same constants, got {scaled_test}")
    correct("both splits use the same constants and land in [-1, 1]")
