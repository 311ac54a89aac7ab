import numpy as np
import pytest

import nncore as nc
from nncore import gradcheck
from nncore.autograd import Tensor
from nncore.normalization import BatchNorm


def with_random_parameters(layer, rng):
    layer.gamma = 1 + 0.5 * rng.standard_normal(layer.gamma.shape)
    layer.beta = rng.standard_normal(layer.beta.shape)
    return layer


@pytest.fixture
def batch(rng):
    return 3 * rng.standard_normal((8, 5)) + np.arange(5)


def test_training_normalises_each_feature_then_scales_and_shifts(batch, rng):
    plain = BatchNorm(5).forward(batch, training=True)
    np.testing.assert_allclose(plain.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(plain.var(axis=0), batch.var(axis=0) / (batch.var(axis=0) + 1e-5), rtol=1e-12)
    layer = with_random_parameters(BatchNorm(5), rng)
    np.testing.assert_allclose(layer.forward(batch, training=True), layer.gamma * plain + layer.beta, rtol=1e-12)


def test_running_statistics_use_the_momentum_and_the_unbiased_variance(batch):
    layer = BatchNorm(5, momentum=0.8)
    layer.forward(batch, training=True)
    np.testing.assert_allclose(layer.running_mean, 0.2 * batch.mean(axis=0, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, 0.8 + 0.2 * batch.var(axis=0, ddof=1, keepdims=True), rtol=1e-12)
    second = batch[::-1] ** 2
    expected_var = 0.8 * layer.running_var + 0.2 * second.var(axis=0, ddof=1, keepdims=True)
    layer.forward(second, training=True)
    np.testing.assert_allclose(layer.running_var, expected_var, rtol=1e-12)


def test_inference_uses_the_running_statistics_and_leaves_them_alone(batch, rng):
    layer = with_random_parameters(BatchNorm(5), rng)
    layer.running_mean, layer.running_var = rng.standard_normal((1, 5)), 0.5 + rng.random((1, 5))
    before = layer.running_mean.copy(), layer.running_var.copy()
    out = layer.forward(batch)
    expected = layer.gamma * (batch - before[0]) / np.sqrt(before[1] + 1e-5) + layer.beta
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])
    np.testing.assert_allclose(layer.forward(batch[:1]), expected[:1], rtol=1e-12)  # one sample is fine here


@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_numerical_gradients(batch, rng, training):
    layer = with_random_parameters(BatchNorm(5), rng)
    layer.running_mean, layer.running_var = rng.standard_normal((1, 5)), 0.5 + rng.random((1, 5))
    errors = gradcheck.check_layer(layer, batch, training=training)
    assert set(errors) == {"dinputs", "dgamma", "dbeta"}


def test_gradient_check_after_nnfs_init(nnfs_init):
    layer = BatchNorm(4)
    assert layer.gamma.dtype == layer.running_var.dtype == np.float32
    gradcheck.check_layer(layer, 2 * np.random.randn(6, 4) + 1, training=True)


def test_float32_stays_float32(nnfs_init):
    layer = BatchNorm(3)
    inputs = np.random.randn(4, 3)
    for training in (True, False):
        assert layer.forward(inputs, training=training).dtype == np.float32
        assert layer.backward(np.random.randn(4, 3)).dtype == np.float32
        assert {layer.dgamma.dtype, layer.dbeta.dtype, layer.running_mean.dtype, layer.running_var.dtype} == \
            {np.dtype(np.float32)}


def test_a_batch_of_one_in_training_is_refused_clearly():
    with pytest.raises(ValueError, match=r"BatchNorm\(3, momentum=0.9\) in training needs at least 2 samples per "
                                         r"batch .* got 1 \(a last batch of 1"):
        BatchNorm(3).forward(np.ones((1, 3)), training=True)


def test_the_same_numbers_as_batchnorm_built_from_autograd_tensors(batch, rng):
    layer = with_random_parameters(BatchNorm(5), rng)
    dvalues = rng.standard_normal(batch.shape)
    out = layer.forward(batch, training=True)
    dinputs = layer.backward(dvalues)
    x, gamma, beta = Tensor(batch), Tensor(layer.gamma), Tensor(layer.beta)
    centred = x - x.mean(axis=0, keepdims=True)
    xhat = centred * ((centred * centred).mean(axis=0, keepdims=True) + 1e-5) ** -0.5
    y = gamma * xhat + beta
    (y * dvalues).sum().backward()
    np.testing.assert_allclose(out, y.data, rtol=1e-12)
    for analytic, tensor in ((dinputs, x), (layer.dgamma, gamma), (layer.dbeta, beta)):
        np.testing.assert_allclose(analytic, tensor.grad, rtol=1e-9, atol=1e-12)


def test_the_same_numbers_as_pytorch(batch, rng):
    torch = pytest.importorskip("torch")
    layer = with_random_parameters(BatchNorm(5, momentum=0.9), rng)
    reference = torch.nn.BatchNorm1d(5, momentum=0.1, eps=1e-5, dtype=torch.float64)  # PyTorch's momentum is 1 - m
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.gamma[0]))
        reference.bias.copy_(torch.from_numpy(layer.beta[0]))
    for step in range(3):
        x = torch.tensor(batch + step, requires_grad=True)
        dvalues = rng.standard_normal(batch.shape)
        out = reference(x)
        out.backward(torch.from_numpy(dvalues))
        np.testing.assert_allclose(layer.forward(batch + step, training=True), out.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(layer.backward(dvalues), x.grad.numpy(), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(layer.dgamma[0], reference.weight.grad.numpy(), rtol=1e-10)
        reference.weight.grad = reference.bias.grad = None
    np.testing.assert_allclose(layer.running_mean[0], reference.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var[0], reference.running_var.numpy(), rtol=1e-12)
    reference.eval()
    np.testing.assert_allclose(layer.forward(batch), reference(torch.tensor(batch)).detach().numpy(), rtol=1e-10)


def batchnorm_model(rng, optimizer=None):
    return nc.Model(nc.Dense(2, 16, init="he", rng=rng), BatchNorm(16), nc.ReLU(), nc.Dense(16, 3, rng=rng),
                    nc.Softmax(), loss=nc.CategoricalCrossentropy(), optimizer=optimizer or nc.Adam(learning_rate=0.02),
                    accuracy=nc.CategoricalAccuracy())


def test_trains_inside_a_model_and_predicts_in_inference_mode(rng):
    X = rng.standard_normal((90, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    model = batchnorm_model(rng)
    norm = model.layers[1]
    assert norm in model.trainable_layers
    history = model.train(X, y, epochs=60, batch_size=30, verbose=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert not np.allclose(norm.gamma, 1) and not np.allclose(norm.beta, 0)
    assert not np.allclose(norm.running_mean, 0)
    np.testing.assert_allclose(model.predict(X[:1]), model.predict(X)[:1], rtol=1e-12)  # no batch statistics


def test_as_the_first_layer_it_skips_the_input_gradient(rng):
    model = nc.Model(BatchNorm(2), nc.Dense(2, 3, rng=rng), nc.Softmax(), loss=nc.CategoricalCrossentropy(),
                     optimizer=nc.SGD(), accuracy=nc.CategoricalAccuracy())
    model.train(rng.standard_normal((10, 2)), rng.integers(0, 3, 10), verbose=False)
    assert model.layers[0].dinputs is None and model.layers[0].dgamma.shape == (1, 2)


def test_float32_model_with_batchnorm_has_no_float64_array(nnfs_init):
    model = nc.Model(nc.Dense(4, 8), BatchNorm(8), nc.ReLU(), nc.Dense(8, 3), nc.Softmax(),
                     loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(), accuracy=nc.CategoricalAccuracy())
    model.train(np.random.randn(32, 4), np.random.randint(0, 3, 32), epochs=2, batch_size=16, verbose=False)
    model.predict(np.random.randn(5, 4))
    float64 = [f"{type(layer).__name__}.{name}" for layer in model.layers for name, value in vars(layer).items()
               if isinstance(value, np.ndarray) and value.dtype == np.float64]
    assert float64 == []


def test_config_shapes_and_repr():
    layer = BatchNorm(64, momentum=0.99, epsilon=1e-3)
    assert repr(layer) == "BatchNorm(64, momentum=0.99)"
    assert repr(BatchNorm(64)) == "BatchNorm(64, momentum=0.9)"
    assert layer.config() == {"n_features": 64, "momentum": 0.99, "epsilon": 1e-3}
    assert BatchNorm.parameter_shapes(layer.config()) == {"gamma": (1, 64), "beta": (1, 64)}
    assert BatchNorm(**layer.config()).epsilon == 1e-3
    assert layer.output_shape((64,)) == (64,)
    with pytest.raises(ValueError, match=r"BatchNorm\(64, momentum=0.99\) takes samples of shape \(64,\), got \(32,\)"):
        layer.output_shape((32,))
