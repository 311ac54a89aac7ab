"""Checks for 09_model: the learner's Model (finalize, forward and backward, evaluate, train) and the exercises."""
import contextlib
import functools
import io

import numpy as np

import nncore
from nncore import (Adam, BinaryCrossentropy, CategoricalAccuracy, CategoricalCrossentropy, Dense, Dropout, Linear,
                    MeanSquaredError, RegressionAccuracy, ReLU, Sigmoid, Softmax, SoftmaxCategoricalCrossentropy, SGD,
                    Tanh)
from nncore import functional as F

from . import call, correct, expect, expect_close, piece, plain, seeded


# ----------------------------------------------------------------------------------------------- helpers


class _Watch:
    """A layer that passes its input on unchanged and writes down every call: ``("forward", training, rows)``,
    ``("backward",)``. Put first in a model, it sees every batch."""

    def __init__(self, log):
        self.log = log

    def forward(self, inputs, training=False):
        self.log.append(("forward", bool(training), len(inputs)))
        self.output = inputs
        return inputs

    def backward(self, dvalues):
        self.log.append(("backward",))
        self.dinputs = dvalues
        return dvalues

    def __repr__(self):
        return "an identity layer of the check"


def _counted_softmax():
    """nncore's Softmax itself (so that ``type(layer) is Softmax`` holds), counting its backward passes."""
    softmax = Softmax()
    softmax.backward_calls = 0
    backward = softmax._backward

    def counted(dvalues):
        softmax.backward_calls += 1
        return backward(dvalues)

    softmax._backward = counted
    return softmax


def _logged(optimizer_class, log):
    """``optimizer_class`` writing ``("pre",)``, ``("update", layer)``, ``("post",)`` to ``log``."""
    class Logged(optimizer_class):
        def pre_update_params(self):
            log.append(("pre",))
            super().pre_update_params()

        def update_params(self, layer):
            log.append(("update", layer))
            super().update_params(layer)

        def post_update_params(self):
            log.append(("post",))
            super().post_update_params()

    Logged.__name__ = Logged.__qualname__ = optimizer_class.__name__
    return Logged


def _layers(spec, seed):
    """Fresh layers from ``spec`` (tuples naming each layer); the same ``seed`` gives the same weights and masks."""
    made = []
    for index, (kind, *sizes) in enumerate(spec):
        if kind == "dense":  # ("dense", n_inputs, n_neurons), or with a dict of options last (a regularizer)
            options = sizes.pop() if isinstance(sizes[-1], dict) else {}
            made.append(Dense(*sizes, weight_scale=0.5, rng=np.random.default_rng(seed + index), **options))
        elif kind == "dropout":
            made.append(Dropout(sizes[0], rng=np.random.default_rng(seed + 100 + index)))
        else:
            made.append({"relu": ReLU, "tanh": Tanh, "softmax": _counted_softmax, "sigmoid": Sigmoid,
                         "linear": Linear}[kind]())
    return made


def _learners_model(model_class, layers, *, loss, accuracy, optimizer=None):
    """``model_class()`` with ``layers`` added, set and finalized, each step through ``call``."""
    model = call(model_class, returns="a new, empty model", name="Model")
    for layer in layers:
        call(model.add, layer, returns="nothing (it appends the layer)", name="model.add")
    call(functools.partial(model.set, loss=loss, optimizer=optimizer or SGD(), accuracy=accuracy),
         returns="nothing (it keeps the loss, the optimizer and the accuracy)", name="model.set")
    call(model.finalize, returns="nothing (it prepares the model)", name="model.finalize")
    return model


def _nncore_model(layers, *, loss, accuracy, optimizer=None):
    model = nncore.Model()
    for layer in layers:
        model.add(layer)
    model.set(loss=loss, optimizer=optimizer or SGD(), accuracy=accuracy)
    model.finalize()
    return model


def _layer_names(layers):
    return ", ".join(repr(layer) for layer in layers)


def _quietly(function, *args, returns, name):
    """``call``, with whatever the learner's code prints swallowed (the check prints one line of its own)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return call(function, *args, returns=returns, name=name)


def _samples(count):
    return f"{count} sample" + ("" if count == 1 else "s")


def _batch_sizes(n_samples, batch_size):
    if batch_size is None:
        return [n_samples]
    return [min(batch_size, n_samples - start) for start in range(0, n_samples, batch_size)]


def _means_over_batches(values, sizes):
    """(sample-weighted mean, mean of the batch means, last batch's mean) of per-sample ``values``."""
    means = [np.mean(part) for part in np.split(values, np.cumsum(sizes)[:-1])]
    return float(np.mean(values)), float(np.mean(means)), float(means[-1])


def _expect_weighted(name, got, values, sizes, where):
    """``got`` must be the sample-weighted mean of ``values`` over the batches of ``sizes``; names the usual slips."""
    weighted, unweighted, last = _means_over_batches(values, sizes)
    if np.isclose(got, weighted, rtol=1e-6, atol=1e-9):
        return
    if len(sizes) > 1 and np.isclose(got, last, rtol=1e-6, atol=1e-9):
        raise AssertionError(f"{where}: the {name} {got:.6f} is the last batch's alone: average over every sample "
                             f"of the pass, {weighted:.6f}")
    if len(sizes) > 1 and np.isclose(got, unweighted, rtol=1e-6, atol=1e-9):
        raise AssertionError(f"{where}: the {name} {got:.6f} is the plain mean of the batch means; the last batch "
                             f"holds {_samples(sizes[-1])}, not {sizes[0]}: weight each batch by its size, {weighted:.6f}")
    raise AssertionError(f"{where}: expected the {name} {weighted:.6f}, got {plain(got)}")


# ----------------------------------------------------------------------------------------------- finalize


def _check_one_finalize(model_class, spec, loss, accuracy, seed):
    layers = _layers(spec, seed)
    model = _learners_model(model_class, layers, loss=loss, accuracy=accuracy)
    with_weights = [layer for layer in layers if isinstance(layer, Dense)]
    what = f"a model of {_layer_names(layers)} with {loss!r}"
    entry = getattr(model, "input_layer", None)
    expect(callable(getattr(entry, "forward", None)),
           "finalize must set self.input_layer, an Input() whose forward passes the batch on unchanged")
    batch = np.ones((3, layers[0].n_inputs))
    expect(call(entry.forward, batch, False, returns="the batch itself", name="model.input_layer.forward") is batch,
           "self.input_layer.forward(X, training) must return X itself: the input layer changes nothing")
    trainable = list(getattr(model, "trainable_layers", None) or [])
    extra = [layer for layer in trainable if not any(layer is kept for kept in with_weights)]
    expect(not extra, f"{what}: trainable_layers also holds {_layer_names(extra)}, which have no weights; "
                      "keep only the layers with weights")
    expect(len(trainable) == len(with_weights) and all(a is b for a, b in zip(trainable, with_weights)),
           f"{what}: trainable_layers should be the {len(with_weights)} layers with weights, in order "
           f"({_layer_names(with_weights)}), got [{_layer_names(trainable)}]")
    expect(getattr(model, "output_layer_activation", None) is layers[-1],
           f"{what}: output_layer_activation should be the last layer, {layers[-1]!r}, got "
           f"{getattr(model, 'output_layer_activation', None)!r}")
    told = list(loss.trainable_layers)
    expect(len(told) == len(with_weights) and all(a is b for a, b in zip(told, with_weights)),
           f"{what}: the loss was not handed the trainable layers (remember_trainable_layers), so its "
           "regularization term would add nothing")
    shortcut = getattr(model, "softmax_classifier_output", None)
    if isinstance(layers[-1], Softmax) and isinstance(loss, CategoricalCrossentropy):
        expect(isinstance(shortcut, SoftmaxCategoricalCrossentropy),
               f"{what}: softmax followed by categorical cross-entropy should get the combined object, "
               f"SoftmaxCategoricalCrossentropy(), in softmax_classifier_output; got {shortcut!r}")
    else:
        reason = ("the loss is not categorical cross-entropy" if isinstance(layers[-1], Softmax)
                  else "the last layer is not a softmax")
        expect(shortcut is None, f"{what}: softmax_classifier_output should stay None, because {reason}; the "
                                 f"shortcut (y_hat - y) / N is the gradient of that one pair only. Got {shortcut!r}")


@piece(lambda: nncore.Model)
def check_finalize(model_class):
    """finalize: the input layer, the layers with weights (also handed to the loss), the output activation, and
    the softmax + cross-entropy shortcut for exactly that pair."""
    rng = np.random.default_rng(9)
    a, h, g = (int(size) for size in rng.integers(2, 7, size=3))
    cases = [
        ([("dense", a, h), ("relu",), ("dropout", 0.1), ("dense", h, 3), ("softmax",)],
         CategoricalCrossentropy(), CategoricalAccuracy()),
        ([("dense", a, h), ("relu",), ("dense", h, g), ("relu",), ("dense", g, 3), ("softmax",)],
         MeanSquaredError(), CategoricalAccuracy()),
        ([("dense", a, h), ("tanh",), ("dense", h, 1), ("sigmoid",)], BinaryCrossentropy(),
         CategoricalAccuracy(binary=True)),
        ([("dense", a, h), ("tanh",), ("dense", h, 2), ("sigmoid",)], CategoricalCrossentropy(),
         CategoricalAccuracy()),
        ([("dense", a, 1), ("linear",)], MeanSquaredError(), RegressionAccuracy()),
    ]
    for seed, (spec, loss, accuracy) in enumerate(cases):
        _check_one_finalize(model_class, spec, loss, accuracy, seed)
    correct("finalize keeps the layers with weights, tells the loss, and picks the shortcut only for softmax + "
            "categorical cross-entropy, on 5 models")


# ----------------------------------------------------------------------------------------------- forward, backward


def _check_passes(model_class, spec, loss, y, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((len(y), spec[0][1]))
    mine, theirs = _layers(spec, seed), _layers(spec, seed)
    model = _learners_model(model_class, mine, loss=loss, accuracy=CategoricalAccuracy())
    reference = _nncore_model(theirs, loss=type(loss)(), accuracy=CategoricalAccuracy())
    what = f"a model of {_layer_names(mine)}"
    expected = reference.forward(X, training=False)
    got = call(model.forward, X, False, returns=f"the last layer's output, shape {expected.shape}",
               name="model.forward")
    expect(isinstance(got, np.ndarray) and got.shape == expected.shape,
           f"{what}: forward(X, training=False) should return the last layer's output, shape {expected.shape}, "
           f"got {plain(got)}")
    expect(np.allclose(got, expected, rtol=1e-6, atol=1e-9),
           f"{what}: forward(X, training=False) does not give the inference output: pass training on to every "
           "layer (dropout must be off when training is False), in the order they were added")
    inference = expected.copy()
    expected = reference.forward(X, training=True)
    got = call(model.forward, X, True, returns=f"the last layer's output, shape {expected.shape}",
               name="model.forward")
    expect(not np.allclose(got, inference),
           f"{what}: forward(X, training=True) gave the inference output, dropout off: pass training on to "
           "every layer's forward")
    expect_close("forward(X, training=True)", got, expected, rtol=1e-6, atol=1e-9)
    call(model.backward, got, y, returns="nothing (every layer keeps its gradients)", name="model.backward")
    reference.backward(expected, y)
    softmax = mine[-1]
    if reference.softmax_classifier_output is not None:
        expect(softmax.backward_calls == 0,
               f"{what} with {loss!r}: backward went through Softmax.backward although the model has the "
               "shortcut; the combined gradient (y_hat - y) / N is already the gradient of the softmax's inputs, "
               "so start from the layer before it")
        expect(isinstance(getattr(softmax, "dinputs", None), np.ndarray)
               and np.allclose(softmax.dinputs, theirs[-1].dinputs, rtol=1e-6, atol=1e-9),
               f"{what}: with the shortcut, set the last layer's dinputs to the combined gradient "
               "(y_hat - y) / N, so that every layer holds its gradient")
    else:
        expect(softmax.backward_calls == 1,
               f"{what} with {loss!r}: there is no shortcut for this pair, so backward must start from the "
               f"loss's gradient and go through Softmax.backward (it ran {softmax.backward_calls} times)")
    for index, (layer, twin) in enumerate(zip(mine, theirs)):
        if isinstance(layer, Dense):
            for name in ("dweights", "dbiases"):
                expect(isinstance(getattr(layer, name, None), np.ndarray),
                       f"{what}: after backward, layer {index} ({layer!r}) has no {name}: walk every layer, "
                       "last to first, passing each one's dinputs to the layer before")
                expect_close(f"{name} of layer {index} ({layer!r}) after backward", getattr(layer, name),
                             getattr(twin, name), rtol=1e-6, atol=1e-9)


@piece(lambda: nncore.Model)
def check_forward_backward(model_class):
    """forward runs every layer in order with the training flag; backward walks them in reverse, from the
    combined gradient when the model has the shortcut, from the loss's gradient otherwise."""
    rng = np.random.default_rng(19)
    a, h, k, n = (int(size) for size in rng.integers(2, 7, size=4))
    n += 4
    spec = [("dense", a, h), ("relu",), ("dropout", 0.5), ("dense", h, k), ("softmax",)]
    labels = rng.integers(0, k, size=n)
    _check_passes(model_class, spec, CategoricalCrossentropy(), labels, 1)
    _check_passes(model_class, spec, MeanSquaredError(), np.eye(k)[labels], 2)
    correct("forward passes training to every layer; backward gives nncore's gradients, with the shortcut for "
            "softmax + cross-entropy and through Softmax.backward for softmax + MSE")


# ----------------------------------------------------------------------------------------------- evaluate


@piece(lambda: nncore.Model)
def check_evaluate(model_class):
    """evaluate(X, y, batch_size=...): inference mode, every sample once in batches, sample-weighted means."""
    rng = np.random.default_rng(29)
    a, h, k = (int(size) for size in rng.integers(2, 7, size=3))
    spec = [("dense", a, h), ("relu",), ("dropout", 0.5), ("dense", h, k), ("softmax",)]
    n = int(rng.integers(23, 40))
    for case, batch_size in enumerate((int(rng.integers(5, 9)), None, n + 3)):
        if batch_size and n % batch_size == 0:
            n += 1
        X, y = rng.standard_normal((n, a)), rng.integers(0, k, size=n)
        log = []
        model = _learners_model(model_class, [_Watch(log)] + _layers(spec, case), loss=CategoricalCrossentropy(),
                                accuracy=CategoricalAccuracy())
        del log[:]
        where = f"evaluate(X of {n} samples, y, batch_size={batch_size})"
        got = _quietly(functools.partial(model.evaluate, batch_size=batch_size), X, y, name="model.evaluate",
                       returns="(loss, accuracy), two numbers")
        expect(isinstance(got, tuple) and len(got) == 2, f"{where} should return (loss, accuracy), got {plain(got)}")
        passes = [entry for entry in log if entry[0] == "forward"]
        expect(all(not training for _, training, _ in passes),
               f"{where} ran the layers with training=True: dropout stays on; evaluate with training=False")
        expect(passes, f"{where} never ran the model: it should run forward on every batch")
        sizes, expected_sizes = [rows for _, _, rows in passes], _batch_sizes(n, batch_size)
        if sizes != expected_sizes:
            if batch_size and sizes == expected_sizes[:-1]:
                raise AssertionError(f"{where}: the last, smaller batch ({_samples(expected_sizes[-1])}) was left "
                                     "out; every sample counts once")
            if batch_size and sizes == [n]:
                raise AssertionError(f"{where} ran one batch of all {n} samples: batch_size was ignored")
            raise AssertionError(f"{where}: expected batches of {plain(expected_sizes)} samples, got {plain(sizes)}")
        reference = _nncore_model(_layers(spec, case), loss=CategoricalCrossentropy(), accuracy=CategoricalAccuracy())
        output = reference.forward(X, training=False)
        sample_losses = CategoricalCrossentropy().forward(output, y)
        hits = (np.argmax(output, axis=1) == y).astype(float)
        _expect_weighted("loss", float(got[0]), sample_losses, sizes, where)
        _expect_weighted("accuracy", float(got[1]), hits, sizes, where)
    correct("evaluate runs in inference mode over every sample, in batches, and weights each batch by its size")


# ----------------------------------------------------------------------------------------------- train


def _steps(log):
    """The log cut at each forward pass: (rows, training, the events up to the next forward)."""
    steps = []
    for entry in log:
        if entry[0] == "forward":
            steps.append((entry[2], entry[1], []))
        elif steps:
            steps[-1][2].append(entry)
    return steps


def _check_step_order(events, n_trainable, where):
    names = [event[0] for event in events]
    updates = names.count("update")
    expect("pre" in names and "post" in names,
           f"{where}: a step must call the optimizer's pre_update_params (the decayed learning rate), "
           "update_params for every trainable layer, then post_update_params (counts the step, Adam's t): "
           "optimizer.step(trainable_layers) does all three")
    expect(names.index("backward") < names.index("pre"),
           f"{where}: the optimizer stepped before backward, with the previous batch's gradients; run backward "
           "first")
    expect(updates == n_trainable, f"{where}: update_params ran {updates} times in a step, expected once for "
                                   f"each of the {n_trainable} trainable layers")
    expect(names == ["backward", "pre"] + ["update"] * n_trainable + ["post"],
           f"{where}: each step should be forward, backward, pre_update_params, update_params per trainable "
           f"layer, post_update_params; got forward, {', '.join(names)}")


def _check_training(model_class, spec, loss_class, accuracy_class, data, settings, seed):
    X, y, validation = data
    epochs, batch_size = settings["epochs"], settings["batch_size"]
    mine, theirs, log = _layers(spec, seed), _layers(spec, seed), []
    optimizer = _logged(Adam, log)(learning_rate=0.02, decay=0.1)
    model = _learners_model(model_class, [_Watch(log)] + mine, loss=loss_class(), accuracy=accuracy_class(),
                            optimizer=optimizer)
    for layer in mine:
        if isinstance(layer, Dense):  # so that a step before backward has gradients to use, and shows in the log
            layer.dweights, layer.dbiases = np.zeros_like(layer.weights), np.zeros_like(layer.biases)
    del log[:]
    where = (f"train(X of {len(X)} samples, y, epochs={epochs}, batch_size={batch_size}"
             + (f", validation_data of {len(validation[0])} samples)" if validation else ")"))
    state = np.random.get_state()
    history = _quietly(functools.partial(model.train, **settings, validation_data=validation), X, y,
                       name="model.train", returns="the history, a dict of lists")
    after = np.random.get_state()
    expect(np.array_equal(state[1], after[1]) and state[2] == after[2],
           f"{where} drew from NumPy's random stream: this chapter's train goes through the batches in order, "
           "without shuffling")
    reference_log = []
    loss, accuracy = _recording(loss_class, accuracy_class, reference_log)
    reference = _nncore_model([_Watch(reference_log)] + theirs, loss=loss, accuracy=accuracy,
                              optimizer=Adam(learning_rate=0.02, decay=0.1))
    expected = reference.train(X, y, **settings, validation_data=validation, verbose=False)
    steps = _steps(log)
    training = [step for step in steps if any(event[0] == "backward" for event in step[2])]
    inference = [step for step in steps if step not in training]
    expect(training, f"{where} took no training step: each epoch runs forward, backward and one optimizer step "
                     "on every batch")
    sizes, expected_sizes = [rows for rows, _, _ in training], _batch_sizes(len(X), batch_size) * epochs
    if sizes != expected_sizes:
        per_epoch = _batch_sizes(len(X), batch_size)
        if batch_size and sizes == per_epoch[:-1] * epochs:
            raise AssertionError(f"{where}: the last, smaller batch ({_samples(per_epoch[-1])}) was dropped; an "
                                 f"epoch is {len(per_epoch)} steps, the last one shorter")
        if batch_size and sizes == [len(X)] * epochs:
            raise AssertionError(f"{where}: every step used all {len(X)} samples: batch_size was ignored")
        raise AssertionError(f"{where}: expected {len(expected_sizes)} steps on batches of {plain(expected_sizes)} "
                             f"samples, got {len(sizes)} steps on {plain(sizes)}")
    expect(all(flag for _, flag, _ in training),
           f"{where}: the training steps ran with training=False: dropout must be on while training")
    expect(not any(flag for _, flag, _ in inference),
           f"{where}: the validation pass ran with training=True, dropout on: evaluate it in inference mode")
    n_trainable = sum(isinstance(layer, Dense) for layer in mine)
    for _, _, events in training:
        _check_step_order(events, n_trainable, where)
    expect(isinstance(history, dict) and all(isinstance(history.get(key), list) for key in ("loss", "accuracy")),
           f"{where} should return the history, a dict whose 'loss' and 'accuracy' are lists, got {plain(history)}")
    per_epoch = _batch_sizes(len(X), batch_size)
    outputs = iter(_per_epoch(reference_log, len(per_epoch)))
    for key in ("loss", "accuracy"):
        expect(len(history[key]) == epochs,
               f"{where}: history['{key}'] should hold one value per epoch ({epochs}), got {len(history[key])}")
    for epoch in range(epochs):
        sample_losses, hits, penalties = next(outputs)
        got, data_loss = float(history["loss"][epoch]), float(np.mean(sample_losses))
        at_the_end = data_loss + expected["reg_loss"][epoch]  # the book's: the penalty of the epoch's last weights
        if np.isclose(got, at_the_end, rtol=1e-6, atol=1e-9) and not np.isclose(got, data_loss, rtol=1e-6):
            pass
        elif penalties.any() and np.isclose(got, data_loss, rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{where}, epoch {epoch + 1}: the loss {got:.6f} is the data loss alone; the "
                                 "model's first Dense layer has an L2 penalty, and the training loss is data plus "
                                 "regularization (calculate(output, y, include_regularization=True) returns both), "
                                 f"{data_loss + np.mean(penalties):.6f}")
        else:
            _expect_weighted("loss", got, sample_losses + penalties, per_epoch, f"{where}, epoch {epoch + 1}")
        _expect_weighted("accuracy", float(history["accuracy"][epoch]), hits, per_epoch,
                         f"{where}, epoch {epoch + 1}")
    if validation:
        for key in ("val_loss", "val_accuracy"):
            got = history.get(key)
            expect(isinstance(got, list) and len(got) == len(expected[key]),
                   f"{where}, print_every={settings['print_every']}: history['{key}'] should hold one value per "
                   f"printed epoch, {len(expected[key])} (after epochs "
                   f"{' and '.join(str(epoch) for epoch in expected['val_epoch'])}: every print_every epochs and "
                   f"after the last), got {plain(got)}")
            expect_close(f"{where}: history['{key}']", np.array(got, dtype=float), expected[key], rtol=1e-6,
                         atol=1e-9)
    for index, (layer, twin) in enumerate(zip(mine, theirs)):
        if isinstance(layer, Dense):
            expect_close(f"{where}: the weights of layer {index} ({layer!r}) after training", layer.weights,
                         twin.weights, rtol=1e-6, atol=1e-9)


def _recording(loss_class, accuracy_class, log):
    """A loss and an accuracy that write each batch's per-sample losses and hits to ``log``."""
    class Loss(loss_class):
        def calculate(self, output, y, **options):
            log.append(("loss", np.ravel(self._forward(output, y)), float(self.regularization_loss())))
            return super().calculate(output, y, **options)

    class Accuracy(accuracy_class):
        def calculate(self, predictions, y):
            log.append(("hits", np.ravel(self.compare(predictions, y)).astype(float)))
            return super().calculate(predictions, y)

    return Loss(), Accuracy()


@piece(lambda: nncore.Model)
def check_train(model_class):
    """train: per epoch, in-order batches (the last one shorter), forward in training mode, loss, backward, one
    optimizer step each; the epoch's numbers are sample-weighted means; validation in inference mode."""
    rng = np.random.default_rng(39)
    a, h = (int(size) for size in rng.integers(2, 7, size=2))
    batch_size = int(rng.integers(5, 9))
    n = int(rng.integers(30, 45))
    n += n % batch_size == 0
    X, y = rng.standard_normal((n, a)), rng.integers(0, 3, size=n)
    n_val = int(rng.integers(11, 19))
    validation = (rng.standard_normal((n_val, a)), rng.integers(0, 3, size=n_val))
    l2 = dict(weight_regularizer_l2=0.01, bias_regularizer_l2=0.01)
    _check_training(model_class, [("dense", a, h, l2), ("relu",), ("dropout", 0.3), ("dense", h, 3), ("softmax",)],
                    CategoricalCrossentropy, CategoricalAccuracy, (X, y, validation),
                    dict(epochs=3, batch_size=batch_size, print_every=2), 3)
    X = rng.uniform(-1, 1, size=(int(rng.integers(20, 30)), 1))
    _check_training(model_class, [("dense", 1, h), ("tanh",), ("dense", h, 1), ("linear",)], MeanSquaredError,
                    RegressionAccuracy, (X, np.sin(3 * X), None), dict(epochs=2, batch_size=None, print_every=1), 4)
    correct(f"train steps through every batch ({n} samples in batches of {batch_size}: "
            f"{len(_batch_sizes(n, batch_size))} steps an epoch), reports sample-weighted means, and validates "
            "with dropout off: nncore's history and weights")


def _per_epoch(reference_log, steps_per_epoch):
    """Per epoch of the reference run: the per-sample losses, hits and penalties (each batch's regularization loss,
    once per sample) of its training batches, concatenated."""
    training = [events for _, _, events in _steps(reference_log) if any(event[0] == "backward" for event in events)]
    for start in range(0, len(training), steps_per_epoch):
        epoch = [event for events in training[start:start + steps_per_epoch] for event in events]
        losses = [event for event in epoch if event[0] == "loss"]
        yield (np.concatenate([event[1] for event in losses]),
               np.concatenate([event[1] for event in epoch if event[0] == "hits"]),
               np.concatenate([np.full(len(event[1]), event[2]) for event in losses]))


# ----------------------------------------------------------------------------------------------- exercises


def check_build(build):
    """build(last_activation, loss): Dense(2, 8), ReLU, Dense(8, k), the activation; the loss; the matching accuracy."""
    heads = [(Softmax(), CategoricalCrossentropy(), 3, "CategoricalAccuracy()"),
             (Sigmoid(), BinaryCrossentropy(), 1, "CategoricalAccuracy(binary=True)"),
             (Softmax(), MeanSquaredError(), 3, "CategoricalAccuracy()"),
             (Linear(), MeanSquaredError(), 1, "RegressionAccuracy()")]
    shortcuts = []
    for activation, loss, k, accuracy in heads:
        what = f"build({activation!r}, {loss!r})"
        with seeded(0):
            model = call(build, activation, loss, returns="a finalized nncore.Model")
        expect(getattr(model, "finalized", False), f"{what}: the model is not finalized: call finalize() last")
        layers = list(model.layers)
        kinds = [type(layer).__name__ for layer in layers]
        expect(len(layers) == 4 and isinstance(layers[0], Dense) and isinstance(layers[1], ReLU)
               and isinstance(layers[2], Dense),
               f"{what}: expected the layers Dense(2 -> 8), ReLU(), Dense(8 -> {k}), {activation!r}; got "
               f"{', '.join(kinds)}")
        expect(layers[-1] is activation,
               f"{what}: the last layer should be the activation object passed in, not "
               + (f"another {layers[-1]!r}" if type(layers[-1]) is type(activation) else f"{layers[-1]!r}"))
        expect(layers[0].weights.shape == (2, 8), f"{what}: the first layer should be Dense(2, 8), got {layers[0]!r}")
        expect(layers[2].weights.shape == (8, k),
               f"{what}: the last Dense should have {k} neuron{'s' if k > 1 else ''}, got {layers[2]!r}; "
               + ("a sigmoid gives one probability per sample" if isinstance(activation, Sigmoid)
                  else "a linear output gives one value per sample" if isinstance(activation, Linear)
                  else "a softmax needs one neuron per class, 3 here"))
        expect(model.loss is loss, f"{what}: set the loss passed in, {loss!r}, got {model.loss!r}")
        right = (isinstance(model.accuracy, RegressionAccuracy) if isinstance(activation, Linear)
                 else isinstance(model.accuracy, CategoricalAccuracy)
                 and model.accuracy.binary == isinstance(activation, Sigmoid))
        expect(right, f"{what}: the accuracy should be {accuracy}, got {model.accuracy!r}"
               + (" (a sigmoid's (N, 1) 0/1 outputs are compared element by element)"
                  if isinstance(activation, Sigmoid) else ""))
        if model.softmax_classifier_output is not None:
            shortcuts.append(f"{type(activation).__name__} + {type(loss).__name__}")
    correct(f"four heads built; only {', '.join(shortcuts)} uses the combined gradient")


ACTIVATION_NAMES = {ReLU: "relu", Tanh: "tanh", Sigmoid: "sigmoid", Softmax: "softmax", Linear: "linear"}
LOSS_FOR_OUTPUT = {"softmax": ("categorical_crossentropy", CategoricalCrossentropy),
                   "sigmoid": ("binary_crossentropy", BinaryCrossentropy)}


def _source_models():
    """Sequential nncore models of Dense layers each followed by an activation, with random parameters."""
    rng = np.random.default_rng(12)
    stacks = [[(2, 16, ReLU), (16, 3, Softmax)],
              [(3, 5, Tanh), (5, 4, ReLU), (4, 2, Softmax)],
              [(4, 6, ReLU), (6, 1, Sigmoid)],
              [(2, 7, Sigmoid), (7, 3, Tanh), (3, 1, Linear)]]
    for stack in stacks:
        model = nncore.Model()
        for n_in, n_out, activation in stack:
            model.add(Dense(n_in, n_out, weight_scale=0.8, rng=rng))
            model.add(activation())
        model.finalize()
        model.set_parameters([(weights, rng.standard_normal(biases.shape)) for weights, biases in
                              model.get_parameters()])
        yield model, rng.standard_normal((9, stack[0][0]))


def check_functional_twin(functional_twin):
    """functional_twin(model): the F.Model of any Dense + activation stack, its parameters, the fitting loss."""
    for model, X in _source_models():
        dense = model.trainable_layers
        names = [ACTIVATION_NAMES[type(layer)] for layer in model.layers[1::2]]
        what = f"functional_twin(a model of {len(dense)} Dense layers, {' -> '.join(names)})"
        with seeded(0):
            twin = call(functional_twin, model, returns="an F.Model with the model's layer sizes and activations")
        expect(isinstance(twin, F.Model), f"{what} should return an F.Model, got {plain(twin)}")
        expect(len(twin.layers) == len(dense),
               f"{what}: the twin has {len(twin.layers)} layers, the model {len(dense)} Dense layers")
        for index, (mine, layer, name) in enumerate(zip(twin.layers, dense, names), 1):
            expect((mine.input_size, mine.output_size) == layer.weights.shape,
                   f"{what}: layer {index} should be {layer.weights.shape[0]} -> {layer.weights.shape[1]}, got {mine!r}")
            expect(mine.activation_name == name,
                   f"{what}: layer {index}'s activation should be {name!r} (the model's {type(model.layers[2 * index - 1]).__name__}), "
                   f"got {mine.activation_name!r}")
            expect(np.array_equal(mine.dense.weights, layer.weights) and np.array_equal(mine.dense.biases, layer.biases),
                   f"{what}: layer {index}'s parameters are not the model's: copy the weights and the biases of "
                   "every Dense layer")
        loss_name, loss_class = LOSS_FOR_OUTPUT.get(names[-1], ("mse", MeanSquaredError))
        expect(twin.loss is not None, f"{what}: the twin is not compiled: compile it with loss_fn={loss_name!r}")
        expect(type(twin.loss) is loss_class, f"{what}: a {names[-1]} output fits loss_fn={loss_name!r}, got "
                                              f"{twin.loss!r}")
        expect(np.array_equal(twin.predict(X), model.predict(X)),
               f"{what}: the twin's predictions differ from the model's")
    correct("the twins of 4 models of 2 and 3 layers predict exactly what the models predict")


def check_total_parameters(total_parameters):
    """total_parameters(model): weights and biases of every trainable layer."""
    rng = np.random.default_rng(13)
    for case in range(5):
        sizes = [int(size) for size in rng.integers(1, 60, size=int(rng.integers(2, 5)))]
        model = nncore.Model()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            model.add(Dense(n_in, n_out, rng=rng))
            model.add(ReLU())
            if case % 2:
                model.add(Dropout(0.1))
        model.add(Linear())
        model.finalize()
        expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        got = call(total_parameters, model, returns="a whole number, the count of weights and biases")
        mistakes = {expected - sum(sizes[1:]): "did you forget the biases?",
                    sizes[0] * sizes[1] + sizes[1]: "only the first layer is counted"}
        hint = mistakes.get(got, "") if got != expected else ""
        expect(got == expected, f"a network of sizes {sizes} has {expected} parameters, got {plain(got)}"
               + (f" ({hint})" if hint else ""))
    correct("total_parameters counts weights and biases, on 5 networks")


PAIRINGS = [(["relu", "softmax"], "mse"), (["softmax", "relu", "softmax"], "categorical_crossentropy"),
            (["tanh", "sigmoid"], "categorical_crossentropy"), (["relu", "relu", "softmax"], "categorical_crossentropy"),
            (["tanh", "sigmoid"], "binary_crossentropy"), (["softmax"], "categorical_crossentropy"),
            (["relu", "linear"], "mse")]


def _compile_error(activations, loss_fn):
    """compile's ValueError for this pairing, or None when it compiles."""
    first = layer = F.Dense(input_size=2, output_size=4, activation=activations[0])
    for name in activations[1:]:
        layer = F.Dense(output_size=4, activation=name)(layer)
    try:
        F.Model(first, layer).compile(loss_fn=loss_fn)
    except ValueError as error:
        return error
    return None


def _raised_by_compile(error):
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return trace is not None and trace.tb_frame.f_code.co_name == "compile" and \
        trace.tb_frame.f_code.co_filename.endswith("functional.py")


def check_pairing_error(pairing_error):
    """pairing_error(activations, loss_fn): the ValueError F.Model.compile raises, or None when it compiles."""
    refused = 0
    for activations, loss_fn in PAIRINGS:
        with seeded(0):
            expected = _compile_error(activations, loss_fn)
            got = call(pairing_error, list(activations), loss_fn, returns="the ValueError compile raises, or None")
        what = f"pairing_error({activations}, {loss_fn!r})"
        if expected is None:
            expect(got is None, f"{what}: compile accepts this pairing, so return None; got {plain(got)}")
            continue
        refused += 1
        expect(isinstance(got, ValueError), f"{what}: compile refuses this pairing ({expected}); return the "
                                            f"ValueError it raises, got {plain(got)}")
        expect(_raised_by_compile(got), f"{what}: this ValueError ({got}) was not raised by compile: build the "
                                        "model, call compile, and return the error you catch")
        reason = str(expected).split(",")[0]
        expect(str(got).split(",")[0] == reason, f"{what}: compile refused it for another reason ({got}); for "
                                                  f"these layers it says: {expected}")
    correct(f"compile refuses {refused} of the {len(PAIRINGS)} pairings, and your function returns its own errors")
