"""Checks for 05_backprop: the learner's backward passes (the pieces) and the exercises.

Every check works in float64 (``gradcheck.float64_dot`` undoes ``nnfs.init()``'s float32 ``np.dot``) on random
shapes and values, and compares with centred differences from ``nncore.gradcheck``.
"""
import numpy as np

from nncore import book, gradcheck

from . import NotWrittenYet, call, correct, expect, expect_close, expect_shape, piece, plain, seeded


def _sizes(rng, count, low=2, high=9):
    """``count`` different whole numbers in [low, high): a mix-up of two axes then shows in a shape."""
    return [int(size) for size in rng.choice(np.arange(low, high), size=count, replace=False)]


def _softmax(logits):
    exp = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    return exp / np.sum(exp, axis=1, keepdims=True)


def _attribute(layer, name, what):
    expect(hasattr(layer, name), f"backward must set self.{name} ({what})")
    return np.array(getattr(layer, name), dtype=np.float64)  # a copy: a second pass must not change it


def _depends_on_dvalues(name, first, second):
    expect(not np.allclose(first, second),
           f"{name} came out the same for two different dvalues: compute it from the dvalues backward is given")


def _returned_dinputs(got, layer, name):
    """``got``, what backward returned, as a float64 array; refused when it is None."""
    expect(got is not None, f"{name} must set and return self.dinputs" +
           (" (it set it, but returned None)" if hasattr(layer, "dinputs") else ""))
    return np.asarray(got, dtype=np.float64)


def _unchanged(given, original, name):
    expect(np.array_equal(given, original),
           f"{name} changed the dvalues it was given (it wrote into them in place): that array belongs to the layer "
           "above, which may still need it; work on a copy, dvalues.copy()")


# ---------------------------------------------------------------- Dense ----------------------------------------

def _dense_pass(layer, inputs, dvalues):
    """forward(inputs), then backward(a copy of dvalues); returns the copy, to see whether backward wrote into it."""
    given = dvalues.copy()
    with gradcheck.float64_dot():
        call(layer.forward, inputs, returns="nothing, after setting self.output (and self.inputs)",
             name="Layer_Dense.forward")
        call(layer.backward, given, returns="nothing, after setting self.dweights, self.dbiases and self.dinputs",
             name="Layer_Dense.backward")
    return given


def _check_dweights(dweights, inputs, dvalues, expected):
    n_inputs, n_neurons = expected.shape
    expect(dweights.shape != (n_neurons, n_inputs) or n_inputs == n_neurons,
           f"self.dweights has shape {dweights.shape}, the transpose of W's {expected.shape}: ∂W = Xᵀ G is "
           f"(n_inputs, N) times (N, n_neurons)")
    expect_shape("self.dweights (the shape of W)", dweights, expected.shape)
    if not np.allclose(dweights, expected):
        expect(not np.allclose(dweights, expected.T),
               "self.dweights holds (Xᵀ G)ᵀ = Gᵀ X, ∂W transposed: it is Xᵀ G, (n_inputs, N) times (N, n_neurons)")
        expect(not np.allclose(dweights * len(inputs), expected),
               f"self.dweights is N = {len(inputs)} times too small: the 1/N of the mean loss is already inside "
               "dvalues, so do not divide again")
    expect_close("self.dweights", dweights, expected, rtol=1e-6, atol=1e-9)


def _not_divided_again(name, got, expected, samples):
    expect(np.allclose(got, expected) or not np.allclose(got * samples, expected),
           f"{name} is N = {samples} times too small: the 1/N of the mean loss is already inside dvalues, so do not "
           "divide again")


def _check_dbiases(dbiases, dvalues, expected):
    samples, n_neurons = dvalues.shape
    if dbiases.shape == (n_neurons,):
        raise AssertionError(f"self.dbiases has shape {dbiases.shape}: keep the biases' row shape (1, {n_neurons}), "
                             "keepdims=True")
    expect(dbiases.shape not in ((samples,), (samples, 1)),
           f"self.dbiases has shape {dbiases.shape}, one number per sample: it was summed over the neurons (axis 1); "
           "the biases are shared by the samples, so add the gradients up over the samples, axis 0")
    expect(dbiases.shape != (samples, n_neurons),
           f"self.dbiases has shape {dbiases.shape}, one row per sample: every sample uses the same biases, so add "
           "the rows up (over axis 0)")
    expect(dbiases.size != 1 or n_neurons == 1,
           "self.dbiases is one number: add up over the samples only (axis 0), one sum per neuron")
    expect_shape("self.dbiases (the shape of the biases)", dbiases, expected.shape)
    _not_divided_again("self.dbiases", dbiases, expected, samples)
    expect_close("self.dbiases", dbiases, expected, rtol=1e-6, atol=1e-9)


def _check_dinputs(dinputs, dvalues, weights, expected):
    expect_shape("self.dinputs (the shape of the inputs)", dinputs, expected.shape)
    if weights.shape[0] == weights.shape[1]:
        expect(not np.allclose(dinputs, dvalues @ weights) or np.allclose(dinputs, expected),
               "self.dinputs is G W: it is G Wᵀ, (N, n_neurons) times (n_neurons, n_inputs)")
    _not_divided_again("self.dinputs", dinputs, expected, len(dvalues))
    expect_close("self.dinputs", dinputs, expected, rtol=1e-6, atol=1e-9)


@piece(lambda: book.Layer_Dense)
def check_layer_dense_backward(layer_class):
    """Layer_Dense.backward: dweights = Xᵀ G, dbiases = the column sums of G (1, n), dinputs = G Wᵀ."""
    rng = np.random.default_rng(51)
    for case in range(3):
        samples, n_inputs, n_neurons = _sizes(rng, 3)
        if case == 0:
            n_inputs = n_neurons  # a square W first: a transposed product has the right shape, so its values name it
        with seeded(case):
            layer = call(layer_class, n_inputs, n_neurons, returns=f"a layer with {n_inputs} inputs and "
                         f"{n_neurons} neurons", name="Layer_Dense")
        weights, biases = rng.standard_normal((n_inputs, n_neurons)), rng.standard_normal((1, n_neurons))
        layer.weights, layer.biases = weights.copy(), biases.copy()
        inputs, dvalues = rng.standard_normal((samples, n_inputs)), rng.standard_normal((samples, n_neurons))
        given = _dense_pass(layer, inputs, dvalues)
        found = {name: _attribute(layer, name, what) for name, what in (
            ("dweights", "the gradient of W, Xᵀ G"), ("dbiases", "the biases need a gradient too"),
            ("dinputs", "the gradient passed on to the layer below"))}
        _unchanged(given, dvalues, "Layer_Dense.backward")
        if case == 0:
            _dense_pass(layer, inputs, 2 * dvalues + 1)
            _depends_on_dvalues("self.dweights", found["dweights"], _attribute(layer, "dweights", ""))

        def stand_in_loss(_):
            return np.sum(dvalues * (np.matmul(inputs, weights) + biases))

        _check_dweights(found["dweights"], inputs, dvalues, gradcheck.numerical_gradient(stand_in_loss, weights))
        _check_dbiases(found["dbiases"], dvalues, gradcheck.numerical_gradient(stand_in_loss, biases))
        _check_dinputs(found["dinputs"], dvalues, weights, gradcheck.numerical_gradient(stand_in_loss, inputs))
    correct("Layer_Dense.backward matches the numerical gradients of W, b and X, on 3 layers of random sizes")


# ---------------------------------------------------------------- ReLU -----------------------------------------

def _away_from_zero(rng, shape):
    values = rng.standard_normal(shape)
    return np.where(np.abs(values) < 0.05, 0.5, values)  # off the kink, where a centred difference straddles it


def _relu_pass(relu, inputs, dvalues):
    given = dvalues.copy()
    call(relu.forward, inputs, returns="nothing, after setting self.output (and self.inputs)",
         name="Activation_ReLU.forward")
    call(relu.backward, given, returns="nothing, after setting self.dinputs", name="Activation_ReLU.backward")
    return given, _attribute(relu, "dinputs", "the gradient with respect to ReLU's inputs")


@piece(lambda: book.Activation_ReLU)
def check_relu_backward(relu_class):
    """Activation_ReLU.backward: dinputs = G ⊙ 1[Z > 0], on a copy of dvalues."""
    rng = np.random.default_rng(52)
    for case in range(3):
        shape = tuple(_sizes(rng, 2))
        inputs, dvalues = _away_from_zero(rng, shape), rng.standard_normal(shape)
        relu = call(relu_class, returns="a ReLU activation", name="Activation_ReLU")
        given, dinputs = _relu_pass(relu, inputs, dvalues)
        _unchanged(given, dvalues, "Activation_ReLU.backward")
        if case == 0:
            _depends_on_dvalues("self.dinputs", dinputs, _relu_pass(relu, inputs, 2 * dvalues + 1)[1])
        expected = gradcheck.numerical_gradient(lambda _: np.sum(dvalues * np.maximum(inputs, 0)), inputs)
        expect_shape("self.dinputs (the shape of the inputs)", dinputs, shape)
        if not np.allclose(dinputs, expected):
            mistakes = [(np.maximum(dvalues, 0), "self.dinputs is 0 where dvalues is negative: the mask comes from "
                                                 "ReLU's inputs Z (where Z > 0), not from the gradient"),
                        (dvalues * (inputs <= 0), "the mask is the wrong way round: the gradient passes where the "
                                                  "input was positive and is 0 elsewhere"),
                        (1.0 * (inputs > 0), "self.dinputs is the mask 1[Z > 0] alone: multiply dvalues by it "
                                             "(the chain rule)"),
                        (dvalues, "self.dinputs is dvalues unmasked: set it to 0 where the input was not positive")]
            for wrong, message in mistakes:
                expect(not np.allclose(dinputs, wrong), message)
        expect_close("self.dinputs", dinputs, expected, rtol=1e-6, atol=1e-9)
    correct("Activation_ReLU.backward passes G where Z > 0, leaves dvalues alone, on 3 random batches")


# ---------------------------------------------------------------- Softmax --------------------------------------

def _softmax_pass(softmax, logits, dvalues):
    given = dvalues.copy()
    with gradcheck.float64_dot():
        call(softmax.forward, logits, returns="nothing, after setting self.output", name="Activation_Softmax.forward")
        call(softmax.backward, given, returns="nothing, after setting self.dinputs",
             name="Activation_Softmax.backward")
    return given, _attribute(softmax, "dinputs", "the gradient with respect to the logits")


@piece(lambda: book.Activation_Softmax)
def check_softmax_backward(softmax_class):
    """Activation_Softmax.backward: row i of dinputs is J_i G_i, J_i = diag(S_i) - S_i S_iᵀ."""
    rng = np.random.default_rng(53)
    for case in range(3):
        samples, classes = _sizes(rng, 2, low=3)
        logits, dvalues = 1.5 * rng.standard_normal((samples, classes)), rng.standard_normal((samples, classes))
        softmax = call(softmax_class, returns="a softmax activation", name="Activation_Softmax")
        given, dinputs = _softmax_pass(softmax, logits, dvalues)
        _unchanged(given, dvalues, "Activation_Softmax.backward")
        if case == 0:
            _depends_on_dvalues("self.dinputs", dinputs, _softmax_pass(softmax, logits, 2 * dvalues + 1)[1])
        expected = gradcheck.numerical_gradient(lambda _: np.sum(dvalues * _softmax(logits)), logits)
        expect_shape("self.dinputs (the shape of the logits)", dinputs, logits.shape)
        if not np.allclose(dinputs, expected):
            S = _softmax(logits)
            first = np.diag(S[0]) - np.outer(S[0], S[0])
            mistakes = [(S * dvalues, "self.dinputs is diag(S_i) G_i: the outer product S_i S_iᵀ is missing from "
                                      "the Jacobian"),
                        (S * (1 - S) * dvalues, "self.dinputs uses only the Jacobian's diagonal S_j(1 - S_j): every "
                                                "input reaches every output of its sample, so multiply G_i by the "
                                                "whole J_i = diag(S_i) - S_i S_iᵀ"),
                        (S * dvalues + S * np.sum(S * dvalues, axis=1, keepdims=True),
                         "the sign of the outer product is wrong: J_i = diag(S_i) - S_i S_iᵀ, the outer product is "
                         "subtracted"),
                        (dvalues @ first, "every sample got the first sample's Jacobian: build one J_i per sample, "
                                          "from that sample's outputs"),
                        (S * dvalues - np.sum(S ** 2, axis=1, keepdims=True) * np.sum(dvalues, axis=1, keepdims=True),
                         "S_i S_iᵀ came out as one number, the dot product of the row with itself (np.dot of two flat "
                         "rows, or of a (1, K) row with its transpose): the Jacobian needs the outer product, a "
                         "(K, 1) column times a (1, K) row, (K, K)")]
            for wrong, message in mistakes:
                expect(not np.allclose(dinputs, wrong), message)
        expect_close("self.dinputs", dinputs, expected, rtol=1e-6, atol=1e-9)
    correct("Activation_Softmax.backward applies each sample's Jacobian, on 3 random batches")


# ---------------------------------------------------------------- the losses -----------------------------------

def _labels(rng, samples, classes):
    sparse = rng.integers(0, classes, samples)
    return sparse, np.eye(classes, dtype=np.float64)[sparse]


def _loss_gradient(loss, name, probabilities, labels, kind):
    """backward(a copy of probabilities, labels); returns the copy and self.dinputs."""
    given = probabilities.copy()
    shape = plain(labels.shape)
    other = ("sparse labels are class indices: make them one-hot rows first (np.eye(K)[y]) or index with them"
             if kind == "sparse" else "one-hot rows hold a 1 at the right class: np.argmax(y, axis=1) turns them "
             "into class indices")
    try:
        with gradcheck.float64_dot(), np.errstate(divide="ignore", invalid="ignore"):
            call(loss.backward, given, labels, returns="nothing, after setting self.dinputs", name=name)
    except NotWrittenYet:
        raise
    except AssertionError as error:
        raise AssertionError(f"with {kind} labels, shape {shape}: {error} ({other})") from None
    return given, _attribute(loss, "dinputs", "the gradient with respect to the predictions")


@piece(lambda: book.Loss_CategoricalCrossentropy)
def check_cce_backward(loss_class):
    """Loss_CategoricalCrossentropy.backward: -Y / (N Ŷ), Ŷ clipped to [1e-7, 1 - 1e-7], sparse or one-hot labels."""
    rng = np.random.default_rng(54)
    name = "Loss_CategoricalCrossentropy.backward"
    for case in range(3):
        samples, classes = _sizes(rng, 2, low=3)
        probabilities = _softmax(rng.standard_normal((samples, classes)))
        sparse, one_hot = _labels(rng, samples, classes)
        loss = call(loss_class, returns="a loss object", name="Loss_CategoricalCrossentropy")

        def mean_loss(predictions):
            return np.mean(-np.log(predictions[np.arange(samples), sparse]))

        expected = gradcheck.numerical_gradient(mean_loss, probabilities.copy())
        for kind, labels in (("one-hot", one_hot), ("sparse", sparse)):
            given, got = _loss_gradient(loss, name, probabilities, labels, kind)
            _unchanged(given, probabilities, name)
            expect_shape(f"self.dinputs with {kind} labels (the shape of the predictions)", got, expected.shape)
            if case == 0 and kind == "one-hot":
                other = _softmax(rng.standard_normal((samples, classes)))
                _depends_on_dvalues("self.dinputs", got, _loss_gradient(loss, name, other, labels, kind)[1])
            if not np.allclose(got, expected):
                _expect_divided_by_samples(got, expected, samples, classes)
                expect(not np.allclose(got, -expected), "the sign is flipped: ∂L/∂ŷ = -y/ŷ, negative at the right "
                                                        "class")
                expect(not np.allclose(got, -one_hot / samples),
                       "self.dinputs is -Y/N: divide by the predictions too, ∂L/∂ŷ = -y/ŷ")
            expect_close(f"self.dinputs with {kind} labels", got, expected, rtol=1e-6, atol=1e-9)
    probabilities = _softmax(np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 3.0]]))
    probabilities[0] = [0.0, 0.6, 0.4]  # the right class of sample 0 got probability 0
    got = _loss_gradient(call(loss_class, returns="a loss object", name="Loss_CategoricalCrossentropy"),
                         name, probabilities, np.array([0, 2]), "sparse")[1]
    expect(np.all(np.isfinite(got)),
           "a probability of exactly 0 at the right class gives an infinite gradient: clip the predictions to "
           "[1e-7, 1 - 1e-7] as forward does, before dividing")
    expect_close("self.dinputs for a probability of 0 at the right class", got[0, 0], -1 / 1e-7 / 2, rtol=1e-6)
    correct("Loss_CategoricalCrossentropy.backward gives -y/(Nŷ) with sparse and one-hot labels, clipped, on 3 batches")


def _expect_divided_by_samples(got, expected, samples, classes):
    """Name a loss gradient divided by the number of classes K, or not divided by the number of samples N."""
    expect(not np.allclose(got, expected * samples / classes),
           f"self.dinputs is divided by K = {classes}, the number of classes (dvalues.shape[1]): the mean "
           f"is over the N = {samples} samples, len(dvalues)")
    expect(not np.allclose(got, expected * samples),
           f"self.dinputs is N = {samples} times too large: the loss is the mean over the N samples, so divide by N")


@piece(lambda: book.Activation_Softmax_Loss_CategoricalCrossentropy)
def check_softmax_cce_backward(combined_class):
    """Activation_Softmax_Loss_CategoricalCrossentropy.backward: (Ŷ - Y)/N, sparse or one-hot labels."""
    rng = np.random.default_rng(55)
    name = "Activation_Softmax_Loss_CategoricalCrossentropy.backward"
    for case in range(3):
        samples, classes = _sizes(rng, 2, low=3)
        logits = rng.standard_normal((samples, classes))
        probabilities = _softmax(logits)
        sparse, one_hot = _labels(rng, samples, classes)
        combined = call(combined_class, returns="the combined softmax and loss",
                        name="Activation_Softmax_Loss_CategoricalCrossentropy")

        def mean_loss(z):
            return np.mean(-np.log(_softmax(z)[np.arange(samples), sparse]))

        expected = gradcheck.numerical_gradient(mean_loss, logits)
        for kind, labels in (("sparse", sparse), ("one-hot", one_hot)):
            given, got = _loss_gradient(combined, name, probabilities, labels, kind)
            _unchanged(given, probabilities, name)
            expect_shape(f"self.dinputs with {kind} labels (the shape of the logits)", got, expected.shape)
            if case == 0 and kind == "sparse":
                other = _softmax(rng.standard_normal((samples, classes)))
                _depends_on_dvalues("self.dinputs", got, _loss_gradient(combined, name, other, labels, kind)[1])
            if not np.allclose(got, expected):
                _expect_divided_by_samples(got, expected, samples, classes)
                expect(not np.allclose(got, -expected), "the sign is flipped: the gradient is (ŷ - y)/N, positive "
                                                        "away from the right class")
            expect_close(f"self.dinputs with {kind} labels", got, expected, rtol=1e-6, atol=1e-9)
    correct("the shortcut (ŷ - y)/N matches the numerical gradient of the mean loss, sparse and one-hot, on 3 batches")


# ---------------------------------------------------------------- exercises ------------------------------------

def _forward_difference(f, x, h=1e-5):
    """(f(x + h e_k) - f(x)) / h at every index k: the mistake the exercise names."""
    x, gradient = x.copy(), np.zeros(x.shape)
    base = f(x)
    for index in np.ndindex(x.shape):
        kept = x[index]
        x[index] = kept + h
        gradient[index] = (f(x) - base) / h
        x[index] = kept
    return gradient


def check_centred_gradient(centred_gradient):
    """centred_gradient(f, x): the centred differences of the scalar f at every element of x, x left as it was."""
    rng = np.random.default_rng(56)
    weights = rng.standard_normal((3, 4))
    cases = [("sum(sin(x))", lambda v: np.sum(np.sin(v)), np.cos, (int(rng.integers(2, 9)),)),
             ("sum(x³)", lambda v: np.sum(v ** 3), lambda v: 3 * v ** 2, tuple(_sizes(rng, 2))),
             ("sum(W ⊙ x)²", lambda v: np.sum(weights * v) ** 2, lambda v: 2 * np.sum(weights * v) * weights, (3, 4)),
             ("sum(exp(x))", lambda v: np.sum(np.exp(v)), np.exp, (2, 3, 2))]
    for label, f, derivative, shape in cases:
        x = rng.uniform(-1.5, 1.5, shape)
        before = x.copy()
        got = call(centred_gradient, f, x, returns=f"an array of shape {shape}, the gradient of {label}",
                   name="centred_gradient")
        expect(np.array_equal(x, before), f"{label}: x is not as it was after the call: put every element back "
                                          "after nudging it")
        expect_shape(f"centred_gradient of {label} (the shape of x)", got, shape)
        expect(np.asarray(got).dtype.kind != "f" or np.asarray(got).dtype.itemsize >= 8,
               f"{label}: the gradient came as {np.asarray(got).dtype}, which keeps about 7 significant digits, "
               "fewer than a gradient check compares: collect the differences in a float64 array "
               "(np.zeros(x.shape) is one)")
        got, exact = np.asarray(got, dtype=np.float64), derivative(before)
        if not np.allclose(got, exact, rtol=1e-7, atol=1e-7):
            expect(not np.allclose(got, 2 * exact, rtol=1e-5),
                   f"{label}: twice the gradient: the two points x + h and x - h are 2h apart")
            expect(not np.allclose(got, _forward_difference(f, before), rtol=1e-6, atol=1e-9),
                   f"{label}: close, but only to about h: that is a forward difference (f(x + h) - f(x)) / h; "
                   "step to both sides, (f(x + h) - f(x - h)) / 2h, whose error shrinks like h²")
            expect(not np.allclose(got, exact, rtol=1e-3, atol=1e-4),
                   f"{label}: close, but only to {np.max(np.abs(got - exact)):.0e}, where centred differences with "
                   "h = 1e-5 in float64 come within 1e-7: do you step by the h you are given (1e-5 by default), and "
                   "collect the differences in a float64 array?")
            if exact.ndim > 1:
                rows = np.sum(exact, axis=tuple(range(1, exact.ndim)), keepdims=True)
                expect(not np.allclose(got, np.broadcast_to(rows, shape), rtol=1e-5),
                       f"{label}: every element of a row got the same number, the row's sum: for an x of {exact.ndim} "
                       "dimensions x[i] is a whole row; nudge one element at a time (np.ndindex(x.shape) lists "
                       "every index)")
        expect_close(f"centred_gradient of {label}", got, exact, rtol=1e-7, atol=1e-7)
    correct("centred_gradient matches the exact gradients of 4 functions of arrays of 1 to 3 dimensions")


def check_activation_backwards(tanh_class, leaky_class, swish_class):
    """Each class's backward against a float64 numerical gradient (gradcheck.check_layer)."""
    rng = np.random.default_rng(57)

    def sigmoid(u):
        return 1 / (1 + np.exp(-u))

    for name, make, function, local, others in (
            ("tanh", lambda: call(tanh_class, returns="a tanh layer", name="MyTanh"), np.tanh,
             lambda z: 1 - np.tanh(z) ** 2, ()),
            ("leaky ReLU", lambda: call(leaky_class, 0.1, returns="a leaky ReLU", name="MyLeakyReLU"),
             lambda z: np.where(z > 0, z, 0.1 * z), lambda z: np.where(z > 0, 1.0, 0.1),
             ((lambda z: np.where(z > 0, z, 0.01 * z), "MyLeakyReLU(0.1) used alpha = 0.01, the default: __init__ "
               "must keep the alpha it is given (self.alpha) and forward and backward use it"),)),
            ("swish", lambda: call(swish_class, 1.5, returns="a swish layer", name="MySwish"),
             lambda z: z * sigmoid(1.5 * z), lambda z: sigmoid(1.5 * z) * (1 + 1.5 * z * (1 - sigmoid(1.5 * z))),
             ((lambda z: z * sigmoid(z), "MySwish(1.5) used beta = 1, the default: __init__ must keep the beta it is "
               "given (self.beta) and forward and backward use it"),))):
        z = _away_from_zero(rng, tuple(_sizes(rng, 2)))
        dvalues = rng.standard_normal(z.shape)
        layer = make()
        output = call(layer.forward, z, returns="the outputs, after storing what backward needs",
                      name=f"{name}'s forward")
        expect(output is not None, f"{name}: forward must return its output (and keep it in self.output)")
        output = np.asarray(output, dtype=np.float64)
        expect_shape(f"{name}: forward's output", output, z.shape)
        if not np.allclose(output, function(z)):
            for wrong, mistake in others:
                expect(not np.allclose(output, wrong(z)), f"{name}: {mistake}")
            expect_close(f"{name}: forward's output", output, function(z))
        given = dvalues.copy()
        try:
            got = call(layer.backward, given, returns="self.dinputs", name=f"{name}'s backward")
        except NotWrittenYet:
            raise
        except AssertionError as error:
            if "AttributeError" not in str(error):
                raise
            raise AssertionError(f"{name}: {error} forward must store what backward needs") from None
        _unchanged(given, dvalues, f"{name}: backward")
        got = _returned_dinputs(got, layer, f"{name}: backward")
        expect_shape(f"{name}: dinputs", got, z.shape)
        expect(not np.allclose(got, local(z)),
               f"{name}: dinputs is the local derivative alone: multiply it by dvalues (the chain rule)")
        try:
            errors = gradcheck.check_layer(layer, z, dvalues=dvalues, tol=None)
        except AttributeError as error:
            raise AssertionError(f"{name}: {error}; forward must store what backward needs") from None
        expect(errors["dinputs"] < 1e-6,
               f"{name}: relative error {errors['dinputs']:.1e} against the numerical gradient (expected < 1e-6): "
               "check your derivative of its formula")
    correct("all three backward passes pass the gradient check")


def _layer_pass(layer, inputs, dvalues, name):
    call(layer.forward, inputs, returns="the outputs (N, n)", name=f"{name}.forward")
    given = dvalues.copy()
    with gradcheck.float64_dot():
        got = call(layer.backward, given, returns="self.dinputs (N, n)", name=f"{name}.backward")
    _unchanged(given, dvalues, f"{name}.backward")
    _returned_dinputs(got, layer, f"{name}.backward")


def _verdict(layer, inputs, dvalues, name):
    errors = gradcheck.check_layer(layer, inputs, dvalues=dvalues, tol=None)
    for gradient, error in errors.items():
        expect(error < 1e-6, f"{name}: {gradient} has a relative error {error:.1e} against the numerical gradient "
                             "(expected < 1e-6)")


def check_scale_shift_backward(scale_shift_class):
    """ScaleShift.backward: dgamma = Σ_i G_i ⊙ X_i, dbeta = Σ_i G_i (both (1, n)), dinputs = G ⊙ γ."""
    rng = np.random.default_rng(58)
    for case in range(3):
        samples, features = _sizes(rng, 2)
        layer = call(scale_shift_class, features, returns=f"a ScaleShift of {features} features", name="ScaleShift")
        layer.gamma, layer.beta = rng.standard_normal((1, features)), rng.standard_normal((1, features))
        inputs, dvalues = rng.standard_normal((samples, features)), rng.standard_normal((samples, features))
        _layer_pass(layer, inputs, dvalues.copy(), "ScaleShift")
        found = {name: _attribute(layer, name, what) for name, what in (
            ("dgamma", "the gradient of γ, shape (1, n)"), ("dbeta", "the gradient of β, shape (1, n)"),
            ("dinputs", "the gradient passed on, shape (N, n)"))}
        if case == 0:
            _layer_pass(layer, inputs, 2 * dvalues + 1, "ScaleShift")
            _depends_on_dvalues("self.dinputs", found["dinputs"], _attribute(layer, "dinputs", ""))
        for name in ("dgamma", "dbeta"):
            expect(found[name].shape != (samples, features),
                   f"self.{name} has one row per sample, shape {found[name].shape}: every sample uses the same "
                   f"{name[1:]}, so add the samples' gradients up (over axis 0, kept as (1, {features}))")
            expect_shape(f"self.{name} (the shape of {name[1:]})", found[name], (1, features))
        right = {"dgamma": np.sum(dvalues * inputs, axis=0, keepdims=True),
                 "dbeta": np.sum(dvalues, axis=0, keepdims=True)}
        for name in ("dgamma", "dbeta"):
            expect(not np.allclose(found[name] * samples, right[name]),
                   f"self.{name} is N = {samples} times too small, a mean over the samples: their gradients add up, "
                   "a sum (the 1/N of the mean loss is already inside dvalues)")
        expect(not np.allclose(found["dgamma"], np.sum(dvalues, axis=0, keepdims=True)),
               "self.dgamma is Σ_i G_i, β's gradient: γ multiplies the inputs, so each sample's G_i is multiplied by "
               "its X_i before the sum")
        expect(not np.allclose(found["dinputs"], dvalues),
               "self.dinputs is dvalues as it came: the inputs are scaled by γ on the way up, so their gradient is "
               "scaled by γ on the way down")
        expect(not np.allclose(found["dinputs"], dvalues * inputs),
               "self.dinputs is G ⊙ X, which is γ's gradient before the sum: ∂Y/∂X is γ")
        _verdict(layer, inputs, dvalues, "ScaleShift")
    correct("ScaleShift.backward gives dgamma, dbeta and dinputs that pass the gradient check, on 3 random layers")


def check_residual_backward(residual_class):
    """Residual.backward: Y = X + XW, so dweights = Xᵀ G and dinputs = G + G Wᵀ."""
    rng = np.random.default_rng(59)
    for case in range(3):
        samples, features = _sizes(rng, 2)
        with seeded(case):
            layer = call(residual_class, features, returns=f"a Residual of {features} features", name="Residual")
        layer.weights = rng.standard_normal((features, features))
        inputs, dvalues = rng.standard_normal((samples, features)), rng.standard_normal((samples, features))
        _layer_pass(layer, inputs, dvalues.copy(), "Residual")
        dweights = _attribute(layer, "dweights", "the gradient of W, shape (n, n)")
        dinputs = _attribute(layer, "dinputs", "the gradient passed on, shape (N, n)")
        if case == 0:
            _layer_pass(layer, inputs, 2 * dvalues + 1, "Residual")
            _depends_on_dvalues("self.dinputs", dinputs, _attribute(layer, "dinputs", ""))
        expect_shape("self.dweights (the shape of W)", dweights, (features, features))
        expect_shape("self.dinputs (the shape of X)", dinputs, (samples, features))
        expect(not np.allclose(dweights * samples, inputs.T @ dvalues),
               f"self.dweights is N = {samples} times too small: the samples' gradients add up, Xᵀ G (the 1/N of "
               "the mean loss is already inside dvalues)")
        expect(not np.allclose(dweights, dvalues.T @ inputs),
               "self.dweights is Gᵀ X, ∂W transposed: W multiplies X from the right, as in Dense, so ∂W = Xᵀ G")
        expect(not np.allclose(dinputs, dvalues @ layer.weights.T),
               "self.dinputs is only G Wᵀ, the path through W: X also reaches Y directly (the + X), and gradients "
               "add up where a value is used twice, so add that path's G")
        expect(not np.allclose(dinputs, dvalues),
               "self.dinputs is only G, the direct path: X also reaches Y through XW, so add that path's G Wᵀ")
        expect(not np.allclose(dinputs, dvalues + dvalues @ layer.weights),
               "self.dinputs uses G W: the path through W gives G Wᵀ")
        _verdict(layer, inputs, dvalues, "Residual")
    correct("Residual.backward adds both paths into dinputs and passes the gradient check, on 3 random layers")
