"""Checks for 03_activations: the learner's softmax, ReLU and sigmoid, and the exercises."""
import contextlib
import warnings
from unittest import mock

import numpy as np

from nncore import LeakyReLU, Swish, book
from nncore.activations import stable_sigmoid

from . import call, correct, expect, expect_shape, names_read, piece, plain

SAFE_EXP = "e^{-|z|}, which never exceeds 1"
KEEPDIMS = {"could not be broadcast": "A row's maximum or sum taken without keepdims=True has shape (N,), which NumPy "
                                      "lines up with the columns of the (N, K) scores, not with their rows; keep it "
                                      "a column, shape (N, 1), with keepdims=True"}
IN_PLACE = "an in-place operation (z[...] = ..., -=, or out=...) overwrote it"
SILENCED = ("NumPy did not warn, yet np.exp returned inf: silencing the warning is not the fix, since the exponential "
            "still overflows")
OVERFLOWS = "an exponential overflows (e^z is inf in float64 for z above 709)"


def _expect_close(name, actual, expected, *, rtol=1e-5, atol=1e-8, why=""):
    """Fail unless ``actual`` equals ``expected`` within tolerance, naming the first entry that differs in plain
    numbers (all 17 digits where six do not tell them apart), then ``why``."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    expect_shape(name, actual, expected.shape)
    close = np.isclose(actual, expected, rtol=rtol, atol=atol)
    if not np.all(close):
        where = _first(~close)
        digits = "6" if f"{expected[where]:.6g}" != f"{actual[where]:.6g}" else "17"
        raise AssertionError(f"{name}: at index {where} expected {expected[where]:.{digits}g}, got "
                             f"{actual[where]:.{digits}g}{why}")


@contextlib.contextmanager
def _recording():
    """Collect NumPy's RuntimeWarnings (overflow, 0/0, log 0) of the learner's code instead of printing them."""
    caught = []
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        yield caught
    caught.extend(str(warning.message) for warning in recorded if issubclass(warning.category, RuntimeWarning))


@contextlib.contextmanager
def _watching_exp():
    """While the learner's code runs, note every np.exp that returns inf (overflows), whether NumPy warned or not."""
    overflowed, exp = [], np.exp

    def watched(*args, **kwargs):
        result = exp(*args, **kwargs)
        if np.any(np.isinf(result) & kwargs.get("where", True)):
            overflowed.append(True)
        return result

    with mock.patch.object(np, "exp", watched):
        yield overflowed


def _run(function, given, *extra, returns, name=None, hints=None, in_place=IN_PLACE):
    """Call the learner's ``function(given, *extra)``; return (its result, NumPy's warnings, whether np.exp
    overflowed).

    An exception of theirs whose message holds a key of ``hints`` gets that hint added; a call that changes
    ``given`` is refused, since the caller still holds that array.
    """
    original = given.copy()
    with _recording() as warned, _watching_exp() as overflowed:
        try:
            result = call(function, given, *extra, returns=returns, name=name)
        except AssertionError as error:
            hint = next((hint for key, hint in (hints or {}).items() if key in str(error)), None)
            if hint is None:
                raise
            raise AssertionError(f"{error} {hint}") from None
    expect(np.array_equal(given, original, equal_nan=True),
           f"{name or plain(function)} changed the array it was given: {in_place}. The caller still holds that "
           "array; compute the result into a new one")
    return result, warned, bool(overflowed)


def _forward(activation, inputs, what, **how):
    """Run the learner's ``activation.forward(inputs)``; return (self.output as float64, NumPy's warnings, whether
    np.exp overflowed)."""
    returned, warned, overflowed = _run(activation.forward, inputs, name="forward",
                                        returns=f"nothing, after setting self.output ({what}, shape {inputs.shape})",
                                        **how)
    expect(hasattr(activation, "output"), "forward must store its result in self.output"
           + (" (yours returned it and stored nothing)" if returned is not None else ""))
    output = np.asarray(activation.output, dtype=np.float64)
    expect_shape("self.output", output, inputs.shape)
    return output, warned, overflowed


def _softmax(scores):
    shifted = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    return shifted / np.sum(shifted, axis=1, keepdims=True)


def _log_softmax(scores):
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _first(mask):
    """The index of the first True of ``mask``, as a tuple."""
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _batches(rng, count, largest=7):
    """``count`` batches of scores of random shapes (N, K), N != K, of random spread."""
    for _ in range(count):
        n_samples, n_classes = (int(size) for size in rng.choice(np.arange(2, largest), size=2, replace=False))
        yield rng.standard_normal((n_samples, n_classes)) * rng.uniform(0.5, 4)


def _probabilities_of(output, scores):
    """Refuse a softmax output whose rows are not probability rows, naming the likely mistake."""
    rows, columns = output.sum(axis=1), output.sum(axis=0)
    if not np.allclose(rows, 1):
        if np.allclose(columns, 1):
            raise AssertionError("each column of self.output sums to 1, not each row: you normalised along axis=0, "
                                 "each class over the batch. Normalise each sample over its classes: axis=1, "
                                 "keepdims=True")
        raise AssertionError(f"each row of self.output should sum to 1; for scores of shape {scores.shape} the row "
                             f"sums are {np.round(rows, 4).tolist()}. Divide each row by its own sum (axis=1, "
                             "keepdims=True)")
    if np.allclose(output, 1 / scores.shape[1]):
        raise AssertionError("every probability is 1/K whatever the scores: exponentiate the scores, then divide "
                             "each row by its sum")


SOFTMAX_IN_PLACE = "it subtracted the row maxima in place (inputs -= ...)"
SINGLE_ROWS = ([[1000.0, 999.0, 0.0]], [[-5.0, 800.0, 799.0, 790.0]], [[-10000.0, 0.0, 10000.0]])
"""Rows on which a softmax overflows unless it shifts each row by its maximum; the last, 20,000 wide, also catches a
shift by the row's mean or by its first column."""


@piece(lambda: book.Activation_Softmax)
def check_softmax(softmax_class):
    """Activation_Softmax: row-wise probabilities, the same for any shift of a row, finite for any scores."""
    rng = np.random.default_rng(31)
    activation = call(softmax_class, returns="an Activation_Softmax")
    for scores in [*_batches(rng, 3), rng.standard_normal((4, 4))]:
        output, _, _ = _forward(activation, scores, "each row of scores turned into probabilities, divided by its "
                                "sum kept as a column", hints=KEEPDIMS, in_place=SOFTMAX_IN_PLACE)
        _probabilities_of(output, scores)
        _expect_close(f"self.output for scores of shape {scores.shape}", output, _softmax(scores), rtol=1e-6)
    for row in SINGLE_ROWS:
        scores = np.array(row)
        output, warned, overflowed = _forward(activation, scores, "probabilities")
        expect(not warned and not overflowed and np.all(np.isfinite(output)),
               f"forward({row}) gave {np.round(output, 4).tolist()}"
               + (f" and NumPy warned '{warned[0]}'" if warned else "")
               + (f": {OVERFLOWS if warned else SILENCED}" if overflowed else
                  ": the exponentials of this row overflow to inf, or all underflow to 0")
               + ". Subtract each row's maximum before np.exp, so that no exponent is above 0; "
                 "softmax(z - c) = softmax(z)")
        _expect_close(f"self.output for {row}", output, _softmax(scores), rtol=1e-6)
    scores = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    output, warned, _ = _forward(activation, scores, "probabilities")
    if warned or not np.allclose(output, [[1.0, 0.0], [1.0, 0.0]]):
        raise AssertionError(
            f"forward([[1000, 0], [0, -1000]]) gave {np.round(output, 4).tolist()}, though each row alone is fine: "
            "you subtract one maximum for the whole batch (np.max(inputs)). Row 2 lies 1000 below it, every "
            "exponential of that row underflows to 0 and the row becomes 0/0 = nan. Subtract each row's own "
            "maximum: np.max(inputs, axis=1, keepdims=True)")
    for scores in _batches(rng, 2):
        scores = scores + rng.uniform(-5000, 5000, size=(len(scores), 1))
        output, _, _ = _forward(activation, scores, "probabilities")
        _expect_close("self.output for rows thousands apart", output, _softmax(scores), rtol=1e-6)
    correct("Activation_Softmax gives probability rows on batches of random shapes, finite for scores of ±1000, "
            "for a row from -10000 to 10000 and for rows thousands apart")


WHOLE_ARRAY_MAX = ("Python's max and np.max give the largest entry of a whole array (np.max(0, inputs) even reads "
                   "inputs as an axis); np.maximum(0, inputs) compares 0 with every entry")


def _relu_output(activation, inputs):
    output, _, _ = _forward(activation, inputs, "max(0, z) of every entry",
                            hints={"truth value of an array": WHOLE_ARRAY_MAX,
                                   "integer scalar arrays": WHOLE_ARRAY_MAX},
                            in_place="it clipped the negatives in place (inputs[inputs < 0] = 0, or "
                                     "np.maximum(..., out=inputs))")
    return output


@piece(lambda: book.Activation_ReLU)
def check_relu(relu_class):
    """Activation_ReLU: self.output = max(0, z) element by element, leaving the inputs unchanged."""
    rng = np.random.default_rng(32)
    activation = call(relu_class, returns="an Activation_ReLU")
    for _ in range(3):
        shape = tuple(int(size) for size in rng.integers(2, 8, size=2))
        inputs = rng.standard_normal(shape) * rng.uniform(0.5, 5)
        output = _relu_output(activation, inputs)
        negative, positive = inputs < 0, inputs > 0
        if not np.allclose(output[negative], 0):
            where = _first(negative & ~np.isclose(output, 0))
            raise AssertionError(f"negative inputs must give 0: for z = {inputs[where]:.3f} self.output holds "
                                 f"{output[where]:.3f}")
        if positive.any() and np.allclose(output[positive], 1):
            raise AssertionError("self.output holds 1 for every positive input: that is the step function. ReLU "
                                 "passes a positive z through unchanged")
        if not np.allclose(output[positive], inputs[positive]):
            where = _first(positive & ~np.isclose(output, inputs))
            raise AssertionError(f"positive inputs must pass through unchanged: for z = {inputs[where]:.3f} "
                                 f"self.output holds {output[where]:.3f}")
    correct("Activation_ReLU gives max(0, z) on 3 batches of random shapes and leaves its inputs as they were")


def _sigmoid_of(sigmoid, z):
    got, warned, overflowed = _run(sigmoid, z, returns=f"σ(z) of every entry, shape {z.shape}")
    got = np.asarray(got, dtype=np.float64)
    expect_shape(f"sigmoid(z) for z of shape {z.shape}", got, z.shape)
    return got, warned, overflowed


@piece(lambda: stable_sigmoid)
def check_sigmoid(sigmoid):
    """sigmoid(z): 1 / (1 + e^-z) element by element, without overflow or warnings for any z."""
    rng = np.random.default_rng(33)
    for shape in [(int(rng.integers(5, 30)),), tuple(int(size) for size in rng.integers(2, 7, size=2))]:
        z = rng.uniform(-30, 30, size=shape)
        z.flat[:2] = -1.3, 0.6  # both signs, and values far from saturation
        got, _, _ = _sigmoid_of(sigmoid, z)
        expected = stable_sigmoid(z)
        if np.allclose(got, stable_sigmoid(-z)):
            raise AssertionError("sigmoid gives 1 / (1 + e^z) = σ(-z): the exponent is -z (with np.where: its two "
                                 "branches are swapped, 1 / (1 + u) belongs to z >= 0)")
        negative = z < 0
        if np.allclose(got[negative], stable_sigmoid(-z[negative])) and np.allclose(got[~negative],
                                                                                   expected[~negative]):
            raise AssertionError("for z < 0 your sigmoid gives σ(|z|), a number above 1/2: for negative z, "
                                 "σ(z) = e^z / (1 + e^z) = e^{-|z|} / (1 + e^{-|z|})")
        if np.allclose(got[~negative], stable_sigmoid(-z[~negative])) and np.allclose(got[negative],
                                                                                     expected[negative]):
            raise AssertionError("for z >= 0 your sigmoid gives u / (1 + u) = σ(-|z|), a number below 1/2: that form "
                                 "is the one for z < 0; for z >= 0, σ(z) = 1 / (1 + u)")
        expect(not np.allclose(got, got.flat[0]), f"sigmoid gives {plain(got.flat[0])} whatever z")
        _expect_close(f"sigmoid(z) for z of shape {shape}", got, expected, rtol=1e-6, atol=1e-12)
    z = np.array([-1e4, -1000.0, -710.0, -30.0, 0.0, 30.0, 710.0, 1000.0, 1e4])
    got, warned, overflowed = _sigmoid_of(sigmoid, z)
    both = "np.where computes both of its branches for every z, so each must be safe everywhere"
    expect(not warned and np.all(np.isfinite(got)),
           f"at z = -10000 ... 10000 sigmoid gave {np.round(got, 4).tolist()}"
           + (f" and NumPy warned '{warned[0]}'" if warned else "")
           + f": e^-z overflows for very negative z (and {both}). Build σ from {SAFE_EXP}")
    expect(not overflowed, f"at z = -10000 ... 10000 {SILENCED} (e^-z, for very negative z; {both}). Build σ from "
           f"{SAFE_EXP}")
    _expect_close("sigmoid at z = -10000 ... 10000", got, stable_sigmoid(z), atol=1e-12)
    correct("sigmoid matches σ(z) on random inputs; from z = -10000 to 10000 it stays finite, NumPy stays quiet and "
            "no exponential overflows")


def _forbidden_tanh(*_args, **_kwargs):
    raise AssertionError("stable_tanh calls np.tanh, which the exercise forbids: the point is to build tanh from "
                         "np.exp and see why it stays finite")


def _tanh_of(stable_tanh, z):
    with mock.patch.object(np, "tanh", _forbidden_tanh):
        got, warned, overflowed = _run(stable_tanh, z, returns=f"tanh of every entry, shape {z.shape}")
    got = np.asarray(got, dtype=np.float64)
    expect_shape(f"stable_tanh(z) for z of shape {z.shape}", got, z.shape)
    return got, warned, overflowed


TANH_DIGITS = (": stable_tanh must agree with np.tanh to within 1e-15, as a formula from e^{-2|z|} does (to about "
               "1e-16 on these inputs); clipping z, or a formula that loses digits, does not")


def check_stable_tanh(stable_tanh):
    """stable_tanh(z) from exponentials only: equals tanh, finite and without overflow for any z."""
    used = getattr(getattr(stable_tanh, "__code__", None), "co_names", ())
    expect("tanh" not in used, "stable_tanh uses tanh (np.tanh or math.tanh), which the exercise forbids: build it "
           "from np.exp")
    namespace = getattr(stable_tanh, "__globals__", {})
    aliases = sorted(name for name in names_read(stable_tanh) if namespace.get(name) is np.tanh)
    expect(not aliases, f"stable_tanh reads {', '.join(aliases)}, which is np.tanh under another name: the exercise "
           "forbids np.tanh whatever it is called. Build tanh from np.exp")
    rng = np.random.default_rng(34)
    for shape in [(int(rng.integers(5, 40)),), tuple(int(size) for size in rng.integers(2, 7, size=2))]:
        z = rng.uniform(-20, 20, size=shape)
        z.flat[:2] = -0.7, 0.4  # both signs, and values far from saturation
        got, _, _ = _tanh_of(stable_tanh, z)
        if np.allclose(got, np.tanh(np.abs(z))):
            raise AssertionError("for z < 0 stable_tanh gives tanh(|z|), a positive number: tanh is odd, "
                                 "tanh(-z) = -tanh(z)")
        expect(not np.allclose(got, got.flat[0]), f"stable_tanh gives {plain(got.flat[0])} whatever z")
        expect(not np.allclose(got, np.tanh(z / 2)), "stable_tanh gives tanh(z/2): the exponent is -2|z|, not -|z| "
               "(and with the sigmoid, tanh z = 2σ(2z) - 1, with 2z)")
        _expect_close(f"stable_tanh(z) for z of shape {shape}", got, np.tanh(z), rtol=0, atol=1e-15,
                      why=TANH_DIGITS)
    z = np.array([-1e4, -800.0, -20.0, 0.0, 20.0, 800.0, 1e4])
    got, warned, overflowed = _tanh_of(stable_tanh, z)
    instead = "Write tanh with e^{-2|z|}, which never exceeds 1, and use that tanh is odd"
    expect(not warned and np.all(np.isfinite(got)),
           f"at z = -10000 ... 10000 stable_tanh gave {np.round(got, 4).tolist()}"
           + (f" and NumPy warned '{warned[0]}'" if warned else "") + f": e^(2|z|) overflows. {instead}")
    expect(not overflowed, f"at z = -10000 ... 10000 {SILENCED} (e^(2|z|), for large |z|). {instead}")
    _expect_close("stable_tanh at z = -10000 ... 10000", got, np.tanh(z), rtol=0, atol=1e-15, why=TANH_DIGITS)
    correct("stable_tanh equals tanh on random inputs, uses no np.tanh, and never overflows")


def _log_probabilities(log_softmax, scores):
    got, warned, overflowed = _run(log_softmax, scores, returns=f"the log-probabilities, shape {scores.shape}",
                                   hints=KEEPDIMS, in_place=SOFTMAX_IN_PLACE.replace("inputs", "scores"))
    got = np.asarray(got, dtype=np.float64)
    expect_shape(f"log_softmax(scores) for scores of shape {scores.shape}", got, scores.shape)
    return got, warned, overflowed


def check_log_softmax(log_softmax):
    """log_softmax(scores): log S of each row, finite wherever the scores are, even where S rounds to 0."""
    rng = np.random.default_rng(35)
    for scores in _batches(rng, 3):
        got, _, _ = _log_probabilities(log_softmax, scores)
        with np.errstate(all="ignore"):
            rows, columns = np.exp(got).sum(axis=1), np.exp(got).sum(axis=0)
        if np.allclose(got, _softmax(scores)):
            raise AssertionError("log_softmax gives the probabilities themselves: return their logarithms")
        if not np.allclose(rows, 1):
            if np.allclose(got, scores - scores.max(axis=1, keepdims=True)):
                raise AssertionError("the exponentials of each row should sum to 1: you subtracted the maximum but "
                                     "left out the log of the row's sum of exponentials")
            if np.allclose(columns, 1):
                raise AssertionError("the exponentials of each column sum to 1, not those of each row: you "
                                     "normalised along axis=0. Sum over the classes: axis=1, keepdims=True")
            if np.allclose(got, -_log_softmax(scores)):
                raise AssertionError("log_softmax gives -log S, positive numbers: a log-probability is at most 0; "
                                     "log S = (z - m) - log Σ e^(z - m), in that order")
            if np.allclose(got - _log_softmax(scores), scores.max(axis=1, keepdims=True)):
                raise AssertionError("each row of log_softmax is its row's maximum m too large: you subtracted m "
                                     "inside the sum but not from z itself; log S = (z - m) - log Σ e^(z - m)")
        _expect_close(f"log_softmax(scores) for scores of shape {scores.shape}", got, _log_softmax(scores), rtol=1e-6)
    for row in ([[1000.0, 0.0]], [[0.0, -1000.0]], [[-10000.0, 0.0, 10000.0]]):
        scores = np.array(row)
        got, warned, overflowed = _log_probabilities(log_softmax, scores)
        overflow_warned = [warning for warning in warned if "overflow" in warning]
        if overflow_warned or overflowed:
            raise AssertionError(f"log_softmax({row}) gave {got.tolist()}"
                                 + (f" and NumPy warned '{overflow_warned[0]}': {OVERFLOWS}" if overflow_warned
                                    else f": {SILENCED}")
                                 + ". Subtract each row's maximum before np.exp, so that no exponent is above 0")
        if np.any(np.isneginf(got)):
            raise AssertionError(f"log_softmax({row}) gave {got.tolist()}: the log of a probability that rounded to "
                                 "0 (e^-1000 underflows). Do not take the log of softmax's output: write log S with "
                                 "log(a / b) = log a - log b and log e^x = x, so that only the sum is exponentiated")
        expect(not warned and np.all(np.isfinite(got)), f"log_softmax({row}) gave {got.tolist()}"
               + (f" and NumPy warned '{warned[0]}'" if warned else ""))
        _expect_close(f"log_softmax({row})", got, _log_softmax(scores))
    scores = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    got, warned, _ = _log_probabilities(log_softmax, scores)
    if warned or not np.allclose(got, [[0.0, -1000.0], [0.0, -1000.0]]):
        raise AssertionError(
            f"log_softmax([[1000, 0], [0, -1000]]) gave {np.round(got, 4).tolist()}, though each row alone is fine: "
            "you subtract one maximum for the whole batch. Row 2 lies 1000 below it and its exponentials underflow "
            "to 0. Subtract each row's own maximum (axis=1, keepdims=True)")
    for scores in _batches(rng, 2):
        scores = scores + rng.uniform(-5000, 5000, size=(len(scores), 1))
        got, _, _ = _log_probabilities(log_softmax, scores)
        _expect_close("log_softmax for rows thousands apart", got, _log_softmax(scores), rtol=1e-6)
    correct("log_softmax matches log S on random batches, gives -1000, not -inf, where S rounds to 0, and no "
            "exponential overflows, even for a row from -10000 to 10000")


def check_hat_network(hat_network):
    """hat_network(): (W1, b1, W2, b2) of a 1 -> 3 -> 1 ReLU network drawing the hat max(0, 1 - |2x - 1|)."""
    parts = call(hat_network, returns="(W1, b1, W2, b2), arrays of shapes (1, 3), (1, 3), (3, 1), (1, 1)")
    expect(isinstance(parts, (tuple, list)) and len(parts) == 4,
           f"hat_network should return 4 arrays (W1, b1, W2, b2), got {plain(parts)}")
    W1, b1, W2, b2 = (np.asarray(part, dtype=np.float64) for part in parts)
    expect(W1.shape != (3, 1), "W1 has shape (3, 1): weights are stored (n_inputs, n_neurons) = (1, 3), one column "
           "per neuron, as in Dense")
    expect(W2.shape != (1, 3), "W2 has shape (1, 3): the output layer's weights are (n_inputs, n_neurons) = (3, 1)")
    for name, value, shape in (("W1", W1, (1, 3)), ("b1", b1, (1, 3)), ("W2", W2, (3, 1)), ("b2", b2, (1, 1))):
        expect_shape(name, value, shape)
    rng = np.random.default_rng(36)
    x = np.concatenate([[-1, -0.5, 0, 0.25, 0.5, 0.75, 1, 1.5, 2], rng.uniform(-1, 2, 200)]).reshape(-1, 1)
    got = np.matmul(np.maximum(0, np.matmul(x, W1) + b1), W2) + b2
    hat = np.maximum(0, 1 - np.abs(2 * x - 1))
    wrong = ~np.isclose(got, hat, atol=1e-6)
    for region, says in ((x < 0, "for x < 0 the hat is 0: every neuron's output, weighted, must add up to 0 there "
                                 "(a neuron with weight 1 and bias -t switches on at x = t)"),
                         ((x >= 0) & (x <= 1), "the hat rises with slope 2 from 0 at x = 0 to 1 at x = 0.5, then "
                                               "falls with slope -2 to 0 at x = 1"),
                         (x > 1, "for x > 1 the hat is 0 again: the slopes of the neurons that are on there must add "
                                 "up to 0 (the last neuron cancels the slope that is left)")):
        if np.any(wrong & region):
            where = _first(wrong & region)
            raise AssertionError(f"at x = {x[where]:.3f} the hat is {hat[where]:.3f} and your network gives "
                                 f"{got[where]:.3f}: {says}")
    correct(f"your 1 -> 3 -> 1 ReLU network draws the hat on {len(x)} points from x = -1 to 2")


def check_slopes(leaky_relu_slope, swish_slope):
    """leaky_relu_slope(z, alpha) and swish_slope(z, beta): the derivatives, compared with nncore's backward."""
    rng = np.random.default_rng(37)
    for alpha in (0.01, 0.2):
        z = rng.uniform(-5, 5, size=tuple(int(size) for size in rng.integers(2, 7, size=2)))
        z[z == 0] = 1.0
        z.flat[:2] = -1.5, 2.0
        got, _, _ = _run(leaky_relu_slope, z, alpha, returns=f"the slope at every entry, shape {z.shape}")
        got = np.asarray(got, dtype=np.float64)
        expect_shape(f"leaky_relu_slope(z, {alpha})", got, z.shape)
        negative = z < 0
        expect(not np.allclose(got, np.where(z > 0, z, alpha * z)),
               f"leaky_relu_slope(z, {alpha}) gives leaky ReLU itself, not its slope")
        expect(not (negative.any() and np.allclose(got[negative], 0)),
               f"leaky_relu_slope(z, {alpha}) is 0 for z < 0: that is ReLU's slope; leaky ReLU keeps the slope "
               "alpha there")
        expect(np.allclose(got[~negative], 1), "for z > 0 leaky ReLU is z itself, slope 1")
        layer = LeakyReLU(alpha)
        layer.forward(z)
        _expect_close(f"leaky_relu_slope(z, {alpha})", got, layer.backward(np.ones_like(z)))
    for beta in (0.5, 2.5):
        z = np.concatenate([rng.uniform(-12, 12, size=int(rng.integers(10, 40))), [-1e4, 1e4]]).reshape(1, -1)
        got, warned, overflowed = _run(swish_slope, z, beta, returns=f"the slope at every entry, shape {z.shape}")
        got = np.asarray(got, dtype=np.float64)
        expect_shape(f"swish_slope(z, {beta})", got, z.shape)
        expect(not warned, f"swish_slope(z, {beta}) made NumPy warn '{warned[0] if warned else ''}' at z = ±1e4: "
               f"compute σ(βz) from {SAFE_EXP}, as your sigmoid does")
        expect(not overflowed, f"swish_slope(z, {beta}) at z = ±1e4: {SILENCED}. Compute σ(βz) from {SAFE_EXP}, "
               "as your sigmoid does")
        s = stable_sigmoid(beta * z)
        if np.allclose(got, s):
            raise AssertionError(f"swish_slope(z, {beta}) gives σ(βz) alone: z σ(βz) is a product, and the product "
                                 "rule adds z times the derivative of σ(βz)")
        if np.allclose(got, s + z * s * (1 - s)):
            raise AssertionError(f"swish_slope(z, {beta}): the derivative of σ(βz) is β σ(βz)(1 - σ(βz)); the "
                                 "chain rule gives the factor β")
        expect(not np.allclose(got, z * s), f"swish_slope(z, {beta}) gives swish itself, not its slope")
        s_of_z = stable_sigmoid(z)
        expect(not np.allclose(got, s_of_z + beta * z * s_of_z * (1 - s_of_z)),
               f"swish_slope(z, {beta}) uses σ(z); swish is z σ(βz), so every σ in its slope is σ(βz)")
        layer = Swish(beta)
        layer.forward(z)
        _expect_close(f"swish_slope(z, {beta})", got, layer.backward(np.ones_like(z)), rtol=1e-6, atol=1e-12)
    at_minus_ten = float(np.ravel(swish_slope(np.array([[-10.0]]), 1.0))[0])
    correct(f"both slopes match nncore's backward passes; swish's slope at z = -10 is {at_minus_ten:.2e}")
