"""Properties that hold for every input, checked on shapes and values that hypothesis draws."""
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nncore import gradcheck
from nncore.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Swish, Tanh
from nncore.layers import Dense
from nncore.losses import BinaryCrossentropy, CategoricalCrossentropy, MeanAbsoluteError, MeanSquaredError

settings.register_profile("course", max_examples=40, deadline=None, derandomize=True, database=None)
settings.load_profile("course")

shapes = st.tuples(st.integers(1, 6), st.integers(1, 5))
logits = shapes.flatmap(lambda shape: arrays(np.float64, shape, elements=st.floats(-1e4, 1e4)))
probabilities = shapes.flatmap(lambda shape: arrays(np.float64, shape, elements=st.floats(0, 1)))


def quietly(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args)


@given(logits)
def test_softmax_rows_sum_to_one_even_for_huge_logits(z):
    out = quietly(Softmax().forward, z)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-12)


@given(logits)
def test_sigmoid_and_swish_stay_finite_and_in_range(z):
    out = quietly(Sigmoid().forward, z)
    assert np.all((out >= 0) & (out <= 1))
    assert np.all(np.isfinite(quietly(Swish().forward, z)))


@given(probabilities, st.data())
def test_cross_entropies_are_finite_and_non_negative(p, data):
    labels = data.draw(arrays(np.int64, p.shape[0], elements=st.integers(0, p.shape[1] - 1)))
    targets = data.draw(arrays(np.float64, p.shape, elements=st.sampled_from([0.0, 1.0])))
    rows = (p + 1e-3) / (p + 1e-3).sum(axis=1, keepdims=True)  # cross-entropy takes rows that sum to 1
    for loss, predictions, y in ((CategoricalCrossentropy(), rows, labels), (BinaryCrossentropy(), p, targets)):
        values = quietly(loss.forward, predictions, y)
        assert np.all(np.isfinite(values)) and np.all(values >= 0)


@given(probabilities, st.data())
def test_regression_losses_are_non_negative_and_zero_only_when_exact(p, data):
    y = data.draw(arrays(np.float64, p.shape, elements=st.floats(-10, 10)))
    for loss in (MeanSquaredError(), MeanAbsoluteError()):
        assert np.all(loss.forward(p, y) >= 0)
        np.testing.assert_array_equal(loss.forward(p, p), 0)


@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_dense_gradients_match_on_random_shapes(n_samples, n_inputs, n_neurons, seed):
    rng = np.random.default_rng(seed)
    layer = Dense(n_inputs, n_neurons, weight_regularizer_l2=1e-2, bias_regularizer_l2=1e-2, rng=rng)
    layer.biases = rng.standard_normal((1, n_neurons))
    gradcheck.check_layer(layer, rng.standard_normal((n_samples, n_inputs)))


@given(st.sampled_from([ReLU, Softmax, Sigmoid, Tanh, Linear, LeakyReLU, Swish]), shapes, st.integers(0, 2 ** 32 - 1))
def test_activation_gradients_match_on_random_shapes(activation, shape, seed):
    z = np.random.default_rng(seed).standard_normal(shape)
    z[np.abs(z) < 1e-2] = 0.5  # away from the kinks of ReLU and leaky ReLU
    gradcheck.check_layer(activation(), z)
