"""Checks for the exercises of 02_dense."""
import numpy as np

from nncore import Dense

from . import correct, expect, expect_close, expect_shape


def check_dense_forward(dense_forward):
    rng = np.random.default_rng(2)
    inputs = rng.standard_normal((5, 3)).astype(np.float32)
    layer = Dense(3, 4, rng=rng)
    biases = np.array([[1.0, -2.0, 0.5, 3.0]], dtype=np.float32)
    layer.set_parameters(layer.weights.astype(np.float32), biases)
    got = dense_forward(inputs, layer.weights, layer.biases)
    expect_shape("dense_forward(...)", got, (5, 4))
    without_bias = np.matmul(inputs, layer.weights)
    expect(not np.allclose(got, without_bias), "the outputs ignore the biases: add + biases")
    expect_close("dense_forward", got, layer.forward(inputs))
    correct("dense_forward matches nncore.Dense, biases included")


def check_n_params(n_params):
    for sizes, expected in (([2, 64, 3], 387), ([784, 128, 128, 10], 118282), ([1, 1], 2), ([4, 3], 15)):
        got = n_params(sizes)
        expect(got == expected, f"n_params({sizes}): expected {expected}, got {got}"
               + (" (did you forget the biases?)" if got == expected - sum(sizes[1:]) else ""))
    correct("n_params counts weights and biases of every layer")


def check_make_layers(make_layers):
    np.random.seed(0)
    layers = make_layers()
    expect(len(layers) == 2, f"make_layers should return 2 layers, got {len(layers)}")
    np.random.seed(0)
    reference = (Dense(2, 64), Dense(64, 3))
    for index, (mine, theirs) in enumerate(zip(layers, reference), 1):
        expect_shape(f"layer {index} weights", mine.weights, theirs.weights.shape)
        expect(np.array_equal(mine.weights, theirs.weights),
               f"layer {index} has the right shape but different weights: create the layers in order "
               "(2 -> 64 first, then 64 -> 3) and draw nothing else in between")
    correct("same seed and same order of creation give the same weights as nncore")
