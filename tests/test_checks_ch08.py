"""08_regression's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from nncore import Loss
from wrong_answers import cases, refusal


def stable_forward(self, inputs, training=False):
    e = np.exp(-np.abs(inputs))
    self.output = np.where(inputs >= 0, 1 / (1 + e), e / (1 + e))
    return self.output


def book_forward(self, inputs, training=False):
    self.output = 1 / (1 + np.exp(-inputs))
    return self.output


def both_branches_forward(self, inputs, training=False):
    self.output = np.where(inputs >= 0, 1 / (1 + np.exp(-inputs)), np.exp(inputs) / (1 + np.exp(inputs)))
    return self.output


def exponent_sign_forward(self, inputs, training=False):
    self.output = 1 / (1 + np.exp(inputs))
    return self.output


def unreturned_forward(self, inputs, training=False):
    stable_forward(self, inputs)


def sigmoid_backward(self, dvalues):
    self.dinputs = dvalues * self.output * (1 - self.output)
    return self.dinputs


def without_dvalues_backward(self, dvalues):
    self.dinputs = self.output * (1 - self.output)
    return self.dinputs


def of_inputs_backward(self, dvalues):
    self.dinputs = dvalues * self.inputs * (1 - self.inputs)
    return self.dinputs


def threshold(self, outputs):
    return (outputs > 0.5) * 1


def sigmoid(forward=stable_forward, backward=sigmoid_backward, predictions=threshold):
    def remembering(self, inputs, training=False):
        self.inputs = inputs
        return forward(self, inputs, training)
    return type("Activation_Sigmoid", (), {"forward": remembering, "backward": backward, "predictions": predictions})


def loss(forward, backward):
    return type("Loss_Mine", (Loss,), {"forward": forward, "backward": backward})


def clipped(values):
    return np.clip(values, 1e-7, 1 - 1e-7)


def bce_forward(self, y_pred, y_true):
    p = clipped(y_pred)
    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)


def bce_backward(self, dvalues, y_true, divide_by=None, clip=clipped):
    samples, outputs = dvalues.shape
    p = clip(dvalues)
    self.dinputs = -(y_true / p - (1 - y_true) / (1 - p)) / (divide_by or samples * outputs)
    return self.dinputs


def unclipped_forward(self, y_pred, y_true):
    return np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)), axis=-1)


def bottom_clipped_forward(self, y_pred, y_true):
    p = np.clip(y_pred, 1e-7, None)
    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)


def summed_forward(self, y_pred, y_true):
    p = clipped(y_pred)
    return np.sum(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)


def over_samples_forward(self, y_pred, y_true):
    p = clipped(y_pred)
    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=0)


def log10_forward(self, y_pred, y_true):
    p = clipped(y_pred)
    return np.mean(-(y_true * np.log10(p) + (1 - y_true) * np.log10(1 - p)), axis=-1)


def added_terms_backward(self, dvalues, y_true):
    p = clipped(dvalues)
    self.dinputs = -(y_true / p + (1 - y_true) / (1 - p)) / dvalues.size
    return self.dinputs


def bce_mean_forward(self, y_pred, y_true):
    return np.mean(bce_forward(self, y_pred, y_true))


def by_samples_only(self, dvalues, y_true):
    return bce_backward(self, dvalues, y_true, divide_by=len(dvalues))


def by_outputs_only(self, dvalues, y_true):
    return bce_backward(self, dvalues, y_true, divide_by=dvalues.shape[1])


def unclipped_backward(self, dvalues, y_true):
    return bce_backward(self, dvalues, y_true, clip=lambda values: values)


def one_term_backward(self, dvalues, y_true):
    self.dinputs = -(y_true / clipped(dvalues)) / dvalues.size
    return self.dinputs


def mse_forward(self, y_pred, y_true):
    return np.mean((y_true - y_pred) ** 2, axis=-1)


def mse_backward(scale=-2.0, divide_by_samples=True, divide_by_outputs=True):
    def backward(self, dvalues, y_true):
        samples, outputs = dvalues.shape
        self.dinputs = scale * (y_true - dvalues) / (outputs if divide_by_outputs else 1) / (
            samples if divide_by_samples else 1)
        return self.dinputs
    return backward


def mse_over_samples_forward(self, y_pred, y_true):
    return np.mean((y_true - y_pred) ** 2, axis=0)


def squared_errors_forward(self, y_pred, y_true):
    return (y_true - y_pred) ** 2


def rmse_forward(self, y_pred, y_true):
    return np.sqrt(np.mean((y_true - y_pred) ** 2, axis=-1))


def signed_mean_forward(self, y_pred, y_true):
    return np.mean(y_true - y_pred, axis=-1)


def constant_backward(self, dvalues, y_true):
    self.dinputs = np.full(dvalues.shape, 0.05)
    return self.dinputs


def mae_forward(self, y_pred, y_true):
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def mae_backward(book_sign=False, divide_by_samples=True, sign=np.sign):
    def backward(self, dvalues, y_true):
        samples, outputs = dvalues.shape
        error = y_true - dvalues if book_sign else dvalues - y_true
        self.dinputs = sign(error) / outputs / (samples if divide_by_samples else 1)
        return self.dinputs
    return backward


def sigma(z):
    return 1 / (1 + np.exp(-z))


def chained_gradient(z, y):
    p = sigma(z)
    samples, outputs = z.shape
    dloss = -(y / clipped(p) - (1 - y) / (1 - clipped(p))) / outputs / samples
    return dloss * p * (1 - p)


def cov_over_var_line(X, y):
    x, t = X[:, 0], y[:, 0]
    slope = np.cov(x, t)[0, 1] / np.var(x)
    return float(np.mean((slope * x + t.mean() - slope * x.mean() - t) ** 2))


def line_through_origin(X, y):
    slope = (X[:, 0] @ y[:, 0]) / (X[:, 0] @ X[:, 0])
    return float(np.mean((slope * X[:, 0] - y[:, 0]) ** 2))


def squared_residuals_summed(X, y):
    slope, intercept = np.polyfit(X[:, 0], y[:, 0], 1)
    return float(np.sum((slope * X[:, 0] + intercept - y[:, 0]) ** 2))


def outlier_shares(errors, mse=lambda e: np.abs(e), mae=lambda e: np.ones_like(e)):
    largest = np.argmax(np.abs(errors))
    return mse(errors)[largest] / np.sum(mse(errors)), mae(errors)[largest] / np.sum(mae(errors))


def count_within(predictions, y, divisor=250):
    return int(np.sum(np.abs(predictions - y) < np.std(y) / divisor))


def best_line_mse(X, y):
    slope, intercept = np.polyfit(X[:, 0], y[:, 0], 1)
    return float(np.mean((slope * X[:, 0] + intercept - y[:, 0]) ** 2))


def line_through_ends(X, y):
    order = np.argsort(X[:, 0])
    first, last = order[0], order[-1]
    slope = (y[last, 0] - y[first, 0]) / (X[last, 0] - X[first, 0])
    return float(np.mean((y[first, 0] + slope * (X[:, 0] - X[first, 0]) - y[:, 0]) ** 2))


def rmse_of_line(X, y):
    slope, intercept = np.polyfit(X[:, 0], y[:, 0], 1)
    return float(np.sqrt(np.mean((slope * X[:, 0] + intercept - y[:, 0]) ** 2)))


BOUND = 0.1869577


WRONG_ANSWERS = {
    "check_sigmoid": [
        ("the book's formula, which overflows at z = -1000", lambda: (sigmoid(book_forward),),
         "overflows for large negative inputs"),
        ("np.where with both branches computed", lambda: (sigmoid(both_branches_forward),), "computes both branches"),
        ("z clipped to +-500, which float32 still overflows", lambda: (sigmoid(clipped_forward),), "in float32"),
        ("exp(z) in place of exp(-z)", lambda: (sigmoid(exponent_sign_forward),), "the exponent is -z"),
        ("forward stores but does not return", lambda: (sigmoid(unreturned_forward),), "forward returned None"),
        ("backward without dvalues", lambda: (sigmoid(backward=without_dvalues_backward),), "multiply it by dvalues"),
        ("backward from the inputs", lambda: (sigmoid(backward=of_inputs_backward),), "use the output sigma(z)"),
        ("predictions as probabilities", lambda: (sigmoid(predictions=lambda self, outputs: outputs),),
         "above 0.5"),
        ("predictions as a softmax argmax", lambda: (sigmoid(predictions=lambda self, outputs: np.argmax(outputs, 1)),),
         "one answer per output"),
    ],
    "check_binary_crossentropy": [
        ("gradient not divided by the number of samples", lambda: (loss(bce_forward, by_outputs_only),),
         "divide by the number of samples N"),
        ("gradient not divided by the number of outputs", lambda: (loss(bce_forward, by_samples_only),),
         "divide by the number of outputs J"),
        ("no clipping in forward (log 0)", lambda: (loss(unclipped_forward, bce_backward),), "is log 0"),
        ("forward clipped only at the bottom", lambda: (loss(bottom_clipped_forward, bce_backward),),
         "prediction of exactly 1"),
        ("no clipping in backward", lambda: (loss(bce_forward, unclipped_backward),), "divides by zero"),
        ("forward sums over the outputs", lambda: (loss(summed_forward, bce_backward),), "do not sum them"),
        ("forward returns the batch mean", lambda: (loss(bce_mean_forward, bce_backward),), "one loss per sample"),
        ("backward without the (1 - y) term", lambda: (loss(bce_forward, one_term_backward),), "(1 - y)"),
        ("backward adds the two terms", lambda: (loss(bce_forward, added_terms_backward),), "two terms are added"),
        ("forward averages over the samples", lambda: (loss(over_samples_forward, bce_backward),),
         "mean over the samples (axis=0)"),
        ("forward with np.log10", lambda: (loss(log10_forward, bce_backward),), "np.log10"),
    ],
    "check_mean_squared_error": [
        ("gradient without the factor 2", lambda: (loss(mse_forward, mse_backward(scale=-1.0)),), "factor 2"),
        ("gradient not divided by N", lambda: (loss(mse_forward, mse_backward(divide_by_samples=False)),),
         "divide by the number of samples N"),
        ("gradient not divided by J", lambda: (loss(mse_forward, mse_backward(divide_by_outputs=False)),),
         "divide by the number of outputs J"),
        ("sign flipped", lambda: (loss(mse_forward, mse_backward(scale=2.0)),), "sign is flipped"),
        ("a constant gradient", lambda: (loss(mse_forward, constant_backward),), "same number everywhere"),
        ("forward is the MAE", lambda: (loss(mae_forward, mse_backward()),), "square the errors"),
        ("forward averages over the samples", lambda: (loss(mse_over_samples_forward, mse_backward()),),
         "mean over the samples (axis=0)"),
        ("forward returns every squared error", lambda: (loss(squared_errors_forward, mse_backward()),),
         "average each sample's"),
        ("forward is the RMSE", lambda: (loss(rmse_forward, mse_backward()),), "square root"),
    ],
    "check_mean_absolute_error": [
        ("the book's sign", lambda: (loss(mae_forward, mae_backward(book_sign=True)),), "the book's mistake"),
        ("not divided by N", lambda: (loss(mae_forward, mae_backward(divide_by_samples=False)),),
         "divide by the number of samples N"),
        ("the error in place of its sign", lambda: (loss(mae_forward, mae_backward(sign=lambda e: e)),),
         "the same size for every error"),
        ("forward is the MSE", lambda: (loss(mse_forward, mae_backward()),), "not squares"),
        ("forward averages the signed errors", lambda: (loss(signed_mean_forward, mae_backward()),), "np.abs"),
    ],
    "check_sigmoid_bce_gradient": [
        ("not divided by N", lambda: (lambda z, y: (sigma(z) - y) / z.shape[1],), "divide by the number of samples N"),
        ("not divided by J", lambda: (lambda z, y: (sigma(z) - y) / len(z),), "divide by the number of outputs J"),
        ("sign flipped", lambda: (lambda z, y: (y - sigma(z)) / z.size,), "sign is flipped"),
        ("z in place of sigma(z)", lambda: (lambda z, y: (z - y) / z.size,), "uses z where sigma(z)"),
        ("the two clipped backward passes chained", lambda: (chained_gradient,), "vanish"),
        ("sigma (1 - sigma) once more", lambda: (lambda z, y: (sigma(z) - y) * sigma(z) * (1 - sigma(z)) / z.size,),
         "once more"),
        ("the BCE's gradient alone", lambda: (lambda z, y: (sigma(z) - y) / (sigma(z) * (1 - sigma(z))) / z.size,),
         "the BCE's gradient alone"),
    ],
    "check_outlier_pull": [
        ("the share of the loss", lambda: (lambda e: outlier_shares(e, mse=lambda e: e ** 2),), "share of the loss"),
        ("MAE's share as MSE's", lambda: (lambda e: outlier_shares(e, mae=np.abs),), "the same size for every error"),
        ("swapped", lambda: (lambda e: outlier_shares(e)[::-1],), "swapped"),
        ("one number", lambda: (lambda e: outlier_shares(e)[0],), "two numbers"),
        ("a constant", lambda: (lambda e: (0.34, 0.05),), "should be"),
        ("the largest signed error", lambda: (lambda e: (e.max() / np.abs(e).sum(), 1 / len(e)),),
         "take the largest |e|"),
        ("percentages", lambda: (lambda e: (100 * np.abs(e).max() / np.abs(e).sum(), 100 / len(e)),),
         "is a percentage"),
    ],
    "check_count_within": [
        ("the predictions' spread", lambda: (lambda p, y, divisor=250: int(np.sum(np.abs(p - y) < np.std(p) / divisor)),),
         "np.std(y), not from the predictions"),
        ("no absolute value", lambda: (lambda p, y, divisor=250: int(np.sum(p - y < np.std(y) / divisor)),),
         "np.abs(predictions - y)"),
        ("the divisor ignored", lambda: (lambda p, y, divisor=250: count_within(p, y),), "use it, not 250"),
        ("the fraction", lambda: (lambda p, y, divisor=250: np.mean(np.abs(p - y) < np.std(y) / divisor),),
         "return the count"),
        ("a constant", lambda: (lambda p, y, divisor=250: 3,), "expected"),
        ("the standard deviation with ddof=1",
         lambda: (lambda p, y, divisor=250: int(np.sum(np.abs(p - y) < np.std(y, ddof=1) / divisor)),), "ddof=1"),
        ("one precision per column", lambda: (lambda p, y, divisor=250: int(np.sum(np.abs(p - y) < np.std(y, axis=0)
                                                                                   / divisor)),), "not one per column"),
        ("the misses counted", lambda: (lambda p, y, divisor=250: int(np.sum(np.abs(p - y) >= np.std(y) / divisor)),),
         "outside the precision"),
        ("multiplied by the divisor", lambda: (lambda p, y, divisor=250: int(np.sum(np.abs(p - y) < np.std(y)
                                                                                    * divisor)),), "not multiplied"),
    ],
    "check_best_line_mse": [
        ("predicting the mean", lambda: (lambda X, y: float(np.var(y)), None, None, BOUND), "has a slope too"),
        ("the line through the end points", lambda: (line_through_ends, None, None, BOUND), "least-squares"),
        ("the root of the MSE", lambda: (rmse_of_line, None, None, BOUND), "the root of the MSE"),
        ("a constant", lambda: (lambda X, y: BOUND, None, None, BOUND), "least-squares"),
        ("np.cov (N - 1) over np.var (N)", lambda: (cov_over_var_line, None, None, BOUND), "np.cov divides by N - 1"),
        ("a line through the origin", lambda: (line_through_origin, None, None, BOUND), "an intercept b too"),
        ("the sum of the squared residuals", lambda: (squared_residuals_summed, None, None, BOUND),
         "the MSE is their mean"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch08", check_name, answer())


SINE_X = np.linspace(0, 1, 50).reshape(-1, 1)
SINE_Y = np.sin(2 * np.pi * SINE_X)
RIGHT_ANSWERS = {
    "check_sigmoid": (sigmoid(),),
    "check_binary_crossentropy": (loss(bce_forward, bce_backward),),
    "check_mean_squared_error": (loss(mse_forward, mse_backward()),),
    "check_mean_absolute_error": (loss(mae_forward, mae_backward()),),
    "check_sigmoid_bce_gradient": (lambda z, y: (np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))),
                                                          np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z)))) - y) / z.size,),
    "check_outlier_pull": (outlier_shares,),
    "check_count_within": (count_within,),
    "check_best_line_mse": (best_line_mse, SINE_X, SINE_Y, best_line_mse(SINE_X, SINE_Y)),
}


@pytest.mark.parametrize("check_name", sorted(RIGHT_ANSWERS))
def test_the_check_accepts_a_right_answer(check_name, capsys):
    import wrong_answers
    check = wrong_answers.strict(getattr(wrong_answers.chapter_checks("ch08"), check_name))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        check(*RIGHT_ANSWERS[check_name])
    assert capsys.readouterr().out.startswith("Correct")


def clipped_forward(self, inputs, training=False):
    self.output = 1 / (1 + np.exp(-np.clip(inputs, -500, 500)))
    return self.output


def logaddexp_forward(self, inputs, training=False):
    self.output = np.exp(-np.logaddexp(0, -inputs))
    return self.output


def bce_backward_from_one_fraction(self, dvalues, y_true):
    p = clipped(dvalues)
    self.dinputs = (p - y_true) / (p * (1 - p)) / dvalues.size
    return self.dinputs


def mse_backward_other_order(self, dvalues, y_true):
    self.dinputs = 2 * (dvalues - y_true) / dvalues.size
    return self.dinputs


def mae_backward_where(self, dvalues, y_true):
    self.dinputs = np.where(dvalues - y_true >= 0, 1.0, -1.0) / dvalues.size
    return self.dinputs


def lstsq_mse(X, y):
    _, residuals, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)
    return float(residuals[0] / len(X))


OTHER_RIGHT_ANSWERS = [
    ("check_sigmoid", (sigmoid(logaddexp_forward, predictions=lambda self, outputs: outputs > 0.5),)),
    ("check_binary_crossentropy", (loss(bce_forward, bce_backward_from_one_fraction),)),
    ("check_mean_squared_error", (loss(mse_forward, mse_backward_other_order),)),
    ("check_mean_absolute_error", (loss(mae_forward, mae_backward_where),)),
    ("check_count_within", (lambda p, y, divisor=250: (np.abs(p - y) <= np.std(y) / divisor).sum(),)),
    ("check_best_line_mse", (lstsq_mse, SINE_X, SINE_Y, best_line_mse(SINE_X, SINE_Y))),
]


@pytest.mark.parametrize("check_name, arguments", OTHER_RIGHT_ANSWERS, ids=[name for name, _ in OTHER_RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_written_differently(check_name, arguments, capsys):
    import wrong_answers
    check = wrong_answers.strict(getattr(wrong_answers.chapter_checks("ch08"), check_name))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        check(*arguments)
    assert capsys.readouterr().out.startswith("Correct")
