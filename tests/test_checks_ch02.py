"""02_dense's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from nncore import Dense
from wrong_answers import accepted, cases, refusal


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


def biases_drawn_as_zeros(self, n_inputs, n_neurons):
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
    self.biases = 0 * np.random.randn(1, n_neurons)


def biases_drawn_first(self, n_inputs, n_neurons):
    self.biases = 0 * np.random.randn(1, n_neurons)
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)


def biases_first(self, n_inputs, n_neurons):
    self.biases = np.zeros((1, n_neurons))
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)


def normal_draws(self, n_inputs, n_neurons):
    self.weights = np.random.normal(0, 0.01, size=(n_inputs, n_neurons))
    self.biases = np.zeros((1, n_neurons))


def without_biases(self, inputs):
    self.output = np.dot(inputs, self.weights)


def returned_only(self, inputs):
    return np.dot(inputs, self.weights) + self.biases


def transposed_product(self, inputs):
    self.output = np.dot(inputs, self.weights.T) + self.biases


def forward_on_the_notebooks_batch(self, inputs):
    notebooks_X = np.ones((300, self.weights.shape[0]))
    self.output = np.dot(notebooks_X, self.weights) + self.biases


def spread_of_one_input(inputs, n_neurons, scale):
    return scale * np.sqrt(np.mean(inputs ** 2))


def variance(inputs, n_neurons, scale):
    return scale ** 2 * np.mean(np.sum(inputs ** 2, axis=1))


def measured_once(inputs, n_neurons, scale):
    return np.std(inputs @ (scale * np.random.randn(inputs.shape[1], n_neurons)))


def spread_of_unit_inputs(inputs, n_neurons, scale):
    return scale * np.sqrt(inputs.shape[1])


def spread_around_the_mean(inputs, n_neurons, scale):
    return scale * np.std(inputs) * np.sqrt(inputs.shape[1])


def mean_of_the_spreads(inputs, n_neurons, scale):
    return scale * np.mean(np.sqrt(np.sum(inputs ** 2, axis=1)))


def spread_growing_with_the_neurons(inputs, n_neurons, scale):
    return scale * np.sqrt(n_neurons * np.mean(np.sum(inputs ** 2, axis=1)))


def summed_over_the_samples(inputs, n_neurons, scale):
    return scale * np.sqrt(np.mean(np.sum(inputs ** 2, axis=0)))


Layer_Dense = dense(book_init)
"""The notebook's Layer_Dense, a global that second_layer() reads as the exercise's does."""


def skipping(draws, skip=None):
    """A second_layer() that discards ``draws`` numbers of ``skip`` (np.random.randn unless given) first."""
    def second_layer():
        if draws:
            (skip or np.random.randn)(draws)
        return dense(book_init)(64, 3)
    return second_layer


def reseeded_after_skipping():
    np.random.randn(2, 64)
    np.random.seed(0)
    return dense(book_init)(64, 3)


def both_layers():
    return Layer_Dense(2, 64), Layer_Dense(64, 3)


def first_layer_created():
    Layer_Dense(2, 64)
    return Layer_Dense(64, 3)


def nncores_first_layer_created():
    Dense(2, 64)
    return Layer_Dense(64, 3)


def reseeded_and_first_layer_created():
    np.random.seed(0)
    Layer_Dense(2, 64)
    return Layer_Dense(64, 3)


def skipped_with_another_layer():
    Layer_Dense(64, 2)
    return Layer_Dense(64, 3)


def skipped_by_shape():
    np.random.randn(2, 64)
    return Layer_Dense(64, 3)


def skipped_flat():
    np.random.randn(128)
    return Layer_Dense(64, 3)


def skipped_in_two_draws():
    np.random.randn(2, 63)
    np.random.randn(2)
    return Layer_Dense(64, 3)


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
        ("forward on the notebook's batch", lambda: (dense(book_init, forward_on_the_notebooks_batch),),
         "compute it from the argument inputs"),
        ("biases drawn, then multiplied by 0", lambda: (dense(biases_drawn_as_zeros),),
         "your __init__ takes other numbers from the generator"),
        ("biases drawn before the weights", lambda: (dense(biases_drawn_first),),
         "your __init__ takes other numbers from the generator"),
    ],
    "check_output_spread": [
        ("the spread of one input", lambda: (spread_of_one_input,), "sum the squares over the inputs"),
        ("the variance", lambda: (variance,), "square root"),
        ("a measurement, not a prediction", lambda: (measured_once,), "expected"),
        ("a constant", lambda: (lambda inputs, n_neurons, scale: 0.0541,), "expected"),
        ("every input taken as 1", lambda: (spread_of_unit_inputs,), "if every input were 1"),
        ("the inputs' spread around their mean", lambda: (spread_around_the_mean,), "not x minus its mean"),
        ("the mean of the samples' spreads", lambda: (mean_of_the_spreads,), "average their variances"),
        ("times sqrt(n_neurons)", lambda: (spread_growing_with_the_neurons,), "however many neurons"),
        ("squares summed over the samples", lambda: (summed_over_the_samples,), "over the samples (axis 0)"),
    ],
    "check_n_params": [
        ("no biases", lambda: (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])),), "forget the biases"),
        ("a bias per input", lambda: (lambda sizes: sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:])),),
         "one bias per neuron"),
        ("the last layer left out", lambda: (lambda sizes: sum(a * b + b for a, b in zip(sizes[:-2], sizes[1:-1])),),
         "last layer is missing"),
        ("the example's answer", lambda: (lambda sizes: 387,), "expected"),
        ("the first layer left out", lambda: (lambda sizes: sum(a * b + b for a, b in zip(sizes[1:-1], sizes[2:])),),
         "first layer is missing"),
        ("biases for the inputs too", lambda: (lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
                                               + sum(sizes),), "inputs have no biases"),
    ],
    "check_second_layer": [
        ("nothing skipped", lambda: (skipping(0),), "draws right after the seed"),
        ("one layer's worth of neurons skipped", lambda: (skipping(64),), "after 64 skipped draws"),
        ("both layers' draws skipped", lambda: (skipping(192),), "after 192 skipped draws"),
        ("skipped with np.random.rand", lambda: (skipping(128, np.random.rand),), "np.random.rand"),
        ("both layers returned", lambda: (both_layers,), "should return one layer"),
        ("the layer one row per neuron", lambda: (lambda: dense(one_row_per_neuron)(64, 3),), "expected shape (64, 3)"),
        ("re-seeded after skipping", lambda: (reseeded_after_skipping,), "calls np.random.seed"),
        ("the first layer created and thrown away", lambda: (first_layer_created,), "creates the first layer"),
        ("the first layer created with nncore's Dense", lambda: (nncores_first_layer_created,),
         "creates the first layer, Dense(2, 64)"),
        ("re-seeded, then both layers created", lambda: (reseeded_and_first_layer_created,), "calls np.random.seed"),
        ("skipped by creating another layer", lambda: (skipped_with_another_layer,), "creates 2 layers"),
    ],
}

RIGHT_ANSWERS = [
    ("check_layer_dense", lambda: (dense(book_init),)),
    ("check_layer_dense", lambda: (dense(biases_first),)),
    ("check_layer_dense", lambda: (dense(normal_draws),)),
    ("check_layer_dense", lambda: (Dense,)),
    ("check_output_spread", lambda: (lambda inputs, n_neurons, scale:
                                     scale * np.sqrt(np.mean(np.sum(inputs ** 2, axis=1))),)),
    ("check_n_params", lambda: (lambda sizes: sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])),)),
    ("check_second_layer", lambda: (skipped_by_shape,)),
    ("check_second_layer", lambda: (skipped_flat,)),
    ("check_second_layer", lambda: (skipped_in_two_draws,)),
]


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch02", check_name, answer())


@pytest.mark.parametrize("check_name, answer", RIGHT_ANSWERS, ids=[name for name, _ in RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_and_leaves_the_random_stream_alone(check_name, answer, capsys):
    printed, stream_kept = accepted("ch02", check_name, answer(), capsys)
    assert printed.startswith("Correct")
    assert stream_kept
