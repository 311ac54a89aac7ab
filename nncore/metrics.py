r"""Accuracy measures and the confusion matrix.

``calculate(predictions, y)`` returns the batch accuracy and adds it to running
totals; ``calculate_accumulated()`` gives the sample-weighted mean since
``new_pass()``. Predictions come from an output activation's ``predictions``.
"""
import numpy as np

from . import _checks
from .registry import register


class Accuracy:
    """Base class: averaging and accumulation of per-sample comparisons."""

    def __init__(self):
        self.new_pass()

    def init(self, y, reinit=False):
        """Prepare for targets ``y`` (nothing to do unless a subclass needs their statistics)."""

    def compare(self, predictions, y):
        """Boolean array: which predictions count as correct."""
        raise NotImplementedError

    def calculate(self, predictions, y):
        """Fraction of correct predictions in this batch, as a float."""
        comparisons = self.compare(predictions, y)
        correct = int(np.count_nonzero(comparisons))
        self.accumulated_sum += correct
        self.accumulated_count += comparisons.size
        return correct / comparisons.size

    def calculate_accumulated(self):
        """Fraction correct over every batch since ``new_pass()``."""
        if self.accumulated_count == 0:
            raise ValueError("no batches were accumulated since new_pass(); call calculate() first")
        return float(self.accumulated_sum / self.accumulated_count)

    def new_pass(self):
        """Reset the running totals at the start of an epoch."""
        self.accumulated_sum = 0
        self.accumulated_count = 0

    def config(self):
        """Constructor arguments."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({args})"


@register(kind="accuracy")
class CategoricalAccuracy(Accuracy):
    """Class predictions against labels.

    Multi-class (default): predictions ``(N,)`` against labels ``(N,)`` or
    one-hot ``(N, K)``. ``binary=True``: predictions and labels both ``(N, J)``
    of 0/1, compared element by element (sigmoid outputs).
    """

    def __init__(self, *, binary=False):
        self.binary = bool(binary)
        super().__init__()

    def compare(self, predictions, y):
        predictions = _checks.as_array("predictions", predictions)
        y = _checks.as_array("y", y)
        if not self.binary and y.ndim == 2:
            y = np.argmax(y, axis=1)
        if predictions.shape != y.shape:
            hint = " (sigmoid outputs need CategoricalAccuracy(binary=True) and y.reshape(-1, 1))" \
                if predictions.ndim != y.ndim else ""
            raise ValueError(f"y must have the predictions' shape {predictions.shape}, got {y.shape}{hint}")
        return predictions == y

    def config(self):
        return {"binary": self.binary}


@register(kind="accuracy")
class RegressionAccuracy(Accuracy):
    r"""A prediction is correct when :math:`|\hat y - y| <` ``precision`` = std(y) / ``precision_divisor``."""

    def __init__(self, *, precision_divisor=250):
        self.precision_divisor = _checks.real_number("precision_divisor", precision_divisor, low_open=True)
        self.precision = None
        super().__init__()

    def init(self, y, reinit=False):
        """Set ``precision`` from the spread of the targets ``y`` (once, unless ``reinit``)."""
        if self.precision is None or reinit:
            self.precision = np.std(_checks.as_array("y", y)) / self.precision_divisor

    def compare(self, predictions, y):
        if self.precision is None:
            raise ValueError("RegressionAccuracy needs init(y) before calculate(), to set its precision")
        y = _checks.as_array("y", y)
        if np.shape(predictions) != y.shape:
            raise ValueError(f"y must have the predictions' shape {np.shape(predictions)}, got {y.shape}")
        return np.absolute(predictions - y) < self.precision

    def config(self):
        return {"precision_divisor": self.precision_divisor}


def accuracy(probabilities, y_true):
    """Fraction of rows of ``probabilities`` ``(N, K)`` whose argmax is the label.

    ``y_true`` holds class indices ``(N,)`` or one-hot rows ``(N, K)``.
    """
    probabilities = _checks.as_array("probabilities", probabilities, ndim=2)
    y_true = _checks.class_labels("y_true", y_true, *probabilities.shape)
    return CategoricalAccuracy().calculate(np.argmax(probabilities, axis=1), y_true)


def r_squared(y_true, y_pred):
    r"""Coefficient of determination :math:`R^2 = 1 - \sum (y - \hat y)^2 / \sum (y - \bar y)^2` of ``(N, 1)`` fits.

    1 is a perfect fit, 0 is no better than predicting the mean of ``y``, and a
    worse fit is negative. It is 1 minus the MSE divided by the variance of
    ``y``, so it ranks fits of the same targets exactly as their MSE does.
    """
    y_pred = _checks.as_array("y_pred", y_pred)
    y_true = _checks.same_shape("y_true", y_true, y_pred.shape)
    if y_true.size < 2:
        raise ValueError(f"y_true must hold at least 2 targets, got {y_true.size}")
    spread = np.sum((y_true - np.mean(y_true)) ** 2)
    if spread == 0:
        raise ValueError("y_true must not be constant: R^2 divides by the spread of the targets")
    return float(1 - np.sum((y_true - y_pred) ** 2) / spread)


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts of (true class, predicted class) pairs: a ``(K, K)`` integer array, rows true."""
    y_true = _checks.as_array("y_true", y_true, ndim=1)
    y_pred = _checks.as_array("y_pred", y_pred, ndim=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred must have y_true's shape {y_true.shape}, got {y_pred.shape}")
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(values.dtype, np.integer) or (values.size and values.min() < 0):
            raise ValueError(f"{name} must hold non-negative integer class indices, got dtype {values.dtype}")
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    n_classes = _checks.positive_int("n_classes", n_classes)
    if y_true.size and max(y_true.max(), y_pred.max()) >= n_classes:
        raise ValueError(f"class indices must be below n_classes={n_classes}, got {max(y_true.max(), y_pred.max())}")
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix
