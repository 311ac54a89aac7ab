import numpy as np
import pytest

from nncore import gradcheck
from nncore.layers import Dense, Dropout, Input, get_buffers, set_buffers
from nncore.normalization import BatchNorm


def test_dense_forward_is_xw_plus_b():
    layer = Dense(2, 3)
    layer.set_parameters(np.array([[1., 2., 3.], [4., 5., 6.]]), np.array([[0.5, -1., 0.]]))
    out = layer.forward(np.array([[1., 1.], [0., 2.]]))
    np.testing.assert_array_equal(out, [[5.5, 6., 9.], [8.5, 9., 12.]])


def test_dense_init_shapes_and_scale(rng):
    layer = Dense(64, 32, rng=rng)
    assert layer.weights.shape == (64, 32) and layer.biases.shape == (1, 32)
    assert np.all(layer.biases == 0)
    assert 0.005 < layer.weights.std() < 0.015
    assert 0.05 < Dense(64, 32, weight_scale=0.1, rng=rng).weights.std() < 0.15


def test_dense_draws_from_the_global_stream_like_the_book(nnfs_init):
    np.random.seed(0)
    expected = 0.01 * np.random.randn(2, 64)
    np.random.seed(0)
    np.testing.assert_array_equal(Dense(2, 64).weights, expected)
    assert Dense(2, 3).weights.dtype == np.float32


def test_set_parameters_stores_copies():
    weights, biases = np.ones((2, 3)), np.zeros((1, 3))
    layer = Dense(2, 3)
    layer.set_parameters(weights, biases)
    weights[0, 0] = 99
    assert layer.weights[0, 0] == 1
    got_w, _ = layer.get_parameters()
    got_w[0, 0] = 42
    assert layer.weights[0, 0] == 1


@pytest.mark.parametrize("penalties", [{}, {"weight_regularizer_l1": 1e-2, "bias_regularizer_l1": 1e-2},
                                       {"weight_regularizer_l2": 5e-4, "bias_regularizer_l2": 5e-4}])
def test_dense_backward_matches_numerical_gradient(rng, penalties):
    layer = Dense(4, 5, **penalties, rng=rng)
    layer.biases = rng.standard_normal((1, 5))
    errors = gradcheck.check_layer(layer, rng.standard_normal((6, 4)))
    assert set(errors) == {"dinputs", "dweights", "dbiases"}


def test_dense_dweights_include_the_penalty(rng):
    plain, penalised = Dense(3, 2, rng=rng), Dense(3, 2, weight_regularizer_l2=0.1)
    penalised.set_parameters(*plain.get_parameters())
    inputs, dvalues = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    for layer in (plain, penalised):
        layer.forward(inputs)
        layer.backward(dvalues)
    np.testing.assert_allclose(penalised.dweights - plain.dweights, 2 * 0.1 * plain.weights)


def test_dense_gradient_check_after_nnfs_init(nnfs_init):
    layer = Dense(3, 4)
    inputs = np.random.randn(5, 3)
    gradcheck.check_layer(layer, inputs)
    assert layer.weights.dtype == np.float32, "the check works on a copy"


def test_dropout_is_identity_when_not_training():
    inputs = np.arange(12.).reshape(3, 4)
    state = np.random.get_state()
    out = Dropout(0.5).forward(inputs, training=False)
    np.testing.assert_array_equal(out, inputs)
    assert out is not inputs
    assert np.array_equal(np.random.get_state()[1], state[1]), "no random draw outside training"


def test_dropout_drops_the_rate_and_keeps_the_expectation(rng):
    out = Dropout(0.3, rng=rng).forward(np.ones((1000, 1000)), training=True)
    assert abs(np.mean(out == 0) - 0.3) < 0.01
    assert abs(out.mean() - 1) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.7)


def test_dropout_mask_comes_from_the_global_stream():
    np.random.seed(3)
    expected = np.random.binomial(1, 0.8, size=(4, 5)) / 0.8
    np.random.seed(3)
    layer = Dropout(0.2)
    layer.forward(np.ones((4, 5)), training=True)
    np.testing.assert_array_equal(layer.binary_mask, expected)


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.25, 0.3, 0.5, 0.5 + 1e-12, 0.6, 1 / 3, 0.9, 0.999])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_dropout_draws_numpys_binomial_mask_bit_for_bit_and_leaves_the_stream_where_it_would(rate, dtype):
    # nncore compares one uniform per value with the threshold of NumPy's binomial inversion (see Dropout._mask)
    inputs = np.ones((300, 64), dtype=dtype)
    keep = 1 - rate
    mask_dtype = np.result_type(dtype, np.float32)
    for seed in range(5):
        np.random.seed(seed)
        expected, after = (np.random.binomial(1, keep, size=inputs.shape) / keep).astype(mask_dtype), np.random.rand()
        np.random.seed(seed)
        layer = Dropout(rate)
        layer.forward(inputs, training=True)
        assert layer.binary_mask.dtype == mask_dtype and np.random.rand() == after
        np.testing.assert_array_equal(layer.binary_mask, expected)
        generator, twin = np.random.default_rng(seed), np.random.default_rng(seed)
        expected = (generator.binomial(1, keep, size=inputs.shape) / keep).astype(mask_dtype)
        layer = Dropout(rate, rng=twin)
        layer.forward(inputs, training=True)
        np.testing.assert_array_equal(layer.binary_mask, expected)
        assert twin.random() == generator.random()


def test_dropout_backward_matches_numerical_gradient(rng):
    np.random.seed(0)
    gradcheck.check_layer(Dropout(0.25), rng.standard_normal((5, 6)), training=True)


def test_input_layer_passes_through():
    x = np.ones((2, 2))
    assert Input().forward(x) is x


def test_reprs_are_deterministic():
    assert repr(Dense(2, 64)) == "Dense(2 -> 64)"
    assert repr(Dense(2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4)) == \
        "Dense(2 -> 64, weight_l2=0.0005, bias_l2=0.0005)"
    assert repr(Dropout(0.1)) == "Dropout(rate=0.1)"
    assert repr(Input()) == "Input()"


def test_dropout_after_an_inference_pass_passes_the_gradient_through():
    dropout = Dropout(0.5)
    dropout.forward(np.ones((2, 3)))
    dvalues = np.arange(6.).reshape(2, 3)
    np.testing.assert_array_equal(dropout.backward(dvalues), dvalues)


@pytest.mark.parametrize("init, std", [("glorot", np.sqrt(2 / (300 + 200))), ("he", np.sqrt(2 / 300))])
def test_glorot_and_he_scale_one_draw_of_the_same_normals(init, std):
    np.random.seed(4)
    book = Dense(300, 200)
    np.random.seed(4)
    layer = Dense(300, 200, init=init)
    np.testing.assert_allclose(layer.weights, book.weights * (std / 0.01), rtol=1e-12)
    assert abs(layer.weights.std() / std - 1) < 0.02
    assert layer.weight_scale == pytest.approx(std) and np.all(layer.biases == 0)
    generated = Dense(300, 200, init=init, rng=np.random.default_rng(7)).weights
    np.testing.assert_allclose(generated, std * np.random.default_rng(7).standard_normal((300, 200)), rtol=1e-12)


def test_the_book_init_is_the_default_and_keeps_its_numbers(nnfs_init):
    np.random.seed(0)
    expected = 0.1 * np.random.randn(3, 5)
    np.random.seed(0)
    np.testing.assert_array_equal(Dense(3, 5, init="book", weight_scale=0.1).weights, expected)
    assert Dense(3, 5, init="he").weights.dtype == np.float32, "a float32 draw stays float32 when scaled"
    assert Dense(3, 5).init == "book" and Dense(3, 5).weight_scale == 0.01


def test_init_is_in_the_config_and_rebuilds_the_same_layer():
    assert Dense(2, 4).config()["init"] == "book" and Dense(2, 4).config()["weight_scale"] == 0.01
    he = Dense(2, 4, init="he")
    assert "weight_scale" not in he.config()
    rebuilt = Dense(**he.config())
    assert rebuilt.init == "he" and rebuilt.weight_scale == he.weight_scale and repr(rebuilt) == repr(he)
    old_file_config = {"n_inputs": 2, "n_neurons": 4, "weight_regularizer_l1": 0.0, "weight_regularizer_l2": 0.0,
                       "bias_regularizer_l1": 0.0, "bias_regularizer_l2": 0.0, "weight_scale": 0.1}
    assert Dense(**old_file_config).init == "book" and Dense(**old_file_config).weight_scale == 0.1
    assert repr(he) == "Dense(2 -> 4, init='he')" and repr(Dense(2, 4, init="book")) == "Dense(2 -> 4)"


def test_init_and_an_explicit_weight_scale_together_are_refused():
    with pytest.raises(ValueError, match=r"weight_scale sets the scale of init='book' only; init='glorot' sets its "
                                         r"own: pass init or weight_scale, not both \(got weight_scale=0.1\)"):
        Dense(2, 3, init="glorot", weight_scale=0.1)
    with pytest.raises(ValueError, match="unknown init 'xavier'; expected one of: 'book', 'glorot', 'he'"):
        Dense(2, 3, init="xavier")


def test_buffers_are_copied_out_and_in(rng):
    layer = BatchNorm(3)
    mean, var = get_buffers(layer)
    mean[0, 0] = 5.0
    assert layer.running_mean[0, 0] == 0
    values = rng.standard_normal((1, 3)), rng.random((1, 3))
    set_buffers(layer, values)
    values[0][0, 0] = 9.0
    assert layer.running_mean[0, 0] != 9.0 and layer.running_var[0, 1] == values[1][0, 1]
    assert get_buffers(Dense(2, 3)) == ()
    with pytest.raises(ValueError, match=r"running_var must have shape \(1, 3\), got \(3,\)"):
        set_buffers(layer, (np.zeros((1, 3)), np.ones(3)))


def test_a_negative_running_variance_is_refused_and_the_old_buffers_kept():
    layer = BatchNorm(3)
    with pytest.raises(ValueError, match=r"running_var must hold values >= 0, got -0.5 at index \(0, 2\)"):
        set_buffers(layer, (np.full((1, 3), 7.0), np.array([[1.0, 0.0, -0.5]])))
    assert np.all(layer.running_mean == 0) and np.all(layer.running_var == 1)
