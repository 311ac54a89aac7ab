"""nncore trains exactly like a plain loop in the book's style (tools/bench_reference.py), number for number."""
import sys
from pathlib import Path

import numpy as np

import nncore as nc
from nncore.datasets import sine_data, spiral_data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import bench_reference as book  # noqa: E402


def book_loop(layers, X, y, optimizer, epochs, mse):
    """Train book-style dense/ReLU layers in place for ``epochs`` full-batch steps."""
    for _ in range(epochs):
        out = X
        for layer in layers:
            layer.forward(out)
            out = layer.output
        if mse:
            dvalues = -2 * (y - out) / out.shape[1] / len(out)
        else:
            loss = book.SoftmaxWithCrossEntropy()
            loss.forward(out, y)
            loss.backward(loss.output, y)
            dvalues = loss.dinputs
        for layer in reversed(layers):
            layer.backward(dvalues)
            dvalues = layer.dinputs
        optimizer.pre_update_params()
        for layer in layers[::2]:
            optimizer.update_params(layer)
        optimizer.post_update_params()


def test_sine_regression_matches_the_book_style_loop(nnfs_init):
    np.random.seed(0)
    X, y = sine_data()
    reference = [book.DenseLayer(0.1 * np.random.randn(1, 64)), book.ReLUActivation(),
                 book.DenseLayer(0.1 * np.random.randn(64, 64)), book.ReLUActivation(),
                 book.DenseLayer(0.1 * np.random.randn(64, 1))]
    book_loop(reference, X, y, book.AdamOptimizer(learning_rate=0.005, decay=1e-3), 100, mse=True)
    np.random.seed(0)
    X, y = sine_data()
    model = nc.Model()
    for layer in (nc.Dense(1, 64, weight_scale=0.1), nc.ReLU(), nc.Dense(64, 64, weight_scale=0.1), nc.ReLU(),
                  nc.Dense(64, 1, weight_scale=0.1), nc.Linear()):
        model.add(layer)
    model.set(loss=nc.MeanSquaredError(), optimizer=nc.Adam(learning_rate=0.005, decay=1e-3),
              accuracy=nc.RegressionAccuracy())
    model.finalize()
    model.train(X, y, epochs=100, verbose=False)
    for ours, theirs in zip(model.trainable_layers, reference[::2]):
        np.testing.assert_array_equal(ours.weights, theirs.weights)
        np.testing.assert_array_equal(ours.biases, theirs.biases)


def test_spiral_classifier_matches_the_book_style_loop(nnfs_init):
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    reference = [book.DenseLayer(0.01 * np.random.randn(2, 64)), book.ReLUActivation(),
                 book.DenseLayer(0.01 * np.random.randn(64, 3))]
    book_loop(reference, X, y, book.AdamOptimizer(learning_rate=0.05, decay=5e-7), 100, mse=False)
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    model = nc.Model()
    for layer in (nc.Dense(2, 64), nc.ReLU(), nc.Dense(64, 3), nc.Softmax()):
        model.add(layer)
    model.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(learning_rate=0.05, decay=5e-7),
              accuracy=nc.CategoricalAccuracy())
    model.finalize()
    model.train(X, y, epochs=100, verbose=False)
    for ours, theirs in zip(model.trainable_layers, reference[::2]):
        np.testing.assert_array_equal(ours.weights, theirs.weights)
        np.testing.assert_array_equal(ours.biases, theirs.biases)
