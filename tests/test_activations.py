import warnings

import numpy as np
import pytest

from nncore import activations, gradcheck
from nncore.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Swish, Tanh, row_max, row_sum

Z = np.array([[-2.0, -0.5, 0.3, 1.7], [0.9, -1.3, 2.2, -0.05]])


def test_softmax_of_known_logits():
    out = Softmax().forward(np.array([[1., 2., 3.], [0., 0., 0.]]))
    e = np.exp([1., 2., 3.])
    np.testing.assert_allclose(out[0], e / e.sum())
    np.testing.assert_allclose(out[1], [1 / 3] * 3)


def test_softmax_is_shift_invariant_and_rows_sum_to_one(rng):
    z = rng.standard_normal((5, 4))
    np.testing.assert_allclose(Softmax().forward(z), Softmax().forward(z + 100))
    np.testing.assert_allclose(Softmax().forward(z).sum(axis=1), 1)


@pytest.mark.parametrize("activation, inputs", [
    (Softmax(), np.array([[1e4, 0., -1e4], [-1e4, -1e4, -1e4]])),
    (Sigmoid(), np.array([[1e4, -1e4, 0.]])),
    (Swish(), np.array([[1e4, -1e4, 0.]])),
    (Tanh(), np.array([[1e4, -1e4]])),
])
def test_extreme_inputs_give_finite_outputs_without_warnings(activation, inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = activation.forward(inputs)
    assert np.all(np.isfinite(out))


def test_sigmoid_saturates_exactly():
    np.testing.assert_array_equal(Sigmoid().forward(np.array([[1e4, -1e4]])), [[1., 0.]])


@pytest.mark.parametrize("activation, expected", [
    (ReLU(), np.maximum(0, Z)),
    (Sigmoid(), 1 / (1 + np.exp(-Z))),
    (Tanh(), np.tanh(Z)),
    (Linear(), Z),
    (LeakyReLU(0.1), np.where(Z > 0, Z, 0.1 * Z)),
    (Swish(2.0), Z / (1 + np.exp(-2.0 * Z))),
])
def test_forward_values(activation, expected):
    np.testing.assert_allclose(activation.forward(Z), expected, rtol=1e-12)


def test_relu_forward_is_the_books_maximum_to_the_bit_for_every_batch_shape_and_dtype(rng):
    relu = ReLU()  # one layer: its zeros are kept from call to call
    batches = [rng.standard_normal((6, 4)), rng.standard_normal((2, 4)), rng.standard_normal((9, 4)),
               rng.standard_normal((9, 5)).astype(np.float32), rng.standard_normal((3, 2, 2, 2)),
               np.array([[-0.0, 0.0, -3.0, 3.0]])]
    for inputs in batches:
        expected = np.maximum(0, inputs)
        output = relu.forward(inputs)
        assert output.dtype == expected.dtype and output.shape == expected.shape
        np.testing.assert_array_equal(output, expected)
        np.testing.assert_array_equal(np.signbit(output), np.signbit(expected))  # -0.0 stays -0.0, as in the book
    assert not np.any(relu._zeros), "the zeros ReLU compares with must stay zeros"


def test_relu_backward_passes_gradients_where_inputs_are_positive_and_plain_zeros_elsewhere():
    inputs = np.array([[-2., 0., 3.], [1., -1., 0.5]])
    dvalues = np.array([[-5., -6., -7.], [8., -9., 10.]])
    relu = ReLU()
    relu.forward(inputs)
    dinputs = relu.backward(dvalues)
    np.testing.assert_array_equal(dinputs, [[0., 0., -7.], [8., 0., 10.]])
    assert not np.any(np.signbit(dinputs[dinputs == 0])), "masked gradients must be 0.0, not -0.0"

@pytest.mark.parametrize("activation", [ReLU(), Softmax(), Sigmoid(), Tanh(), Linear(), LeakyReLU(0.05), Swish(1.5)],
                         ids=repr)
def test_backward_matches_numerical_gradient(activation, rng):
    inputs = rng.standard_normal((6, 4))
    inputs[np.abs(inputs) < 1e-2] = 0.5  # away from the kinks of ReLU and leaky ReLU
    errors = gradcheck.check_layer(activation, inputs)
    assert errors["dinputs"] < 1e-6


def test_softmax_backward_equals_the_explicit_jacobian(rng):
    softmax = Softmax()
    out = softmax.forward(rng.standard_normal((3, 4)))
    dvalues = rng.standard_normal((3, 4))
    expected = [(np.diagflat(s) - np.outer(s, s)) @ g for s, g in zip(out, dvalues)]
    np.testing.assert_allclose(softmax.backward(dvalues), expected)


def test_predictions():
    np.testing.assert_array_equal(Softmax().predictions(np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])), [1, 0])
    np.testing.assert_array_equal(Sigmoid().predictions(np.array([[0.2], [0.51]])), [[0], [1]])
    out = np.array([[1.5]])
    assert Linear().predictions(out) is out


def test_registry_and_reprs():
    assert isinstance(activations.get("relu"), ReLU)
    assert repr(LeakyReLU()) == "LeakyReLU(alpha=0.01)"
    assert repr(Swish(2.0)) == "Swish(beta=2.0)"
    assert repr(Softmax()) == "Softmax()"


def test_float32_stays_float32(nnfs_init):
    z = np.random.randn(3, 4)
    for activation in (ReLU(), Softmax(), Sigmoid(), Tanh(), LeakyReLU(), Swish()):
        assert activation.forward(z).dtype == np.float32, activation


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("columns", range(1, 12))
def test_row_max_and_row_sum_are_numpys_to_the_bit(columns, dtype, rng):
    """Short rows are reduced column by column (faster); the results are np.max's and np.sum's exactly."""
    values = (rng.random((2000, columns)) * 10.0 ** rng.uniform(-6, 6, (2000, columns))).astype(dtype)
    values[::7] *= -1
    np.testing.assert_array_equal(row_max(values), np.max(values, axis=1, keepdims=True))
    np.testing.assert_array_equal(row_sum(values), np.sum(values, axis=1, keepdims=True))
    assert row_sum(values).dtype == dtype
