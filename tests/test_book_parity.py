"""nncore trains exactly like a plain loop in the book's style (tests/book_reference.py), number for number."""
import numpy as np

import book_reference as book
import nncore as nc
from nncore.datasets import sine_data, spiral_data

EPOCHS = 100


def trained_nncore_model(X, y, layers, loss, optimizer, accuracy):
    model = nc.Model()
    for layer in layers:
        model.add(layer)
    model.set(loss=loss, optimizer=optimizer, accuracy=accuracy)
    model.finalize()
    model.train(X, y, epochs=EPOCHS, verbose=False)
    return model


def assert_same_parameters(model, reference_layers):
    dense = [layer for layer in reference_layers if isinstance(layer, book.DenseLayer)]
    for ours, theirs in zip(model.trainable_layers, dense, strict=True):
        np.testing.assert_array_equal(ours.weights, theirs.weights)
        np.testing.assert_array_equal(ours.biases, theirs.biases)


def test_spiral_classifier_matches_the_book_style_loop(nnfs_init):
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    reference = [book.DenseLayer(0.01 * np.random.randn(2, 64)), book.ReLUActivation(),
                 book.DenseLayer(0.01 * np.random.randn(64, 3))]
    optimizer, loss = book.AdamOptimizer(learning_rate=0.05, decay=5e-7), book.SoftmaxWithCrossEntropy()
    for _ in range(EPOCHS):
        book.train_step(reference, loss, optimizer, X, y)
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    model = trained_nncore_model(X, y, [nc.Dense(2, 64), nc.ReLU(), nc.Dense(64, 3), nc.Softmax()],
                                 nc.CategoricalCrossentropy(), nc.Adam(learning_rate=0.05, decay=5e-7),
                                 nc.CategoricalAccuracy())
    assert_same_parameters(model, reference)


def test_sine_regression_matches_the_book_style_loop(nnfs_init):
    np.random.seed(0)
    X, y = sine_data()
    reference = [book.DenseLayer(0.1 * np.random.randn(1, 64)), book.ReLUActivation(),
                 book.DenseLayer(0.1 * np.random.randn(64, 64)), book.ReLUActivation(),
                 book.DenseLayer(0.1 * np.random.randn(64, 1))]
    optimizer = book.AdamOptimizer(learning_rate=0.005, decay=1e-3)
    for _ in range(EPOCHS):
        output = X
        for layer in reference:
            layer.forward(output)
            output = layer.output
        dvalues = -2 * (y - output) / output.shape[1] / len(output)  # mean squared error, linear output
        for layer in reversed(reference):
            layer.backward(dvalues)
            dvalues = layer.dinputs
        optimizer.pre_update_params()
        for layer in reference[::2]:
            optimizer.update_params(layer)
        optimizer.post_update_params()
    np.random.seed(0)
    X, y = sine_data()
    layers = [nc.Dense(1, 64, weight_scale=0.1), nc.ReLU(), nc.Dense(64, 64, weight_scale=0.1), nc.ReLU(),
              nc.Dense(64, 1, weight_scale=0.1), nc.Linear()]
    model = trained_nncore_model(X, y, layers, nc.MeanSquaredError(), nc.Adam(learning_rate=0.005, decay=1e-3),
                                 nc.RegressionAccuracy())
    assert_same_parameters(model, reference)
