"""Checks for the exercises of 05_backprop."""
import numpy as np

from nncore import CategoricalCrossentropy, Softmax, gradcheck

from . import correct, expect, expect_close, expect_shape


def check_centred_derivative(centred_derivative):
    cases = [(lambda x: 2 * x ** 2, 3.0, 12.0), (np.sin, 0.5, np.cos(0.5)), (np.exp, 1.0, np.e),
             (lambda x: x ** 3 - x, -2.0, 11.0)]
    for index, (f, x, expected) in enumerate(cases, 1):
        got = centred_derivative(f, x)
        expect(abs(got - expected) < 1e-6 * max(1, abs(expected)),
               f"case {index}: expected {expected:.6f}, got {got:.6f} (use (f(x+h) - f(x-h)) / (2h))")
    correct("the centred difference matches the analytic derivatives")


def check_activation_backwards(tanh_class, leaky_class, swish_class):
    z = np.random.default_rng(5).standard_normal((6, 4))
    z[np.abs(z) < 1e-2] = 0.5
    for name, layer in (("tanh", tanh_class()), ("leaky ReLU", leaky_class(0.1)), ("swish", swish_class(1.5))):
        try:
            errors = gradcheck.check_layer(layer, z, tol=None)
        except AttributeError as error:
            raise AssertionError(f"{name}: {error}; forward must store what backward needs") from None
        expect(errors["dinputs"] < 1e-6,
               f"{name}: relative error {errors['dinputs']:.1e} against the numerical gradient (expected < 1e-6); "
               "check the local derivative")
    correct("all three backward passes pass the gradient check")


def check_dense_backward(dense_backward):
    rng = np.random.default_rng(6)
    inputs, weights, dvalues = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    dweights, dbiases, dinputs = dense_backward(inputs, weights, dvalues)
    expect_shape("dweights", dweights, weights.shape)
    expect_shape("dbiases", dbiases, (1, 4))
    expect_shape("dinputs", dinputs, inputs.shape)
    objective = lambda _: np.sum((np.matmul(inputs, weights) + biases) * dvalues)
    biases = np.zeros((1, 4))
    expect_close("dweights", dweights, gradcheck.numerical_gradient(objective, weights), rtol=1e-6)
    expect_close("dbiases", dbiases, gradcheck.numerical_gradient(objective, biases), rtol=1e-6)
    expect_close("dinputs", dinputs, gradcheck.numerical_gradient(objective, inputs), rtol=1e-6)
    correct("dense_backward matches numerical gradients, with the right shapes")


def check_combined_gradient(combined_gradient):
    rng = np.random.default_rng(7)
    logits, y = rng.standard_normal((8, 3)), rng.integers(0, 3, 8)
    softmax, loss = Softmax(), CategoricalCrossentropy()
    probs = softmax.forward(logits)
    long_path = softmax.backward(loss.backward(probs, y))
    got = combined_gradient(probs.copy(), y)
    expect_shape("combined_gradient", got, probs.shape)
    expect(not np.allclose(got * len(y), long_path * len(y)) or np.allclose(got, long_path),
           "the gradient is N times too large: divide by the number of samples")
    expect_close("combined_gradient", got, long_path, atol=1e-9)
    correct("(y_hat - y) / N equals the long path through the softmax Jacobian")
