"""Checks for the exercises of 01_neurons."""
import numpy as np

from . import correct, expect, expect_close


def check_loop_layer_output(loop_layer_output):
    rng = np.random.default_rng(1)
    for case in range(5):
        n_samples, n_inputs, n_neurons = rng.integers(1, 5, size=3)
        inputs = rng.standard_normal((n_samples, n_inputs)).round(2)
        weights = rng.standard_normal((n_neurons, n_inputs)).round(2)
        biases = rng.standard_normal(n_neurons).round(2)
        result = loop_layer_output(inputs.tolist(), weights.tolist(), biases.tolist())
        expected = np.matmul(inputs, weights.T) + biases
        expect(np.shape(result) == expected.shape,
               f"case {case + 1}: expected {n_samples} rows of {n_neurons} outputs (shape {expected.shape}), "
               f"got shape {np.shape(result)}")
        expect_close(f"case {case + 1}", result, expected)
    correct("loop_layer_output matches the matrix product on 5 random batches")


def check_product_shape(product_shape):
    cases = [((3, 4), (4, 3)), ((3, 4), (3, 4)), ((1, 5), (5, 1)), ((5, 1), (1, 5)), ((2, 3), (4, 2)),
             ((300, 2), (2, 64))]
    for a_shape, b_shape in cases:
        try:
            expected = np.matmul(np.zeros(a_shape), np.zeros(b_shape)).shape
        except ValueError:
            expected = None
        got = product_shape(a_shape, b_shape)
        expect(got == expected, f"product_shape({a_shape}, {b_shape}): expected {expected}, got {got}"
               + (" (columns of the first must match rows of the second)" if expected is None or got is None else ""))
    correct("product_shape agrees with NumPy on 6 pairs of shapes")


def check_four_layer_output(four_layer_output, batch, layers):
    expected = np.asarray(batch, dtype=np.float64)
    for weights, biases in layers:
        expected = np.matmul(expected, np.asarray(weights, dtype=np.float64).T) + np.asarray(biases)
    got = four_layer_output(batch)
    expect(np.shape(got) == expected.shape,
           f"expected shape {expected.shape} (one output per sample from layer d), got {np.shape(got)}")
    expect_close("four_layer_output", got, expected)
    correct("each of the four layers now uses its own weights and biases")
