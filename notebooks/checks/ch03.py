"""Checks for the exercises of 03_activations."""
import warnings

import numpy as np

from nncore import LeakyReLU, Swish

from . import correct, expect, expect_close, expect_shape


def _quietly(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return function(*args)
        except RuntimeWarning as warning:
            raise AssertionError(f"NumPy warned: {warning}. Avoid exp of large positive numbers") from None


def check_stable_tanh(stable_tanh):
    z = np.linspace(-20, 20, 81)
    got = _quietly(stable_tanh, z)
    expect_shape("stable_tanh(z)", got, z.shape)
    expect(np.all(np.isfinite(got)), "stable_tanh returned nan or inf; compute it from exp(-2|z|)")
    expect_close("stable_tanh on linspace(-20, 20)", got, np.tanh(z), atol=1e-12)
    extreme = _quietly(stable_tanh, np.array([-1e4, 1e4]))
    expect_close("stable_tanh at -1e4 and 1e4", extreme, [-1.0, 1.0])
    correct("stable_tanh equals np.tanh and never overflows")


def check_batch_softmax(batch_softmax):
    rng = np.random.default_rng(3)
    scores = rng.standard_normal((6, 4))
    got = batch_softmax(scores)
    expect_shape("batch_softmax(scores)", got, scores.shape)
    expect(np.allclose(got.sum(axis=1), 1), f"each row must sum to 1, got row sums {np.round(got.sum(axis=1), 4)}"
           " (normalise along axis=1 with keepdims=True)")
    expect_close("a shift by 100", batch_softmax(scores + 100), got)
    big = _quietly(batch_softmax, np.array([[1000.0, 0.0]]))
    expect(np.all(np.isfinite(big)), "batch_softmax([[1000, 0]]) gave nan: subtract each row's maximum first")
    expect_close("batch_softmax([[1000, 0]])", big, [[1.0, 0.0]])
    correct("rows sum to 1, shifts change nothing, and large scores are safe")


def check_collapse(collapse):
    rng = np.random.default_rng(4)
    W1, b1 = rng.standard_normal((3, 5)), rng.standard_normal((1, 5))
    W2, b2 = rng.standard_normal((5, 2)), rng.standard_normal((1, 2))
    W, b = collapse(W1, b1, W2, b2)
    expect_shape("W", W, (3, 2))
    expect_shape("b", b, (1, 2))
    X = rng.standard_normal((7, 3))
    expect_close("X @ W + b", np.matmul(X, W) + b, np.matmul(np.matmul(X, W1) + b1, W2) + b2)
    correct("two linear layers collapse into one")


def check_leaky_relu_and_swish(my_leaky_relu, my_swish):
    z = np.concatenate([np.linspace(-10, 10, 41), [-1e4, 1e4]]).reshape(1, -1)
    for alpha in (0.01, 0.2):
        expect_close(f"my_leaky_relu(z, {alpha})", _quietly(my_leaky_relu, z, alpha), LeakyReLU(alpha).forward(z))
    for beta in (1.0, 2.5):
        expect_close(f"my_swish(z, {beta})", _quietly(my_swish, z, beta), Swish(beta).forward(z))
    correct("leaky ReLU and swish match nncore, even at ±1e4")
