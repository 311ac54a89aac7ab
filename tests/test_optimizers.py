import numpy as np
import pytest

from nncore.layers import Dense
from nncore.normalization import BatchNorm
from nncore.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop


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


def two_layers_with_gradients():
    first, second = layer_with_gradients([1., 2.], [3., 0.]), layer_with_gradients([0.], [4.])
    first.dbiases[:] = 0.
    second.dbiases[:] = 0.
    return first, second  # gradients (3, 0, 0, 0) and (4, 0): global norm 5


@pytest.mark.parametrize("make", [lambda **kw: SGD(0.1, **kw), lambda **kw: SGD(0.1, momentum=0.5, **kw),
                                  lambda **kw: Adagrad(**kw), lambda **kw: RMSprop(**kw), lambda **kw: Adam(**kw),
                                  lambda **kw: AdamW(**kw)])
def test_clip_norm_scales_every_gradient_of_the_step_by_one_global_factor(make):
    layers = two_layers_with_gradients()
    optimizer = make(clip_norm=1.0)
    optimizer.step(layers)
    np.testing.assert_allclose(layers[0].dweights, [[0.6, 0.]])
    np.testing.assert_allclose(layers[1].dweights, [[0.8]])
    reference, clipped_by_hand = make(), two_layers_with_gradients()
    for layer in clipped_by_hand:
        layer.dweights *= 0.2
    reference.step(clipped_by_hand)
    for got, expected in zip(layers, clipped_by_hand):
        np.testing.assert_array_equal(got.weights, expected.weights)


def test_gradients_within_clip_norm_are_left_as_they_are():
    layers = two_layers_with_gradients()
    optimizer = SGD(0.1, clip_norm=5.0)
    assert optimizer.clip_gradients(layers) == pytest.approx(5.0)
    np.testing.assert_array_equal(layers[0].dweights, [[3., 0.]])
    assert optimizer.clip_gradients(two_layers_with_gradients()[1:]) == pytest.approx(4.0)


def test_clip_norm_needs_the_whole_step():
    layers = two_layers_with_gradients()
    optimizer = SGD(0.1, clip_norm=1.0)
    optimizer.pre_update_params()
    with pytest.raises(ValueError, match=r"clip_norm=1.0 clips the gradients of all layers of a step together, which "
                                         r"update_params\(layer\) alone cannot see: call step\(layers\)"):
        optimizer.update_params(layers[0])
    assert np.array_equal(layers[0].weights, [[1., 2.]]), "refused before any change"
    optimizer.clip_gradients(layers)  # a hand-written step clips first, then updates layer by layer
    for layer in layers:
        optimizer.update_params(layer)
    optimizer.post_update_params()
    np.testing.assert_allclose(layers[0].weights, [[1 - 0.1 * 0.6, 2.]])
    with pytest.raises(ValueError, match="clip_norm=1.0 clips"):
        optimizer.update_params(layers[0])  # the next step has not been clipped yet


def test_clip_norm_keeps_float32_gradients_float32(nnfs_init):
    layer = Dense(3, 2)
    layer.dweights, layer.dbiases = np.random.randn(3, 2) * 1e20, np.random.randn(1, 2)
    norm = Adam(clip_norm=1.0).clip_gradients([layer])
    assert np.isfinite(norm) and layer.dweights.dtype == np.float32
    total = np.sqrt(np.sum(layer.dweights.astype(float) ** 2) + np.sum(layer.dbiases.astype(float) ** 2))
    assert total == pytest.approx(1.0, rel=1e-5)


def test_clip_norm_in_repr_and_config_only_when_set():
    assert repr(SGD(clip_norm=2)) == "SGD(learning_rate=1.0, decay=0.0, clip_norm=2.0, momentum=0.0)"
    assert "clip_norm" not in Adam().config()


def test_adamw_without_weight_decay_is_adam_bit_for_bit(rng):
    adam_layer, adamw_layer = Dense(3, 4, rng=rng), Dense(3, 4)
    adamw_layer.set_parameters(*adam_layer.get_parameters())
    adam, adamw = Adam(learning_rate=0.05), AdamW(learning_rate=0.05, weight_decay=0.0)
    for _ in range(5):
        gradients = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
        for layer, optimizer in ((adam_layer, adam), (adamw_layer, adamw)):
            layer.dweights, layer.dbiases = (g.copy() for g in gradients)
            optimizer.step([layer])
    np.testing.assert_array_equal(adamw_layer.weights, adam_layer.weights)


def test_adamw_decays_the_weights_by_lr_times_lambda_and_leaves_biases_and_norm_parameters():
    layer = layer_with_gradients([1., -2.], [0., 0.])
    layer.biases[:] = 3.
    norm = BatchNorm(2)
    norm.dgamma, norm.dbeta = np.zeros((1, 2)), np.zeros((1, 2))
    AdamW(learning_rate=0.1, weight_decay=0.5).step([layer, norm])  # zero gradients: Adam's own step is 0
    np.testing.assert_allclose(layer.weights, [[1 * (1 - 0.05), -2 * (1 - 0.05)]])
    np.testing.assert_array_equal(layer.biases, [[3., 3.]])
    np.testing.assert_array_equal(norm.gamma, [[1., 1.]])
    everything = AdamW(learning_rate=0.1, weight_decay=0.5, weight_decay_on=("weights", "biases"))
    everything.step([layer])
    np.testing.assert_allclose(layer.biases, [[3 * 0.95, 3 * 0.95]])


def test_adamw_uses_the_weights_from_before_its_step():
    layer = layer_with_gradients([2.], [1.])
    AdamW(learning_rate=0.1, weight_decay=0.5).step([layer])
    np.testing.assert_allclose(layer.weights, [[2. - 0.1 * 1. - 0.1 * 0.5 * 2.]], rtol=1e-6)  # Adam's first step: lr


def test_adamw_differs_from_adam_with_an_l2_penalty(rng):
    """An L2 gradient is divided by sqrt(cache) like any other; the decoupled decay is not."""
    decoupled, penalised = Dense(1, 2), Dense(1, 2, weight_regularizer_l2=0.05)
    start = np.array([[1., 1.]]), np.zeros((1, 2))
    decoupled.set_parameters(*start)
    penalised.set_parameters(*start)
    adamw, adam = AdamW(learning_rate=0.01, weight_decay=0.1), Adam(learning_rate=0.01)
    for _ in range(50):
        data_gradient = np.array([[10., 0.01]])  # one weight with large gradients, one with small
        decoupled.dweights, decoupled.dbiases = data_gradient.copy(), np.zeros((1, 2))
        penalised.dweights = data_gradient + 2 * 0.05 * penalised.weights
        penalised.dbiases = np.zeros((1, 2))
        adamw.step([decoupled])
        adam.step([penalised])
    assert not np.allclose(decoupled.weights, penalised.weights, rtol=1e-3)


def test_adamw_repr_and_a_refused_weight_decay_on():
    assert repr(AdamW()) == ("AdamW(learning_rate=0.001, decay=0.0, epsilon=1e-07, beta_1=0.9, beta_2=0.999, "
                             "weight_decay=0.01, weight_decay_on=('weights',))")
    with pytest.raises(TypeError, match="weight_decay_on must be a tuple of parameter names, such as"):
        AdamW(weight_decay_on="weights")


def sgd_written_out(state, grad, lr):
    return -lr * grad


def momentum_written_out(state, grad, lr):
    state["v"] = 0.5 * state["v"] - lr * grad
    return state["v"]


def adagrad_written_out(state, grad, lr):
    state["c"] += grad ** 2
    return -lr * grad / (np.sqrt(state["c"]) + 1e-7)


def rmsprop_written_out(state, grad, lr):
    state["c"] = 0.9 * state["c"] + (1 - 0.9) * grad ** 2
    return -lr * grad / (np.sqrt(state["c"]) + 1e-7)


@pytest.mark.parametrize("value_dtype, gradient_dtype", [(np.float64, np.float64), (np.float32, np.float32),
                                                         (np.float32, np.float64), (np.float64, np.float32)])
@pytest.mark.parametrize("make, written_out", [(lambda: SGD(0.1, decay=1e-2), sgd_written_out),
                                               (lambda: SGD(0.1, decay=1e-2, momentum=0.5), momentum_written_out),
                                               (lambda: Adagrad(0.1, decay=1e-2), adagrad_written_out),
                                               (lambda: RMSprop(0.1, decay=1e-2), rmsprop_written_out)],
                         ids=["SGD", "SGD momentum", "Adagrad", "RMSprop"])
def test_work_arrays_change_no_number_of_the_formulas_written_out(make, written_out, value_dtype, gradient_dtype):
    """The updates write their temporaries into work arrays; the numbers are those of the plain expressions,
    bit for bit, for every mix of parameter and gradient dtypes (two parameters of one shape share the arrays)."""
    rng, optimizer = np.random.default_rng(3), make()
    layer = Dense(3, 4)
    layer.set_parameters(rng.standard_normal((3, 4)).astype(value_dtype), np.zeros((1, 4), value_dtype))
    expected = {"weights": layer.weights.copy(), "biases": layer.biases.copy()}
    # As the optimizers kept them before work arrays: zeros of the parameter's dtype, replaced by each expression.
    states = {name: {"v": np.zeros_like(value), "c": np.zeros_like(value)} for name, value in expected.items()}
    for t in range(20):
        layer.dweights = rng.standard_normal((3, 4)).astype(gradient_dtype)
        layer.dbiases = rng.standard_normal((1, 4)).astype(gradient_dtype)
        optimizer.step([layer])
        lr = 0.1 * (1. / (1. + 1e-2 * t))
        for name in ("weights", "biases"):
            expected[name] += written_out(states[name], getattr(layer, "d" + name), lr)
    for name in ("weights", "biases"):
        np.testing.assert_array_equal(getattr(layer, name), expected[name])
        assert getattr(layer, name).dtype == value_dtype


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.5), lambda: Adagrad(0.1),
                                  lambda: RMSprop(0.01), lambda: Adam(0.01)], ids=["SGD", "momentum", "Adagrad",
                                                                                    "RMSprop", "Adam"])
def test_step_on_packed_parameters_gives_the_numbers_of_update_params_on_each_layer(make, monkeypatch):
    """step() packs the small parameters (here all but a 200x100 weight matrix, over MAX_PACKED_SIZE) and
    rebuilds the packing after set_state and after a change of dtype; every number as update_params layer by layer."""
    import nncore.packing
    monkeypatch.setattr(nncore.packing, "MAX_PACKED_SIZE", 10_000)
    rng = np.random.default_rng(5)
    stacks = [[Dense(200, 100), Dense(100, 3), Dense(3, 2)] for _ in range(2)]
    for a, b in zip(*stacks):
        b.set_parameters(a.weights.copy(), a.biases.copy())
    packed, one_by_one = make(), make()
    for t in range(6):
        dtype = np.float32 if t >= 4 else np.float64
        for a, b in zip(*stacks):
            for name in a.params:
                grad = rng.standard_normal(getattr(a, name).shape).astype(dtype)
                setattr(a, "d" + name, grad)
                setattr(b, "d" + name, grad.copy())
        packed.step(stacks[0])
        one_by_one.pre_update_params()
        for layer in stacks[1]:
            one_by_one.update_params(layer)
        one_by_one.post_update_params()
        if t == 2:
            for layer in stacks[0]:
                packed.set_state(layer, {name: {slot: array.copy() for slot, array in slots.items()}
                                         for name, slots in packed.get_state(layer).items()})
    for a, b in zip(*stacks):
        for name in a.params:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
            for slot in packed.slots:
                np.testing.assert_array_equal(packed.get_state(a)[name][slot], one_by_one.get_state(b)[name][slot])
    assert len(packed.packed.one_by_one) == 1


def test_a_models_unchecked_steps_reuse_the_packing_its_checked_first_step_built(monkeypatch):
    """Model.train's later steps pass checked=False: the packing is built at the first step of a run and
    compared with the layers only at a checked step (the first of every train call), never rebuilt."""
    import nncore
    import nncore.packing
    built, compared = [], []
    original_init, original_matches = nncore.packing.PackedParameters.__init__, nncore.packing.PackedParameters.matches
    monkeypatch.setattr(nncore.packing.PackedParameters, "__init__",
                        lambda self, *args: built.append(1) or original_init(self, *args))
    monkeypatch.setattr(nncore.packing.PackedParameters, "matches",
                        lambda self, layers: compared.append(1) or original_matches(self, layers))
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 2)), rng.integers(0, 3, 40)
    model = nncore.Model(Dense(2, 8), nncore.ReLU(), Dense(8, 3), nncore.Softmax(),
                         loss=nncore.CategoricalCrossentropy(), optimizer=Adam(0.01),
                         accuracy=nncore.CategoricalAccuracy())
    model.train(X, y, epochs=3, batch_size=10, verbose=False)
    assert (len(built), len(compared)) == (1, 0)
    model.train(X, y, epochs=3, batch_size=10, verbose=False)
    assert (len(built), len(compared)) == (1, 1)


def test_an_unchecked_step_gives_the_numbers_of_a_checked_one():
    """step(layers, checked=False) skips comparing the packing with the layers, and nothing else."""
    rng = np.random.default_rng(4)
    stacks = [[Dense(3, 5), Dense(5, 2)] for _ in range(2)]
    for a, b in zip(*stacks):
        b.set_parameters(a.weights.copy(), a.biases.copy())
    checked, unchecked = Adam(0.01), Adam(0.01)
    for t in range(5):
        for a, b in zip(*stacks):
            for name in a.params:
                grad = rng.standard_normal(getattr(a, name).shape)
                setattr(a, "d" + name, grad)
                setattr(b, "d" + name, grad.copy())
        checked.step(stacks[0])
        unchecked.step(stacks[1], checked=t == 0)
    for a, b in zip(*stacks):
        for name in a.params:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
