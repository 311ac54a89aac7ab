"""02_dense's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from wrong_answers import cases, refusal


def dense(initialise, forward=lambda self, inputs: setattr(self, "output", np.dot(inputs, self.weights) + self.biases)):
    """A Layer_Dense whose __init__ and forward are the given functions."""
    return type("Layer_Dense", (), {"__init__": initialise, "forward": forward})


def book_init(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
    self.biases = np.zeros((1, n_neurons))


def one_row_per_neuron(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.randn(n_neurons, n_inputs)
    self.biases = np.zeros((1, n_neurons))


def unscaled(self, n_inputs, n_neurons):
    self.weights = np.random.randn(n_inputs, n_neurons)
    self.biases = np.zeros((1, n_neurons))


def uniform(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.rand(n_inputs, n_neurons)
    self.biases = np.zeros((1, n_neurons))


def flat_biases(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
    self.biases = np.zeros(n_neurons)


def drawn_transposed(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.randn(n_neurons, n_inputs).T
    self.biases = np.zeros((1, n_neurons))


def without_biases(self, inputs):
    self.output = np.dot(inputs, self.weights)


def returned_only(self, inputs):
    return np.dot(inputs, self.weights) + self.biases


def transposed_product(self, inputs):
    self.output = np.dot(inputs, self.weights.T) + self.biases


def spread_of_one_input(inputs, n_neurons, scale):
    return scale * np.sqrt(np.mean(inputs ** 2))


def variance(inputs, n_neurons, scale):
    return scale ** 2 * np.mean(np.sum(inputs ** 2, axis=1))


def measured_once(inputs, n_neurons, scale):
    return np.std(inputs @ (scale * np.random.randn(inputs.shape[1], n_neurons)))


def reversed_order():
    second = dense(book_init)(64, 3)
    first = dense(book_init)(2, 64)
    return first, second


def a_draw_in_between():
    first = dense(book_init)(2, 64)
    np.random.randn(1)
    return first, dense(book_init)(64, 3)


WRONG_ANSWERS = {
    "check_layer_dense": [
        ("weights one row per neuron, as in chapter 01", lambda: (dense(one_row_per_neuron),), "one column per neuron"),
        ("draws not scaled by 0.01", lambda: (dense(unscaled),), "multiply them by 0.01"),
        ("uniform draws", lambda: (dense(uniform),), "np.random.rand"),
        ("biases of shape (n_neurons,)", lambda: (dense(flat_biases),), "one row, so that it adds to every sample"),
        ("weights drawn transposed", lambda: (dense(drawn_transposed),), "drawn as"),
        ("forward without the biases", lambda: (dense(book_init, without_biases),), "ignore the biases"),
        ("forward returns instead of storing", lambda: (dense(book_init, returned_only),), "self.output"),
        ("forward multiplies by the transpose", lambda: (dense(book_init, transposed_product),),
         "the check called forward"),
    ],
    "check_output_spread": [
        ("the spread of one input", lambda: (spread_of_one_input,), "sum the squares over the inputs"),
        ("the variance", lambda: (variance,), "square root"),
        ("a measurement, not a prediction", lambda: (measured_once,), "expected"),
        ("a constant", lambda: (lambda inputs, n_neurons, scale: 0.0541,), "expected"),
    ],
    "check_n_params": [
        ("no biases", lambda: (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])),), "forget the biases"),
        ("a bias per input", lambda: (lambda sizes: sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:])),),
         "one bias per neuron"),
        ("the last layer left out", lambda: (lambda sizes: sum(a * b + b for a, b in zip(sizes[:-2], sizes[1:-1])),),
         "last layer is missing"),
        ("the example's answer", lambda: (lambda sizes: 387,), "expected"),
    ],
    "check_make_layers": [
        ("created in the wrong order", lambda: (reversed_order,), "wrong order"),
        ("a draw in between", lambda: (a_draw_in_between,), "draw nothing else in between"),
        ("three layers", lambda: (lambda: (dense(book_init)(2, 64), dense(book_init)(64, 3), dense(book_init)(3, 3)),),
         "should return 2 layers"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch02", check_name, answer())
