"""Checks for 07_regularization: the learner's penalties, regularization loss and dropout, and the exercises."""
import numpy as np

from nncore import Dense, Dropout
from nncore import book

from . import call, correct, expect, expect_close, expect_shape, piece, plain, seeded

STRENGTHS = ("weight_regularizer_l1", "weight_regularizer_l2", "bias_regularizer_l1", "bias_regularizer_l2")


def _sign(values):
    """The chapter's sign for L1: +1 where the value is >= 0, -1 elsewhere."""
    return np.where(values >= 0, 1.0, -1.0)


def _penalty_gradient_mistake(name, got, data, values, l1, l2, l1_name, l2_name):
    """The likely mistake when ``got`` is not data + l1 sign + 2 l2 values, or None."""
    wrong = [
        (data, f"{name} holds the data's gradient only: add the penalties' gradients, {l1_name} times the sign "
               f"and 2 times {l2_name} times the values"),
        (data + l1 * _sign(values) + l2 * values,
         f"the L2 term of {name} is {l2_name} * values, without the factor 2: the derivative of "
         "lambda_2 w^2 is 2 lambda_2 w"),
        (data + l1 * _sign(values) - 2 * l2 * values,
         f"the L2 term of {name} is subtracted, the wrong sign: add +2 lambda_2 w to the gradient (the optimizer "
         "subtracts the gradient, and that is what shrinks the weights)"),
        (data - l1 * _sign(values) - 2 * l2 * values,
         f"the penalties' gradients are subtracted from {name}: add them (the optimizer subtracts the whole "
         "gradient, and that is what shrinks the parameters)"),
        (data + l1 * values + 2 * l2 * values,
         f"the L1 term of {name} is {l1_name} times the values: the derivative of lambda_1 |w| is lambda_1 times "
         "the sign of w (+1 where w >= 0, -1 where w < 0)"),
        (data + l1 * np.sign(values) + 2 * l2 * values,
         f"at a value of exactly 0 the L1 term of {name} is 0 (np.sign gives 0 there): the chapter's convention "
         "is +lambda_1 where w >= 0 (biases start at 0, so this matters from the first step)"),
        (data + l1 * np.where(values > 0, 1.0, -1.0) + 2 * l2 * values,
         f"at a value of exactly 0 the L1 term of {name} is -{l1_name} (the sign taken with > 0): the chapter's "
         "convention is +lambda_1 where w >= 0, np.where(w >= 0, 1, -1) (biases start at 0, so this matters from "
         "the first step)"),
        (data + 2 * l1 * _sign(values) + 2 * l2 * values,
         f"the L1 term of {name} is 2 * {l1_name} * sign: the derivative of lambda_1 |w| is lambda_1 times the sign, "
         "the factor 2 belongs to L2 only"),
    ]
    for candidate, message in wrong:
        if np.allclose(got, candidate, rtol=1e-6, atol=1e-9):
            return message
    return None


def _dense_case(layer_class, rng, strengths, seed, zeros):
    """Build a layer with ``strengths``, set random parameters, run forward and backward; return what came back."""
    n_inputs, n_neurons, n_samples = (int(size) for size in rng.integers(2, 7, size=3))
    described = ", ".join(f"{name}={plain(value)}" for name, value in strengths.items())
    with seeded(seed):
        layer = call(lambda: layer_class(n_inputs, n_neurons, **strengths),
                     returns=f"a layer with {n_inputs} inputs, {n_neurons} neurons and the given penalties",
                     name=f"Layer_Dense({n_inputs}, {n_neurons}, {described})")
    weights = rng.standard_normal((n_inputs, n_neurons))
    biases = rng.standard_normal((1, n_neurons))
    if zeros:  # the L1 kink: the chapter's convention is +1 at exactly 0
        weights[0, 0] = 0.0
        biases[0, 0] = 0.0
    layer.weights, layer.biases = weights.copy(), biases.copy()
    inputs = rng.standard_normal((n_samples, n_inputs))
    dvalues = rng.standard_normal((n_samples, n_neurons))
    call(layer.forward, inputs, returns="nothing, after storing the inputs and the output", name="forward")
    call(layer.backward, dvalues, returns="nothing, after setting self.dweights, self.dbiases and self.dinputs",
         name="backward")
    for attribute in ("dweights", "dbiases", "dinputs"):
        expect(hasattr(layer, attribute), f"backward must set self.{attribute}")
    return layer, weights, biases, inputs, dvalues


def _expect_not_swapped(layer, weights, biases, data_w, data_b, full, strengths):
    """Refuse gradients that give the weights the biases' strengths and the biases the weights'."""
    swapped_w = data_w + full["bias_regularizer_l1"] * _sign(weights) + 2 * full["bias_regularizer_l2"] * weights
    swapped_b = data_b + full["weight_regularizer_l1"] * _sign(biases) + 2 * full["weight_regularizer_l2"] * biases
    right_w = data_w + full["weight_regularizer_l1"] * _sign(weights) + 2 * full["weight_regularizer_l2"] * weights
    if np.shape(layer.dweights) == weights.shape and np.shape(layer.dbiases) == biases.shape \
            and np.allclose(layer.dweights, swapped_w) and np.allclose(layer.dbiases, swapped_b) \
            and not np.allclose(layer.dweights, right_w):
        raise AssertionError(f"with {', '.join(f'{k}={plain(v)}' for k, v in strengths.items())}: the strengths are "
                             "swapped: dweights uses bias_regularizer_l1/_l2 and dbiases weight_regularizer_l1/_l2; "
                             "each parameter takes its own strengths")


@piece(lambda: book.Layer_Dense)
def check_dense_penalties(layer_class):
    """Layer_Dense.backward: X^T G, the sum of G and G W^T, plus l1 sign(p) + 2 l2 p on the weights and the biases."""
    rng = np.random.default_rng(71)
    one_at_a_time = [{"weight_regularizer_l2": 0.4}, {"weight_regularizer_l1": 0.3},
                     {"bias_regularizer_l2": 0.35}, {"bias_regularizer_l1": 0.25}]
    every_one = [dict(zip(STRENGTHS, (float(value) for value in rng.uniform(0.05, 0.5, size=4)))) for _ in range(2)]
    for case, strengths in enumerate(one_at_a_time + every_one):
        layer, weights, biases, inputs, dvalues = _dense_case(layer_class, rng, strengths, case, zeros=case < 5)
        full = {name: strengths.get(name, 0.0) for name in STRENGTHS}
        _expect_not_swapped(layer, weights, biases, inputs.T @ dvalues, dvalues.sum(axis=0, keepdims=True), full,
                            strengths)
        for name, got, data, values, prefix in (("dweights", layer.dweights, inputs.T @ dvalues, weights, "weight"),
                                                ("dbiases", layer.dbiases, dvalues.sum(axis=0, keepdims=True),
                                                 biases, "bias")):
            l1_name, l2_name = f"{prefix}_regularizer_l1", f"{prefix}_regularizer_l2"
            expect_shape(f"self.{name}", got, values.shape)
            expected = data + full[l1_name] * _sign(values) + 2 * full[l2_name] * values
            if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
                mistake = _penalty_gradient_mistake(f"self.{name}", got, data, values, full[l1_name],
                                                    full[l2_name], l1_name, l2_name)
                expect(mistake is None, f"with {', '.join(f'{k}={plain(v)}' for k, v in strengths.items())}: "
                                        f"{mistake}")
            expect_close(f"self.{name} (the data's gradient plus lambda_1 sign + 2 lambda_2 times the values, with "
                         f"{l1_name}={plain(full[l1_name])} and {l2_name}={plain(full[l2_name])})",
                         got, expected, rtol=1e-6, atol=1e-9)
        expect_shape("self.dinputs", layer.dinputs, inputs.shape)
        expect_close("self.dinputs (G W^T: the penalties depend on the parameters only, so they do not change it)",
                     layer.dinputs, dvalues @ weights.T, rtol=1e-6, atol=1e-9)
    correct("Layer_Dense.backward adds lambda_1 sign(p) (+1 at 0) and 2 lambda_2 p to dweights and dbiases, "
            "and leaves dinputs as G W^T, on 6 layers of random sizes with each penalty alone and all four")


class _Layer:
    """Just what regularization_loss reads: parameters and four penalty strengths."""

    def __init__(self, weights, biases, strengths):
        self.weights, self.biases = weights, biases
        for name in STRENGTHS:
            setattr(self, name, strengths.get(name, 0.0))

    def __repr__(self):
        strengths = ", ".join(f"{name}={plain(getattr(self, name))}" for name in STRENGTHS if getattr(self, name))
        return f"a layer with weights of shape {self.weights.shape} and {strengths}"


def _penalty(layer, absolute=np.abs, square=np.square, l2_factor=1.0, total=np.sum, biases=True):
    weights = layer.weight_regularizer_l1 * total(absolute(layer.weights)) \
        + l2_factor * layer.weight_regularizer_l2 * total(square(layer.weights))
    if not biases:
        return weights
    return weights + layer.bias_regularizer_l1 * total(absolute(layer.biases)) \
        + l2_factor * layer.bias_regularizer_l2 * total(square(layer.biases))


def _loss_mistake(got, layer):
    wrong = [
        (_penalty(layer, l2_factor=0.5), "the L2 penalty has a factor 1/2: the chapter's penalty is lambda_2 sum w^2 "
                                         "(that is why its gradient is 2 lambda_2 w)"),
        (_penalty(layer, l2_factor=2.0), "the L2 penalty is 2 lambda_2 sum w^2: the 2 belongs to the gradient, the "
                                         "penalty is lambda_2 sum w^2"),
        (_penalty(layer, absolute=lambda values: values), "the L1 penalty sums the values themselves, not their "
                                                          "absolute values: negative weights then lower it"),
        (_penalty(layer, square=np.abs), "the L2 penalty sums |w|: it sums the squares, w^2"),
        (_penalty(layer, square=lambda values: values),
         "the L2 penalty sums the values, not their squares: lambda_2 sum w^2"),
        (_penalty(layer, total=np.mean), "the penalty is a mean over the parameters: it is a sum, sum |w| and "
                                         "sum w^2"),
        (layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights)) + layer.weight_regularizer_l2
         * np.sum(layer.weights) ** 2 + layer.bias_regularizer_l1 * np.sum(np.abs(layer.biases))
         + layer.bias_regularizer_l2 * np.sum(layer.biases) ** 2,
         "the L2 penalty squares the sum, (sum w)^2: it sums the squares, sum w^2"),
        (_penalty(layer, biases=False), "the biases' penalty is missing: add bias_regularizer_l1 sum |b| and "
                                        "bias_regularizer_l2 sum b^2"),
        (layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights)) + layer.weight_regularizer_l2
         * np.sum(layer.weights ** 2) + layer.weight_regularizer_l1 * np.sum(np.abs(layer.biases))
         + layer.weight_regularizer_l2 * np.sum(layer.biases ** 2),
         "the biases' penalty uses the weights' strengths: use bias_regularizer_l1 and bias_regularizer_l2 for "
         "the biases"),
        (layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights)) + np.sqrt(layer.weight_regularizer_l2
                                                                               * np.sum(layer.weights ** 2)),
         "the L2 penalty is a square root: it is lambda_2 times the sum of the squares itself"),
        (layer.weight_regularizer_l1 * np.sum(np.abs(layer.weights))
         + layer.weight_regularizer_l2 * np.sqrt(np.sum(layer.weights ** 2)),
         "the L2 penalty is the norm sqrt(sum w^2): it is the sum of the squares itself, without the root"),
    ]
    for candidate, message in wrong:
        if np.isclose(got, candidate, rtol=1e-6):
            return message
    return None


@piece(lambda: Dense.regularization_loss)
def check_regularization_loss(regularization_loss):
    """regularization_loss(layer): lambda_1 sum |w| + lambda_2 sum w^2 for the weights, and the same for the biases."""
    rng = np.random.default_rng(72)
    one_at_a_time = [{"weight_regularizer_l2": 0.4}, {"weight_regularizer_l1": 0.3},
                     {"bias_regularizer_l2": 0.35}, {"bias_regularizer_l1": 0.25}]
    every_one = [dict(zip(STRENGTHS, (float(value) for value in rng.uniform(0.05, 0.5, size=4)))) for _ in range(2)]
    for strengths in one_at_a_time + every_one + [{}]:
        n_inputs, n_neurons = (int(size) for size in rng.integers(2, 7, size=2))
        layer = _Layer(rng.standard_normal((n_inputs, n_neurons)), rng.standard_normal((1, n_neurons)), strengths)
        got = call(regularization_loss, layer, returns="one number, the penalty of the layer")
        expect(np.ndim(got) == 0, f"regularization_loss({layer!r}) should return one number, got {plain(got)}")
        expected = Dense.regularization_loss(layer)  # nncore's, on any object with these attributes
        if not np.isclose(got, expected, rtol=1e-6, atol=1e-12):
            mistake = _loss_mistake(got, layer)
            expect(mistake is None, f"regularization_loss({layer!r}): {mistake}")
        expect(np.isclose(got, expected, rtol=1e-6, atol=1e-12),
               f"regularization_loss({layer!r}): expected {plain(expected)}, got {plain(got)}")
    correct("regularization_loss adds lambda_1 sum |p| and lambda_2 sum p^2 of the weights and the biases, "
            "on 7 layers with each penalty alone, all four and none")


def _training_pass(layer, inputs, seed):
    """The layer's training output after ``seed``, and the mask nncore's Dropout draws after the same seed."""
    with seeded(seed):
        output = call(layer.forward, inputs, True, returns=f"the output of a training pass, shape {inputs.shape}",
                      name="forward")
    expect(output is not None, "forward(inputs, training=True) returned nothing: return the output (and store it "
                               "in self.output)")
    expect(hasattr(layer, "binary_mask"), "a training pass must store its mask in self.binary_mask (the next "
                                          "cell draws it), and backward needs it")
    _expect_stored_output(layer, output, "forward(inputs, training=True)")
    return np.asarray(output)


def _expect_stored_output(layer, output, how):
    stored = getattr(layer, "output", None)
    expect(stored is not None and np.shape(stored) == np.shape(output) and np.array_equal(stored, output),
           f"{how} must also store what it returns in self.output")


def _check_training_statistics(dropout_class):
    layer = call(dropout_class, 0.3, returns="a dropout layer that drops the fraction 0.3", name="Layer_Dropout")
    output = _training_pass(layer, np.ones((1000, 1000)), 73)
    expect_shape("forward(np.ones((1000, 1000)), training=True)", output, (1000, 1000))
    expect(not np.all(output == output[:1]), "every sample (row) got the same mask: draw one value per entry, "
                                             "size=inputs.shape, not one per neuron")
    dropped = float(np.mean(output == 0))
    expect(abs(dropped - 0.7) > 0.01, f"Layer_Dropout(0.3) dropped {dropped:.1%} of the values: rate is the fraction "
                                      "dropped, so keep each value with probability 1 - rate")
    expect(dropped > 0.01, "Layer_Dropout(0.3) dropped nothing in a training pass (training=True): draw a mask")
    expect(abs(dropped - 0.3) < 0.01, f"Layer_Dropout(0.3) dropped {dropped:.1%} of 1,000,000 ones, expected "
                                      "30.0% within 1%")
    kept = output[output != 0]
    expect(not np.allclose(kept, 1), "the kept values are 1, not 1 / (1 - rate) = 1.4286: divide the mask by 1 - rate "
                                     "(inverted dropout), so that the expected output equals the input")
    expect(not np.allclose(kept, 1 / 0.3), "the kept values are divided by rate: divide by 1 - rate, the fraction "
                                           "kept")
    expect(np.allclose(kept, 1 / 0.7), f"the kept values should all be 1 / (1 - 0.3) = 1.4286, got values from "
                                       f"{plain(kept.min())} to {plain(kept.max())}")
    with seeded(74):
        first = np.array(call(layer.forward, np.ones((50, 40)), True, returns="the output of a training pass",
                              name="forward"), copy=True)
        second = np.asarray(call(layer.forward, np.ones((50, 40)), True, returns="the output of a training pass",
                                 name="forward"))
    expect(not np.array_equal(first, second), "two training passes in a row drew the same mask: draw a new mask on "
                                              "every call, from NumPy's global generator (no RandomState or seed "
                                              "inside the layer)")
    with seeded(73):
        mask = np.random.binomial(1, 0.7, size=(1000, 1000)) / 0.7
    _expect_nncore_mask(output, mask, 0.3)
    return dropped


def _expect_nncore_mask(output, mask, rate):
    expect(np.array_equal(output == 0, mask == 0),
           f"at rate {rate:.3g} the mask drops other values than np.random.binomial(1, 1 - rate, size=inputs.shape) "
           "does, drawn from the global generator: draw it that way, so that the same seed gives nncore's mask (the "
           "cells below compare them)")


def _check_backward(dropout_class, rng):
    for case in range(3):
        rate = float(rng.uniform(0.1, 0.6))
        shape = tuple(int(size) for size in rng.integers(3, 30, size=2))
        inputs, dvalues = rng.standard_normal(shape), rng.standard_normal(shape)
        layer = call(dropout_class, rate, returns=f"a dropout layer that drops the fraction {rate:.3g}",
                     name="Layer_Dropout")
        output = _training_pass(layer, inputs, 75 + case)
        with seeded(75 + case):
            mask = np.random.binomial(1, 1 - rate, size=shape) / (1 - rate)
        _expect_nncore_mask(output, mask, rate)
        expect_close(f"forward(inputs of shape {shape}, training=True) with rate {rate:.3g}", output, inputs * mask)
        stored = np.asarray(layer.binary_mask, dtype=np.float64)
        expect(not (stored.shape == shape and np.allclose(stored, mask * (1 - rate))),
               "self.binary_mask holds the 0/1 draws: store the mask scaled, r / (1 - q), as the text says (the cells "
               "below compare it with nncore's Dropout.binary_mask)")
        expect_close(f"self.binary_mask (the draws divided by 1 - rate) with rate {rate:.3g}", stored, mask)
        with seeded(80 + case):  # a backward that draws a new mask draws other numbers than the forward pass
            call(layer.backward, dvalues, returns=f"the gradient for the inputs, shape {shape}", name="backward")
        expect(hasattr(layer, "dinputs"), "backward must set self.dinputs")
        got = np.asarray(layer.dinputs)
        expect_shape("self.dinputs", got, shape)
        expect(not np.allclose(got, dvalues), "backward passed dvalues through unchanged: the dropped values get no "
                                              "gradient, multiply dvalues by the mask of the forward pass")
        expect(np.array_equal(got == 0, mask == 0), "backward zeroes other values than forward dropped: reuse the "
                                                    "mask of the forward pass (self.binary_mask), do not draw a new "
                                                    "one")
        expect(not np.allclose(got, dvalues * (mask != 0)), "backward keeps dvalues unscaled where the mask is 1: "
                                                            "the derivative is r / (1 - q), scaled as in forward")
        expect_close(f"self.dinputs (dvalues times the forward pass's mask) with rate {rate:.3g}", got,
                     dvalues * mask)


def _check_inference(dropout_class, rng):
    rate = float(rng.uniform(0.1, 0.6))
    inputs = rng.standard_normal((int(rng.integers(3, 30)), int(rng.integers(3, 30))))
    layer = call(dropout_class, rate, returns=f"a dropout layer that drops the fraction {rate:.3g}",
                 name="Layer_Dropout")
    for flag, how in ((False, "forward(inputs, training=False)"), (None, "forward(inputs), with no training flag,")):
        with seeded(79):
            arguments = (inputs,) if flag is None else (inputs, flag)
            output = call(layer.forward, *arguments, returns="the inputs unchanged, as a copy", name="forward")
        expect(output is not None, f"{how} returned nothing: return the output")
        output = np.asarray(output)
        expect_shape(how, output, inputs.shape)
        _expect_stored_output(layer, output, how)
        if flag is None:
            expect(np.allclose(output, inputs), "forward(inputs) with no flag dropped values: training must default "
                                                "to False, as in nncore's layers (the training loop passes "
                                                "training=True)")
        expect(not np.allclose(output, inputs * (1 - rate)),
               f"{how} multiplies by 1 - rate: inverted dropout scales in training, so at inference the output "
               "equals the inputs")
        expect(not np.any((output == 0) & (inputs != 0)),
               f"{how} zeroed values: dropout is still on at inference; return the inputs unchanged")
        expect_close(f"{how} (the inputs unchanged)", output, inputs)
        expect(not np.shares_memory(output, inputs),
               f"{how} returned the inputs array itself: return a copy (inputs.copy()), so that changing the output "
               "later cannot change the inputs")


@piece(lambda: Dropout)
def check_layer_dropout(dropout_class):
    """Layer_Dropout(rate): inverted dropout, rate the fraction dropped; training masks, backward, inference."""
    rng = np.random.default_rng(73)
    dropped = _check_training_statistics(dropout_class)
    _check_backward(dropout_class, rng)
    _check_inference(dropout_class, rng)
    correct(f"Layer_Dropout(0.3) drops {dropped:.1%} of 1,000,000 ones and scales the rest to 1/0.7, draws nncore's "
            "mask for the same seed and a new one every pass, backward reuses it, and training=False returns a copy")


def _steps_by_simulation(w0, target, learning_rate, l1, l2):
    """Plain SGD on a weight whose only gradient is the penalty's: steps until it is at target or below."""
    weight, steps = w0, 0
    while weight > target:
        weight -= learning_rate * (l1 * (1.0 if weight >= 0 else -1.0) + 2 * l2 * weight)
        steps += 1
    return steps


def _shrink_cases(rng):
    cases = []
    for kind in ("l1", "l2", "l1", "l2", "l2"):
        w0 = float(rng.uniform(0.5, 3.0))
        target = w0 * float(rng.uniform(0.01, 0.5))
        learning_rate = float(rng.uniform(0.05, 1.0))
        steps = float(rng.integers(5, 3000)) + float(rng.uniform(0.2, 0.8))  # away from a whole number
        if kind == "l1":
            cases.append((w0, target, learning_rate, (w0 - target) / (learning_rate * steps), 0.0))
        else:
            cases.append((w0, target, learning_rate, 0.0, (1 - (target / w0) ** (1 / steps)) / (2 * learning_rate)))
    cases.append((2.0, 0.1, 0.5, 0.0, 0.3))  # big steps: 1 - 2 eta lambda_2 = 0.7
    return cases


def _shrink_mistake(got, w0, target, learning_rate, l1, l2, expected):
    if l1 > 0:
        wrong = [(np.ceil((w0 - target) / (2 * learning_rate * l1)),
                  "about half the steps: the L1 gradient is lambda_1 times the sign, without a factor 2, so each step "
                  "takes eta * lambda_1 off the weight"),
                 (np.ceil(w0 / (learning_rate * l1)), "the steps to 0, not to target: the weight only has to fall "
                                                      "by w0 - target"),
                 (np.ceil(np.log(target / w0) / np.log(1 - learning_rate * l1)),
                  "the weight shrinks by a fixed fraction per step, as with L2: the L1 gradient, lambda_1 sign(w), "
                  "does not depend on the size of w, so each step takes the same eta * lambda_1 off")]
    else:
        wrong = [(np.ceil(np.log(target / w0) / np.log(1 - learning_rate * l2)),
                  "about twice the steps: the gradient of lambda_2 w^2 is 2 lambda_2 w, so each step multiplies the "
                  "weight by 1 - 2 eta lambda_2"),
                 (np.ceil((w0 - target) / (2 * learning_rate * l2 * w0)),
                  "too few steps: L2's pull, 2 lambda_2 w, fades as the weight shrinks, so the steps are not all "
                  "2 eta lambda_2 w0; each step multiplies the weight by 1 - 2 eta lambda_2"),
                 (np.ceil(np.log(w0 / target) / (2 * learning_rate * l2)),
                  "ln(w0 / target) / (2 eta lambda_2) replaces ln(1 - 2 eta lambda_2) by -2 eta lambda_2, which is "
                  "off when the steps are large: use the exact factor 1 - 2 eta lambda_2")]
    wrong += [(expected - 1, "one step short: after that many steps the weight is still above target; count the step "
                             "that takes it to target or below"),
              (expected + 1, "one step too many: the weight is at target or below one step earlier")]
    for candidate, message in wrong:
        if got == candidate:
            return message
    return None


def check_steps_to_shrink(steps_to_shrink):
    """steps_to_shrink(w0, target, learning_rate, l1, l2): SGD steps a silent weight needs to reach target."""
    rng = np.random.default_rng(74)
    for w0, target, learning_rate, l1, l2 in _shrink_cases(rng):
        arguments = (w0, target, learning_rate, l1, l2)
        shown = ", ".join(plain(value) for value in arguments)
        got = call(steps_to_shrink, *arguments, returns="a whole number of steps")
        whole = isinstance(got, (int, np.integer)) or (isinstance(got, (float, np.floating))
                                                        and float(got).is_integer())
        expect(whole, f"steps_to_shrink({shown}) should return a whole number of steps, got {plain(got)}")
        expect(got > 0, f"steps_to_shrink({shown}) returned {plain(got)}, a count of steps is positive: ln(target / w0) "
                        "and ln(1 - 2 eta lambda_2) are both negative, so their ratio is positive (ln(w0 / target) "
                        "flips the sign)")
        expected = _steps_by_simulation(*arguments)
        if got != expected:
            mistake = _shrink_mistake(got, *arguments, expected)
            expect(mistake is None, f"steps_to_shrink({shown}): {mistake}")
        expect(got == expected, f"steps_to_shrink({shown}): expected {expected} steps (stepping the update one by "
                                f"one), got {plain(got)}")
    steps = {}
    for kind, l1, l2 in (("L1", 7e-4, 0.0), ("L2", 0.0, 7e-4)):
        for target in (1e-2, 1e-4):
            expected = _steps_by_simulation(1.0, target, 1.0, l1, l2)
            got = call(steps_to_shrink, 1.0, target, 1.0, l1, l2, returns="a whole number of steps")
            expect(got == expected, f"steps_to_shrink(1, {plain(target)}, 1, {plain(l1)}, {plain(l2)}): expected "
                                    f"{expected} steps, got {plain(got)}")
            steps[kind, target] = expected
    correct(f"from w = 1 at eta = 1 and lambda = 7e-4, L1 takes {steps['L1', 1e-2]:,} steps to 0.01 and "
            f"{steps['L1', 1e-4]:,} to 0.0001; L2 takes {steps['L2', 1e-2]:,} and {steps['L2', 1e-4]:,}: its pull "
            "fades as the weight shrinks")


def _variance_mistake(got, inputs, rate):
    squares = inputs ** 2
    wrong = [(squares * rate * (1 - rate), "that is the variance of r z, without the scaling: the kept values are "
                                           "z / (1 - q), so divide by (1 - q)^2"),
             (squares * rate / (1 - rate) ** 2, "the variance of r is taken as q: a Bernoulli variable with "
                                                 "success probability p = 1 - q has variance p (1 - p) = q (1 - q)"),
             (squares * (1 - rate) / rate, "rate and 1 - rate are swapped: rate is the fraction dropped, q"),
             (squares / (1 - rate), "that is the mean of the square, E[Dr(z)^2]: the variance subtracts the square "
                                    "of the mean, z^2"),
             (np.abs(inputs) * np.sqrt(rate / (1 - rate)), "that is the standard deviation: the variance is its "
                                                           "square"),
             (np.abs(inputs) * rate / (1 - rate), "the variance grows with z^2, not with |z|: Var(c X) = c^2 Var(X)"),
             (np.broadcast_to(rate / (1 - rate), inputs.shape), "the variance of each output grows with its input: "
                                                                "Var(c X) = c^2 Var(X), so multiply by z^2")]
    for candidate, message in wrong:
        if np.allclose(got, candidate, rtol=1e-6, atol=1e-12):
            return message
    return None


def check_dropout_variance(dropout_variance):
    """dropout_variance(inputs, rate): the variance over masks of each output of inverted dropout, inputs' shape."""
    rng = np.random.default_rng(75)
    for case in range(4):
        rate = float(rng.uniform(0.05, 0.7))
        inputs = rng.standard_normal((int(rng.integers(2, 8)), int(rng.integers(2, 8)))) * float(rng.uniform(0.5, 3))
        given = inputs.copy()
        got = call(dropout_variance, given, rate, returns=f"an array of shape {inputs.shape}, one variance per input")
        expect(np.array_equal(given, inputs), f"dropout_variance(inputs, {rate:.3g}) changed its inputs in place "
                                              "(**=, *=): compute a new array and leave inputs alone")
        got = np.asarray(got, dtype=np.float64)
        expected = inputs ** 2 * rate / (1 - rate)
        if got.shape in (inputs.shape, ()) and not np.allclose(got, expected, rtol=1e-6, atol=1e-12):
            mistake = _variance_mistake(np.broadcast_to(got, inputs.shape), inputs, rate)
            expect(mistake is None, f"dropout_variance(inputs, {rate:.3g}), case {case + 1}: {mistake}")
        expect_shape(f"dropout_variance(inputs of shape {inputs.shape}, {rate:.3g})", got, inputs.shape)
        expect_close(f"dropout_variance(inputs, {rate:.3g}), case {case + 1}", got, expected, rtol=1e-6, atol=1e-12)
    values = np.array([[0.5, 1.0, 2.0]])
    with seeded(76):
        outputs = Dropout(0.1).forward(np.repeat(values, 100000, axis=0), training=True)
    predicted = np.sqrt(dropout_variance(values, 0.1))[0]
    measured = outputs.std(axis=0)
    correct(f"at rate 0.1 the outputs of z = 0.5, 1, 2 spread with standard deviations "
            f"{', '.join(f'{value:.3f}' for value in predicted)} (a third of z); measured over 100,000 masks of "
            f"nncore's Dropout: {', '.join(f'{value:.3f}' for value in measured)}")


def _folds(k_fold_indices, n, k, seed):
    folds = call(k_fold_indices, n, k, np.random.default_rng(seed), returns=f"a list of {k} arrays of indices",
                 name="k_fold_indices")
    return [np.asarray(fold) for fold in folds]


def check_k_fold_indices(k_fold_indices):
    for n, k in ((10, 3), (100, 5), (7, 7), (23, 4)):
        folds = _folds(k_fold_indices, n, k, n)
        expect(len(folds) == k, f"k_fold_indices({n}, {k}, rng): expected {k} folds, got {len(folds)}")
        everything = np.concatenate(folds)
        expect(len(everything) == len(set(everything.tolist())), f"k_fold_indices({n}, {k}, rng): folds overlap: each fold is the "
               "validation indices of one round, a k-th of the samples, and no sample is in two folds")
        expect(sorted(everything.tolist()) == list(range(n)),
               f"k_fold_indices({n}, {k}, rng): folds do not cover range({n})")
        sizes = [len(fold) for fold in folds]
        expect(max(sizes) - min(sizes) <= 1, f"k_fold_indices({n}, {k}, rng): fold sizes {sizes} differ by more than 1")
    labels = np.repeat(np.arange(3), 100)  # sorted by class, as spiral_data(100, 3) returns them
    folds = _folds(k_fold_indices, 300, 3, 0)
    classes = "; ".join(f"fold {i}: classes {sorted(set(labels[fold].tolist()))}" for i, fold in enumerate(folds))
    contiguous = all(np.array_equal(np.sort(fold), np.arange(fold.min(), fold.min() + len(fold))) for fold in folds)
    expect(not contiguous, "the folds are contiguous blocks of range(n): the indices were not shuffled before "
           f"splitting. On 300 points sorted by class ({classes}) each fold validates on a single class. "
           "Shuffle first with rng.permutation(n), then split.")
    strided = all(len(fold) < 2 or len(set(np.diff(np.sort(fold)).tolist())) == 1 for fold in folds)
    expect(not strided, "each fold takes every k-th index in order: the indices were not shuffled before "
           "splitting. A fixed pattern can line up with an order or a period in the data (spiral_data is sorted by "
           "class, and by radius within a class). Shuffle first with rng.permutation(n), then split.")
    for index, fold in enumerate(folds):
        per_class = np.bincount(labels[fold], minlength=3)
        expect(per_class.min() >= 15,
               f"fold {index} holds per class {per_class} of 300 points sorted by class: shuffled folds hold about a "
               "third of each class, these were not shuffled (or only a little: a rotation or a few swaps keep the "
               "order). Shuffle all n indices with rng.permutation(n), then split.")
    other = _folds(k_fold_indices, 300, 3, 1)
    expect(not all(np.array_equal(a, b) for a, b in zip(folds, other)),
           "two different generators gave the same folds: the indices were not shuffled with rng. "
           "Use rng.permutation(n), then split.")
    again = _folds(k_fold_indices, 300, 3, 0)
    expect(all(np.array_equal(a, b) for a, b in zip(folds, again)),
           "the same seed gave different folds: shuffle with the rng you are given (rng.permutation), "
           "not with np.random, so that the folds can be reproduced")
    counts = ", ".join(str(np.bincount(labels[fold], minlength=3)) for fold in folds)
    correct(f"shuffled, disjoint folds that cover every sample, sizes within 1; "
            f"on 300 points sorted by class they hold per class {counts}")


def check_scaler(fit_scaler, transform):
    rng = np.random.default_rng(9)
    n_features = int(rng.integers(2, 5))
    X_train = rng.normal(5.0, 2.0, (200, n_features)) * rng.uniform(0.5, 3, n_features)
    X_test = rng.normal(8.0, 3.0, (50, n_features))
    train_given, test_given = X_train.copy(), X_test.copy()
    scaler = call(fit_scaler, train_given, returns="(mean, std), one of each per feature")
    parts = tuple(scaler) if isinstance(scaler, (tuple, list, np.ndarray)) else (scaler,)
    expect(len(parts) == 2 and all(np.size(part) == n_features for part in parts),
           f"fit_scaler(X_train of shape {X_train.shape}) should return (mean, std), each with one number per "
           f"feature ({n_features}): take them over the samples, axis=0")
    train_scaled = np.asarray(call(transform, train_given, scaler, returns=f"the scaled data, shape {X_train.shape}"))
    test_scaled = np.asarray(call(transform, test_given, scaler, returns=f"the scaled data, shape {X_test.shape}"))
    expect(np.array_equal(train_given, X_train) and np.array_equal(test_given, X_test),
           "transform changed X in place (-=, /=): return a new array, (X - mean) / std, and leave the data alone")
    expect_shape("transform(X_train, scaler)", train_scaled, X_train.shape)
    expect_close("the means of the scaled training data (subtract the training mean)", train_scaled.mean(axis=0),
                 np.zeros(n_features), atol=1e-9)
    stds = train_scaled.std(axis=0)
    expect(not np.allclose(stds, np.sqrt((len(X_train) - 1) / len(X_train))),
           "the scaled training data has standard deviations just below 1: the std was computed with ddof=1; use "
           "np.std's default (divide by n), so that the scaled training data has std 1")
    expect(not np.allclose(stds, X_train.std(axis=0)), "the scaled training data keeps its spread: divide by the "
                                                       "training standard deviation")
    expect_close("the standard deviations of the scaled training data", stds, np.ones(n_features), atol=1e-9)
    expected_test = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    expect(not np.allclose(test_scaled.mean(axis=0), 0, atol=0.05),
           "the scaled test data has mean 0: it was scaled with its own statistics, not the training ones")
    expect_close("scaled test data (with the training mean and std)", test_scaled, expected_test)
    correct(f"the test data is scaled with the training statistics, on {n_features} features")
