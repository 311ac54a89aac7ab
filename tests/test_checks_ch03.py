"""03_activations' checks refuse the usual wrong answers, each with a message that names the mistake."""
import math

import numpy as np
import pytest

from wrong_answers import cases, chapter_checks, refusal, strict


def activation(forward):
    """An activation class whose forward is the given function of (self, inputs)."""
    return type("Activation", (), {"forward": forward})


def storing(function):
    """An activation class whose forward stores function(inputs) in self.output."""
    return activation(lambda self, inputs: setattr(self, "output", function(inputs)))


def softmax(inputs):
    shifted = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)


def softmax_without_the_shift(inputs):
    exponentials = np.exp(inputs)
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def softmax_shifted_by_the_batch_maximum(inputs):
    exponentials = np.exp(inputs - np.max(inputs))
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def softmax_along_axis_0(inputs):
    exponentials = np.exp(inputs - np.max(inputs, axis=0, keepdims=True))
    return exponentials / np.sum(exponentials, axis=0, keepdims=True)


def softmax_without_keepdims(inputs):
    exponentials = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=1)


def softmax_shifted_in_place(self, inputs):
    inputs -= np.max(inputs, axis=1, keepdims=True)
    exponentials = np.exp(inputs)
    self.output = exponentials / np.sum(exponentials, axis=1, keepdims=True)


def softmax_with_the_maximum_without_keepdims(inputs):
    exponentials = np.exp(inputs - np.max(inputs, axis=1))
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def softmax_shifted_by_the_mean(inputs):
    exponentials = np.exp(inputs - np.mean(inputs, axis=1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def softmax_shifted_by_the_first_column(inputs):
    exponentials = np.exp(inputs - inputs[:, :1])
    return exponentials / np.sum(exponentials, axis=1, keepdims=True)


def relu_in_place(self, inputs):
    inputs[inputs < 0] = 0
    self.output = inputs


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_with_swapped_branches(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))


def sigmoid_of_the_negative_branch_only(z):
    e = np.exp(-np.abs(z))
    return e / (1 + e)


def sigmoid_of_both_branches(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def sigmoid_with_its_warning_silenced(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def tanh_from_exponentials(z):
    e = np.exp(-2 * np.abs(z))
    return np.sign(z) * (1 - e) / (1 + e)


def tanh_from_sinh_and_cosh(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def tanh_of_the_size(z):
    e = np.exp(-2 * np.abs(z))
    return (1 - e) / (1 + e)


def tanh_of_half_the_exponent(z):
    e = np.exp(-np.abs(z))
    return np.sign(z) * (1 - e) / (1 + e)


def tanh_from_the_sigmoid(z):
    return 2 * sigmoid(2 * z) - 1


def tanh_with_abs_in_place(z):
    sign = np.sign(z)
    np.abs(z, out=z)
    e = np.exp(-2 * z)
    return sign * (1 - e) / (1 + e)


def tanh_through_nncore(z):
    from nncore import Tanh
    return Tanh().forward(z.reshape(1, -1)).reshape(z.shape)


def tanh_of_the_clipped_input(z):
    z = np.clip(z, -7, 7)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


hyperbolic = np.tanh


def tanh_under_another_name(z):
    return hyperbolic(z)


def tanh_of_two_branches_silenced(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z >= 0, (1 - np.exp(-2 * z)) / (1 + np.exp(-2 * z)), (np.exp(2 * z) - 1) / (np.exp(2 * z) + 1))


def log_softmax(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def log_softmax_with_logaddexp(scores):
    return scores - np.logaddexp.reduce(scores, axis=1, keepdims=True)


def log_softmax_without_the_shift_of_z(scores):
    top = np.max(scores, axis=1, keepdims=True)
    return scores - np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))


def log_softmax_upside_down(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    return np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)) - shifted


def log_softmax_sum_without_keepdims(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1))


def log_softmax_shifted_in_place(scores):
    scores -= np.max(scores, axis=1, keepdims=True)
    return scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))


def log_of_softmax(scores):
    return np.log(softmax(scores))


def log_softmax_without_the_shift(scores):
    return scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))


def log_softmax_shifted_by_the_batch_maximum(scores):
    shifted = scores - np.max(scores)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def log_softmax_along_axis_0(scores):
    shifted = scores - np.max(scores, axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


def log_softmax_shifted_by_the_mean(scores):
    shifted = scores - np.mean(scores, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def log_softmax_shifted_by_the_mean_silenced(scores):
    with np.errstate(over="ignore"):
        return log_softmax_shifted_by_the_mean(scores)


def hat(W2=(2.0, -4.0, 2.0), knots=(0.0, 0.5, 1.0)):
    """A 1 -> 3 -> 1 hat network with the given output weights and activation points."""
    return lambda: (np.ones((1, 3)), -np.array([knots]), np.array(W2).reshape(3, 1), np.zeros((1, 1)))


def swish_slope(z, beta):
    s = sigmoid(beta * z)
    return s + beta * z * s * (1 - s)


def swish_slope_without_beta(z, beta):
    s = sigmoid(beta * z)
    return s + z * s * (1 - s)


def swish_slope_from_the_books_sigmoid(z, beta):
    s = 1 / (1 + np.exp(-beta * z))
    return s + beta * z * s * (1 - s)


def swish_slope_from_the_books_sigmoid_silenced(z, beta):
    with np.errstate(over="ignore"):
        return swish_slope_from_the_books_sigmoid(z, beta)


def swish_slope_of_sigma_z(z, beta):
    s = sigmoid(z)
    return s + beta * z * s * (1 - s)


def swish_slope_factored(z, beta):
    s = sigmoid(beta * z)
    return s * (1 + beta * z * (1 - s))


def leaky_relu_slope(z, alpha):
    return np.where(z > 0, 1.0, alpha)


def leaky_relu_slope_in_place(z, alpha):
    z[z > 0] = 1.0
    z[z <= 0] = alpha
    return z


WRONG_ANSWERS = {
    "check_softmax": [
        ("no max shift", lambda: (storing(softmax_without_the_shift),), "Subtract each row's maximum"),
        ("one shift for the whole batch", lambda: (storing(softmax_shifted_by_the_batch_maximum),),
         "one maximum for the whole batch"),
        ("normalised along axis 0", lambda: (storing(softmax_along_axis_0),), "you normalised along axis=0"),
        ("row sums without keepdims", lambda: (storing(softmax_without_keepdims),), "keepdims=True"),
        ("row maxima without keepdims", lambda: (storing(softmax_with_the_maximum_without_keepdims),),
         "keep it a column"),
        ("the shift done in place on the caller's scores", lambda: (activation(softmax_shifted_in_place),),
         "subtracted the row maxima in place"),
        ("returned, not stored", lambda: (activation(lambda self, inputs: softmax(inputs)),), "self.output"),
        ("a constant", lambda: (storing(lambda inputs: np.full(inputs.shape, 1 / inputs.shape[1])),),
         "whatever the scores"),
        ("no exponentials", lambda: (storing(lambda inputs: inputs / np.sum(inputs, axis=1, keepdims=True)),),
         "expected"),
        ("shifted by the row's mean", lambda: (storing(softmax_shifted_by_the_mean),), "an exponential overflows"),
        ("shifted by the first column", lambda: (storing(softmax_shifted_by_the_first_column),),
         "an exponential overflows"),
    ],
    "check_relu": [
        ("clips the caller's array in place", lambda: (activation(relu_in_place),), "changed the array it was given"),
        ("np.maximum(..., out=inputs)", lambda: (storing(lambda inputs: np.maximum(0, inputs, out=inputs)),),
         "changed the array it was given"),
        ("absolute value", lambda: (storing(np.abs),), "negative inputs must give 0"),
        ("the step function", lambda: (storing(lambda inputs: (inputs > 0) * 1.0),), "the step function"),
        ("a constant", lambda: (storing(np.zeros_like),), "pass through unchanged"),
        ("np.max(0, inputs)", lambda: (storing(lambda inputs: np.max(0, inputs)),), "np.maximum(0, inputs)"),
        ("Python's max", lambda: (storing(lambda inputs: max(0, inputs)),), "np.maximum(0, inputs)"),
        ("returned, not stored", lambda: (activation(lambda self, inputs: np.maximum(0, inputs)),), "self.output"),
    ],
    "check_sigmoid": [
        ("the book's formula, which overflows", lambda: (lambda z: 1 / (1 + np.exp(-z)),), "NumPy warned"),
        ("np.where of two unsafe branches", lambda: (sigmoid_of_both_branches,), "both of its branches"),
        ("the sign of the exponent", lambda: (lambda z: 1 / (1 + np.exp(z)),), "the exponent is -z"),
        ("the branch for z < 0 forgotten", lambda: (lambda z: 1 / (1 + np.exp(-np.abs(z))),), "σ(|z|)"),
        ("a constant", lambda: (lambda z: np.full(np.shape(z), 0.5),), "whatever z"),
        ("np.where's branches swapped", lambda: (sigmoid_with_swapped_branches,), "branches are swapped"),
        ("u / (1 + u) for every z", lambda: (sigmoid_of_the_negative_branch_only,), "that form is the one for z < 0"),
        ("the book's formula, its warning silenced", lambda: (sigmoid_with_its_warning_silenced,),
         "silencing the warning is not the fix"),
    ],
    "check_stable_tanh": [
        ("np.tanh itself", lambda: (lambda z: np.tanh(z),), "forbids"),
        ("nncore's Tanh, which calls np.tanh", lambda: (tanh_through_nncore,), "forbids"),
        ("the textbook formula, which overflows", lambda: (tanh_from_sinh_and_cosh,), "overflows"),
        ("the sign forgotten", lambda: (tanh_of_the_size,), "tanh is odd"),
        ("a constant", lambda: (lambda z: np.zeros_like(z),), "whatever z"),
        ("e^-|z| where e^-2|z| belongs", lambda: (tanh_of_half_the_exponent,), "tanh(z/2)"),
        ("2σ(z) - 1", lambda: (lambda z: 2 * sigmoid(z) - 1,), "2σ(2z) - 1"),
        ("np.abs(z, out=z)", lambda: (tanh_with_abs_in_place,), "changed the array it was given"),
        ("the input clipped to ±7, then the textbook formula", lambda: (tanh_of_the_clipped_input,), "within 1e-15"),
        ("np.tanh under another name", lambda: (tanh_under_another_name,), "np.tanh under another name"),
        ("two unsafe branches, their warnings silenced", lambda: (tanh_of_two_branches_silenced,),
         "silencing the warning is not the fix"),
    ],
    "check_log_softmax": [
        ("the log of softmax's output", lambda: (log_of_softmax,), "rounded to 0"),
        ("no max shift", lambda: (log_softmax_without_the_shift,), "Subtract each row's maximum"),
        ("one shift for the whole batch", lambda: (log_softmax_shifted_by_the_batch_maximum,),
         "one maximum for the whole batch"),
        ("normalised along axis 0", lambda: (log_softmax_along_axis_0,), "axis=0"),
        ("the log of the sum left out", lambda: (lambda scores: scores - np.max(scores, axis=1, keepdims=True),),
         "left out the log"),
        ("the probabilities", lambda: (softmax,), "probabilities themselves"),
        ("a constant", lambda: (lambda scores: np.full(scores.shape, -math.log(scores.shape[1])),), "expected"),
        ("m subtracted inside the sum only", lambda: (log_softmax_without_the_shift_of_z,), "not from z itself"),
        ("the sign flipped", lambda: (log_softmax_upside_down,), "-log S"),
        ("the sum without keepdims", lambda: (log_softmax_sum_without_keepdims,), "keepdims=True"),
        ("the shift done in place on the caller's scores", lambda: (log_softmax_shifted_in_place,),
         "changed the array it was given"),
        ("shifted by the row's mean", lambda: (log_softmax_shifted_by_the_mean,), "an exponential overflows"),
        ("shifted by the row's mean, its warning silenced", lambda: (log_softmax_shifted_by_the_mean_silenced,),
         "silencing the warning is not the fix"),
    ],
    "check_hat_network": [
        ("activation points on the wrong side (bias +t)", lambda: (hat(knots=(0.0, -0.5, -1.0)),), "for x < 0"),
        ("the turn at 0.5 only stops the rise", lambda: (hat(W2=(2.0, -2.0, 2.0)),), "falls with slope -2"),
        ("the slope after x = 1 not cancelled", lambda: (hat(W2=(2.0, -4.0, 0.0)),), "for x > 1"),
        ("W1 one row per neuron", lambda: (lambda: (np.ones((3, 1)), np.zeros((1, 3)), np.ones((3, 1)),
                                                    np.zeros((1, 1))),), "one column per neuron"),
        ("only three arrays", lambda: (lambda: (np.ones((1, 3)), np.zeros((1, 3)), np.ones((3, 1))),), "4 arrays"),
        ("all zeros", lambda: (lambda: (np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((3, 1)), np.zeros((1, 1))),),
         "rises with slope 2"),
    ],
    "check_slopes": [
        ("leaky slope 0 on the left", lambda: (lambda z, alpha: (z > 0) * 1.0, swish_slope), "that is ReLU's"),
        ("leaky ReLU itself", lambda: (lambda z, alpha: np.where(z > 0, z, alpha * z), swish_slope),
         "leaky ReLU itself"),
        ("swish slope without the product rule", lambda: (leaky_relu_slope, lambda z, beta: sigmoid(beta * z)),
         "product rule"),
        ("swish slope without the chain rule's beta", lambda: (leaky_relu_slope, swish_slope_without_beta),
         "the factor β"),
        ("swish itself", lambda: (leaky_relu_slope, lambda z, beta: z * sigmoid(beta * z)), "swish itself"),
        ("a sigmoid that overflows", lambda: (leaky_relu_slope, swish_slope_from_the_books_sigmoid), "NumPy warn"),
        ("a sigmoid that overflows, its warning silenced",
         lambda: (leaky_relu_slope, swish_slope_from_the_books_sigmoid_silenced),
         "silencing the warning is not the fix"),
        ("a constant", lambda: (leaky_relu_slope, lambda z, beta: np.ones_like(z)), "expected"),
        ("σ(z) where σ(βz) belongs", lambda: (leaky_relu_slope, swish_slope_of_sigma_z),
         "every σ in its slope is σ(βz)"),
        ("the slopes written into z", lambda: (leaky_relu_slope_in_place, swish_slope),
         "changed the array it was given"),
    ],
}

OTHER_RIGHT_ANSWERS = [
    ("softmax with [:, None] columns", "check_softmax", lambda: (storing(
        lambda x: np.exp(x - x.max(axis=1)[:, None]) / np.exp(x - x.max(axis=1)[:, None]).sum(axis=1)[:, None]),)),
    ("ReLU as z * (z > 0)", "check_relu", lambda: (storing(lambda inputs: inputs * (inputs > 0)),)),
    ("the sigmoid from np.logaddexp", "check_sigmoid", lambda: (lambda z: np.exp(-np.logaddexp(0, -z)),)),
    ("tanh as 2σ(2z) - 1", "check_stable_tanh", lambda: (tanh_from_the_sigmoid,)),
    ("log_softmax from np.logaddexp", "check_log_softmax", lambda: (log_softmax_with_logaddexp,)),
    ("the hat with the weights doubled", "check_hat_network", lambda: (lambda: (
        np.full((1, 3), 2.0), np.array([[0.0, -1.0, -2.0]]), np.array([[1.0], [-2.0], [1.0]]), np.zeros((1, 1))),)),
    ("the slopes in other forms", "check_slopes", lambda: (lambda z, alpha: (z > 0) + alpha * (z <= 0),
                                                          swish_slope_factored)),
]

RIGHT_ANSWERS = {
    "check_softmax": (storing(softmax),),
    "check_relu": (storing(lambda inputs: np.maximum(0, inputs)),),
    "check_sigmoid": (sigmoid,),
    "check_stable_tanh": (tanh_from_exponentials,),
    "check_log_softmax": (log_softmax,),
    "check_hat_network": (hat(),),
    "check_slopes": (leaky_relu_slope, swish_slope),
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch03", check_name, answer())


@pytest.mark.parametrize("check_name", sorted(RIGHT_ANSWERS))
def test_a_right_answer_passes_quietly_and_leaves_the_random_stream_alone(check_name, capsys, recwarn):
    np.random.seed(5)
    state = np.random.get_state()
    strict(getattr(chapter_checks("ch03"), check_name))(*RIGHT_ANSWERS[check_name])
    assert capsys.readouterr().out.startswith("Correct: ")
    assert not recwarn.list
    assert all(np.array_equal(a, b) for a, b in zip(state[1:], np.random.get_state()[1:]))


@pytest.mark.parametrize("check_name, answer", [pytest.param(name, answer, id=f"{name}: {what}")
                                                for what, name, answer in OTHER_RIGHT_ANSWERS])
def test_a_right_answer_written_differently_passes(check_name, answer, capsys):
    strict(getattr(chapter_checks("ch03"), check_name))(*answer())
    assert capsys.readouterr().out.startswith("Correct: ")


def test_np_tanh_is_given_back_after_the_check():
    original = np.tanh
    with pytest.raises(AssertionError):
        strict(chapter_checks("ch03").check_stable_tanh)(lambda z: np.tanh(z))
    assert np.tanh is original


def test_np_exp_is_given_back_after_the_check():
    original = np.exp
    with pytest.raises(AssertionError):
        strict(chapter_checks("ch03").check_sigmoid)(sigmoid_with_its_warning_silenced)
    assert np.exp is original
