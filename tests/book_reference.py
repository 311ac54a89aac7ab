"""The reference in the book's style: the spiral, sine and MLP models as plain NumPy code, and ``nnfs.init()``
for the duration of a block.

The parity tests hold nncore to these numbers, and ``make bench`` times nncore against them. Classes store
their inputs and outputs, call ``np.dot`` by attribute (so ``nnfs.init()``'s wrapper applies), and have no
input checks, no history and no accumulation: the least a training loop does.
"""
import contextlib

import nnfs
import numpy as np


@contextlib.contextmanager
def nnfs_initialised():
    """Inside the block NumPy is as ``nnfs.init()`` leaves it (seed 0, float32 defaults, float64 dot); after it,
    NumPy's functions and random state are as they were."""
    saved = {(np, "dot"): np.dot, (np, "zeros"): np.zeros, (np, "eye"): np.eye,
             (np.random, "randn"): np.random.randn}
    state = np.random.get_state()
    nnfs.init()
    try:
        yield
    finally:
        for (module, name), function in saved.items():
            setattr(module, name, function)
        np.random.set_state(state)


class DenseLayer:
    def __init__(self, weights):
        self.weights = weights
        self.biases = np.zeros((1, weights.shape[1]), dtype=weights.dtype)

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


class ReLUActivation:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class SoftmaxWithCrossEntropy:
    def forward(self, inputs, y_true):
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)
        clipped = np.clip(self.output, 1e-7, 1 - 1e-7)
        return np.mean(-np.log(clipped[range(len(clipped)), y_true]))

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class AdamOptimizer:
    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.learning_rate = self.current_learning_rate = learning_rate
        self.decay, self.epsilon, self.beta_1, self.beta_2 = decay, epsilon, beta_1, beta_2
        self.iterations = 0

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * (1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        step = self.iterations + 1
        layer.weight_momentums = self.beta_1 * layer.weight_momentums + (1 - self.beta_1) * layer.dweights
        layer.bias_momentums = self.beta_1 * layer.bias_momentums + (1 - self.beta_1) * layer.dbiases
        weight_momentums_corrected = layer.weight_momentums / (1 - self.beta_1 ** step)
        bias_momentums_corrected = layer.bias_momentums / (1 - self.beta_1 ** step)
        layer.weight_cache = self.beta_2 * layer.weight_cache + (1 - self.beta_2) * layer.dweights ** 2
        layer.bias_cache = self.beta_2 * layer.bias_cache + (1 - self.beta_2) * layer.dbiases ** 2
        weight_cache_corrected = layer.weight_cache / (1 - self.beta_2 ** step)
        bias_cache_corrected = layer.bias_cache / (1 - self.beta_2 ** step)
        layer.weights += (-self.current_learning_rate * weight_momentums_corrected
                          / (np.sqrt(weight_cache_corrected) + self.epsilon))
        layer.biases += (-self.current_learning_rate * bias_momentums_corrected
                         / (np.sqrt(bias_cache_corrected) + self.epsilon))

    def post_update_params(self):
        self.iterations += 1


def train_step(layers, loss, optimizer, X, y):
    """One forward/backward/update pass over ``X``; returns the loss and accuracy."""
    output = X
    for layer in layers:
        layer.forward(output)
        output = layer.output
    value = loss.forward(output, y)
    accuracy = np.mean(np.argmax(loss.output, axis=1) == y)
    loss.backward(loss.output, y)
    dvalues = loss.dinputs
    for layer in reversed(layers):
        layer.backward(dvalues)
        dvalues = layer.dinputs
    optimizer.pre_update_params()
    for layer in layers:
        if isinstance(layer, DenseLayer):
            optimizer.update_params(layer)
    optimizer.post_update_params()
    return value, accuracy
