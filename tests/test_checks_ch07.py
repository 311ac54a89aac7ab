"""07_regularization's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from wrong_answers import cases, chapter_checks, refusal, strict


def sign(values):
    return np.where(values >= 0, 1.0, -1.0)


def book_init(self, n_inputs, n_neurons, weight_regularizer_l1=0, weight_regularizer_l2=0,
              bias_regularizer_l1=0, bias_regularizer_l2=0):
    self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
    self.biases = np.zeros((1, n_neurons))
    self.weight_regularizer_l1, self.weight_regularizer_l2 = weight_regularizer_l1, weight_regularizer_l2
    self.bias_regularizer_l1, self.bias_regularizer_l2 = bias_regularizer_l1, bias_regularizer_l2


def book_forward(self, inputs):
    self.inputs = inputs
    self.output = np.dot(inputs, self.weights) + self.biases


def dense(l1_gradient=lambda values: sign(values), l2_gradient=lambda values: 2 * values, bias_penalties=True,
          penalise_inputs=False, swapped=False):
    """A Layer_Dense whose backward adds l1 * l1_gradient(p) + l2 * l2_gradient(p) for each parameter p."""
    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        weight_l1, weight_l2 = self.weight_regularizer_l1, self.weight_regularizer_l2
        bias_l1, bias_l2 = self.bias_regularizer_l1, self.bias_regularizer_l2
        if swapped:
            weight_l1, weight_l2, bias_l1, bias_l2 = bias_l1, bias_l2, weight_l1, weight_l2
        self.dweights = self.dweights + weight_l1 * l1_gradient(self.weights) + weight_l2 * l2_gradient(self.weights)
        if bias_penalties:
            self.dbiases = self.dbiases + bias_l1 * l1_gradient(self.biases) + bias_l2 * l2_gradient(self.biases)
        self.dinputs = np.dot(dvalues, self.weights.T)
        if penalise_inputs:
            self.dinputs = self.dinputs + 2 * self.weight_regularizer_l2 * np.sum(self.weights)
    return type("Layer_Dense", (), {"__init__": book_init, "forward": book_forward, "backward": backward})


def constant_backward(self, dvalues):
    self.dweights = np.ones_like(self.weights)
    self.dbiases = np.ones_like(self.biases)
    self.dinputs = np.ones_like(self.inputs)


def penalty(layer, l2_factor=1.0, absolute=np.abs, total=np.sum, biases=True):
    value = layer.weight_regularizer_l1 * total(absolute(layer.weights)) \
        + l2_factor * layer.weight_regularizer_l2 * total(layer.weights ** 2)
    if biases:
        value += layer.bias_regularizer_l1 * total(absolute(layer.biases)) \
            + l2_factor * layer.bias_regularizer_l2 * total(layer.biases ** 2)
    return value


def square_of_sum_penalty(layer):
    return layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights)) + layer.weight_regularizer_l2 \
        * np.sum(layer.weights) ** 2 + layer.bias_regularizer_l1 * np.sum(np.abs(layer.biases)) \
        + layer.bias_regularizer_l2 * np.sum(layer.biases) ** 2


def weight_strengths_on_biases(layer):
    return layer.weight_regularizer_l1 * (np.sum(np.abs(layer.weights)) + np.sum(np.abs(layer.biases))) \
        + layer.weight_regularizer_l2 * (np.sum(layer.weights ** 2) + np.sum(layer.biases ** 2))


def norm_penalty(layer):
    return layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights)) \
        + layer.weight_regularizer_l2 * np.sqrt(np.sum(layer.weights ** 2))


class Dropout:
    """The chapter's Layer_Dropout with one thing changed by its keyword arguments."""

    def __init__(self, rate, *, keep_is_rate=False, scale=True, seeded_inside=False, uniform=False,
                 new_mask_in_backward=False, unscaled_backward=False, passthrough_backward=False,
                 on_at_inference=False, scaled_at_inference=False, no_copy=False, training_default=False,
                 unscaled_mask_stored=False, per_neuron=False, output_unstored=False):
        self.rate, self.options = rate, dict(
            keep_is_rate=keep_is_rate, scale=scale, seeded_inside=seeded_inside, uniform=uniform,
            new_mask_in_backward=new_mask_in_backward, unscaled_backward=unscaled_backward,
            passthrough_backward=passthrough_backward, on_at_inference=on_at_inference,
            scaled_at_inference=scaled_at_inference, no_copy=no_copy, training_default=training_default,
            unscaled_mask_stored=unscaled_mask_stored, per_neuron=per_neuron, output_unstored=output_unstored)

    def mask(self, shape):
        option = self.options
        keep = self.rate if option["keep_is_rate"] else 1 - self.rate
        if option["seeded_inside"]:
            draws = np.random.RandomState(0).binomial(1, keep, size=shape)
        elif option["uniform"]:
            draws = (np.random.random_sample(shape) < keep).astype(float)
        elif option["per_neuron"]:
            draws = np.random.binomial(1, keep, size=shape[-1:])
        else:
            draws = np.random.binomial(1, keep, size=shape)
        return draws / keep if option["scale"] else draws.astype(float)

    def forward(self, inputs, training=None):
        option = self.options
        training = option["training_default"] if training is None else training
        self.inputs = inputs
        if not training and not option["on_at_inference"]:
            if option["scaled_at_inference"]:
                self.output = inputs * (1 - self.rate)
            else:
                self.output = inputs if option["no_copy"] else inputs.copy()
            if option["output_unstored"]:
                del self.output
                return inputs.copy()
            return self.output
        self.binary_mask = self.mask(inputs.shape)
        self.output = inputs * self.binary_mask
        if option["unscaled_mask_stored"]:  # the output is right, the stored mask holds the 0/1 draws
            self.binary_mask = self.binary_mask * (1 - self.rate)
        return self.output

    def backward(self, dvalues):
        option = self.options
        if option["passthrough_backward"]:
            self.dinputs = dvalues.copy()
        elif option["new_mask_in_backward"]:
            self.dinputs = dvalues * self.mask(dvalues.shape)
        elif option["unscaled_backward"]:
            self.dinputs = dvalues * (self.binary_mask != 0)
        elif option["unscaled_mask_stored"]:
            self.dinputs = dvalues * self.binary_mask / (1 - self.rate)
        else:
            self.dinputs = dvalues * self.binary_mask
        return self.dinputs


def dropout(**changes):
    return lambda rate: Dropout(rate, **changes)


def steps_l1(w0, target, learning_rate, l1):
    return int(np.ceil((w0 - target) / (learning_rate * l1)))


def steps_l2(w0, target, learning_rate, l2, factor=2):
    return int(np.ceil(np.log(target / w0) / np.log(1 - factor * learning_rate * l2)))


def shrink(l1_steps=steps_l1, l2_steps=steps_l2, offset=0):
    def steps_to_shrink(w0, target, learning_rate, l1, l2):
        steps = l1_steps(w0, target, learning_rate, l1) if l1 > 0 else l2_steps(w0, target, learning_rate, l2)
        return steps + offset
    return steps_to_shrink


def squared_in_place(z, q):
    z **= 2
    z *= q / (1 - q)
    return z


def training_folds(n, k, rng):
    return [np.setdiff1d(np.arange(n), fold) for fold in np.array_split(rng.permutation(n), k)]


def transform_in_place(X, scaler):
    X -= scaler[0]
    X /= scaler[1]
    return X


def rotated_folds(n, k, rng):
    return np.array_split(np.roll(np.arange(n), int(rng.integers(1, n))), k)


def swapped_pair_folds(n, k, rng):
    order = np.arange(n)
    first, second = rng.choice(n, 2, replace=False)
    order[[first, second]] = order[[second, first]]
    return np.array_split(order, k)


def contiguous_folds(n, k, rng):
    return np.array_split(np.arange(n), k)


def global_shuffle(n, k, rng):
    return np.array_split(np.random.permutation(n), k)


def strided_folds(n, k, rng):
    return [np.arange(start, n, k) for start in range(k)]


def uneven_folds(n, k, rng):
    order = rng.permutation(n)
    size = n // k
    return [order[i * size:(i + 1) * size] for i in range(k - 1)] + [order[(k - 1) * size:]]


def own_statistics(X, scaler):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def fit(X_train):
    return X_train.mean(axis=0), X_train.std(axis=0)


def transform(X, scaler):
    mean, std = scaler
    return (X - mean) / std


WRONG_ANSWERS = {
    "check_dense_penalties": [
        ("L2 gradient without the factor 2", lambda: (dense(l2_gradient=lambda values: values),), "factor 2"),
        ("L2 gradient subtracted", lambda: (dense(l2_gradient=lambda values: -2 * values),), "wrong sign"),
        ("every penalty gradient subtracted",
         lambda: (dense(l1_gradient=lambda values: -sign(values), l2_gradient=lambda values: -2 * values),),
         "subtracted"),
        ("L1 gradient as the weights", lambda: (dense(l1_gradient=lambda values: values),), "sign of w"),
        ("np.sign: 0 at 0", lambda: (dense(l1_gradient=np.sign),), "np.sign gives 0"),
        ("L1 gradient with a factor 2", lambda: (dense(l1_gradient=lambda values: 2 * sign(values)),),
         "factor 2 belongs to L2"),
        ("no penalties at all", lambda: (dense(l1_gradient=np.zeros_like, l2_gradient=np.zeros_like),),
         "data's gradient only"),
        ("no bias penalties", lambda: (dense(bias_penalties=False),), "self.dbiases holds the data's gradient only"),
        ("a penalty in dinputs", lambda: (dense(penalise_inputs=True),), "penalties depend on the parameters only"),
        ("L1 sign with > 0: -1 at 0", lambda: (dense(l1_gradient=lambda values: np.where(values > 0, 1.0, -1.0)),),
         "sign taken with > 0"),
        ("the weights' and the biases' strengths swapped", lambda: (dense(swapped=True),), "strengths are swapped"),
        ("constant gradients", lambda: (type("Layer_Dense", (), {"__init__": book_init, "forward": book_forward,
                                                                 "backward": constant_backward}),), "expected"),
    ],
    "check_regularization_loss": [
        ("L2 with a factor 1/2", lambda: (lambda layer: penalty(layer, l2_factor=0.5),), "factor 1/2"),
        ("L2 with the gradient's 2", lambda: (lambda layer: penalty(layer, l2_factor=2.0),), "belongs to the gradient"),
        ("L1 without the absolute value", lambda: (lambda layer: penalty(layer, absolute=lambda values: values),),
         "not their absolute values"),
        ("a mean instead of a sum", lambda: (lambda layer: penalty(layer, total=np.mean),), "it is a sum"),
        ("the biases forgotten", lambda: (lambda layer: penalty(layer, biases=False),), "biases' penalty is missing"),
        ("L2 as the norm", lambda: (norm_penalty,), "without the root"),
        ("L2 as the square of the sum", lambda: (square_of_sum_penalty,), "squares the sum"),
        ("the weights' strengths on the biases", lambda: (weight_strengths_on_biases,), "uses the weights' strengths"),
        ("a constant", lambda: (lambda layer: 0.25,), "expected"),
    ],
    "check_layer_dropout": [
        ("no 1/(1-q) scaling", lambda: (dropout(scale=False),), "divide the mask by 1 - rate"),
        ("rate taken as the kept fraction", lambda: (dropout(keep_is_rate=True),), "rate is the fraction dropped"),
        ("the same mask from a seed inside, on every call", lambda: (dropout(seeded_inside=True),),
         "drew the same mask"),
        ("a mask not drawn with np.random.binomial", lambda: (dropout(uniform=True),), "nncore's mask"),
        ("backward draws a new mask", lambda: (dropout(new_mask_in_backward=True),), "reuse the mask of the forward"),
        ("backward without the scaling", lambda: (dropout(unscaled_backward=True),), "unscaled"),
        ("backward passes dvalues through", lambda: (dropout(passthrough_backward=True),), "unchanged"),
        ("left on at inference", lambda: (dropout(on_at_inference=True),), "still on at inference"),
        ("scaled by 1 - q at inference", lambda: (dropout(scaled_at_inference=True),), "multiplies by 1 - rate"),
        ("the inputs themselves at inference, not a copy", lambda: (dropout(no_copy=True),), "return a copy"),
        ("training by default", lambda: (dropout(training_default=True),), "default to False"),
        ("the 0/1 draws stored as binary_mask", lambda: (dropout(unscaled_mask_stored=True),),
         "self.binary_mask holds the 0/1 draws"),
        ("one mask per neuron for every sample", lambda: (dropout(per_neuron=True),), "not one per neuron"),
        ("self.output not set at inference", lambda: (dropout(output_unstored=True),), "store what it returns"),
    ],
    "check_steps_to_shrink": [
        ("L2 without the factor 2", lambda: (shrink(l2_steps=lambda *a: steps_l2(*a, factor=1)),), "twice the steps"),
        ("L1 with a factor 2", lambda: (shrink(l1_steps=lambda w0, t, lr, l1: steps_l1(w0, t, lr, 2 * l1)),),
         "half the steps"),
        ("L2 as a constant pull", lambda: (shrink(l2_steps=lambda w0, t, lr, l2: steps_l1(w0, t, lr, 2 * l2 * w0)),),
         "fades as the weight shrinks"),
        ("L1 as a fraction per step",
         lambda: (shrink(l1_steps=lambda w0, t, lr, l1: steps_l2(w0, t, lr, l1, factor=1)),), "same eta * lambda_1"),
        ("the continuous approximation",
         lambda: (shrink(l2_steps=lambda w0, t, lr, l2: int(np.ceil(np.log(w0 / t) / (2 * lr * l2)))),),
         "exact factor"),
        ("rounded down", lambda: (shrink(offset=-1),), "one step short"),
        ("L1 counted down to 0", lambda: (shrink(l1_steps=lambda w0, t, lr, l1: int(np.ceil(w0 / (lr * l1)))),),
         "the steps to 0"),
        ("ln(w0 / target): a negative count",
         lambda: (shrink(l2_steps=lambda w0, t, lr, l2: steps_l2(t, w0, lr, l2)),), "a count of steps is positive"),
        ("a float that is not whole", lambda: (lambda *args: 12.5,), "whole number"),
        ("a constant", lambda: (lambda *args: 347,), "expected"),
    ],
    "check_dropout_variance": [
        ("without the scaling", lambda: (lambda z, q: z ** 2 * q * (1 - q),), "without the scaling"),
        ("q and 1 - q swapped", lambda: (lambda z, q: z ** 2 * (1 - q) / q,), "swapped"),
        ("the mean square", lambda: (lambda z, q: z ** 2 / (1 - q),), "mean of the square"),
        ("the standard deviation", lambda: (lambda z, q: np.abs(z) * np.sqrt(q / (1 - q)),), "standard deviation"),
        ("one number for every input", lambda: (lambda z, q: q / (1 - q),), "multiply by z^2"),
        ("Var(r) taken as q", lambda: (lambda z, q: z ** 2 * q / (1 - q) ** 2,), "variance of r is taken as q"),
        ("the inputs squared in place", lambda: (squared_in_place,), "changed its inputs in place"),
        ("a constant array", lambda: (lambda z, q: np.full(z.shape, 0.1),), "expected"),
    ],
    "check_k_fold_indices": [
        ("contiguous folds (no shuffle)", lambda: (contiguous_folds,), "contiguous blocks"),
        ("every k-th index", lambda: (strided_folds,), "every k-th index"),
        ("a rotation, not a shuffle", lambda: (rotated_folds,), "not shuffled (or only a little"),
        ("two indices swapped", lambda: (swapped_pair_folds,), "not shuffled (or only a little"),
        ("shuffled with np.random, not rng", lambda: (global_shuffle,), "not with np.random"),
        ("the remainder in the last fold", lambda: (uneven_folds,), "differ by more than 1"),
        ("the training indices of each round", lambda: (training_folds,), "validation indices of one round"),
        ("one fold too few", lambda: (lambda n, k, rng: np.array_split(rng.permutation(n), k - 1),), "folds, got"),
    ],
    "check_scaler": [
        ("the test data scaled with its own statistics", lambda: (fit, own_statistics), "its own statistics"),
        ("the std with ddof=1", lambda: (lambda X: (X.mean(axis=0), X.std(axis=0, ddof=1)), transform), "ddof=1"),
        ("no division by the std", lambda: (fit, lambda X, scaler: X - scaler[0]), "divide by the training standard"),
        ("min-max scaling", lambda: (lambda X: (X.min(axis=0), X.max(axis=0) - X.min(axis=0)), transform),
         "subtract the training mean"),
        ("transform in place", lambda: (fit, transform_in_place), "changed X in place"),
        ("one mean and std over every feature", lambda: (lambda X: (X.mean(), X.std()), transform),
         "one number per feature"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch07", check_name, answer())


def test_the_checks_leave_the_global_random_stream_alone():
    checks = chapter_checks("ch07")
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    strict(checks.check_layer_dropout)(dropout())
    strict(checks.check_dense_penalties)(dense())
    assert np.array_equal(np.random.get_state()[1], before)


def guarded_backward(self, dvalues):
    """The book's backward: ones_like with -1 where negative, each penalty added only when its strength is > 0."""
    self.dweights = np.dot(self.inputs.T, dvalues)
    self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
    for name, values in (("weight", self.weights), ("bias", self.biases)):
        gradient = self.dweights if name == "weight" else self.dbiases
        if getattr(self, f"{name}_regularizer_l1") > 0:
            ones = np.ones_like(values)
            ones[values < 0] = -1
            gradient += getattr(self, f"{name}_regularizer_l1") * ones
        if getattr(self, f"{name}_regularizer_l2") > 0:
            gradient += 2 * getattr(self, f"{name}_regularizer_l2") * values
    self.dinputs = np.dot(dvalues, self.weights.T)


class OtherDropout:
    """A right dropout written differently: another attribute for the rate, np.array for the copy."""

    def __init__(self, rate):
        self.q = rate

    def forward(self, inputs, training=False):
        if training:
            self.binary_mask = np.random.binomial(1, 1 - self.q, inputs.shape) * (1 / (1 - self.q))
            self.output = self.binary_mask * inputs
        else:
            self.output = np.array(inputs)
        return self.output

    def backward(self, dvalues):
        self.dinputs = self.binary_mask * dvalues
        return self.dinputs


def stepped(w0, target, learning_rate, l1, l2):
    weight, steps = w0, 0
    while weight > target:
        weight -= learning_rate * (l1 * np.sign(weight) + 2 * l2 * weight)
        steps += 1
    return steps


def test_the_checks_accept_right_answers(capsys):
    checks = chapter_checks("ch07")
    strict(checks.check_dense_penalties)(type("Layer_Dense", (), {"__init__": book_init, "forward": book_forward,
                                                                   "backward": guarded_backward}))
    strict(checks.check_layer_dropout)(OtherDropout)
    checks.check_steps_to_shrink(stepped)
    checks.check_k_fold_indices(lambda n, k, rng: np.array_split(rng.choice(n, n, replace=False), k))
    checks.check_scaler(lambda X: (X.mean(axis=0, keepdims=True), X.std(axis=0, keepdims=True)), transform)
    strict(checks.check_regularization_loss)(lambda layer: penalty(layer))
    checks.check_steps_to_shrink(shrink())
    checks.check_dropout_variance(lambda z, q: z ** 2 * q / (1 - q))
    checks.check_k_fold_indices(lambda n, k, rng: np.array_split(rng.permutation(n), k))
    checks.check_scaler(fit, transform)
    assert capsys.readouterr().out.count("Correct: ") == 10
