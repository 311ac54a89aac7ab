"""A layer written outside nncore joins it with `params`, `config()` and one `register` call, nothing else."""
import numpy as np
import pytest

import nncore as nc


@nc.register
class ScaleShift:
    """``inputs * scale + shift``, both of shape ``(1, n_features)``: the smallest layer with parameters."""

    params = ("scale", "shift")

    def __init__(self, n_features, rng=None):
        self.n_features = n_features
        rng = np.random.default_rng(0) if rng is None else rng
        self.scale = 1 + 0.1 * rng.standard_normal((1, n_features))
        self.shift = np.zeros((1, n_features))

    def forward(self, inputs, training=False):
        self.inputs = inputs
        self.output = inputs * self.scale + self.shift
        return self.output

    def backward(self, dvalues):
        self.dscale = np.sum(dvalues * self.inputs, axis=0, keepdims=True)
        self.dshift = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues * self.scale
        return self.dinputs

    def config(self):
        return {"n_features": self.n_features}

    def __repr__(self):
        return f"ScaleShift({self.n_features})"


def scale_shift_model(optimizer, rng):
    model = nc.Model()
    for layer in (nc.Dense(2, 8, rng=rng), nc.ReLU(), ScaleShift(8, rng=rng), nc.Dense(8, 3, rng=rng), nc.Softmax()):
        model.add(layer)
    model.set(loss=nc.CategoricalCrossentropy(), optimizer=optimizer, accuracy=nc.CategoricalAccuracy())
    model.finalize()
    return model


@pytest.fixture
def data(rng):
    X = rng.standard_normal((60, 2))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def test_the_new_layer_passes_the_gradient_check(rng):
    errors = nc.gradcheck.check_layer(ScaleShift(4, rng=rng), rng.standard_normal((5, 4)))
    assert set(errors) == {"dinputs", "dscale", "dshift"}


@pytest.mark.parametrize("optimizer", [nc.SGD(learning_rate=0.5, momentum=0.9), nc.Adam(learning_rate=0.05)],
                         ids=["sgd-momentum", "adam"])
def test_the_new_layer_trains_inside_a_model(data, rng, optimizer):
    X, y = data
    model = scale_shift_model(optimizer, rng)
    assert model.layers[2] in model.trainable_layers
    before = model.layers[2].scale.copy()
    history = model.train(X, y, epochs=100, verbose=False)
    assert history["loss"][-1] < history["loss"][0]
    assert not np.array_equal(model.layers[2].scale, before), "the optimizer updates the new parameters"
    assert set(model.optimizer.get_state(model.layers[2])) == {"scale", "shift"}


def test_the_new_layer_saves_and_loads_with_its_optimizer_state(data, rng, tmp_path):
    X, y = data
    model = scale_shift_model(nc.Adam(learning_rate=0.05), rng)
    model.train(X, y, epochs=20, verbose=False)
    loaded = nc.Model.load(model.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    restored = loaded.optimizer.get_state(loaded.layers[2])
    for param, slots in model.optimizer.get_state(model.layers[2]).items():
        for slot, array in slots.items():
            np.testing.assert_array_equal(restored[param][slot], array)
    model.train(X, y, epochs=5, verbose=False)
    loaded.train(X, y, epochs=5, verbose=False)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_an_unregistered_layer_is_refused_by_save(rng, tmp_path):
    class Unregistered(ScaleShift):
        pass

    model = nc.Model()
    for layer in (nc.Dense(2, 3, rng=rng), Unregistered(3), nc.Softmax()):
        model.add(layer)
    model.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.SGD(), accuracy=nc.CategoricalAccuracy())
    model.finalize()
    with pytest.raises(ValueError, match=r"not registered; call nncore.register\(Unregistered\)"):
        model.save(tmp_path / "model")


def test_register_refuses_a_second_class_under_a_taken_name():
    with pytest.raises(ValueError, match="another layer class named 'ScaleShift'"):
        nc.register(type("ScaleShift", (), {}))
    assert nc.register(ScaleShift) is ScaleShift
