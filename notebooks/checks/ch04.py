"""Checks for the exercises of 04_loss."""
import numpy as np

from nncore import CategoricalCrossentropy

from . import correct, expect, expect_close, expect_shape

PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08], [0.3, 0.3, 0.4]])
LABELS = np.array([0, 1, 1, 0])


def check_cross_entropy(cross_entropy):
    expected = CategoricalCrossentropy().calculate(PROBS, LABELS)
    sparse = cross_entropy(PROBS, LABELS)
    expect(np.ndim(sparse) == 0, f"cross_entropy should return one number (the mean), got shape {np.shape(sparse)}")
    expect_close("cross_entropy with sparse labels", sparse, expected)
    expect_close("cross_entropy with one-hot labels", cross_entropy(PROBS, np.eye(3)[LABELS]), expected)
    zero = cross_entropy(np.array([[1.0, 0.0]]), np.array([1]))
    expect(np.isfinite(zero), "a probability of 0 gave an infinite loss: clip before the log")
    correct("both label formats give nncore's loss, and log(0) is avoided")


def check_edge_losses(edge_losses):
    perfect, hopeless = edge_losses()
    for name, value in (("perfect", perfect), ("hopeless", hopeless)):
        expect(np.isfinite(value), f"the {name} loss is {value}: clip probabilities to [1e-7, 1 - 1e-7]")
        expect(value >= 0, f"the {name} loss is negative ({value}): clip the top at 1 - 1e-7 too")
    expect_close("perfect", perfect, -np.log(1 - 1e-7))
    expect_close("hopeless", hopeless, -np.log(1e-7))
    correct(f"perfect costs {perfect:.1e}, hopeless costs {hopeless:.2f}: finite and non-negative")


def check_accuracy(my_accuracy):
    for labels, name in ((LABELS, "sparse"), (np.eye(3)[LABELS], "one-hot")):
        got = my_accuracy(PROBS, labels)
        expect_close(f"accuracy with {name} labels", got, 0.75)
    expect_close("accuracy when all are right", my_accuracy(PROBS[:3], LABELS[:3]), 1.0)
    correct("accuracy handles both label formats")


def check_fix_labels(fix_labels, y):
    fixed = fix_labels(np.array([y]))
    expect_shape("fix_labels(np.array([y]))", fixed, y.shape)
    expect(np.array_equal(fixed, y), "the fixed labels differ from y")
    expect_shape("fix_labels(y)", fix_labels(y), y.shape)
    correct(f"labels are back to shape {y.shape}")
