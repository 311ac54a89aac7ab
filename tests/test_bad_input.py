"""Bad input is refused with a message that names what was expected and what came: one table for all of nncore.

Each case is a call, the exception it must raise and words its message must
hold. The hand-written cases come first, module by module; then every layer and
loss nncore registers is given the same mistakes (NaN, text, a gradient of the
wrong shape, backward before forward), so a new class is checked by registering it.
"""
import matplotlib
import numpy as np
import pytest

import nncore as nc
from nncore import activations, book, datasets, gradcheck, losses, plotting, registry, schedules
from nncore import functional as F
from nncore.activations import LeakyReLU, ReLU, Sigmoid, Softmax, Swish, Tanh
from nncore.convolution import Conv2D, MaxPool2D
from nncore.layers import Dense, Dropout, set_buffers
from nncore.losses import (BinaryCrossentropy, CategoricalCrossentropy, MeanAbsoluteError, MeanSquaredError,
                           SoftmaxCategoricalCrossentropy)
from nncore.metrics import CategoricalAccuracy, RegressionAccuracy, accuracy, confusion_matrix, r_squared
from nncore.normalization import BatchNorm
from nncore.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from nncore.schedules import CosineWarmup, ExponentialDecay, InverseTimeDecay, StepDecay
from test_losses import LABELS, PROBS
from test_model import spiral_model

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


class Widget:
    """Not a layer: something register must refuse to file under an unknown kind."""


def book_model():
    return book.Model(Dense(2, 3), Softmax(), loss=CategoricalCrossentropy(), optimizer=Adam(),
                      accuracy=nc.CategoricalAccuracy())


def unfinalized():
    model = nc.Model()
    model.add(Dense(2, 3))
    return model


def compiled(functional_model, loss_fn):
    functional_model.compile(loss_fn)
    return functional_model


def pair(last_activation, hidden_activation="relu"):
    x = inputs = F.Dense(input_size=2, output_size=4, activation=hidden_activation, name="hidden")
    return F.Model(inputs, F.Dense(output_size=3, activation=last_activation, name="out")(x))


WRITTEN = [
    # activations
    (lambda: activations.get("relu6"), ValueError, "unknown activation 'relu6'; expected one of: 'relu'"),
    (lambda: Softmax().forward(np.array([1., 2., 3.])), ValueError, "Softmax inputs must be a 2-D array"),
    (lambda: ReLU().forward(np.array([[np.nan]])), ValueError, "ReLU inputs must be finite"),
    (lambda: Sigmoid().forward(np.array([[np.inf]])), ValueError, "Sigmoid inputs must be finite"),
    (lambda: LeakyReLU(alpha=-0.1), ValueError, "alpha must be in [0.0, 1.0)"),
    (lambda: Swish(beta=0), ValueError, "beta must be in (0.0, inf)"),
    (lambda: Tanh().forward("abc"), TypeError, "Tanh inputs must hold numbers"),
    # layers
    (lambda: Dense(0, 3), ValueError, "n_inputs must be a positive integer, got 0"),
    (lambda: Dense(2.5, 3), TypeError, "n_inputs must be a positive integer"),
    (lambda: Dense(2, -1), ValueError, "n_neurons"),
    (lambda: Dense(2, 3, weight_regularizer_l2=-1), ValueError, "weight_regularizer_l2 must be in [0.0, inf)"),
    (lambda: Dense(2, 3, weight_scale=0), ValueError, "weight_scale"),
    (lambda: Dense(2, 3).forward(np.ones(2)), ValueError, "must be a 2-D array (n_samples, n_features), got shape (2,)"),
    (lambda: Dense(2, 3).forward(np.ones((4, 3))), ValueError, "must have 2 columns, got shape (4, 3)"),
    (lambda: Dense(2, 3).forward(np.array([[1., np.nan]])), ValueError, "must be finite, got 1 NaN"),
    (lambda: Dense(2, 3).forward([["a", "b"]]), TypeError, "must hold numbers"),
    (lambda: Dense(2, 3).set_parameters(np.ones((3, 2)), np.zeros((1, 3))), ValueError,
     "weights must have shape (2, 3), got (3, 2)"),
    (lambda: Dense(2, 3).set_parameters(np.ones((2, 3)), np.zeros(3)), ValueError,
     "biases must have shape (1, 3), got (3,)"),
    (lambda: Dropout(1.0), ValueError, "rate must be in [0.0, 1.0), got 1.0"),
    (lambda: Dropout(-0.1), ValueError, "rate"),
    (lambda: Dropout("0.5"), TypeError, "rate must be a real number"),
    # losses
    (lambda: CategoricalCrossentropy().forward(PROBS, np.array([LABELS])), ValueError,
     "y_true as one-hot targets must have shape (3, 3), got (1, 3) (did you wrap the labels in an extra list"),
    (lambda: CategoricalCrossentropy().forward(PROBS, np.array([0, 1])), ValueError,
     "y_true must have one label per sample (3,), got shape (2,)"),
    (lambda: CategoricalCrossentropy().forward(PROBS, np.array([0, 1, 3])), ValueError,
     "class indices in [0, 3), got values from 0 to 3"),
    (lambda: CategoricalCrossentropy().forward(PROBS, np.array([0, 1, -1])), ValueError, "class indices in [0, 3)"),
    (lambda: CategoricalCrossentropy().forward(PROBS, np.array([0., 1.5, 1.])), ValueError, "whole class indices"),
    (lambda: CategoricalCrossentropy().forward(PROBS[0], 0), ValueError, "predictions must be a 2-D array"),
    (lambda: CategoricalCrossentropy().forward(np.array([[np.nan, 1.]]), [0]), ValueError, "must be finite"),
    (lambda: CategoricalCrossentropy().forward(PROBS, np.zeros((3, 3, 1))), ValueError, "1-D class indices (3,)"),
    (lambda: BinaryCrossentropy().forward(np.ones((4, 1)) / 2, np.ones(4)), ValueError,
     "y_true must have the predictions' shape (4, 1), got (4,) (use y.reshape(-1, 1) for one output)"),
    (lambda: MeanSquaredError().forward(np.ones((4, 1)), np.ones((1, 4))), ValueError, "predictions' shape (4, 1)"),
    (lambda: MeanAbsoluteError().backward(np.ones((4, 1)), np.ones((4, 2))), ValueError, "got (4, 2)"),
    (lambda: SoftmaxCategoricalCrossentropy().backward(PROBS, np.array([0, 1, 5])), ValueError, "[0, 3)"),
    (lambda: losses.get("cross_entropy"), ValueError, "unknown loss 'cross_entropy'; expected one of"),
    # metrics
    (lambda: r_squared(np.ones((3, 1)), np.ones((3, 1))), ValueError, "y_true must not be constant"),
    (lambda: r_squared(np.ones(3), np.ones((3, 1))), ValueError, "y_true must have the predictions' shape (3, 1)"),
    (lambda: r_squared(np.ones((1, 1)), np.ones((1, 1))), ValueError, "at least 2 targets"),
    (lambda: CategoricalAccuracy(binary=True).calculate(np.ones((3, 1)), np.ones(3)), ValueError,
     "y must have the predictions' shape (3, 1), got (3,)"),
    (lambda: CategoricalAccuracy().calculate(np.ones(3), np.ones(4)), ValueError, "got (4,)"),
    (lambda: RegressionAccuracy().calculate(np.ones((2, 1)), np.ones((2, 1))), ValueError, "needs init(y)"),
    (lambda: RegressionAccuracy(precision_divisor=0), ValueError, "precision_divisor must be in (0.0, inf)"),
    (lambda: accuracy(np.ones(3), np.ones(3)), ValueError, "probabilities must be a 2-D array"),
    (lambda: confusion_matrix(np.array([0, 1]), np.array([0])), ValueError, "y_pred must have y_true's shape (2,)"),
    (lambda: confusion_matrix(np.array([0.5]), np.array([0])), ValueError, "non-negative integer class indices"),
    (lambda: confusion_matrix(np.array([0, 3]), np.array([0, 1]), n_classes=3), ValueError, "below n_classes=3"),
    # optimizers
    (lambda: SGD(learning_rate=-0.1), ValueError, "learning_rate must be in (0.0, inf), got -0.1"),
    (lambda: SGD(learning_rate=0), ValueError, "learning_rate"),
    (lambda: SGD(learning_rate=float("nan")), ValueError, "learning_rate"),
    (lambda: SGD(decay=-1e-3), ValueError, "decay must be in [0.0, inf)"),
    (lambda: SGD(momentum=1.0), ValueError, "momentum must be in [0.0, 1.0)"),
    (lambda: Adagrad(epsilon=0), ValueError, "epsilon must be in (0.0, inf)"),
    (lambda: RMSprop(rho=1.5), ValueError, "rho must be in [0.0, 1.0)"),
    (lambda: Adam(beta_1=1.0), ValueError, "beta_1 must be in [0.0, 1.0)"),
    (lambda: Adam(beta_2=-0.1), ValueError, "beta_2"),
    (lambda: Adam(learning_rate="fast"), TypeError, "learning_rate must be a real number, got 'fast'"),
    # datasets
    (lambda: datasets.scale_pixels(np.array([[0, 255]]), 16), ValueError, "X must lie in [0, 16.0], got values from 0 to 255"),
    (lambda: datasets.scale_pixels(np.array([[0]]), 0), ValueError, "max_value must be in (0.0, inf)"),
    (lambda: datasets.load_digits_split(test_size=1.5), ValueError, "test_size must be in (0.0, 1.0)"),
    (lambda: datasets.load_digits_split(test_size=0.004), ValueError,
     "test_size=0.004 leaves 8 test samples for 10 classes: each part needs a sample of every class"),
    (lambda: datasets.load_digits_split(test_size=0.996), ValueError,
     "test_size=0.996 leaves 7 training samples for 10 classes"),
    (lambda: datasets.load_digits_split(random_state=-1), ValueError, "random_state must be a whole-number seed >= 0, got -1"),
    (lambda: datasets.load_digits_split(random_state=None), TypeError, "random_state must be a whole-number seed >= 0, got None"),
    (lambda: datasets.train_val_test_split(np.zeros((4, 2)), np.zeros(3), val=0.2, test=0.2), ValueError,
     "X and y must have one row per sample, got shapes (4, 2) and (3,)"),
    (lambda: datasets.train_val_test_split(np.zeros((4, 2)), np.zeros(4), val=0.6, test=0.4), ValueError,
     "val + test must leave samples for training (below 1), got 0.6 + 0.4"),
    (lambda: datasets.train_val_test_split(np.zeros((4, 2)), np.zeros(4), val=-0.1, test=0.2), ValueError,
     "val must be in [0.0, 1.0)"),
    (lambda: datasets.train_val_test_split(np.zeros((4, 1)), np.linspace(0, 1, 4), val=0.2, test=0.2), ValueError,
     "stratify=True needs class labels of shape (N,), got shape (4,) and dtype float64; use stratify=False"),
    (lambda: datasets.train_val_test_split(np.zeros((6, 1)), np.array([0, 0, 0, 0, 1, 1]), val=0.5, test=0.4),
     ValueError, "samples is too small to keep any for training with val=0.5 and test=0.4"),
    # model
    (lambda: nc.Model().finalize(), ValueError, "the model has no layers"),
    (lambda: nc.Model().add("relu"), TypeError, "layer must have a forward method, got str"),
    (lambda: nc.Model().set(nc.MeanSquaredError()), TypeError, "positional"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(3, dtype=int)), ValueError,
     "y must have one target per sample of X (4), got 3"),
    (lambda: spiral_model().train(np.ones(4), np.zeros(4, dtype=int)), ValueError, "X must be a 2-D array"),
    (lambda: spiral_model().train(np.ones((0, 2)), np.zeros(0, dtype=int)), ValueError,
     "X must hold at least one sample, got shape (0, 2)"),
    (lambda: spiral_model().evaluate(np.ones((0, 2)), np.zeros(0, dtype=int)), ValueError, "at least one sample"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), epochs=0), ValueError, "epochs"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), batch_size=-1), ValueError, "batch_size"),
    (lambda: spiral_model().set_parameters([]), ValueError, "expected parameters for 2 trainable layers, got 0"),
    (lambda: spiral_model().set_parameters([(np.ones((2, 16)), np.ones((1, 16))), (np.ones((3, 3)), np.ones((1, 3)))]),
     ValueError, "trainable layer 1 (Dense(16 -> 3)): weights must have shape (16, 3)"),
    # functional API
    (lambda: pair("softmax").compile("mse"), ValueError,
     "a softmax last layer needs loss_fn='categorical_crossentropy', got 'mse'"),
    (lambda: pair("sigmoid").compile("categorical_crossentropy"), ValueError,
     "loss_fn='categorical_crossentropy' needs a softmax last layer, got F.Dense(4 -> 3, activation='sigmoid'"),
    (lambda: pair("softmax", "softmax").compile("categorical_crossentropy"), ValueError,
     "softmax may only be the last layer's activation, found it in F.Dense(2 -> 4, activation='softmax', name='hidden')"),
    (lambda: pair("linear").compile("hinge"), ValueError, "unknown loss_fn 'hinge'; expected one of: 'categorical_crossentropy', 'binary_crossentropy', 'mse'"),
    (lambda: F.Dense(output_size=3, activation="gelu"), ValueError, "unknown activation 'gelu'"),
    (lambda: F.Dense(input_size=2), ValueError, "output_size is required"),
    (lambda: F.Dense(input_size=3, output_size=2)(F.Dense(input_size=2, output_size=4)), ValueError,
     "expects input_size 3, but F.Dense(2 -> 4, activation='linear') gives 4"),
    (lambda: F.Model(F.Dense(input_size=2, output_size=2), F.Dense(input_size=2, output_size=1)), ValueError,
     "is not connected back to inputs"),
    (lambda: pair("linear").fit(np.ones((2, 2)), np.ones((2, 3)), 1, 0.1), ValueError, "call compile"),
    (lambda: F.Dense(output_size=2)(np.ones(2)), TypeError, "called on the previous functional Dense, got ndarray"),
    # wrong kinds of objects and values (issue 16)
    (lambda: nc.Model().set(loss="mse"), TypeError,
     "loss must be an object with forward, backward, calculate, such as CategoricalCrossentropy(); got the string"),
    (lambda: nc.Model().set(optimizer="adam"), TypeError, "optimizer must be an object with step, such as Adam()"),
    (lambda: nc.Model().set(accuracy=0.5), TypeError, "accuracy must be an object with calculate, init"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), validation_data=np.ones((3, 2))),
     ValueError, "validation_data must be a pair (X_val, y_val), got an array of shape (3, 2)"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), validation_data=(np.ones((3, 2)),)),
     ValueError, "validation_data must be a pair (X_val, y_val), got a tuple of 1"),
    (lambda: unfinalized().save_parameters("never.npz"), ValueError,
     "call finalize() before save_parameters()"),
    (lambda: pair("softmax").fit(np.ones((0, 2)), np.zeros(0, dtype=int), 1, 0.1), ValueError, "call compile"),
    (lambda: compiled(pair("linear"), "mse").fit(np.ones((0, 2)), np.ones((0, 3)), 1, 0.1), ValueError,
     "x_train must hold at least one sample, got shape (0, 2)"),
    (lambda: Dense(2, 3).forward(np.ones((1, 2)) * 1j), TypeError, "Dense inputs must hold real numbers, got dtype complex128"),
    (lambda: Softmax().forward(np.ones((1, 2), dtype=complex)), TypeError, "must hold real numbers"),
    (lambda: MeanSquaredError().forward(np.ones((2, 1)) * 1j, np.ones((2, 1))), TypeError, "must hold real numbers"),
    (lambda: CategoricalCrossentropy().forward(np.array([[2.0, -1.0]]), [0]), ValueError,
     "CategoricalCrossentropy predictions must be probabilities (apply Softmax first: the loss takes probabilities, "
     "not logits), got a negative value in row 0"),
    (lambda: CategoricalCrossentropy().forward(np.array([[0.5, 0.2], [2.0, 1.0]]), [0, 1]), ValueError,
     "got row 0 summing to 0.7"),
    (lambda: CategoricalCrossentropy().forward(PROBS, np.zeros((3, 3))), ValueError,
     "y_true as one-hot targets must hold one 1 per row and 0 elsewhere, got row 0 = [0. 0. 0.]"),
    (lambda: CategoricalCrossentropy().forward(PROBS, -np.eye(3)), ValueError, "got row 0 = [-1. -0. -0.]"),
    (lambda: SoftmaxCategoricalCrossentropy().backward(PROBS, np.full((3, 3), 1 / 3)), ValueError,
     "(soft targets are not supported: the loss is -log of the true class's probability)"),
    (lambda: BinaryCrossentropy().forward(np.array([[1.5], [0.5]]), np.ones((2, 1))), ValueError,
     "BinaryCrossentropy predictions must lie in [0, 1] (apply Sigmoid first"),
    (lambda: BinaryCrossentropy().forward(np.array([[0.5], [0.5]]), np.array([[2.0], [1.0]])), ValueError,
     "y_true must lie in [0, 1] (binary targets are 0 or 1), got values from 1 to 2"),
    (lambda: gradcheck.numerical_gradient(np.sum, np.array([2, 4, 6])), TypeError,
     "x must be a floating-point array, nudged in place by eps, got an array of int64"),
    (lambda: gradcheck.numerical_gradient(np.sum, [2.0, 4.0]), TypeError, "got list"),
    (lambda: gradcheck.check_layer(5, np.ones((2, 2))), TypeError, "layer must have forward and backward methods, got int"),
    (lambda: gradcheck.check_loss("mse", np.ones((2, 1)), np.ones((2, 1))), TypeError,
     "loss must have forward and backward methods, got str"),
    (lambda: nc.Adam().set_state(Dense(2, 3), {"weights": {"momentum": np.zeros((2, 3)),
                                                           "cache": np.full((2, 3), np.nan)}}),
     ValueError, "the cache of 'weights' must be finite"),
    (lambda: nc.Model().add(Dense), TypeError, "layer must be a layer object, got the class Dense: call it"),
    (lambda: MeanSquaredError().backward(np.ones(3), np.ones(3)), ValueError,
     "MeanSquaredError.backward's predictions must be a 2-D array"),
    (lambda: CategoricalCrossentropy().backward(np.ones(3) / 3, [0]), ValueError,
     "CategoricalCrossentropy.backward's predictions must be a 2-D array"),
    (lambda: SoftmaxCategoricalCrossentropy().backward(np.ones(3), [0]), ValueError,
     "SoftmaxCategoricalCrossentropy.backward's probabilities must be a 2-D array"),
    (lambda: Adam().step([5]), TypeError, "update_params takes a layer that names its parameters in params, got 5"),
    (lambda: Adam().step([Dense(2, 3)]), ValueError,
     "Dense(2 -> 3) has no gradient dweights yet: call backward before the optimizer's step"),
    (lambda: nc.Model.load(5), TypeError, "path must be a file path (str or pathlib.Path), got int"),
    # plotting
    (lambda: plotting.plot_history({"loss": [1.]}, keys=("acc",)), ValueError, "history has no 'acc'"),
    (lambda: plotting.plot_history([1, 2]), TypeError, "history must be the dict that Model.train returns, got list"),
    (lambda: plotting.plot_confusion_matrix(np.ones((2, 3))), ValueError, "cm must be square"),
    (lambda: plotting.plot_decision_boundary(lambda p: p, np.ones((3, 3)), [0, 1, 2]), ValueError,
     "X must have 2 columns"),
    (lambda: plotting.plot_decision_boundary(lambda p: "x", np.ones((3, 2)), [0, 1, 0]), ValueError,
     "the model must map the 40000 grid points to 40000 scores or labels, got ndarray of shape ()"),
    (lambda: plotting.plot_decision_boundary(np.argmax, np.ones((3, 2)), [0, 1]), ValueError,
     "y must have one value per row of X (3), got 2"),
    (lambda: plotting.plot_lr_schedule(1.0, 0.1, 10), TypeError, "decays must be a list of decay values"),
    (lambda: plotting.plot_lr_schedule(-1.0, [0.1], 10), ValueError, "learning_rate must be in (0.0, inf)"),
    (lambda: plotting.plot_images(np.ones((3, 63)), image_shape=(8, 8)), ValueError,
     "X must hold one image of (8, 8) per row, got shape (3, 63)"),
    (lambda: plotting.plot_images(np.ones((3, 64)), [1], image_shape=(8, 8)), ValueError,
     "y must have a value for each of the first 3 images, got 1"),
    (lambda: plotting.plot_activation_shapes([ReLU()]), TypeError, "activations must map titles to activation"),
    (lambda: plotting.plot_regression_fit(np.ones((3, 1)), np.ones(4), np.ones(3)), ValueError,
     "y must have one value per row of X (3), got 4"),
    (lambda: gradcheck.relative_error(np.ones(2), np.ones(3)), ValueError, "relative_error needs equal shapes"),
    (lambda: book_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), epochs=0), ValueError,
     "epochs must be a positive integer, got 0"),
    (lambda: book_model().train(np.ones((4, 3)), np.zeros(4, dtype=int)), ValueError,
     "Dense inputs must have 2 columns, got shape (4, 3)"),
    (lambda: book_model().evaluate(np.ones((0, 2)), np.zeros(0, dtype=int)), ValueError, "at least one sample"),
    # initialisation, batch normalisation, schedules, clipping, AdamW, early stopping (issue 20)
    (lambda: Dense(2, 3, init="xavier"), ValueError, "unknown init 'xavier'; expected one of: 'book', 'glorot', 'he'"),
    (lambda: Dense(2, 3, init="he", weight_scale=0.1), ValueError,
     "weight_scale sets the scale of init='book' only; init='he' sets its own"),
    (lambda: Dense(2, 3, init=None), ValueError, "unknown init None"),
    (lambda: BatchNorm(0), ValueError, "n_features must be a positive integer, got 0"),
    (lambda: BatchNorm(4, momentum=1.0), ValueError, "momentum must be in [0.0, 1.0), got 1.0"),
    (lambda: BatchNorm(4, epsilon=0), ValueError, "epsilon must be in (0.0, inf), got 0.0"),
    (lambda: BatchNorm(4).forward(np.ones((1, 4)), training=True), ValueError,
     "in training needs at least 2 samples per batch"),
    (lambda: BatchNorm(4).forward(np.ones(4)), ValueError, "BatchNorm inputs must be a 2-D array"),
    (lambda: BatchNorm(4).forward(np.ones((3, 5))), ValueError, "BatchNorm inputs must have 4 columns, got shape (3, 5)"),
    (lambda: set_buffers(BatchNorm(4), [np.zeros((1, 4))]), ValueError,
     "BatchNorm(4, momentum=0.9) takes 2 arrays ('running_mean', 'running_var'), got 1"),
    (lambda: StepDecay(0), ValueError, "step_size must be a positive integer, got 0"),
    (lambda: StepDecay(5, gamma=0), ValueError, "gamma must be in (0.0, 1.0], got 0.0"),
    (lambda: ExponentialDecay(1.5), ValueError, "gamma must be in (0.0, 1.0], got 1.5"),
    (lambda: InverseTimeDecay(0), ValueError, "decay must be in (0.0, inf), got 0.0"),
    (lambda: CosineWarmup(0), ValueError, "total_steps must be a positive integer, got 0"),
    (lambda: CosineWarmup(10, warmup_steps=10), ValueError, "warmup_steps must be below total_steps (10), got 10"),
    (lambda: CosineWarmup(10, warmup_steps=-1), ValueError, "warmup_steps must be a whole number of steps >= 0, got -1"),
    (lambda: CosineWarmup(10, warmup_steps=2.5), TypeError, "warmup_steps must be a whole number of steps >= 0, got 2.5"),
    (lambda: CosineWarmup(10, min_factor=2), ValueError, "min_factor must be in [0.0, 1.0], got 2.0"),
    (lambda: SGD(schedule="cosine"), TypeError,
     "schedule must be a Schedule such as CosineWarmup(1000, warmup_steps=100), got the string 'cosine'"),
    (lambda: SGD(schedule=lambda t: 0.5), TypeError, "schedule must be a Schedule such as"),
    (lambda: Adam(decay=1e-3, schedule=StepDecay(10)), ValueError, "give decay or schedule, not both"),
    (lambda: schedules.build({"class": "Cyclic", "config": {}}), ValueError,
     "unknown schedule class 'Cyclic'; registered: InverseTimeDecay, StepDecay, ExponentialDecay, CosineWarmup"),
    (lambda: SGD(clip_norm=0), ValueError, "clip_norm must be in (0.0, inf), got 0.0"),
    (lambda: Adam(clip_norm="1"), TypeError, "clip_norm must be a real number, got '1'"),
    (lambda: SGD().clip_gradients([Dense(2, 3)]), ValueError, "clip_gradients needs the optimizer's clip_norm"),
    (lambda: SGD(clip_norm=1.0).update_params(Dense(2, 3)), ValueError,
     "clip_norm=1.0 clips the gradients of all layers of a step together"),
    (lambda: AdamW(weight_decay=-0.1), ValueError, "weight_decay must be in [0.0, inf), got -0.1"),
    (lambda: AdamW(weight_decay_on=("weights", 3)), TypeError, "weight_decay_on must be a tuple of parameter names"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), patience=3), ValueError,
     "patience=3 counts evaluations of the validation loss: pass validation_data=(X_val, y_val) too"),
    (lambda: spiral_model().train(np.ones((4, 2)), np.zeros(4, dtype=int), patience=1.5,
                                  validation_data=(np.ones((4, 2)), np.zeros(4, dtype=int))), TypeError,
     "patience must be a positive integer, got 1.5"),
    (lambda: F.Layer("relu"), TypeError, "layer must have forward and backward methods, got str"),
    (lambda: F.Layer(BatchNorm), TypeError, "layer must be a layer object, got the class BatchNorm: call it"),
    (lambda: F.Layer(BatchNorm(2), input_shape=[2]), TypeError,
     "input_shape must be one sample's shape as a tuple, such as (2,) or (1, 8, 8), got [2]"),
    (lambda: F.Layer(BatchNorm(2), input_shape=(0,)), ValueError, "input_shape entries must be a positive integer"),
    (lambda: F.Layer(BatchNorm(2), input_shape=(3,)), ValueError,
     "BatchNorm(2, momentum=0.9) takes samples of shape (2,), got (3,)"),
    (lambda: F.Layer(BatchNorm(2))(np.ones(2)), TypeError, "called on the previous functional Dense, got ndarray"),
    (lambda: F.Dense(output_size=2, init="lecun"), ValueError, "unknown init 'lecun'"),
    # registry and optimizer state
    (lambda: nc.register(Widget, kind="widget"), ValueError, "unknown kind 'widget'; expected one of: 'layer'"),
    (lambda: nc.register(Widget()), TypeError, "register takes a class, got Widget"),
    (lambda: nc.registry.lookup("layer", "Conv9D"), ValueError, "unknown layer class 'Conv9D'; registered: "),
    (lambda: nc.Adam().set_state(nc.Dense(2, 3), {"kernel": {}}), ValueError, "has no parameter 'kernel'"),
    (lambda: nc.Adam().set_state(nc.Dense(2, 3), {"weights": {"momentum": np.zeros((2, 3)), "cache": np.zeros((1, 1))}}),
     ValueError, "the cache of 'weights' must have shape (2, 3), got (1, 1)"),
]

LAYER_FACTORIES = {"Dense": lambda: Dense(2, 3), "Dropout": lambda: Dropout(0.5), "BatchNorm": lambda: BatchNorm(2),
                   "Layer_Dropout": lambda: book.Layer_Dropout(0.5)}
IMAGE_LAYERS = {"Conv2D": lambda: Conv2D(2, 3, 1), "MaxPool2D": lambda: MaxPool2D(1)}
"""Layers of (N, C, H, W) images, forwarded a batch (4, 2, 1, 1) instead of (4, 2)."""
LAYER_FACTORIES.update(IMAGE_LAYERS)


def nncore_classes(kind):
    return {name: cls for name, cls in registry.CLASSES[kind].items() if cls.__module__.startswith("nncore.")}


def forwarded(make, name=None):
    layer = make()
    layer.forward(np.ones((4, 2, 1, 1) if name in IMAGE_LAYERS else (4, 2)), training=True)
    return layer


def layer_cases(name, make):
    output_shape = forwarded(make, name).output.shape
    return [
        (lambda: make().forward(np.array([[1., np.nan]])), ValueError, f"{name} inputs must be finite, got 1 NaN"),
        (lambda: make().forward([["a", "b"]]), TypeError, f"{name} inputs must hold numbers, got dtype <U1"),
        (lambda: make().backward(np.ones((4, 2))), ValueError, f"{name}.backward needs a forward pass first"),
        (lambda: forwarded(make, name).backward(np.ones((4, 5))), ValueError,
         f"{name} dvalues must have the shape of the layer's last output {output_shape}, got (4, 5)"),
        (lambda: forwarded(make, name).backward(np.full(output_shape, np.inf)), ValueError,
         f"{name} dvalues must be finite"),
    ]


def loss_cases(name, cls):
    return [
        (lambda: cls().forward(np.ones(3) / 2, np.ones(3)), ValueError, f"{name} predictions must be a 2-D array"),
        (lambda: cls().forward(np.array([[np.nan, 0.5]]), np.array([[1, 0]])), ValueError,
         f"{name} predictions must be finite"),
        (lambda: cls().forward([["a", "b"]], np.array([[1, 0]])), TypeError, f"{name} predictions must hold numbers"),
    ]


SWEPT = ([case for name, cls in nncore_classes("layer").items()
          for case in layer_cases(name, LAYER_FACTORIES.get(name, cls))]
         + [case for name, cls in nncore_classes("loss").items() for case in loss_cases(name, cls)])


@pytest.mark.parametrize("call, error, words", WRITTEN + SWEPT, ids=[words for _, _, words in WRITTEN + SWEPT])
def test_bad_input_is_refused_clearly(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
