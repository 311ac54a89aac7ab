import numpy as np
import pytest

from nncore import gradcheck
from nncore.activations import ReLU
from nncore.layers import Dense


def test_relative_error():
    assert gradcheck.relative_error([1., 2.], [1., 2.]) == 0
    assert gradcheck.relative_error([1.], [3.]) == pytest.approx(0.5)
    assert gradcheck.relative_error([0.], [0.]) == 0
    with pytest.raises(ValueError, match="equal shapes"):
        gradcheck.relative_error(np.ones(2), np.ones(3))


def test_numerical_gradient_of_a_known_function_restores_its_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = gradcheck.numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])


class BrokenDense(Dense):
    """Forgets to transpose the inputs' role: dweights scaled wrongly."""

    def backward(self, dvalues):
        super().backward(dvalues)
        self.dweights = 2 * self.dweights
        return self.dinputs


def test_a_wrong_backward_is_caught_and_named(rng):
    with pytest.raises(AssertionError, match=r"failed for dweights: relative error .* is not below 1e-06"):
        gradcheck.check_layer(BrokenDense(3, 2, rng=rng), rng.standard_normal((4, 3)))
    errors = gradcheck.check_layer(BrokenDense(3, 2, rng=rng), rng.standard_normal((4, 3)), tol=None)
    assert errors["dweights"] > 0.1 and errors["dinputs"] < 1e-6


def test_float64_dot_restores_numpy(nnfs_init):
    wrapped = np.dot
    with gradcheck.float64_dot():
        assert np.dot(np.ones((2, 2), np.float32), np.ones((2, 1), np.float32)).dtype == np.float64
    assert np.dot is wrapped
    with pytest.raises(RuntimeError), gradcheck.float64_dot():
        raise RuntimeError
    assert np.dot is wrapped


def test_check_layer_leaves_the_random_stream_and_the_layer_alone(rng):
    layer = ReLU()
    state = np.random.get_state()[1].copy()
    gradcheck.check_layer(layer, rng.standard_normal((3, 3)) + 0.1)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_check_layer_refuses_dvalues_of_the_wrong_shape(rng):
    with pytest.raises(ValueError, match=r"dvalues must have the output's shape \(4, 2\), got \(2, 4\)"):
        gradcheck.check_layer(Dense(3, 2, rng=rng), rng.standard_normal((4, 3)), dvalues=np.ones((2, 4)))
