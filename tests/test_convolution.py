"""Conv2D, MaxPool2D and Flatten: values by hand, gradient checks, the loop reference, PyTorch, Model and saving."""
import json
import subprocess
import sys

import numpy as np
import pytest

import conv_loops as loops
import nncore as nc
from nncore import gradcheck
from nncore.convolution import Conv2D, Flatten, MaxPool2D, output_size

# (in_channels, out_channels, kernel_size, stride, padding, H, W): square and not, strides that fit and do not.
CONV_SETUPS = [(1, 2, 3, 1, 0, 5, 5), (1, 3, 3, 1, 1, 4, 6), (2, 3, 3, 2, 0, 7, 6), (3, 2, 3, 2, 1, 6, 5),
               (2, 2, 2, 2, 0, 5, 7), (2, 4, 1, 1, 0, 3, 4), (1, 2, 5, 3, 2, 6, 8)]
POOL_SETUPS = [(2, None, 4, 6), (2, 1, 5, 4), (3, 2, 7, 6), (3, 3, 8, 7), (2, 3, 7, 7)]


def conv_layer(rng, in_channels, out_channels, kernel_size, stride, padding):
    layer = Conv2D(in_channels, out_channels, kernel_size, stride, padding, rng=rng)
    layer.biases = rng.standard_normal(out_channels)
    return layer


def test_conv2d_is_a_cross_correlation_plus_bias():
    image = np.arange(9.).reshape(1, 1, 3, 3)
    layer = Conv2D(1, 1, 2)
    layer.set_parameters(np.array([[[[1., 0.], [0., 0.]]]]), np.array([0.5]))
    # The kernel's top-left entry picks each window's top-left pixel; a flipped kernel would pick the bottom-right.
    np.testing.assert_array_equal(layer.forward(image), [[[[0.5, 1.5], [3.5, 4.5]]]])


def test_padding_adds_zeros_on_every_side():
    layer = Conv2D(1, 1, 3, padding=1)
    layer.set_parameters(np.ones((1, 1, 3, 3)), np.zeros(1))
    out = layer.forward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), 4.))


@pytest.mark.parametrize("setup", CONV_SETUPS)
def test_output_size_is_rounded_down_and_matches_forward(rng, setup):
    C, O, k, s, p, H, W = setup
    layer = conv_layer(rng, C, O, k, s, p)
    expected = (O, (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1)
    assert layer.output_shape((C, H, W)) == expected
    assert layer.forward(rng.standard_normal((2, C, H, W))).shape == (2, *expected)
    assert output_size(8, 3, 2, 0) == 3 and output_size(8, 3, 2, 1) == 4


def test_pixels_no_window_reaches_get_no_gradient(rng):
    layer = Conv2D(1, 1, 3, stride=2)  # on 6 columns, windows start at 0 and 2: the last column is never used
    layer.forward(rng.standard_normal((2, 1, 6, 6)))
    dinputs = layer.backward(np.ones((2, 1, 2, 2)))
    assert np.all(dinputs[:, :, 5, :] == 0) and np.all(dinputs[:, :, :, 5] == 0)
    assert np.all(dinputs[:, :, :5, :5] != 0)


@pytest.mark.parametrize("setup", CONV_SETUPS)
def test_conv2d_backward_matches_numerical_gradient(rng, setup):
    C, O, k, s, p, H, W = setup
    errors = gradcheck.check_layer(conv_layer(rng, C, O, k, s, p), rng.standard_normal((3, C, H, W)))
    assert set(errors) == {"dinputs", "dweights", "dbiases"}


@pytest.mark.parametrize("setup", CONV_SETUPS)
def test_conv2d_agrees_with_the_loops(rng, setup):
    C, O, k, s, p, H, W = setup
    layer, x = conv_layer(rng, C, O, k, s, p), rng.standard_normal((4, C, H, W))
    out = layer.forward(x)
    np.testing.assert_allclose(out, loops.conv2d_forward(x, layer.weights, layer.biases, s, p), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    layer.backward(dout)
    for got, expected in zip((layer.dinputs, layer.dweights, layer.dbiases),
                             loops.conv2d_backward(x, layer.weights, dout, s, p)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_a_first_layer_skips_the_input_gradient_only(rng):
    layer, x = conv_layer(rng, 2, 3, 3, 1, 1), rng.standard_normal((2, 2, 5, 5))
    dout = rng.standard_normal((2, 3, 5, 5))
    layer.forward(x)
    layer.backward(dout)
    dweights = layer.dweights
    layer.needs_input_gradient = False
    assert layer.backward(dout) is None and layer.dinputs is None
    np.testing.assert_array_equal(layer.dweights, dweights)


@pytest.mark.parametrize("size, stride, H, W", POOL_SETUPS)
def test_maxpool_backward_matches_numerical_gradient_and_the_loops(rng, size, stride, H, W):
    x = rng.standard_normal((2, 3, H, W))
    gradcheck.check_layer(MaxPool2D(size, stride), x)
    layer = MaxPool2D(size, stride)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, loops.maxpool_forward(x, size, stride))
    dout = rng.standard_normal(out.shape)
    np.testing.assert_allclose(layer.backward(dout), loops.maxpool_backward(x, dout, size, stride), rtol=1e-12)


@pytest.mark.parametrize("size, stride, H, W", POOL_SETUPS)
def test_maxpool_sends_tied_gradients_where_the_loops_do(rng, size, stride, H, W):
    x = rng.integers(0, 2, (2, 2, H, W)).astype(float)  # many windows with two or more maxima
    layer = MaxPool2D(size, stride)
    dout = rng.standard_normal(layer.forward(x).shape)
    np.testing.assert_allclose(layer.backward(dout), loops.maxpool_backward(x, dout, size, stride), rtol=1e-12)


def test_maxpool_gives_a_tie_to_the_first_maximum_and_overlaps_add_up():
    layer = MaxPool2D(2)
    layer.forward(np.zeros((1, 1, 2, 2)))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 1, 1, 1))), [[[[1., 0.], [0., 0.]]]])
    layer = MaxPool2D(2, stride=1)
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5  # the maximum of all four windows
    layer.forward(x)
    assert layer.backward(np.ones((1, 1, 2, 2)))[0, 0, 1, 1] == 4


def test_maxpool_default_stride_is_the_size():
    assert MaxPool2D(3).stride == 3 and MaxPool2D(3, 1).stride == 1
    assert MaxPool2D(2).output_shape((8, 9, 5)) == (8, 4, 2)


def test_flatten_keeps_channel_row_column_order_and_backward_restores_the_shape(rng):
    x = np.arange(2 * 3 * 2 * 2.).reshape(2, 3, 2, 2)
    layer = Flatten()
    np.testing.assert_array_equal(layer.forward(x), x.reshape(2, 12))
    assert layer.output_shape((3, 2, 2)) == (12,)
    dout = rng.standard_normal((2, 12))
    np.testing.assert_array_equal(layer.backward(dout), dout.reshape(2, 3, 2, 2))
    gradcheck.check_layer(Flatten(), rng.standard_normal((3, 2, 2, 3)))


def test_he_glorot_and_book_initial_weights(rng):
    he = Conv2D(4, 64, 3, rng=rng)
    assert he.weights.shape == (64, 4, 3, 3) and he.biases.shape == (64,) and np.all(he.biases == 0)
    assert abs(he.weights.std() / np.sqrt(2 / 36) - 1) < 0.05
    glorot = Conv2D(4, 64, 3, init="glorot", rng=rng)
    assert abs(glorot.weights.std() / np.sqrt(2 / (36 + 576)) - 1) < 0.05
    assert abs(Conv2D(4, 64, 3, init="book", rng=rng).weights.std() / 0.01 - 1) < 0.05


def test_initial_weights_come_from_the_global_stream(nnfs_init):
    np.random.seed(0)
    expected = (2 / 9) ** 0.5 * np.random.randn(8, 1, 3, 3)
    np.random.seed(0)
    layer = Conv2D(1, 8, 3)
    np.testing.assert_array_equal(layer.weights, expected)
    assert layer.weights.dtype == np.float32 and layer.biases.dtype == np.float32


def test_config_rebuilds_the_layer_and_names_the_shapes(rng):
    layer = Conv2D(3, 5, 3, stride=2, padding=1, init="glorot", rng=rng)
    assert repr(layer) == "Conv2D(3 -> 5, k=3, stride=2, padding=1, init='glorot')"
    assert repr(Conv2D(1, 8, 3, padding=1)) == "Conv2D(1 -> 8, k=3, stride=1, padding=1)"
    assert repr(Conv2D(**layer.config())) == repr(layer)
    assert Conv2D.parameter_shapes(layer.config()) == {"weights": (5, 3, 3, 3), "biases": (5,)}
    assert repr(MaxPool2D(**MaxPool2D(3, 2).config())) == "MaxPool2D(size=3, stride=2)"
    assert Flatten().config() == {}


def cnn(rng=None, channels=4):
    return nc.Model(Conv2D(1, channels, 3, padding=1, rng=rng), nc.ReLU(), MaxPool2D(2), Flatten(),
                    nc.Dense(channels * 4, 2, rng=rng), nc.Softmax(), loss=nc.CategoricalCrossentropy(),
                    optimizer=nc.Adam(learning_rate=0.02), accuracy=nc.CategoricalAccuracy())


def bars(rng, n=64):
    """4x4 images of one vertical (class 0) or horizontal (class 1) bar in noise."""
    y = rng.integers(0, 2, n)
    X = 0.1 * rng.standard_normal((n, 1, 4, 4))
    where = rng.integers(0, 4, n)
    for index in range(n):
        if y[index]:
            X[index, 0, where[index], :] += 1
        else:
            X[index, 0, :, where[index]] += 1
    return X, y


def test_a_cnn_learns_bars_in_a_model(rng):
    X, y = bars(rng)
    model = cnn(rng)
    assert model.layers[0].needs_input_gradient is False
    history = model.train(X, y, epochs=40, batch_size=16, verbose=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] == 1.0
    assert model.predict(X, batch_size=10).shape == (64, 2)


def test_float32_stays_float32_through_a_cnn(nnfs_init, rng):
    X, y = bars(rng)
    model = cnn()
    model.train(X.astype(np.float32), y, epochs=2, batch_size=16, verbose=False)
    float64 = [f"{type(layer).__name__}.{name}" for layer in model.layers for name, value in vars(layer).items()
               if isinstance(value, np.ndarray) and value.dtype == np.float64]
    assert float64 == []


def test_a_model_given_flat_images_says_how_to_reshape(rng):
    model = cnn(rng)
    with pytest.raises(ValueError, match=r"got shape \(64, 16\): reshape to \(N, 1, 4, 4\)"):
        model.train(np.zeros((64, 16)), np.zeros(64, dtype=int), verbose=False)
    with pytest.raises(ValueError, match=r"Conv2D inputs must be a batch of images \(N, C, H, W\)"):
        model.predict(np.zeros((5, 16)))
    with pytest.raises(ValueError, match=r"X must be a batch \(N, \.\.\.\) .*got shape \(\)"):
        model.train(3.0, np.zeros(1, dtype=int), verbose=False)
    flatten_first = nc.Model(nc.Flatten(), nc.Dense(16, 2), nc.Softmax())
    assert flatten_first.predict(np.zeros((5, 1, 4, 4))).shape == (5, 2)
    dense_first = nc.Model(nc.Dense(16, 2), nc.Softmax())
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        dense_first.predict(np.zeros((5, 1, 4, 4)))


def test_save_and_load_a_cnn(rng, tmp_path):
    X, y = bars(rng)
    model = cnn(rng)
    model.train(X, y, epochs=3, batch_size=16, verbose=False)
    loaded = nc.Model.load(model.save(tmp_path / "cnn"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert [repr(layer) for layer in loaded.layers] == [repr(layer) for layer in model.layers]
    assert loaded.optimizer.iterations == model.optimizer.iterations


def test_a_saved_cnn_loads_in_a_fresh_process_with_import_nncore_alone(rng, tmp_path):
    path = cnn(rng).save(tmp_path / "cnn")
    code = f"import nncore; print(nncore.Model.load({str(path)!r}).layers[0])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "Conv2D(1 -> 4, k=3, stride=1, padding=1)", done.stderr


def test_a_crafted_config_is_refused_before_a_conv_is_built(rng, tmp_path):
    path = cnn(rng).save(tmp_path / "cnn")
    with np.load(path) as archive:
        arrays = dict(archive)
    config = json.loads(str(arrays["config"]))
    config["layers"][0]["config"]["out_channels"] = -3
    arrays["config"] = np.array(json.dumps(config))
    np.savez(tmp_path / "crafted.npz", **arrays)
    with pytest.raises(ValueError, match="out_channels must be a positive integer, got -3"):
        nc.Model.load(tmp_path / "crafted.npz")


LAYERS = {"Conv2D": (lambda: Conv2D(2, 3, 3), (4, 2, 5, 5)), "MaxPool2D": (lambda: MaxPool2D(2), (4, 2, 5, 5)),
          "Flatten": (Flatten, (4, 2, 5, 5))}


def forwarded(name):
    make, shape = LAYERS[name]
    layer = make()
    layer.forward(np.ones(shape))
    return layer


BAD = [
    (lambda: Conv2D(0, 8, 3), ValueError, "in_channels must be a positive integer, got 0"),
    (lambda: Conv2D(1, 8.0, 3), TypeError, "out_channels must be a positive integer, got 8.0"),
    (lambda: Conv2D(1, 8, -3), ValueError, "kernel_size must be a positive integer, got -3"),
    (lambda: Conv2D(1, 8, 3, stride=0), ValueError, "stride must be a positive integer, got 0"),
    (lambda: Conv2D(1, 8, 3, padding=-1), ValueError, "padding must be an integer >= 0, got -1"),
    (lambda: Conv2D(1, 8, 3, padding=True), TypeError, "padding must be an integer >= 0, got True"),
    (lambda: Conv2D(1, 8, 3, init="normal"), ValueError, "unknown init 'normal'; expected one of: 'he'"),
    (lambda: MaxPool2D(0), ValueError, "size must be a positive integer, got 0"),
    (lambda: MaxPool2D(2, stride=1.5), TypeError, "stride must be a positive integer, got 1.5"),
    (lambda: Conv2D(1, 8, 3).forward(np.zeros((5, 64))), ValueError,
     "Conv2D inputs must be a batch of images (N, C, H, W), got shape (5, 64): reshape to (N, 1, 8, 8) "
     "with X.reshape(-1, 1, 8, 8)"),
    (lambda: Conv2D(3, 8, 3).forward(np.zeros((5, 48))), ValueError, "reshape to (N, 3, 4, 4)"),
    (lambda: Conv2D(1, 8, 3).forward(np.zeros((5, 10))), ValueError, "got shape (5, 10)"),
    (lambda: Conv2D(3, 8, 3).forward(np.zeros((3, 8, 8))), ValueError, "for one image (C, H, W) use X[np.newaxis]"),
    (lambda: Conv2D(1, 8, 3).forward(np.zeros((5, 8, 8))), ValueError,
     "for a batch of one-channel images (N, H, W) use X[:, np.newaxis]"),
    (lambda: Conv2D(3, 8, 3).forward(np.zeros((5, 8, 8, 3))), ValueError,
     "Conv2D(3 -> 8, k=3, stride=1, padding=0) takes 3 channel(s) on axis 1 of (N, C, H, W), got one sample's "
     "shape (8, 8, 3) (channels last? use X.transpose(0, 3, 1, 2))"),
    (lambda: Conv2D(2, 8, 3).forward(np.zeros((5, 1, 8, 8))), ValueError, "takes 2 channel(s) on axis 1"),
    (lambda: Conv2D(1, 8, 5, padding=1).forward(np.zeros((5, 1, 2, 8))), ValueError,
     "needs images of at least 5x5 after padding 1, got 2x8"),
    (lambda: MaxPool2D(3).forward(np.zeros((5, 2, 2, 8))), ValueError,
     "MaxPool2D(size=3, stride=3) needs images of at least 3x3 after padding 0, got 2x8"),
    (lambda: MaxPool2D(2).forward(np.zeros((5, 64))), ValueError, "reshape to (N, 1, 8, 8)"),
    (lambda: Flatten().forward(np.zeros(5)), ValueError, "Flatten inputs must be a batch (N, ...) of at least 2 axes"),
    (lambda: Conv2D(1, 8, 3).output_shape((8, 8)), ValueError, "input_shape must be one sample's shape (C, H, W)"),
    (lambda: Conv2D(1, 8, 3).output_shape(64), ValueError, "input_shape must be one sample's shape (C, H, W), got 64"),
    (lambda: MaxPool2D(2).output_shape((1, 0, 8)), ValueError, "input_shape must be one sample's shape"),
    (lambda: Flatten().output_shape(()), ValueError, "Flatten input_shape must be one sample's shape"),
    (lambda: Conv2D.parameter_shapes({"in_channels": 1, "out_channels": "8", "kernel_size": 3}), TypeError,
     "out_channels must be a positive integer, got '8'"),
    (lambda: Conv2D(1, 8, 3).set_parameters(np.zeros((8, 3, 3, 1)), np.zeros(8)), ValueError,
     "weights must have shape (8, 1, 3, 3), got (8, 3, 3, 1)"),
    (lambda: Conv2D(1, 8, 3).set_parameters(np.zeros((8, 1, 3, 3)), np.zeros((1, 8))), ValueError,
     "biases must have shape (8,), got (1, 8)"),
]
for name, (make, shape) in LAYERS.items():
    BAD += [
        (lambda make=make, shape=shape: make().forward(np.full(shape, np.nan)), ValueError,
         f"{name} inputs must be finite, got 200 NaN"),
        (lambda make=make: make().forward([[["a"]]]), TypeError, f"{name} inputs must hold numbers, got dtype <U1"),
        (lambda make=make, shape=shape: make().backward(np.ones(shape)), ValueError,
         f"{name}.backward needs a forward pass first"),
        (lambda name=name: forwarded(name).backward(np.ones((4, 5))), ValueError,
         f"{name} dvalues must have the shape of the layer's last output {forwarded(name).output.shape}, got (4, 5)"),
        (lambda name=name: forwarded(name).backward(np.full(forwarded(name).output.shape, np.inf)), ValueError,
         f"{name} dvalues must be finite"),
    ]


@pytest.mark.parametrize("call, error, words", BAD, ids=[words[:60] for _, _, words in BAD])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


@pytest.mark.parametrize("setup", CONV_SETUPS)
def test_conv2d_matches_pytorch_with_the_same_weights(torch, rng, setup):
    C, O, k, s, p, H, W = setup
    layer, x = conv_layer(rng, C, O, k, s, p), rng.standard_normal((3, C, H, W))
    reference = torch.nn.Conv2d(C, O, k, stride=s, padding=p).double()
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weights))
        reference.bias.copy_(torch.from_numpy(layer.biases))
    x_torch = torch.from_numpy(x).requires_grad_()
    out = reference(x_torch)
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(layer.forward(x), out.detach().numpy(), rtol=1e-12, atol=1e-12)
    layer.backward(dout)
    for ours, theirs in ((layer.dinputs, x_torch.grad), (layer.dweights, reference.weight.grad),
                         (layer.dbiases, reference.bias.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size, stride, H, W", POOL_SETUPS)
def test_maxpool_matches_pytorch_ties_included(torch, rng, size, stride, H, W):
    x = rng.integers(0, 3, (2, 3, H, W)).astype(float)
    x_torch = torch.from_numpy(x).requires_grad_()
    out = torch.nn.functional.max_pool2d(x_torch, size, stride)
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(dout))
    layer = MaxPool2D(size, stride)
    np.testing.assert_array_equal(layer.forward(x), out.detach().numpy())
    np.testing.assert_allclose(layer.backward(dout), x_torch.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_a_cnn_matches_pytorch_layer_for_layer(torch, rng):
    model = cnn(rng, channels=3)
    conv, dense = model.layers[0], model.layers[4]
    dense.biases = rng.standard_normal((1, 2))
    reference = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                    torch.nn.Flatten(), torch.nn.Linear(12, 2)).double()
    with torch.no_grad():
        reference[0].weight.copy_(torch.from_numpy(conv.weights))  # unchanged: the same layout
        reference[0].bias.copy_(torch.from_numpy(conv.biases))
        reference[4].weight.copy_(torch.from_numpy(dense.weights.T))
        reference[4].bias.copy_(torch.from_numpy(dense.biases[0]))
    X = rng.standard_normal((5, 1, 4, 4))
    expected = torch.softmax(reference(torch.from_numpy(X)), dim=1).detach().numpy()
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-12)
