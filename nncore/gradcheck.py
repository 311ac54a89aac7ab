r"""Numerical gradient checks for layers, activations and losses.

A backward pass is right when it agrees with centred differences,
:math:`\frac{f(x+h) - f(x-h)}{2h}`. After ``nnfs.init()`` everything is float32,
and float32 finite differences agree with a correct gradient only to about
1e-4 to 1e-2, depending on the step and the values, so the checks copy the
layer to float64 and compute ``np.dot`` in float64 (``float64_dot``). Then a
correct gradient agrees to about 1e-9, and the threshold is 1e-6.
"""
import contextlib
import copy

import numpy as np

from . import _checks
from .losses import SoftmaxCategoricalCrossentropy

TOLERANCE = 1e-6


def relative_error(a, b):
    r"""Largest :math:`|a-b| / \max(10^{-8}, |a|+|b|)` over all elements."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs equal shapes, got {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def numerical_gradient(f, x, *, eps=1e-5):
    """Centred-difference gradient of the scalar ``f(x)`` with respect to the array ``x``.

    ``x`` is nudged in place one element at a time and restored; returns an
    array of ``x``'s shape.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        what = f"an array of {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"x must be a floating-point array, nudged in place by eps, got {what}; "
                        "pass np.asarray(x, dtype=float) and let f read that array")
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f(x)
        x[index] = original - eps
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


@contextlib.contextmanager
def float64_dot():
    """Inside the block, ``np.dot`` computes and returns float64 (undoing ``nnfs.init()``'s float32 result)."""
    patched = np.dot

    def dot64(a, b):
        return np.matmul(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))

    np.dot = dot64
    try:
        yield
    finally:
        np.dot = patched


def _float64_copy(layer):
    layer = copy.deepcopy(layer)
    if hasattr(layer, "needs_input_gradient"):
        layer.needs_input_gradient = True
    for name in getattr(layer, "params", ()):
        setattr(layer, name, np.array(getattr(layer, name), dtype=np.float64))
    return layer


def _assert_within(errors, tol, what):
    for name, error in errors.items():
        if tol is not None and not error < tol:
            raise AssertionError(f"gradient check of {what} failed for {name}: "
                                 f"relative error {error:.2e} is not below {tol:.0e}")
    return errors


def _penalty(layer):
    """The layer's regularization loss, 0 for a layer without one."""
    penalty = getattr(layer, "regularization_loss", None)
    return penalty() if callable(penalty) else 0.0


def check_layer(layer, inputs, *, dvalues=None, training=False, eps=1e-5, tol=TOLERANCE):
    """Compare ``layer.backward`` with numerical gradients of ``sum(layer.forward(inputs) * dvalues)``.

    Every parameter the layer names in ``params`` is checked (``d<name>``). For a
    regularized layer the objective also holds its ``regularization_loss()``,
    whose gradient ``backward`` adds to the parameters' gradients.

    Works on a float64 copy (the layer passed in is not changed) and restores
    the global random state before every forward pass, so dropout masks repeat.

    Parameters
    ----------
    layer : a layer or activation with ``forward`` and ``backward``.
    inputs : array ``(N, n_inputs)``; keep ReLU-like inputs away from their kinks.
    dvalues : array of the output's shape, optional; by default a fixed random pattern.
    tol : float or None
        Raise ``AssertionError`` naming the gradient whose error is not below ``tol``.

    Returns
    -------
    dict mapping ``'dinputs'`` and ``'d<name>'`` for each parameter to relative errors.
    """
    if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
        raise TypeError(f"layer must have forward and backward methods, got {type(layer).__name__}")
    layer = _float64_copy(layer)
    inputs = _checks.as_array("inputs", inputs).astype(np.float64)
    state = np.random.get_state()

    def forward():
        np.random.set_state(state)
        return layer.forward(inputs, training=training)

    try:
        with float64_dot():
            output = forward()
            if dvalues is None:
                dvalues = np.random.default_rng(0).standard_normal(output.shape)
            dvalues = np.asarray(dvalues, dtype=np.float64)
            if dvalues.shape != output.shape:
                raise ValueError(f"dvalues must have the output's shape {output.shape}, got {dvalues.shape}")
            layer.backward(dvalues)
            analytic = {"dinputs": layer.dinputs}
            analytic.update({f"d{name}": getattr(layer, f"d{name}") for name in getattr(layer, "params", ())})

            def objective(_):
                return np.sum(forward() * dvalues) + _penalty(layer)

            errors = {"dinputs": relative_error(analytic["dinputs"], numerical_gradient(objective, inputs, eps=eps))}
            for name in getattr(layer, "params", ()):
                numeric = numerical_gradient(objective, getattr(layer, name), eps=eps)
                errors[f"d{name}"] = relative_error(analytic[f"d{name}"], numeric)
    finally:
        np.random.set_state(state)
    return _assert_within(errors, tol, repr(layer))


def check_loss(loss, y_pred, y_true, *, eps=1e-5, tol=TOLERANCE):
    """Compare ``loss.backward`` with the numerical gradient of the mean loss.

    For ``SoftmaxCategoricalCrossentropy`` ``y_pred`` are logits and the
    gradient is taken with respect to them. Returns ``{'dinputs': error}``.
    """
    if not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward", None))):
        raise TypeError(f"loss must have forward and backward methods, got {type(loss).__name__}")
    y_pred = _checks.as_array("y_pred", y_pred).astype(np.float64)
    combined = isinstance(loss, SoftmaxCategoricalCrossentropy)

    def mean_loss(_):
        if combined:
            return loss.forward(y_pred, y_true)
        return np.mean(loss.forward(y_pred, y_true))

    mean_loss(None)
    analytic = loss.backward(loss.output if combined else y_pred, y_true)
    errors = {"dinputs": relative_error(analytic, numerical_gradient(mean_loss, y_pred, eps=eps))}
    return _assert_within(errors, tol, repr(loss))
