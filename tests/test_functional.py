import numpy as np
import pytest

import nncore as nc
from nncore import functional as F
from nncore import gradcheck
from nncore.normalization import BatchNorm

XOR_X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
XOR_Y = np.array([[0.], [1.], [1.], [0.]])


def xor_model():
    x = inputs = F.Dense(input_size=2, output_size=16, activation="tanh")
    for size in (8, 4, 2):
        x = F.Dense(output_size=size, activation="relu")(x)
    outputs = F.Dense(output_size=1, activation="sigmoid")(x)
    return F.Model(inputs, outputs)


def test_xor_learns_after_nnfs_init(nnfs_init):
    np.random.seed(0)
    model = xor_model()
    model.compile(loss_fn="mse")
    final_loss = model.fit(XOR_X, XOR_Y, epochs=500, learning_rate=0.05, print_loss=False)
    assert isinstance(final_loss, float) and final_loss < 0.05
    np.testing.assert_array_equal(model.predict(XOR_X) > 0.5, XOR_Y > 0.5)


def test_chain_building_and_shapes():
    model = xor_model()
    assert [layer.dense.weights.shape for layer in model.layers] == [(2, 16), (16, 8), (8, 4), (4, 2), (2, 1)]
    assert repr(model) == "F.Model(2 -> 16 -> 8 -> 4 -> 2 -> 1)"
    assert model.predict(XOR_X).shape == (4, 1)


def test_fit_prints_every_n_epochs_and_returns_the_last_mean_loss(capsys):
    np.random.seed(1)
    model = xor_model()
    model.compile(loss_fn="mse")
    loss = model.fit(XOR_X, XOR_Y, epochs=20, learning_rate=0.01, print_every=10)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch 10/20", "epoch 20/20"]
    assert lines[-1].endswith(f"loss {loss:.6f}")


def test_per_sample_updates_with_batch_size_one():
    np.random.seed(2)
    model = xor_model()
    model.compile(loss_fn="mse")
    model.fit(XOR_X, XOR_Y, epochs=1, learning_rate=0.1, print_loss=False, batch_size=1)
    np.random.seed(2)
    reference = xor_model()
    reference.compile(loss_fn="mse")
    for x, y in zip(XOR_X, XOR_Y):
        reference.forward(x[None])
        reference.backward(y[None])
        reference.update(0.1)
    np.testing.assert_allclose(model.predict(XOR_X), reference.predict(XOR_X))


def test_same_numbers_as_the_sequential_model(rng):
    X, y = rng.standard_normal((30, 2)), rng.integers(0, 3, 30)
    x = inputs = F.Dense(input_size=2, output_size=8, activation="relu")
    outputs = F.Dense(output_size=3, activation="softmax")(x)
    functional = F.Model(inputs, outputs)
    functional.compile(loss_fn="categorical_crossentropy")
    sequential = nc.Model()
    for layer in (nc.Dense(2, 8), nc.ReLU(), nc.Dense(8, 3), nc.Softmax()):
        sequential.add(layer)
    sequential.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.SGD(learning_rate=0.1),
                   accuracy=nc.CategoricalAccuracy())
    sequential.finalize()
    sequential.set_parameters([layer.dense.get_parameters() for layer in functional.layers])
    np.testing.assert_allclose(functional.predict(X), sequential.predict(X))
    functional.fit(X, y, epochs=5, learning_rate=0.1, print_loss=False)
    sequential.train(X, y, epochs=5, verbose=False)
    np.testing.assert_array_equal(functional.predict(X), sequential.predict(X))  # one engine, the same numbers
    assert functional.engine.softmax_classifier_output is not None


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "leaky_relu"])
def test_layer_backward_matches_numerical_gradient(activation, rng):
    layer = F.Dense(input_size=3, output_size=4, activation=activation)
    x = rng.standard_normal((5, 3))
    dvalues = rng.standard_normal((5, 4))
    out = layer.forward(x)
    analytic = layer.backward(dvalues)
    numeric = gradcheck.numerical_gradient(lambda v: np.sum(layer.forward(v) * dvalues), x)
    assert gradcheck.relative_error(analytic, numeric) < 1e-6, out



def test_a_layer_cannot_be_reused():
    first = F.Dense(input_size=2, output_size=4)
    second = F.Dense(output_size=1)(first)
    with pytest.raises(ValueError, match="already linked"):
        second(first)


class Doubling:
    """A test-local layer with neither params nor output_shape: it keeps the shape."""

    def forward(self, inputs, training=False):
        self.training = training
        return 2 * inputs

    def backward(self, dvalues):
        self.dinputs = 2 * dvalues
        return self.dinputs


class Halves:
    """A test-local layer that changes the shape: it keeps the first half of the features."""

    def forward(self, inputs, training=False):
        self.n_inputs = inputs.shape[1]
        return inputs[:, : self.n_inputs // 2]

    def backward(self, dvalues):
        self.dinputs = np.concatenate([dvalues, np.zeros_like(dvalues)], axis=1)
        return self.dinputs

    def output_shape(self, input_shape):
        return (input_shape[0] // 2,)


def test_batchnorm_joins_the_chain_trains_and_dense_infers_its_input_size(rng):
    X, y = rng.standard_normal((40, 2)), rng.integers(0, 3, 40)
    x = inputs = F.Dense(input_size=2, output_size=8, activation="relu", init="he")
    x = F.Layer(BatchNorm(8))(x)
    x = F.Layer(Halves())(x)
    outputs = F.Dense(output_size=3, activation="softmax")(x)
    model = F.Model(inputs, outputs)
    assert outputs.dense.weights.shape == (4, 3)
    assert repr(model) == "F.Model(2 -> 8 -> 8 -> 4 -> 3)"
    model.compile(loss_fn="categorical_crossentropy")
    norm = model.layers[1].layer
    assert norm in model.engine.trainable_layers
    first = model.fit(X, y, epochs=1, learning_rate=0.5, print_loss=False, batch_size=10)
    last = model.fit(X, y, epochs=30, learning_rate=0.5, print_loss=False, batch_size=10)
    assert last < first and not np.allclose(norm.gamma, 1)
    assert not np.allclose(norm.running_mean, 0), "fit trains in training mode"
    np.testing.assert_allclose(model.predict(X[:1]), model.predict(X)[:1], rtol=1e-12)


def test_a_layer_without_output_shape_keeps_the_shape_and_sees_the_training_flag(rng):
    doubling = Doubling()
    x = inputs = F.Layer(doubling, input_shape=(3,))
    outputs = F.Dense(output_size=1)(x)
    model = F.Model(inputs, outputs)
    assert outputs.input_size == 3 and repr(model) == "F.Model(3 -> 3 -> 1)"
    model.compile(loss_fn="mse")
    X = rng.standard_normal((5, 3))
    model.fit(X, np.ones((5, 1)), epochs=1, learning_rate=0.1, print_loss=False)
    assert doubling.training is True
    model.predict(X)
    assert doubling.training is False
    inside = F.Dense(input_size=3, output_size=2, activation="tanh")
    node = F.Layer(Doubling())(inside)
    np.testing.assert_allclose(node.forward(np.ones((1, 2))), [[2., 2.]])
    np.testing.assert_allclose(node.backward(np.ones((1, 2))), [[2., 2.]])


def test_nodes_say_what_does_not_fit():
    with pytest.raises(ValueError, match=r"BatchNorm\(4, momentum=0.9\) takes samples of shape \(4,\), got \(8,\)"):
        F.Layer(BatchNorm(4))(F.Dense(input_size=2, output_size=8))
    image = F.Layer(Doubling(), input_shape=(1, 8, 8))
    with pytest.raises(ValueError, match=r"takes flat samples, but F.Layer\(.*\) gives samples of shape \(1, 8, 8\): "
                                         r"put an F.Layer\(Flatten\(\)\) between them"):
        F.Dense(output_size=3)(image)
    with pytest.raises(ValueError, match="needs an input_size: F.Layer.* does not know its output shape"):
        F.Dense(output_size=3)(F.Layer(Doubling()))
    with pytest.raises(ValueError, match=r"expects samples of shape \(3,\), but F.Dense\(2 -> 4"):
        F.Layer(Doubling(), input_shape=(3,))(F.Dense(input_size=2, output_size=4))
    with pytest.raises(TypeError, match="layer must be a layer object, got the class BatchNorm: call it"):
        F.Layer(BatchNorm)
    with pytest.raises(TypeError, match="layer must have forward and backward methods, got str"):
        F.Layer("relu")


def test_functional_dense_takes_an_init(rng):
    np.random.seed(3)
    standard = F.Dense(input_size=50, output_size=40)
    np.random.seed(3)
    he = F.Dense(input_size=50, output_size=40, init="he")
    np.testing.assert_allclose(he.dense.weights, standard.dense.weights * np.sqrt(2 / 50), rtol=1e-12)
    with pytest.raises(ValueError, match="weight_scale sets the scale of init='book' only"):
        F.Dense(output_size=3, init="glorot", weight_scale=0.5)
