r"""Activation functions, each with ``forward``, ``backward`` and ``predictions``.

``forward(inputs)`` maps pre-activations :math:`z` of shape ``(N, J)`` to
outputs of the same shape; ``backward(dvalues)`` multiplies the incoming
gradient :math:`G` by the local derivative and returns ``dinputs``, shape ``(N, J)``.
All of them stay finite for any finite input (no overflow in ``exp``).
"""
import numpy as np

from . import _checks
from .layers import Layer
from .registry import create, register


def stable_sigmoid(z):
    r""":math:`\sigma(z) = 1/(1+e^{-z})`, computed from :math:`e^{-|z|}` so that ``exp`` never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


FEW_COLUMNS = 8
"""Rows shorter than this are reduced column by column (``row_max``, ``row_sum``)."""


def _reduce_rows(ufunc, values):
    """``ufunc.reduce`` along each row of the 2-D ``values``, shape ``(N, 1)``; short rows column by column.

    NumPy's reduction along a short last axis costs more per element than an operation across whole
    columns, so rows of fewer than ``FEW_COLUMNS`` values are combined column by column, left to right.
    """
    if values.shape[1] >= FEW_COLUMNS or values.shape[1] == 0:
        return ufunc.reduce(values, axis=1, keepdims=True)
    result = values[:, :1]
    for column in range(1, values.shape[1]):
        result = ufunc(result, values[:, column:column + 1])
    return result


def row_max(values):
    """The maximum of each row of the 2-D ``values``, shape ``(N, 1)`` (the same whatever the order)."""
    return _reduce_rows(np.maximum, values)


def row_sum(values):
    """The sum of each row of the 2-D ``values``, shape ``(N, 1)``, bit for bit ``np.sum(values, axis=1)``:
    NumPy adds a row shorter than 8 values left to right too (its pairwise summation starts at 8)."""
    return _reduce_rows(np.add, values)


class Activation(Layer):
    """A layer without parameters, checked at the edge like every ``Layer``; ``predictions``; a plain ``repr``."""

    def predictions(self, outputs):
        """What the model predicts from this activation's outputs (here: the outputs themselves)."""
        return outputs

    def config(self):
        """Constructor arguments."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({args})"


@register(name="relu")
class ReLU(Activation):
    r""":math:`\max(0, z)`; derivative :math:`1[z > 0]`."""

    _zeros = None

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        # max(0, z) against an array of zeros: NumPy's loop with a scalar operand is 2-3 times slower
        # (on (300, 64) float64, 5.2 us against 11.6 us). Zeros first, as the book's np.maximum(0, z),
        # so that an input of -0.0 gives its -0.0.
        self.output = np.maximum(self._zeros_for(inputs), inputs)
        return self.output

    def _zeros_for(self, inputs):
        """Zeros of ``inputs``' shape and dtype, from an array kept from batch to batch (a smaller last batch
        takes its first rows)."""
        zeros = self._zeros
        if (zeros is None or zeros.dtype != inputs.dtype or zeros.shape[1:] != inputs.shape[1:]
                or zeros.shape[:1] < inputs.shape[:1]):
            zeros = self._zeros = np.zeros(inputs.shape, inputs.dtype)
        return zeros[:len(inputs)] if inputs.ndim else zeros

    def _backward(self, dvalues):
        # G * 1[z > 0] is twice as fast as np.where; "+= 0.0" turns the -0.0 of masked negatives into 0.0.
        self.dinputs = dvalues * (self.inputs > 0)
        self.dinputs += 0.0
        return self.dinputs


@register(name="softmax")
class Softmax(Activation):
    r""":math:`S_{i,j} = e^{z_{i,j}} / \sum_l e^{z_{i,l}}` along each row.

    The row maximum is subtracted first; softmax is shift invariant, so the
    result is the same and ``exp`` never overflows.
    """

    input_ndim = 2

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        exp_values = np.exp(inputs - row_max(inputs))
        self.output = exp_values / row_sum(exp_values)
        return self.output

    def _backward(self, dvalues):
        r"""Apply the Jacobian :math:`\mathrm{diag}(s) - s s^\top` to each row :math:`G_i`.

        :math:`(\mathrm{diag}(s) - s s^\top) G_i = s \odot (G_i - s \cdot G_i)`, which
        needs no ``(J, J)`` matrix per sample.
        """
        s = self.output
        self.dinputs = s * (dvalues - (dvalues * s).sum(axis=1, keepdims=True))
        return self.dinputs

    def predictions(self, outputs):
        """The class with the highest probability, shape ``(N,)``."""
        return np.argmax(outputs, axis=1)


@register(name="sigmoid")
class Sigmoid(Activation):
    r""":math:`\sigma(z) = 1/(1+e^{-z})`; derivative :math:`\sigma(1-\sigma)`."""

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = stable_sigmoid(inputs)
        return self.output

    def _backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output) * self.output
        return self.dinputs

    def predictions(self, outputs):
        """1 where the probability is above 0.5, else 0 (same shape as ``outputs``)."""
        return (outputs > 0.5) * 1


@register(name="tanh")
class Tanh(Activation):
    r""":math:`\tanh z`; derivative :math:`1 - \tanh^2 z`."""

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = np.tanh(inputs)
        return self.output

    def _backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.output ** 2)
        return self.dinputs


@register(name="linear")
class Linear(Activation):
    """The identity, :math:`z`; derivative 1. The output of a regression model."""

    def _forward(self, inputs, training=False):
        self.inputs = self.output = inputs
        return self.output

    def _backward(self, dvalues):
        self.dinputs = dvalues.copy()
        return self.dinputs


@register(name="leaky_relu")
class LeakyReLU(Activation):
    r""":math:`z` for :math:`z > 0`, else :math:`\alpha z`; derivative 1 or :math:`\alpha`."""

    def __init__(self, alpha=0.01):
        self.alpha = _checks.real_number("alpha", alpha, low=0.0, high=1.0)

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = np.where(inputs > 0, inputs, self.alpha * inputs)
        return self.output

    def _backward(self, dvalues):
        self.dinputs = np.where(self.inputs > 0, dvalues, self.alpha * dvalues)
        return self.dinputs

    def config(self):
        return {"alpha": self.alpha}


@register(name="swish")
class Swish(Activation):
    r""":math:`z\,\sigma(\beta z)`; derivative :math:`\sigma + \beta z \sigma (1-\sigma)`."""

    def __init__(self, beta=1.0):
        self.beta = _checks.real_number("beta", beta, low=0.0, low_open=True)

    def _forward(self, inputs, training=False):
        self.inputs = inputs
        self.sigmoid = stable_sigmoid(self.beta * inputs)
        self.output = inputs * self.sigmoid
        return self.output

    def _backward(self, dvalues):
        s = self.sigmoid
        self.dinputs = dvalues * (s + self.beta * self.inputs * s * (1 - s))
        return self.dinputs

    def config(self):
        return {"beta": self.beta}


def get(name):
    """Return a new activation by its short name, e.g. ``get('relu')``; an unknown name raises ``ValueError``."""
    return create("activation", name)
