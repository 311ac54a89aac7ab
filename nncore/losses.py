r"""Loss functions.

``forward(y_pred, y_true)`` returns per-sample losses, shape ``(N,)`` (prediction
first). ``backward(dvalues, y_true)`` returns the gradient of the *mean* loss
with respect to the predictions, so every gradient is divided by :math:`N`.
``calculate`` averages, accumulates over batches and optionally adds the
regularization penalties of the layers the loss was given.
"""
import numpy as np

from . import _checks
from .activations import Softmax
from .registry import create, register

EPSILON = 1e-7
"""Probabilities are clipped to [EPSILON, 1 - EPSILON] so that log(0) never happens."""


class Loss:
    """Base class: averaging, accumulation across batches and regularization.

    ``ceiling`` is the largest per-sample loss a clipped loss can give (``None``:
    no ceiling). Samples at it stop showing how wrong they are, so training counts
    them (``fraction_at_ceiling``) to tell a diverged run from a bad one.
    """

    ceiling = None

    def __init__(self):
        self.trainable_layers = []
        self.new_pass()

    def new_pass(self):
        """Reset the accumulated sums at the start of an epoch."""
        self.accumulated_sum = 0.0
        self.accumulated_count = 0
        self.accumulated_at_ceiling = 0

    def count_at_ceiling(self, sample_losses):
        """How many of ``sample_losses`` reach ``ceiling`` (0 for a loss without one)."""
        if self.ceiling is None:
            return 0
        return int(np.count_nonzero(sample_losses >= self.ceiling * (1 - 1e-4)))

    def fraction_at_ceiling(self):
        """The share of the samples since ``new_pass()`` whose loss reached ``ceiling``.

        Counted in the batches whose mean loss is above half the ceiling, the
        only ones that can be mostly at it: a lower bound, exact when training has diverged.
        """
        return self.accumulated_at_ceiling / max(self.accumulated_count, 1)

    def remember_trainable_layers(self, layers):
        """Keep the layers whose penalties ``regularization_loss()`` adds up."""
        self.trainable_layers = list(layers)

    def regularization_loss(self, layer=None):
        """The penalty of one ``layer`` (its ``regularization_loss()``, 0 if it has none), or with no
        argument the sum over every remembered trainable layer."""
        if layer is None:
            return sum((self.regularization_loss(each) for each in self.trainable_layers), 0.0)
        penalty = getattr(layer, "regularization_loss", None)
        return penalty() if callable(penalty) else 0.0

    def calculate(self, output, y, *, include_regularization=False, checked=True):
        """Mean loss over the batch; also added to the running totals.

        Returns ``data_loss``, or ``(data_loss, regularization_loss)`` when asked.
        ``checked=False`` skips the checks of ``output`` (a model's own predictions) and of ``y``, which the
        caller made once with ``targets`` (a training loop checks all of its targets before the first step).
        """
        sample_losses = self.forward(output, y) if checked else self._forward(output, y)
        data_loss = self.accumulate(sample_losses) / len(sample_losses)  # np.mean's number, from the one sum
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def accumulate(self, sample_losses):
        """Add a batch's per-sample losses to the totals since ``new_pass()``; returns their sum."""
        batch_sum = np.asarray(sample_losses).sum()
        self.accumulated_sum += batch_sum
        self.accumulated_count += len(sample_losses)
        if self.ceiling is not None and batch_sum > 0.5 * self.ceiling * len(sample_losses):
            # Only a batch whose mean is above half the ceiling can have most of its samples at it.
            self.accumulated_at_ceiling += self.count_at_ceiling(sample_losses)
        return batch_sum

    def calculate_accumulated(self, *, include_regularization=False):
        """Sample-weighted mean loss since the last ``new_pass()``."""
        if self.accumulated_count == 0:
            raise ValueError("no batches were accumulated since new_pass(); call calculate() first")
        data_loss = self.accumulated_sum / self.accumulated_count
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def forward(self, y_pred, y_true):
        """Per-sample losses ``(N,)`` of the predictions ``(N, J)``, both arguments checked first; the math is
        ``_forward``."""
        y_pred = self._checked_predictions(y_pred)
        return self._forward(y_pred, self.targets(y_true, y_pred.shape))

    def backward(self, dvalues, y_true):
        """The gradient ``(N, J)`` of the mean loss, after checking both arguments; the math is ``_backward``."""
        dvalues = _checks.as_array(f"{type(self).__name__}.backward's predictions", dvalues, ndim=2)
        return self._backward(dvalues, self.targets(y_true, dvalues.shape))

    def targets(self, y_true, shape):
        """``y_true`` checked against predictions of ``shape``, as the array ``_forward`` and ``_backward`` take.

        Here: exactly the predictions' shape. ``forward`` and ``backward`` check every call's targets; a
        training loop checks all of its targets once, then gives the steps' math the result.
        """
        return _checks.same_shape("y_true", y_true, shape)

    def _checked_predictions(self, y_pred):
        return _checks.as_array(f"{type(self).__name__} predictions", y_pred, ndim=2)

    def config(self):
        """Constructor arguments."""
        return {}

    def __repr__(self):
        return f"{type(self).__name__}()"


@register(kind="loss", name="categorical_crossentropy")
class CategoricalCrossentropy(Loss):
    r"""Cross-entropy of class probabilities, :math:`L_i = -\log \hat y_{i,k}`.

    ``y_true`` is sparse (``(N,)`` class indices) or one-hot (``(N, K)``). The
    predictions must be probabilities (rows >= 0 summing to 1): softmax outputs, not logits.
    """

    ceiling = -np.log(EPSILON)

    def _checked_predictions(self, y_pred):
        return _checks.distribution_rows(f"{type(self).__name__} predictions", super()._checked_predictions(y_pred),
                                         hint="apply Softmax first: the loss takes probabilities, not logits")

    def targets(self, y_true, shape):
        """Sparse labels ``(N,)`` (whole numbers become int64) or one-hot rows ``(N, K)``, checked against ``shape``."""
        return _checks.class_labels("y_true", y_true, *shape)

    def _forward(self, y_pred, y_true):
        if y_true.ndim == 1:
            # The target's confidence first, then clipped: the same numbers as clipping every entry.
            correct_confidences = np.clip(y_pred[np.arange(len(y_pred)), y_true], EPSILON, 1 - EPSILON)
        else:
            correct_confidences = (np.clip(y_pred, EPSILON, 1 - EPSILON) * y_true).sum(axis=1)
        return -np.log(correct_confidences)

    def _backward(self, dvalues, y_true):
        r""":math:`-y_{i,j} / \hat y_{i,j} / N`, shape ``(N, K)`` (predictions clipped as in forward)."""
        samples, labels = dvalues.shape
        if y_true.ndim == 1:
            y_true = np.eye(labels, dtype=dvalues.dtype)[y_true]
        clipped = np.clip(dvalues, EPSILON, 1 - EPSILON)
        self.dinputs = -y_true / clipped / samples
        return self.dinputs


@register(kind="loss", name="binary_crossentropy")
class BinaryCrossentropy(Loss):
    r""":math:`L_i = \frac1J \sum_j -y\log\hat y - (1-y)\log(1-\hat y)` for sigmoid outputs, shape ``(N, J)``.

    Predictions and targets lie in [0, 1].
    """

    ceiling = -np.log(EPSILON)

    def _checked_predictions(self, y_pred):
        return _checks.within_unit_interval(f"{type(self).__name__} predictions",
                                            super()._checked_predictions(y_pred),
                                            hint="apply Sigmoid first: the loss takes probabilities")

    def targets(self, y_true, shape):
        """Targets of the predictions' ``shape``, each in [0, 1]."""
        return _checks.within_unit_interval("y_true", super().targets(y_true, shape), hint="binary targets are 0 or 1")

    def _forward(self, y_pred, y_true):
        clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
        sample_losses = -(y_true * np.log(clipped) + (1 - y_true) * np.log(1 - clipped))
        return np.mean(sample_losses, axis=-1)

    def _backward(self, dvalues, y_true):
        samples, outputs = dvalues.shape
        clipped = np.clip(dvalues, EPSILON, 1 - EPSILON)
        self.dinputs = -(y_true / clipped - (1 - y_true) / (1 - clipped)) / outputs / samples
        return self.dinputs


@register(kind="loss", name="mse")
class MeanSquaredError(Loss):
    r""":math:`L_i = \frac1J \sum_j (y_{i,j} - \hat y_{i,j})^2`; gradient :math:`-\frac{2}{J}(y - \hat y)/N`."""

    def _forward(self, y_pred, y_true):
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def _backward(self, dvalues, y_true):
        samples, outputs = dvalues.shape
        self.dinputs = -2 * (y_true - dvalues) / outputs / samples
        return self.dinputs


@register(kind="loss", name="mae")
class MeanAbsoluteError(Loss):
    r""":math:`L_i = \frac1J \sum_j |y_{i,j} - \hat y_{i,j}|`; gradient :math:`\mathrm{sign}(\hat y - y)/J/N`.

    The book's version uses ``sign(y - y_pred)``, which climbs the loss; this one descends.
    """

    def _forward(self, y_pred, y_true):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def _backward(self, dvalues, y_true):
        samples, outputs = dvalues.shape
        self.dinputs = np.sign(dvalues - y_true) / outputs / samples
        return self.dinputs


class SoftmaxCategoricalCrossentropy:
    r"""Softmax followed by categorical cross-entropy, with the short gradient :math:`(\hat y - y)/N`.

    ``forward(inputs, y_true)`` takes logits ``(N, K)``, sets ``output`` to the
    probabilities and returns the mean loss. ``backward(dvalues, y_true)`` takes
    the probabilities and returns the gradient with respect to the logits.
    """

    def __init__(self):
        self.activation = Softmax()
        self.loss = CategoricalCrossentropy()

    def forward(self, inputs, y_true):
        self.output = self.activation.forward(inputs)
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues, y_true):
        """The gradient ``(N, K)`` with respect to the logits, after checking ``dvalues``, the probabilities."""
        dvalues = _checks.as_array("SoftmaxCategoricalCrossentropy.backward's probabilities", dvalues, ndim=2)
        return self._backward(dvalues, self.loss.targets(y_true, dvalues.shape))

    def _backward(self, dvalues, y_true):
        """The math of ``backward``, for targets that ``targets`` checked."""
        samples = len(dvalues)
        if y_true.ndim == 2:
            y_true = np.argmax(y_true, axis=1)  # one-hot rows, checked: exactly their class
        self.dinputs = dvalues.astype(np.result_type(dvalues.dtype, np.float32))  # a copy, divided in place
        self.dinputs[np.arange(samples), y_true] -= 1
        self.dinputs /= samples
        return self.dinputs

    def __repr__(self):
        return "SoftmaxCategoricalCrossentropy()"


def get(name):
    """Return a new loss by its short name, e.g. ``get('mse')``; an unknown name raises ``ValueError``."""
    return create("loss", name)
