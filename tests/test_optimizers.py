import numpy as np
import pytest

from nncore.layers import Dense
from nncore.optimizers import SGD, Adagrad, Adam, RMSprop


def layer_with_gradients(weights, dweights):
    layer = Dense(1, len(weights))
    layer.set_parameters(np.array([weights], dtype=float), np.zeros((1, len(weights))))
    layer.dweights = np.array([dweights], dtype=float)
    layer.dbiases = np.array([dweights], dtype=float)
    return layer


def test_sgd_step():
    layer = layer_with_gradients([1., 2.], [0.5, -1.])
    SGD(learning_rate=0.1).step([layer])
    np.testing.assert_allclose(layer.weights, [[0.95, 2.1]])
    np.testing.assert_allclose(layer.biases, [[-0.05, 0.1]])


def test_decay_is_one_over_t():
    optimizer = SGD(learning_rate=1.0, decay=0.1)
    rates = []
    for _ in range(4):
        optimizer.pre_update_params()
        rates.append(optimizer.current_learning_rate)
        optimizer.post_update_params()
    np.testing.assert_allclose(rates, [1 / (1 + 0.1 * t) for t in range(4)])
    assert optimizer.iterations == 4


def test_momentum_accumulates_velocity():
    layer = layer_with_gradients([0.], [1.])
    optimizer = SGD(learning_rate=0.1, momentum=0.9)
    optimizer.step([layer])
    optimizer.step([layer])
    np.testing.assert_allclose(optimizer.get_state(layer)["weights"]["momentum"], [[-0.1 * 0.9 - 0.1]])
    np.testing.assert_allclose(layer.weights, [[-0.1 - 0.19]])


def test_adagrad_and_rmsprop_caches():
    layer = layer_with_gradients([0.], [2.])
    adagrad = Adagrad(learning_rate=0.5)
    adagrad.step([layer])
    np.testing.assert_allclose(adagrad.get_state(layer)["weights"]["cache"], [[4.]])
    np.testing.assert_allclose(layer.weights, [[-0.5 * 2 / (2 + 1e-7)]])
    layer = layer_with_gradients([0.], [2.])
    rmsprop = RMSprop(rho=0.9)
    rmsprop.step([layer])
    np.testing.assert_allclose(rmsprop.get_state(layer)["weights"]["cache"], [[0.4]])


def test_first_adam_step_moves_by_the_learning_rate_against_the_gradient_sign():
    layer = layer_with_gradients([1., 1., 1.], [3., -0.01, 50.])
    Adam(learning_rate=0.01).step([layer])
    np.testing.assert_allclose(layer.weights, [[0.99, 1.01, 0.99]], rtol=1e-5)


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.5), Adagrad, RMSprop, Adam])
def test_state_lives_on_each_layer(make):
    first, second = layer_with_gradients([1., 2.], [1., 1.]), layer_with_gradients([1., 2.], [-1., 3.])
    alone = layer_with_gradients([1., 2.], [-1., 3.])
    shared = make()
    for _ in range(3):
        shared.step([first, second])
    solo = make()
    for _ in range(3):
        solo.step([alone])
    np.testing.assert_allclose(second.weights, alone.weights)


@pytest.mark.parametrize("optimizer", [SGD(learning_rate=0.1, momentum=0.5), Adagrad(learning_rate=0.5),
                                       RMSprop(learning_rate=0.05), Adam(learning_rate=0.05)], ids=repr)
def test_every_optimizer_minimises_a_parabola(optimizer):
    layer = layer_with_gradients([0.], [0.])
    for _ in range(2000):
        layer.dweights = 2 * (layer.weights - 3)
        layer.dbiases = np.zeros_like(layer.biases)
        optimizer.step([layer])
    assert abs(layer.weights[0, 0] - 3) < 1e-2


def test_reprs():
    assert repr(SGD()) == "SGD(learning_rate=1.0, decay=0.0, momentum=0.0)"
    assert repr(Adam(learning_rate=0.05, decay=5e-7)) == \
        "Adam(learning_rate=0.05, decay=5e-07, epsilon=1e-07, beta_1=0.9, beta_2=0.999)"


@pytest.mark.parametrize("gradient_dtype", [np.float32, np.float64])
def test_in_place_adam_is_identical_to_the_formulas_written_out(nnfs_init, gradient_dtype):
    layer, reference = Dense(3, 4), Dense(3, 4)
    reference.set_parameters(*layer.get_parameters())
    m, c = np.zeros_like(layer.weights), np.zeros_like(layer.weights)
    optimizer, lr, b1, b2, eps = Adam(learning_rate=0.05, decay=1e-3), 0.05, 0.9, 0.999, 1e-7
    for t in range(50):
        layer.dweights = reference.dweights = np.random.randn(3, 4).astype(gradient_dtype)
        layer.dbiases = np.zeros((1, 4))
        optimizer.step([layer])
        current = lr * (1. / (1. + 1e-3 * t))
        m = b1 * m + (1 - b1) * reference.dweights
        c = b2 * c + (1 - b2) * reference.dweights ** 2
        reference.weights += -current * (m / (1 - b1 ** (t + 1))) / (np.sqrt(c / (1 - b2 ** (t + 1))) + eps)
    np.testing.assert_array_equal(layer.weights, reference.weights)
    assert layer.weights.dtype == np.float32
