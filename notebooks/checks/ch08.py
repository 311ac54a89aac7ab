"""Checks for 08_regression: the learner's sigmoid, binary cross-entropy, MSE and MAE, and the exercises."""
import numpy as np

from nncore import BinaryCrossentropy, MeanAbsoluteError, MeanSquaredError, Sigmoid

from . import call, correct, expect, expect_close, expect_shape, piece, plain

EPSILON = 1e-7


def _sizes(rng):
    """A batch of N samples and J outputs, with N, J and N * J all different and J > 1."""
    outputs = int(rng.integers(2, 5))
    samples = int(rng.integers(outputs + 1, 9))
    return samples, outputs


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _returned(got, method, what):
    expect(got is not None, f"{method} returned None: return {what} (the training loop uses what {method} returns)")
    return np.asarray(got, dtype=np.float64)


def _stored(obj, attribute, method):
    expect(getattr(obj, attribute, None) is not None, f"{method} must also store its result in self.{attribute}")


def _gradient(name, got, expected, samples, outputs, known=()):
    """Fail naming the mistake when ``got`` is a known wrong version of the gradient ``expected``."""
    expect_shape(name, got, expected.shape)
    if np.allclose(got, expected, rtol=1e-5, atol=1e-10):
        return
    expect(not np.allclose(got, got.flat[0]), f"{name} gives the same number everywhere: compute it from the "
                                              "predictions and the targets")
    mistakes = list(known) + [
        (-expected, "the sign is flipped: the gradient points towards a larger loss"),
        (expected * samples * outputs, f"{samples * outputs} times too large: divide by the number of samples "
                                       f"N = {samples} and by the number of outputs J = {outputs}"),
        (expected * samples, f"{samples} times too large: divide by the number of samples N (here {samples}), "
                             "the loss is a mean over the batch"),
        (expected * outputs, f"{outputs} times too large: divide by the number of outputs J (here {outputs}), "
                             "each sample's loss is a mean over its outputs"),
    ]
    for wrong, why in mistakes:
        if np.allclose(got, wrong, rtol=1e-5, atol=1e-10):
            raise AssertionError(f"{name}: {why}")
    expect_close(name, got, expected)


def _per_sample(name, got, expected, outputs):
    """Fail naming the mistake when the per-sample losses ``got`` are not ``expected`` (N,)."""
    samples = len(expected)
    expect(np.ndim(got) != 0, f"{name} returned one number: return one loss per sample, shape ({samples},); "
                              "calculate takes their mean")
    expect(np.shape(got) != (samples, outputs), f"{name} returned shape {np.shape(got)}: average each sample's "
                                                f"{outputs} outputs, np.mean(..., axis=-1), shape ({samples},)")
    expect(np.shape(got) != (outputs,), f"{name} returned shape ({outputs},), one number per output: that is a "
                                        f"mean over the samples (axis=0); average each sample's outputs, axis=-1, "
                                        f"shape ({samples},)")
    expect_shape(name, got, expected.shape)
    expect(not np.allclose(got, expected * outputs), f"{name} is {outputs} times too large: average over the "
                                                     "J outputs (np.mean), do not sum them")
    expect(not np.allclose(got, -expected), f"{name} is negative: the loss has a minus sign in front")
    expect_close(name, got, expected)


def _loss(loss_class, samples, outputs, y_pred, y_true):
    loss = call(loss_class, returns="a loss object")
    sample_losses = call(loss.forward, y_pred, y_true, returns=f"the per-sample losses, shape ({samples},)",
                         name="forward")
    sample_losses = _returned(sample_losses, "forward", f"the per-sample losses, shape ({samples},)")
    dinputs = call(loss.backward, y_pred, y_true, returns=f"the gradient, shape ({samples}, {outputs})",
                   name="backward")
    dinputs = _returned(dinputs, "backward", f"the gradient self.dinputs, shape ({samples}, {outputs})")
    _stored(loss, "dinputs", "backward")
    return sample_losses, dinputs


def _forward_without_overflow(layer, z):
    """layer.forward(z), refused if NumPy overflows or divides inf by inf on the way."""
    with np.errstate(over="raise", invalid="raise", under="ignore"):
        try:
            return layer.forward(z)
        except FloatingPointError as error:
            raise AssertionError(
                f"forward overflows for large negative inputs (z = -1000 in {z.dtype}: {error}): exp(-z) = exp(1000) "
                "is too large for a float (float32 stops at exp(88), so clipping z to +-500 is not enough). Compute "
                "from e = exp(-|z|), which is at most 1: sigma = 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0. "
                "np.where(z >= 0, 1 / (1 + np.exp(-z)), ...) still overflows: np.where computes both branches for "
                "every z") from None
        except NotImplementedError:
            raise
        except Exception as error:
            raise AssertionError(f"the check called forward on z = [[-1000, -50, 0, 50, 1000]] and it raised "
                                 f"{type(error).__name__}: {error}. It should return sigma(z).") from None


@piece(lambda: Sigmoid)
def check_sigmoid(sigmoid_class):
    """Activation_Sigmoid: forward sigma(z) without overflow, backward dvalues * sigma * (1 - sigma), predictions."""
    rng = np.random.default_rng(80)
    for _ in range(3):
        samples, outputs = _sizes(rng)
        z = rng.uniform(-6, 6, (samples, outputs))
        layer = call(sigmoid_class, returns="a sigmoid layer")
        output = call(layer.forward, z, returns=f"sigma(z), shape {z.shape}", name="forward")
        output = _returned(output, "forward", f"sigma(z), shape {z.shape}")
        _stored(layer, "output", "forward")
        sigma = _sigmoid(z)
        expect(not np.allclose(output, 1 / (1 + np.exp(z))), "forward gives 1 / (1 + exp(z)): that is sigma(-z); "
                                                             "the exponent is -z")
        expect_close("forward(z)", output, sigma)
        dvalues = rng.standard_normal(z.shape)
        dinputs = call(layer.backward, dvalues, returns=f"the gradient, shape {z.shape}", name="backward")
        dinputs = _returned(dinputs, "backward", f"the gradient self.dinputs, shape {z.shape}")
        _stored(layer, "dinputs", "backward")
        expect_shape("backward(dvalues)", dinputs, z.shape)
        expect(not np.allclose(dinputs, sigma * (1 - sigma)), "backward returns sigma * (1 - sigma) alone: multiply "
                                                              "it by dvalues, the gradient coming from the layer above")
        expect(not np.allclose(dinputs, dvalues * z * (1 - z)), "backward uses the inputs z in sigma * (1 - sigma): "
                                                                "use the output sigma(z) kept by forward")
        expect_close("backward(dvalues)", dinputs, dvalues * sigma * (1 - sigma))
        predictions = call(layer.predictions, output, returns=f"0 or 1 for each output, shape {z.shape}",
                           name="predictions")
        expect_shape("predictions(outputs) (one answer per output)", predictions, z.shape)
        expect(np.array_equal(np.asarray(predictions, dtype=np.float64), (output > 0.5) * 1.0),
               "predictions should be 1 where the probability is above 0.5 and 0 elsewhere")
    z = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    output = _returned(_forward_without_overflow(call(sigmoid_class, returns="a sigmoid layer"), z), "forward",
                       "sigma(z)")
    expect_close("forward([[-1000, -50, 0, 50, 1000]])", output, _sigmoid(z), rtol=1e-5, atol=1e-30)
    z32 = z.astype(np.float32)  # float32, as after nnfs.init(): exp overflows from 89 on
    output = _returned(_forward_without_overflow(call(sigmoid_class, returns="a sigmoid layer"), z32), "forward",
                       "sigma(z)")
    expect_close("forward of float32 [[-1000, -50, 0, 50, 1000]]", np.asarray(output, dtype=np.float64), _sigmoid(z),
                 rtol=1e-5, atol=1e-30)
    correct("Activation_Sigmoid: forward, backward and predictions on 3 random batches, and no overflow at z = -1000, "
            "in float64 and float32")


def _expected_bce(y_pred, y_true):
    clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
    losses = -(y_true * np.log(clipped) + (1 - y_true) * np.log(1 - clipped))
    gradient = -(y_true / clipped - (1 - y_true) / (1 - clipped)) / y_pred.shape[1] / y_pred.shape[0]
    return np.mean(losses, axis=-1), gradient


def _check_clipping(loss_class):
    """Predictions of exactly 0 and 1: row 0 needs the bottom clip (log y_hat), row 1 the top one (log(1 - y_hat))."""
    y_pred = np.array([[0.0, 0.0, 0.5], [1.0, 1.0, 0.5]])
    y_true = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    with np.errstate(all="ignore"):
        sample_losses, dinputs = _loss(loss_class, 2, 3, y_pred, y_true)
    losses, gradient = _expected_bce(y_pred, y_true)
    for method, got in (("forward", sample_losses), ("backward", dinputs)):
        got = got.reshape(len(got), -1)
        for row, where, term in ((0, "0", "log(y_hat) is log 0" if method == "forward" else
                                  "y / y_hat divides by zero"),
                                 (1, "1", "log(1 - y_hat) is log 0" if method == "forward" else
                                  "(1 - y) / (1 - y_hat) divides by zero")):
            expect(np.all(np.isfinite(got[row])),
                   f"{method} gives inf or nan for a prediction of exactly {where}: {term}. Clip the predictions "
                   f"to [1e-7, 1 - 1e-7] in {method}, at both ends")
    expect_close("forward with predictions 0 and 1 (clipped to [1e-7, 1 - 1e-7])", sample_losses, losses, rtol=1e-4)
    expect_close("backward with predictions 0 and 1 (clipped to [1e-7, 1 - 1e-7])", dinputs, gradient, rtol=1e-4)


@piece(lambda: BinaryCrossentropy)
def check_binary_crossentropy(loss_class):
    """Loss_BinaryCrossentropy: per-sample mean over the J outputs, its gradient / J / N, clipped in both passes."""
    rng = np.random.default_rng(81)
    for _ in range(3):
        samples, outputs = _sizes(rng)
        y_pred = rng.uniform(0.02, 0.98, (samples, outputs))
        y_true = rng.integers(0, 2, (samples, outputs)).astype(np.float64)
        sample_losses, dinputs = _loss(loss_class, samples, outputs, y_pred, y_true)
        losses, gradient = _expected_bce(y_pred, y_true)
        expect(not (np.shape(sample_losses) == (samples,) and np.allclose(sample_losses, losses / np.log(10))),
               "forward uses np.log10: the cross-entropy's log is the natural one, np.log")
        _per_sample("forward(y_pred, y_true)", sample_losses, losses, outputs)
        _gradient("backward(dvalues, y_true)", dinputs, gradient, samples, outputs,
                  known=[(-(y_true / y_pred) / samples / outputs, "only the y / y_hat term: the loss also has "
                                                                   "(1 - y) log(1 - y_hat), whose derivative is "
                                                                   "+(1 - y) / (1 - y_hat)"),
                         (-(y_true / y_pred + (1 - y_true) / (1 - y_pred)) / samples / outputs,
                          "the two terms are added: the derivative of -(1 - y) log(1 - y_hat) is "
                          "+(1 - y) / (1 - y_hat), so the gradient is -(y / y_hat - (1 - y) / (1 - y_hat)) / J / N")])
    _check_clipping(loss_class)
    correct("Loss_BinaryCrossentropy: forward and backward on 3 random batches, and clipped for predictions 0 and 1")


@piece(lambda: MeanSquaredError)
def check_mean_squared_error(loss_class):
    """Loss_MeanSquaredError: per-sample mean of (y - y_hat)^2 over J, gradient -2 (y - y_hat) / J / N."""
    rng = np.random.default_rng(82)
    for _ in range(3):
        samples, outputs = _sizes(rng)
        y_pred, y_true = rng.standard_normal((samples, outputs)), rng.standard_normal((samples, outputs))
        sample_losses, dinputs = _loss(loss_class, samples, outputs, y_pred, y_true)
        right_shape = np.shape(sample_losses) == (samples,)
        expect(not (right_shape and np.allclose(sample_losses, np.mean(np.abs(y_true - y_pred), axis=-1))),
               "forward gives the mean absolute error: square the errors")
        expect(not (right_shape and np.allclose(sample_losses, np.sqrt(np.mean((y_true - y_pred) ** 2, axis=-1)))),
               "forward takes the square root (the RMSE): the MSE is the mean of the squared errors itself")
        _per_sample("forward(y_pred, y_true)", sample_losses, np.mean((y_true - y_pred) ** 2, axis=-1), outputs)
        gradient = -2 * (y_true - y_pred) / outputs / samples
        _gradient("backward(dvalues, y_true)", dinputs, gradient, samples, outputs,
                  known=[(gradient / 2, "half the gradient: the derivative of (y - y_hat)^2 is -2 (y - y_hat), "
                                        "keep the factor 2")])
    correct("Loss_MeanSquaredError: forward and backward on 3 random batches")


@piece(lambda: MeanAbsoluteError)
def check_mean_absolute_error(loss_class):
    """Loss_MeanAbsoluteError: per-sample mean of |y - y_hat| over J, gradient sign(y_hat - y) / J / N."""
    rng = np.random.default_rng(83)
    for _ in range(3):
        samples, outputs = _sizes(rng)
        y_pred, y_true = rng.standard_normal((samples, outputs)), rng.standard_normal((samples, outputs))
        sample_losses, dinputs = _loss(loss_class, samples, outputs, y_pred, y_true)
        right_shape = np.shape(sample_losses) == (samples,)
        expect(not (right_shape and np.allclose(sample_losses, np.mean((y_true - y_pred) ** 2, axis=-1))),
               "forward gives the mean squared error: take absolute values, not squares")
        expect(not (right_shape and np.allclose(np.abs(sample_losses), np.abs(np.mean(y_true - y_pred, axis=-1)))),
               "forward averages the signed errors, which cancel: take np.abs of each error first")
        _per_sample("forward(y_pred, y_true)", sample_losses, np.mean(np.abs(y_true - y_pred), axis=-1), outputs)
        gradient = np.sign(y_pred - y_true) / outputs / samples
        _gradient("backward(dvalues, y_true)", dinputs, gradient, samples, outputs,
                  known=[(-gradient, "the sign is flipped: sign(y - y_hat) is the book's mistake and climbs the "
                                     "loss; the derivative of |y - y_hat| with respect to y_hat is sign(y_hat - y)"),
                         ((y_pred - y_true) / outputs / samples, "the gradient grows with the error: MAE's is "
                                                                  "sign(y_hat - y), the same size for every error")])
    correct("Loss_MeanAbsoluteError: forward and backward (the sign that descends) on 3 random batches")


def check_sigmoid_bce_gradient(sigmoid_bce_gradient):
    """sigmoid_bce_gradient(z, y): the gradient (N, J) of the mean BCE of sigmoid(z) with respect to z."""
    rng = np.random.default_rng(84)
    for _ in range(3):
        samples, outputs = _sizes(rng)
        z = rng.uniform(-4, 4, (samples, outputs))
        y = rng.integers(0, 2, (samples, outputs)).astype(np.float64)
        with np.errstate(all="ignore"):
            got = call(sigmoid_bce_gradient, z, y, returns=f"dL/dz, shape ({samples}, {outputs})")
        got = _returned(got, "sigmoid_bce_gradient", f"dL/dz, shape ({samples}, {outputs})")
        expected = (_sigmoid(z) - y) / outputs / samples
        _gradient("sigmoid_bce_gradient(z, y)", got, expected, samples, outputs,
                  known=[((z - y) / outputs / samples, "it uses z where sigma(z), the predicted probability, belongs"),
                         (expected * _sigmoid(z) * (1 - _sigmoid(z)),
                          "it multiplies by sigma (1 - sigma) once more: (sigma - y) / J / N already holds that "
                          "factor, it is the product of the two backward passes"),
                         (expected / (_sigmoid(z) * (1 - _sigmoid(z))),
                          "that is dL/dy_hat, the BCE's gradient alone: multiply it by the sigmoid's "
                          "sigma (1 - sigma), then simplify")])
        step = 1e-6
        numerical = np.zeros_like(z)
        for index in np.ndindex(z.shape):
            up, down = z.copy(), z.copy()
            up[index] += step
            down[index] -= step
            numerical[index] = (_mean_bce_of_logits(up, y) - _mean_bce_of_logits(down, y)) / (2 * step)
        expect_close("sigmoid_bce_gradient against a numerical gradient of the mean loss", got, numerical,
                     rtol=1e-4, atol=1e-9)
    z = np.array([[30.0, -30.0], [2.0, -2.0]])
    y = np.array([[0.0, 1.0], [0.0, 1.0]])
    with np.errstate(all="ignore"):
        got = _returned(call(sigmoid_bce_gradient, z, y, returns="dL/dz, shape (2, 2)"), "sigmoid_bce_gradient",
                        "dL/dz, shape (2, 2)")
    expected = (_sigmoid(z) - y) / 4
    expect_shape("sigmoid_bce_gradient(z, y)", got, (2, 2))
    expect(abs(got[0, 0]) > 0.1 * abs(expected[0, 0]),
           f"at z = 30 with label 0 (a confident wrong answer) your gradient is {got[0, 0]:.3g}, it should be "
           f"{expected[0, 0]:.3g}: the chained backward passes vanish there (sigma(1 - sigma) is about 1e-13 and the "
           "clipped BCE gradient cannot make up for it). Simplify the product on paper first")
    expect_close("sigmoid_bce_gradient at z = +-30 and +-2", got, expected, rtol=1e-5, atol=1e-12)
    correct("the combined gradient (sigma(z) - y) / J / N matches a numerical gradient, and stays right where the "
            "sigmoid saturates")


def _mean_bce_of_logits(z, y):
    """The mean BCE of sigmoid(z), unclipped and stable: log(1 + e^z) - y z, averaged over every entry."""
    return np.mean(np.logaddexp(0, z) - y * z)


def check_outlier_pull(outlier_pull):
    """outlier_pull(errors): (MSE's share, MAE's share) of the gradient on the sample with the largest |error|."""
    rng = np.random.default_rng(85)
    for case in range(4):
        samples = int(rng.integers(5, 40))
        errors = rng.uniform(0.05, 1, samples) * rng.choice([-1, 1], samples)
        errors[rng.integers(samples)] = float(rng.choice([-1, 1])) * rng.uniform(5, 20)
        got = call(outlier_pull, errors.copy(), returns="two numbers, (MSE's share, MAE's share)")
        expect(np.shape(got) == (2,), f"outlier_pull should return two numbers (MSE's share, MAE's share), "
                                      f"got {plain(got)}")
        mse_share, mae_share = (float(share) for share in got)
        expected = []
        for loss in (MeanSquaredError(), MeanAbsoluteError()):
            pull = np.abs(loss.backward(errors.reshape(-1, 1), np.zeros((samples, 1))))[:, 0]
            expected.append(pull[np.argmax(np.abs(errors))] / np.sum(pull))
        where = f"case {case + 1} ({samples} errors, the largest {abs(errors).max():.3g})"
        loss_share = np.max(errors ** 2) / np.sum(errors ** 2)
        expect(not np.isclose(mse_share, loss_share), f"{where}: MSE's share {mse_share:.4f} is the largest error's "
               "share of the loss; the pull is the gradient, and the gradient of e^2 is 2e, not e^2")
        expect(not (0 < expected[0] < 1 and np.isclose(mse_share, 100 * expected[0])),
               f"{where}: MSE's share {mse_share:.4f} is a percentage: return the fraction, between 0 and 1")
        largest_signed = errors.max() / np.sum(np.abs(errors))
        expect(np.isclose(largest_signed, expected[0]) or not np.isclose(mse_share, largest_signed),
               f"{where}: MSE's share {mse_share:.4f} takes the largest error, errors.max(), but the outlier here is "
               "negative: take the largest |e|, np.abs(errors).max()")
        expect(not (np.isclose(mse_share, expected[1]) and np.isclose(mae_share, expected[0])),
               f"{where}: the two shares are swapped: return (MSE's, MAE's)")
        expect(not np.isclose(mae_share, expected[0]), f"{where}: MAE's share {mae_share:.4f} is MSE's: MAE's "
               "gradient is sign(e) / N, the same size for every error")
        expect(np.isclose(mse_share, expected[0], rtol=1e-6), f"{where}: MSE's share should be {expected[0]:.4f}, "
               f"got {mse_share:.4f}")
        expect(np.isclose(mae_share, expected[1], rtol=1e-6), f"{where}: MAE's share should be {expected[1]:.4f} "
               f"(1 / {samples}), got {mae_share:.4f}")
    errors = np.r_[np.full(19, 0.1), 1.0]
    mse_share, mae_share = outlier_pull(errors)
    correct(f"one error ten times the other 19: MSE gives it {mse_share:.0%} of the pull, MAE {mae_share:.0%}")


def check_count_within(count_within):
    """count_within(predictions, y, divisor=250): how many |predictions - y| < np.std(y) / divisor."""
    rng = np.random.default_rng(86)
    for case in range(4):
        shape = (int(rng.integers(20, 60)), int(rng.integers(1, 3)))
        y = rng.uniform(-3, 3) + rng.uniform(0.5, 4) * rng.standard_normal(shape)
        divisor = [250, 250, 10, 40][case]
        precision = np.std(y) / divisor
        predictions = y + precision * rng.uniform(-3, 3, shape)
        predictions[0, 0] = y[0, 0] + 40 * np.std(y)  # one prediction far off: predictions spread wider than y
        # one error between np.std(y) / divisor and np.std(y, ddof=1) / divisor, which only the first excludes
        predictions[-1, -1] = y[-1, -1] + precision * (1 + np.sqrt(y.size / (y.size - 1))) / 2
        arguments = (predictions, y) if case < 2 else (predictions, y, divisor)
        got = call(count_within, *arguments, returns="a whole number, the count of predictions within the precision")
        expected = int(np.sum(np.abs(predictions - y) < precision))
        where = f"case {case + 1} ({shape[0]} x {shape[1]} targets, divisor {divisor})"
        mistakes = [
            (int(np.sum(np.abs(predictions - y) < np.std(predictions) / divisor)),
             "the precision comes from the targets, np.std(y), not from the predictions"),
            (int(np.sum(predictions - y < precision)), "a prediction too low is not within the precision: compare "
                                                       "the distance, np.abs(predictions - y)"),
            (int(np.sum(np.abs(predictions - y) < np.std(y) / 250)), "the divisor is an argument: use it, not 250"),
            (int(np.sum(np.abs(predictions - y) < np.std(y, ddof=1) / divisor)),
             "the precision is np.std(y), the standard deviation with ddof=0, not ddof=1"),
            (int(np.sum(np.abs(predictions - y) < np.std(y, axis=0) / divisor)),
             "the precision is one number from all the targets, np.std(y), not one per column (axis=0)"),
            (int(np.sum(np.abs(predictions - y) >= precision)), "that counts the predictions outside the precision"),
            (int(np.sum(np.abs(predictions - y) < np.std(y) * divisor)), "the precision is np.std(y) divided by the "
                                                                          "divisor, not multiplied"),
        ]
        expect(np.ndim(got) == 0, f"{where}: count_within should return one number, got {plain(np.asarray(got))}")
        expect(not (0 < float(got) < 1), f"{where}: {float(got):.3f} is the fraction within the precision; "
                                         "return the count")
        hint = "; or ".join(why for count, why in mistakes if count == int(got) != expected) or None  # all that fit
        expect(int(got) == expected, f"{where}: expected {expected}, got {plain(got)}" + (f": {hint}" if hint else ""))
    correct("count_within counts the predictions within np.std(y) / divisor, on 4 random batches")


def _least_squares_mse(X, y):
    design = np.c_[X[:, 0], np.ones(len(X))]
    coefficients, *_ = np.linalg.lstsq(design, y[:, 0], rcond=None)
    return float(np.mean((design @ coefficients - y[:, 0]) ** 2))


def check_best_line_mse(best_line_mse, X_train, y_train, identity_mse):
    """best_line_mse(X, y): the MSE of the least-squares line through (X, y), X and y of shape (N, 1)."""
    rng = np.random.default_rng(87)
    for case in range(4):
        samples = int(rng.integers(10, 80))
        X = rng.uniform(-2, 3, (samples, 1))
        y = rng.uniform(-2, 2) * X + rng.uniform(-1, 1) + rng.uniform(0.1, 1) * rng.standard_normal((samples, 1))
        if case == 3:
            y = np.sin(2 * np.pi * X / 5)
        got = call(best_line_mse, X, y, returns="one number, the MSE of the best straight line")
        expect(np.ndim(got) == 0, f"best_line_mse should return one number, got {plain(np.asarray(got))}")
        got, expected = float(got), _least_squares_mse(X, y)
        where = f"case {case + 1} ({samples} points)"
        expect(not np.isclose(got, np.var(y)), f"{where}: {got:.4f} is the variance of y, the MSE of predicting "
                                               "its mean: the best line has a slope too")
        expect(not np.isclose(got, np.sqrt(expected)), f"{where}: {got:.4f} is the root of the MSE; return the MSE")
        expect(not np.isclose(got, 1 - expected / np.var(y)), f"{where}: {got:.4f} is R²; return the MSE")
        x, t = X[:, 0], y[:, 0]
        mixed = np.cov(x, t)[0, 1] / np.var(x)
        lines = [(mixed, t.mean() - mixed * x.mean(),
                  "the slope is np.cov(x, y)[0, 1] / np.var(x): np.cov divides by N - 1 and np.var by N; use the "
                  "same for both (np.cov(x, y, bias=True), or np.var(x, ddof=1))"),
                 ((x @ t) / (x @ x), 0.0, "that is the best line through the origin: the line has an intercept b too")]
        for slope, intercept, why in lines:
            expect(not np.isclose(got, np.mean((slope * x + intercept - t) ** 2), rtol=1e-9), f"{where}: {got:.6f}: "
                                                                                              f"{why}")
        expect(not np.isclose(got, expected * samples), f"{where}: {got:.4f} is the sum of the squared residuals; "
                                                        "the MSE is their mean")
        expect(got >= expected * (1 - 1e-6), f"{where}: {got:.6f} is below the least-squares minimum "
                                             f"{expected:.6f}, which no line can beat")
        expect(np.isclose(got, expected, rtol=1e-6), f"{where}: expected {expected:.6f}, got {got:.6f}: is it the "
               "least-squares line (np.polyfit(x, y, 1), or slope cov(x, y) / var(x))?")
    bound = float(best_line_mse(X_train, y_train))
    expect(float(identity_mse) >= bound * (1 - 1e-4),
           f"the identity network's training MSE {float(identity_mse):.6f} is below your bound {bound:.6f}")
    expect(np.isclose(float(identity_mse), bound, rtol=1e-3),
           f"the identity network's training MSE {float(identity_mse):.6f} is not the bound {bound:.6f}: did it train?")
    correct(f"the best line through the training points has MSE {bound:.4f}, and the identity network's training "
            "MSE (median of its last 200 epochs) is within 0.1% of it: it has found that line")
