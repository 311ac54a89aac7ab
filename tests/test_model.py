import re

import numpy as np
import pytest

import nncore as nc
from nncore import functional as F
from nncore.normalization import BatchNorm


def spiral_model(hidden=16, optimizer=None):
    return nc.Model(nc.Dense(2, hidden, rng=np.random.default_rng(0)), nc.ReLU(),
                    nc.Dense(hidden, 3, rng=np.random.default_rng(1)), nc.Softmax(),
                    loss=nc.CategoricalCrossentropy(), optimizer=optimizer or nc.Adam(learning_rate=0.05),
                    accuracy=nc.CategoricalAccuracy())


@pytest.fixture
def spiral(rng):
    X = rng.standard_normal((60, 2))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)


def test_train_equals_the_hand_written_loop(spiral):
    X, y = spiral
    model = spiral_model()
    dense1, relu, dense2 = (nc.Dense(2, 16, rng=np.random.default_rng(0)), nc.ReLU(),
                            nc.Dense(16, 3, rng=np.random.default_rng(1)))
    combined, optimizer = nc.SoftmaxCategoricalCrossentropy(), nc.Adam(learning_rate=0.05)
    losses = []
    for _ in range(20):
        losses.append(combined.forward(dense2.forward(relu.forward(dense1.forward(X))), y))
        dense1.backward(relu.backward(dense2.backward(combined.backward(combined.output, y))))
        optimizer.step([dense1, dense2])
    history = model.train(X, y, epochs=20, verbose=False)
    np.testing.assert_allclose(history["data_loss"], losses, rtol=1e-12)
    np.testing.assert_allclose(model.trainable_layers[0].weights, dense1.weights, rtol=1e-12)


def test_history_and_printing(spiral, capsys):
    X, y = spiral
    history = spiral_model().train(X, y, epochs=25, print_every=10, validation_data=(X, y))
    assert set(history) == set(nc.model.HISTORY_KEYS)
    assert history["epoch"] == list(range(1, 26)) and history["val_epoch"] == [10, 20, 25]
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch 10", "epoch 20", "epoch 25"]
    assert "val_acc" in lines[0]


def test_validation_runs_every_validate_every_epochs_whatever_print_every(spiral, capsys):
    X, y = spiral
    history = spiral_model().train(X, y, epochs=25, print_every=10, validate_every=5, validation_data=(X, y))
    assert history["val_epoch"] == [5, 10, 15, 20, 25]
    quiet = spiral_model().train(X, y, epochs=6, validate_every=3, validation_data=(X, y), verbose=False)
    assert quiet["val_epoch"] == [3, 6]
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch 10", "epoch 20", "epoch 25"]


def test_bad_validation_data_is_refused_before_training(spiral):
    X, y = spiral
    model = spiral_model()
    with pytest.raises(ValueError, match="validate_every must be a positive integer, got 0"):
        model.train(X, y, epochs=5, validation_data=(X, y), validate_every=0)
    with pytest.raises(ValueError, match=r"y must have one target per sample of X \(60\), got 59"):
        model.train(X, y, epochs=5, validation_data=(X, y[:-1]))
    assert model.optimizer.iterations == 0


def test_a_model_can_be_built_in_one_call(spiral):
    X, y = spiral
    np.random.seed(0)
    short = nc.Model(nc.Dense(2, 16), nc.ReLU(), nc.Dense(16, 3), nc.Softmax(), loss=nc.CategoricalCrossentropy(),
                     optimizer=nc.Adam(learning_rate=0.05), accuracy=nc.CategoricalAccuracy())
    np.random.seed(0)
    long = nc.Model()
    for layer in (nc.Dense(2, 16), nc.ReLU(), nc.Dense(16, 3), nc.Softmax()):
        long.add(layer)
    long.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(learning_rate=0.05), accuracy=nc.CategoricalAccuracy())
    long.finalize()
    assert short.finalized and short.softmax_classifier_output is not None
    np.testing.assert_array_equal(short.train(X, y, epochs=10, verbose=False)["loss"],
                                  long.train(X, y, epochs=10, verbose=False)["loss"])


@pytest.mark.parametrize("value, shown", [(0.87412, "0.874"), (0.0123, "0.012"), (3.1e-4, "3.10e-04"),
                                          (2.5e-9, "2.50e-09"), (0.0, "0.000"), (12.5, "12.500")])
def test_progress_line_keeps_small_losses_readable(value, shown):
    assert nc.model.format_loss(value) == shown


def test_progress_line_of_a_tiny_regression_loss_is_not_zero(capsys):
    X = np.linspace(0, 1, 20, dtype=np.float64).reshape(-1, 1)
    model = nc.Model()
    model.add(nc.Dense(1, 1))
    model.add(nc.Linear())
    model.set(loss=nc.MeanSquaredError(), optimizer=nc.Adam(learning_rate=0.05),
              accuracy=nc.RegressionAccuracy())
    model.finalize()
    model.train(X, 1e-3 * X, epochs=200, print_every=200)
    line = capsys.readouterr().out
    assert re.search(r"loss \d\.\d\de-\d\d \(data \d\.\d\de-\d\d", line), line


def test_batches_cover_every_sample_and_metrics_are_sample_weighted(spiral):
    X, y = spiral
    model = spiral_model()
    model.train(X, y, epochs=2, batch_size=7, verbose=False)
    assert model.optimizer.iterations == 2 * 9
    full = model.evaluate(X, y, verbose=False)
    np.testing.assert_allclose(model.evaluate(X, y, batch_size=7, verbose=False), full, rtol=1e-12)
    np.testing.assert_allclose(model.predict(X, batch_size=7), model.predict(X), rtol=1e-12)


def test_one_layer_model_and_the_combined_shortcut():
    model = nc.Model(nc.Sigmoid(), loss=nc.BinaryCrossentropy(), accuracy=nc.CategoricalAccuracy(binary=True))
    assert model.softmax_classifier_output is None
    assert model.predict(np.array([[0.]])).tolist() == [[0.5]]
    assert spiral_model().softmax_classifier_output is not None


def test_regression_model_trains_and_dropout_is_off_when_evaluating(rng):
    X = np.linspace(-1, 1, 50).reshape(-1, 1)
    model = nc.Model(nc.Dense(1, 8, rng=rng), nc.ReLU(), nc.Dropout(0.5, rng=rng), nc.Dense(8, 1, rng=rng),
                     nc.Linear(), loss=nc.MeanSquaredError(), optimizer=nc.Adam(learning_rate=0.01),
                     accuracy=nc.RegressionAccuracy())
    history = model.train(X, 2 * X, epochs=200, verbose=False)
    assert history["loss"][-1] < history["loss"][0]
    np.testing.assert_array_equal(model.predict(X), model.predict(X))


def test_shuffle_draws_from_the_global_stream(spiral):
    X, y = spiral
    np.random.seed(5)
    spiral_model().train(X, y, epochs=3, shuffle=True, verbose=False)
    after_shuffled = np.random.randn()
    np.random.seed(5)
    spiral_model().train(X, y, epochs=3, verbose=False)
    assert np.random.randn() != after_shuffled


def test_summary_counts_parameters():
    summary = spiral_model(hidden=64).summary()
    assert "Dense(2 -> 64)" in summary and "Dense(64 -> 3)" in summary
    assert summary.splitlines()[5].split() == ["total", "387"]


def test_get_and_set_parameters_copy_between_models(spiral):
    X, _ = spiral
    source, target = spiral_model(), spiral_model()
    source.trainable_layers[0].weights += 1
    target.set_parameters(source.get_parameters())
    np.testing.assert_array_equal(target.predict(X), source.predict(X))
    assert target.trainable_layers[0].weights is not source.trainable_layers[0].weights


def test_unfinalized_and_unset_models_say_what_to_do(spiral):
    X, y = spiral
    model = nc.Model()
    model.add(nc.Dense(2, 3))
    model.add(nc.Softmax())
    with pytest.raises(ValueError, match=r"call finalize\(\)"):
        model.train(X, y)
    model.finalize()
    with pytest.raises(ValueError, match=r"set\(loss=\.\.\., optimizer=\.\.\., accuracy=\.\.\.\) first"):
        model.train(X, y)
    with pytest.raises(ValueError, match="last layer must be an output activation"):
        bare = nc.Model()
        bare.add(nc.Dense(2, 3))
        bare.finalize()


def test_the_first_layer_skips_its_unused_input_gradient(spiral):
    X, y = spiral
    model = spiral_model()
    model.train(X, y, epochs=1, verbose=False)
    first, second = model.trainable_layers
    assert first.dinputs is None and second.dinputs.shape == (len(X), 16)


def test_a_diverging_run_stops_with_a_clear_error(rng):
    X = 100 * rng.standard_normal((50, 2))
    y = X @ np.array([[3.], [-2.]])
    model = nc.Model(nc.Dense(2, 1, rng=rng), nc.Linear(), loss=nc.MeanSquaredError(),
                     optimizer=nc.SGD(learning_rate=10.), accuracy=nc.RegressionAccuracy())
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as info:
        model.train(X, y, epochs=1000, verbose=False)
    message = str(info.value)
    assert "the loss must stay finite" in message and "training diverged" in message
    assert "smaller learning_rate than 10" in message


def test_a_run_held_finite_only_by_the_clip_is_stopped(spiral):
    X, y = spiral
    model = spiral_model(optimizer=nc.SGD(learning_rate=1e6))
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as info:
        model.train(X, y, epochs=200, verbose=False)
    assert "of the samples got a probability of at most 1e-07 for their target" in str(info.value)
    assert "training diverged (try a smaller learning_rate than 1e+06)" in str(info.value)


def test_an_update_that_makes_a_weight_infinite_is_caught_even_in_the_last_step():
    model = nc.Model(nc.Dense(1, 1, rng=np.random.default_rng(0)), nc.Linear(), loss=nc.MeanSquaredError(),
                     optimizer=nc.SGD(learning_rate=1e306), accuracy=nc.RegressionAccuracy())
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as info:
        model.train(np.ones((4, 1)), np.full((4, 1), 1e6), epochs=1, verbose=False)
    assert "the parameters must stay finite, got NaN or inf in the weights of Dense(1 -> 1) after epoch 1" \
        in str(info.value)


def test_the_functional_fit_stops_a_diverging_run_too():
    x = inputs = F.Dense(input_size=1, output_size=1)
    model = F.Model(inputs, x)
    model.compile("mse")
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="training diverged"):
        model.fit(np.ones((4, 1)), np.full((4, 1), 1e6), epochs=50, learning_rate=1e306, print_loss=False)


def test_dropout_never_reuses_a_training_mask_after_an_inference_pass(rng):
    dropout = nc.Dropout(0.5, rng=rng)
    dropout.forward(np.ones((4, 3)), training=True)
    dropout.forward(np.ones((4, 3)))
    np.testing.assert_array_equal(dropout.backward(np.full((4, 3), 2.0)), np.full((4, 3), 2.0))


def test_every_label_is_checked_once_before_the_first_step(spiral):
    X, y = spiral
    y = y.copy()
    y[-1] = 3  # only the last batch holds the bad label
    model = spiral_model()
    before = model.get_parameters()
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\), got values from 0 to 3"):
        model.train(X, y, batch_size=16, verbose=False)
    for (weights, biases), (weights_before, biases_before) in zip(model.get_parameters(), before):
        np.testing.assert_array_equal(weights, weights_before)  # refused before any step
        np.testing.assert_array_equal(biases, biases_before)


def test_whole_number_float_labels_train_as_the_integer_labels_in_every_batch(spiral):
    X, y = spiral
    as_ints, as_floats = spiral_model(), spiral_model()
    as_ints.train(X, y, epochs=3, batch_size=16, verbose=False)
    as_floats.train(X, y.astype(float), epochs=3, batch_size=16, verbose=False)
    for (weights, _), (float_weights, _) in zip(as_ints.get_parameters(), as_floats.get_parameters()):
        np.testing.assert_array_equal(weights, float_weights)


def test_array_checks_are_back_on_after_training_even_after_an_error(spiral):
    X, y = spiral
    model = spiral_model()
    model.train(X, y, epochs=2, batch_size=16, verbose=False)
    with pytest.raises(ValueError, match="must be finite"):
        model.trainable_layers[0].forward(np.array([[np.nan, 1.]]))
    bad_y = y.copy()
    bad_y[-1] = 7
    with pytest.raises(ValueError, match="class indices"):
        model.train(X, bad_y, batch_size=16, verbose=False)
    with pytest.raises(ValueError, match="must be finite"):
        model.trainable_layers[0].forward(np.array([[np.nan, 1.]]))


def test_the_first_step_still_explains_a_layer_size_mismatch(spiral):
    X, y = spiral
    model = nc.Model(nc.Dense(2, 8), nc.ReLU(), nc.Dense(4, 3), nc.Softmax(),
                     loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(), accuracy=nc.CategoricalAccuracy())
    with pytest.raises(ValueError, match=r"Dense inputs must have 4 columns, got shape \(60, 8\)"):
        model.train(X, y, verbose=False)


def float32_model(layers, loss, accuracy, optimizer):
    model = nc.Model(*layers, loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.set_parameters([(layer.weights.astype(np.float32), layer.biases.astype(np.float32))
                          for layer in model.trainable_layers])
    return model


FLOAT32_SETUPS = {
    "softmax classifier, L1/L2, dropout": (
        lambda: [nc.Dense(4, 8, 1e-4, 1e-4, 1e-4, 1e-4), nc.ReLU(), nc.Dropout(0.1), nc.Dense(8, 3), nc.Softmax()],
        nc.CategoricalCrossentropy, lambda: nc.CategoricalAccuracy(), lambda rng: rng.integers(0, 3, 32)),
    "sigmoid outputs": (
        lambda: [nc.Dense(4, 8), nc.Tanh(), nc.Dense(8, 8), nc.LeakyReLU(), nc.Dense(8, 8), nc.Swish(),
                 nc.Dense(8, 1), nc.Sigmoid()],
        nc.BinaryCrossentropy, lambda: nc.CategoricalAccuracy(binary=True),
        lambda rng: (rng.random((32, 1)) > 0.5).astype(np.float32)),
    "regression, MSE": (lambda: [nc.Dense(4, 8), nc.ReLU(), nc.Dense(8, 1), nc.Linear()], nc.MeanSquaredError,
                        lambda: nc.RegressionAccuracy(), lambda rng: rng.standard_normal((32, 1), dtype=np.float32)),
    "regression, MAE": (lambda: [nc.Dense(4, 8), nc.ReLU(), nc.Dense(8, 1), nc.Linear()], nc.MeanAbsoluteError,
                        lambda: nc.RegressionAccuracy(), lambda rng: rng.standard_normal((32, 1), dtype=np.float32)),
}


@pytest.mark.parametrize("optimizer", [nc.SGD, lambda: nc.SGD(momentum=0.9), nc.Adagrad, nc.RMSprop, nc.Adam])
@pytest.mark.parametrize("setup", list(FLOAT32_SETUPS))
def test_float32_data_and_parameters_stay_float32_everywhere(setup, optimizer, rng):
    layers, loss, accuracy, targets = FLOAT32_SETUPS[setup]
    model = float32_model(layers(), loss(), accuracy(), optimizer())
    model.train(rng.standard_normal((32, 4), dtype=np.float32), targets(rng), epochs=2, batch_size=16, verbose=False)
    float64 = [f"{type(layer).__name__}.{name}" for layer in model.layers for name, value in vars(layer).items()
               if isinstance(value, np.ndarray) and value.dtype == np.float64]
    assert float64 == []


def overfitting_setup(rng):
    """A wide model on 20 noisy samples, validated on others: the validation loss soon rises again."""
    X, X_val = rng.standard_normal((20, 2)), rng.standard_normal((200, 2))
    y, y_val = rng.integers(0, 3, 20), rng.integers(0, 3, 200)
    return spiral_model(hidden=64, optimizer=nc.Adam(learning_rate=0.05)), (X, y), (X_val, y_val)


def test_patience_stops_restores_the_best_weights_and_says_so(rng, capsys):
    model, (X, y), validation = overfitting_setup(rng)
    history = model.train(X, y, epochs=300, print_every=100, validation_data=validation, validate_every=2,
                          patience=5)
    best = history["val_epoch"][int(np.argmin(history["val_loss"]))]
    assert history["best_epoch"] == best and history["stopped_epoch"] == best + 10
    assert history["val_epoch"][-1] == history["epoch"][-1] == best + 10
    assert model.evaluate(*validation, verbose=False)[0] == min(history["val_loss"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith(f"epoch {best + 10}, acc ")
    assert lines[-1] == (f"stopped early at epoch {best + 10}: val_loss has not improved for 5 evaluations since "
                         f"epoch {best} ({nc.model.format_loss(min(history['val_loss']))}); restored the weights "
                         f"of epoch {best}")


def test_patience_that_never_runs_out_still_keeps_the_best_weights(rng, capsys):
    model, (X, y), validation = overfitting_setup(rng)
    history = model.train(X, y, epochs=60, validation_data=validation, patience=1000, verbose=False)
    assert history["stopped_epoch"] is None and history["best_epoch"] < 60
    assert model.evaluate(*validation, verbose=False)[0] == min(history["val_loss"])
    assert capsys.readouterr().out == ""


def test_early_stopping_restores_batchnorm_running_statistics(rng):
    X, X_val = rng.standard_normal((20, 2)), rng.standard_normal((200, 2))
    model = nc.Model(nc.Dense(2, 64, rng=rng), BatchNorm(64), nc.ReLU(), nc.Dense(64, 3, rng=rng), nc.Softmax(),
                     loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(learning_rate=0.05),
                     accuracy=nc.CategoricalAccuracy())
    validation = (X_val, rng.integers(0, 3, 200))
    history = model.train(X, rng.integers(0, 3, 20), epochs=300, batch_size=10, validation_data=validation,
                          patience=3, verbose=False)
    assert history["stopped_epoch"] is not None
    assert model.evaluate(*validation, batch_size=10, verbose=False)[0] == min(history["val_loss"])


def test_without_patience_the_early_stopping_keys_are_none(spiral):
    history = spiral_model().train(*spiral, epochs=3, validation_data=spiral, verbose=False)
    assert history["stopped_epoch"] is None and history["best_epoch"] is None


def test_patience_needs_validation_data(spiral):
    with pytest.raises(ValueError, match=r"patience=5 counts evaluations of the validation loss: pass "
                                         r"validation_data=\(X_val, y_val\) too"):
        spiral_model().train(*spiral, patience=5)
    with pytest.raises(ValueError, match="patience must be a positive integer, got 0"):
        spiral_model().train(*spiral, patience=0, validation_data=spiral)
