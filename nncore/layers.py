"""Layers: Dense (fully connected), Dropout and Input.

Shapes: ``N`` samples per batch, ``n_inputs`` features in, ``n_neurons`` out.
Randomness comes from NumPy's global legacy stream unless an explicit
``numpy.random.Generator`` is passed as ``rng``, so that after ``nnfs.init()``
a chapter draws the same numbers as the book's code.
"""
import math

import numpy as np

from . import _checks
from .registry import register


INITS = ("book", "glorot", "he")
"""The initial weights a layer may draw (``initial_scale``)."""


def initial_scale(init, fan_in, fan_out, book_scale=0.01):
    r"""The standard deviation of a layer's initial weights, which are ``scale * randn(...)``.

    ``"book"``: ``book_scale``; ``"glorot"``: :math:`\sqrt{2 / (fan_{in} + fan_{out})}`; ``"he"``:
    :math:`\sqrt{2 / fan_{in}}`. A Python float, so that float32 draws stay float32 when scaled.
    """
    if init == "book":
        return book_scale
    return math.sqrt(2 / (fan_in + fan_out if init == "glorot" else fan_in))


def get_parameters(layer):
    """Copies of the arrays ``layer`` names in ``layer.params``, as a tuple in that order."""
    return tuple(np.copy(getattr(layer, name)) for name in getattr(layer, "params", ()))


def set_parameters(layer, values):
    """Store copies of ``values`` in ``layer``, one per name in ``layer.params``, each of its current shape."""
    _set_arrays(layer, getattr(layer, "params", ()), values)


def get_buffers(layer):
    """Copies of the arrays ``layer`` names in ``buffers`` (state that is not trained, such as running means)."""
    return tuple(np.copy(getattr(layer, name)) for name in getattr(layer, "buffers", ()))


def set_buffers(layer, values):
    """Store copies of ``values`` in ``layer``, one per name in ``layer.buffers``, each of its current shape."""
    _set_arrays(layer, getattr(layer, "buffers", ()), values)


def _set_arrays(layer, names, values):
    values = tuple(values)
    if len(values) != len(names):
        raise ValueError(f"{layer!r} takes {len(names)} arrays {names}, got {len(values)}")
    checked = []
    for name, value in zip(names, values):
        value = _checks.as_array(name, value)
        shape = np.shape(getattr(layer, name))
        if value.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {value.shape}")
        if name in getattr(layer, "non_negative", ()) and value.size and value.min() < 0:
            where = tuple(int(i) for i in np.unravel_index(np.argmin(value), value.shape))
            raise ValueError(f"{name} must hold values >= 0, got {value.min():.4g} at index {where}")
        checked.append(value.copy())
    for name, value in zip(names, checked):
        setattr(layer, name, value)


class Layer:
    """The edge every nncore layer shares: ``forward`` and ``backward`` check what comes in, then do the math.

    A subclass writes the math as ``_forward(inputs, training)`` and
    ``_backward(dvalues)``; ``input_ndim`` and ``input_columns`` say what its
    inputs must look like (``None``: anything). A model checks its first
    training step and calls the math directly after that.
    """

    input_ndim = None
    input_columns = None

    def forward(self, inputs, training=False):
        """Check that ``inputs`` is a finite array of numbers of the expected shape, then compute the output."""
        inputs = _checks.as_array(f"{type(self).__name__} inputs", inputs, ndim=self.input_ndim,
                                  n_columns=self.input_columns)
        return self._forward(inputs, training)

    def backward(self, dvalues):
        """Check that ``dvalues`` has the shape of the last output, then return the gradient for the inputs."""
        return self._backward(_checks.gradient(self, dvalues))


def _sign_with_zero_positive(values):
    """The L1 penalty's derivative: +1 where ``values >= 0``, -1 elsewhere, in the values' dtype."""
    signs = np.ones_like(values)
    signs[values < 0] = -1
    return signs


@register
class Dense(Layer):
    r"""A fully connected layer, :math:`Z = XW + b`.

    Parameters
    ----------
    n_inputs, n_neurons : int
        ``W`` has shape ``(n_inputs, n_neurons)`` and ``b`` shape ``(1, n_neurons)``.
    weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2 : float
        Penalty strengths :math:`\lambda \ge 0`; the loss adds their terms and
        ``backward`` adds their gradients.
    init : {"book", "glorot", "he"}
        Initial weights are ``scale * randn(n_inputs, n_neurons)``, one draw whatever the init, so a
        seed gives the same normals to each: ``"book"`` scales by ``weight_scale``; ``"glorot"`` by
        :math:`\sqrt{2 / (n_{in} + n_{out})}` (variance kept forward and backward, for tanh and
        sigmoid); ``"he"`` by :math:`\sqrt{2 / n_{in}}` (variance kept through ReLU). Biases start at 0.
    weight_scale : float, optional
        The scale of ``init="book"``, 0.01 by default (the book's). Glorot and He set their own,
        so an explicit ``weight_scale`` with them is an error.
    rng : numpy.random.Generator, optional
        Draw the initial weights from this generator instead of the global stream.
    """

    params = ("weights", "biases")
    input_ndim = 2

    def __init__(self, n_inputs, n_neurons, weight_regularizer_l1=0., weight_regularizer_l2=0.,
                 bias_regularizer_l1=0., bias_regularizer_l2=0., *, init="book", weight_scale=None, rng=None):
        self.n_inputs = _checks.positive_int("n_inputs", n_inputs)
        self.n_neurons = _checks.positive_int("n_neurons", n_neurons)
        self.weight_regularizer_l1 = _checks.real_number("weight_regularizer_l1", weight_regularizer_l1)
        self.weight_regularizer_l2 = _checks.real_number("weight_regularizer_l2", weight_regularizer_l2)
        self.bias_regularizer_l1 = _checks.real_number("bias_regularizer_l1", bias_regularizer_l1)
        self.bias_regularizer_l2 = _checks.real_number("bias_regularizer_l2", bias_regularizer_l2)
        self.init = _checks.choice("init", init, INITS)
        if self.init != "book" and weight_scale is not None:
            raise ValueError(f"weight_scale sets the scale of init='book' only; init={self.init!r} sets its own: "
                             f"pass init or weight_scale, not both (got weight_scale={weight_scale!r})")
        book_scale = _checks.real_number("weight_scale", 0.01 if weight_scale is None else weight_scale, low_open=True)
        self.weight_scale = initial_scale(self.init, self.n_inputs, self.n_neurons, book_scale)
        if rng is None:
            self.weights = self.weight_scale * np.random.randn(self.n_inputs, self.n_neurons)
        else:
            self.weights = self.weight_scale * rng.standard_normal((self.n_inputs, self.n_neurons))
        self.biases = np.zeros((1, self.n_neurons))
        self.needs_input_gradient = True

    @classmethod
    def parameter_shapes(cls, config):
        """The shapes of ``params`` for the constructor arguments ``config``, known without building the layer."""
        n_inputs = _checks.positive_int("n_inputs", config["n_inputs"])
        n_neurons = _checks.positive_int("n_neurons", config["n_neurons"])
        return {"weights": (n_inputs, n_neurons), "biases": (1, n_neurons)}

    @property
    def input_columns(self):
        return self.n_inputs

    def _forward(self, inputs, training=False):
        """Compute ``inputs @ W + b``: ``(N, n_inputs) -> (N, n_neurons)``."""
        self.inputs = inputs
        output = np.dot(inputs, self.weights)
        if output.dtype == np.result_type(output, self.biases):
            output += self.biases  # in place: the same sums as "+", without a second (N, n_neurons) array
        else:
            output = output + self.biases
        self.output = output
        return self.output

    def _backward(self, dvalues):
        r"""Back-propagate ``dvalues`` (G), shape ``(N, n_neurons)``.

        Sets :math:`\partial W = X^\top G` (plus the penalties' gradients),
        :math:`\partial b = \sum_i G_i` and returns :math:`\partial X = G W^\top`, shape ``(N, n_inputs)``.
        A model's first layer skips :math:`\partial X` (``needs_input_gradient = False``): nothing uses it.
        """
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = dvalues.sum(axis=0, keepdims=True)
        self._add_penalty_gradients()
        self.dinputs = np.dot(dvalues, self.weights.T) if self.needs_input_gradient else None
        return self.dinputs

    def regularization_loss(self):
        r"""The penalty :math:`\lambda_1 \sum|w| + \lambda_2 \sum w^2`, plus the same terms for the biases."""
        penalty = 0.0
        if self.weight_regularizer_l1 > 0:
            penalty += self.weight_regularizer_l1 * np.sum(np.abs(self.weights))
        if self.weight_regularizer_l2 > 0:
            penalty += self.weight_regularizer_l2 * np.sum(self.weights * self.weights)
        if self.bias_regularizer_l1 > 0:
            penalty += self.bias_regularizer_l1 * np.sum(np.abs(self.biases))
        if self.bias_regularizer_l2 > 0:
            penalty += self.bias_regularizer_l2 * np.sum(self.biases * self.biases)
        return penalty

    def _add_penalty_gradients(self):
        r"""Add the penalty's gradient, :math:`\lambda_1\,\mathrm{sign}(w) + 2\lambda_2 w`, to ``dweights`` and ``dbiases``."""
        if self.weight_regularizer_l1 > 0:
            self.dweights += self.weight_regularizer_l1 * _sign_with_zero_positive(self.weights)
        if self.weight_regularizer_l2 > 0:
            self.dweights += 2 * self.weight_regularizer_l2 * self.weights
        if self.bias_regularizer_l1 > 0:
            self.dbiases += self.bias_regularizer_l1 * _sign_with_zero_positive(self.biases)
        if self.bias_regularizer_l2 > 0:
            self.dbiases += 2 * self.bias_regularizer_l2 * self.biases

    def get_parameters(self):
        """Return copies of ``(W, b)``, shapes ``(n_inputs, n_neurons)`` and ``(1, n_neurons)``."""
        return get_parameters(self)

    def set_parameters(self, weights, biases):
        """Store copies of ``weights`` ``(n_inputs, n_neurons)`` and ``biases`` ``(1, n_neurons)``."""
        set_parameters(self, (weights, biases))

    def config(self):
        """Constructor arguments, enough to build an equal-shaped layer again."""
        return {"n_inputs": self.n_inputs, "n_neurons": self.n_neurons,
                "weight_regularizer_l1": self.weight_regularizer_l1,
                "weight_regularizer_l2": self.weight_regularizer_l2,
                "bias_regularizer_l1": self.bias_regularizer_l1,
                "bias_regularizer_l2": self.bias_regularizer_l2, "init": self.init,
                **({"weight_scale": self.weight_scale} if self.init == "book" else {})}

    def __repr__(self):
        penalties = [("weight_l1", self.weight_regularizer_l1), ("weight_l2", self.weight_regularizer_l2),
                     ("bias_l1", self.bias_regularizer_l1), ("bias_l2", self.bias_regularizer_l2)]
        extra = "".join(f", {name}={value!r}" for name, value in penalties if value)
        if self.init != "book":
            extra += f", init={self.init!r}"
        return f"Dense({self.n_inputs} -> {self.n_neurons}{extra})"


@register
class Dropout(Layer):
    r"""Inverted dropout: zero a fraction ``rate`` of the values while training.

    :math:`r \sim \mathrm{Bernoulli}(1-q)`, output :math:`r z / (1-q)`, so the
    expected output equals the input and inference needs no change.

    Parameters
    ----------
    rate : float
        The fraction **dropped**, in [0, 1). ``keep_prob = 1 - rate``.
    rng : numpy.random.Generator, optional
        Draw masks from this generator instead of the global stream.
    """

    def __init__(self, rate, *, rng=None):
        self.rate = _checks.real_number("rate", rate, low=0.0, high=1.0)
        self.keep_prob = 1 - self.rate
        self.rng = rng

    def _forward(self, inputs, training=False):
        """Training: ``inputs * mask``; not training: a copy of ``inputs``. Any shape."""
        self.inputs = inputs
        if not training:
            self.binary_mask = None
            self.output = self.inputs.copy()
            return self.output
        self.binary_mask = self._mask(self.inputs.shape, self.mask_dtype(self.inputs))
        self.output = self.inputs * self.binary_mask
        return self.output

    def mask_dtype(self, inputs):
        """The inputs' float dtype, so that float32 data stays float32 (integer inputs get float64)."""
        return np.result_type(inputs.dtype, np.float32)

    def _mask(self, shape, dtype):
        """``binomial(1, keep_prob, size=shape) / keep_prob`` cast to ``dtype``: the book's mask, bit for bit.

        NumPy's binomial with one trial draws one uniform ``U`` per value and inverts the distribution: for a
        success probability ``p`` up to 0.5 it returns 1 where ``U > exp(log(1 - p))``, and above 0.5 it draws
        for ``1 - p`` instead and subtracts the result from 1. Comparing the same uniforms, drawn from the same
        stream, gives the same mask without the per-value loop, in less than half the time.
        """
        uniform = np.random.random_sample if self.rng is None else self.rng.random
        flipped = self.keep_prob > 0.5
        p = 1.0 - self.keep_prob if flipped else self.keep_prob
        threshold = math.exp(math.log(1.0 - p))
        drawn = uniform(shape)
        kept = drawn <= threshold if flipped else drawn > threshold
        return kept * dtype.type(1 / self.keep_prob)  # 0 or 1 / keep_prob, rounded once to dtype as the book's cast

    def _backward(self, dvalues):
        """Gradient ``dvalues * mask`` (same shape as the inputs); after an inference pass, ``dvalues`` itself."""
        self.dinputs = dvalues.copy() if self.binary_mask is None else dvalues * self.binary_mask
        return self.dinputs

    def config(self):
        """Constructor arguments."""
        return {"rate": self.rate}

    def __repr__(self):
        return f"Dropout(rate={self.rate!r})"


class Input:
    """The model's entry point: passes the batch through unchanged so every layer has a predecessor."""

    def forward(self, inputs, training=False):
        """Store and return ``inputs``."""
        self.output = inputs
        return self.output

    def __repr__(self):
        return "Input()"
