import numpy as np
import pytest

import nncore as nc
from nncore import functional as F
from nncore import gradcheck

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
