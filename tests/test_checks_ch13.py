"""13_deep_networks' checks refuse the usual wrong answers, each with a message that names the mistake."""
import math

import numpy as np
import pytest

from nncore import BatchNorm
from wrong_answers import accepted, cases, chapter_checks, refusal


# ------------------------------------------------------------------ He initialisation

def he_scaled(scale):
    return lambda: (lambda n_in, n_out: scale(n_in, n_out) * np.random.randn(n_in, n_out),)


HE_RIGHT = he_scaled(lambda n_in, n_out: math.sqrt(2 / n_in))


# ------------------------------------------------------------------ batch normalisation

class ChapterBatchNorm:
    def __init__(self, n_features, momentum=0.9, epsilon=1e-5):
        self.momentum, self.epsilon = momentum, epsilon
        self.gamma, self.beta = np.ones((1, n_features)), np.zeros((1, n_features))
        self.running_mean, self.running_var = np.zeros((1, n_features)), np.ones((1, n_features))


def forward_with(*, axis=0, ddof=0, epsilon=True, batch_at_inference=False, running_ddof=1, swapped=False,
                 update_at_inference=False, scale_shift=True):
    """A forward pass written with one of its steps changed."""
    def forward(self, inputs, training=False):
        if training or batch_at_inference:
            mean = inputs.mean(axis=axis, keepdims=True)
            variance = inputs.var(axis=axis, ddof=ddof, keepdims=True)
        else:
            mean, variance = self.running_mean, self.running_var
        if training or update_at_inference:
            keep = 1 - self.momentum if swapped else self.momentum
            self.running_mean = keep * self.running_mean + (1 - keep) * inputs.mean(axis=0, keepdims=True)
            self.running_var = keep * self.running_var + (1 - keep) * inputs.var(axis=0, ddof=running_ddof,
                                                                                 keepdims=True)
        self.training = training
        self.inv_std = 1 / np.sqrt(variance + (self.epsilon if epsilon else 0))
        self.xhat = (inputs - mean) * self.inv_std
        return self.gamma * self.xhat + self.beta if scale_shift else self.xhat
    return lambda: (type("ChapterBatchNorm", (ChapterBatchNorm,), {"forward": forward}),)


def written_forward(self, inputs, training=False):
    """The right forward pass in other words: sums in place of means, the running update as a lerp."""
    n = len(inputs)
    if training:
        mean = inputs.sum(axis=0, keepdims=True) / n
        variance = ((inputs - mean) ** 2).sum(axis=0, keepdims=True) / n
        self.running_mean = self.running_mean + (1 - self.momentum) * (mean - self.running_mean)
        self.running_var = self.running_var + (1 - self.momentum) * (variance * n / (n - 1) - self.running_var)
    else:
        mean, variance = self.running_mean, self.running_var
    self.training = training
    self.inv_std = (variance + self.epsilon) ** -0.5
    self.xhat = (inputs - mean) * self.inv_std
    return self.xhat * self.gamma + self.beta


def backward_with(*, gamma=True, mean=True, variance=True, axis=0, times_n=False, dgamma_with_xhat=True):
    def backward(self, dvalues):
        self.dgamma = np.sum(dvalues * self.xhat if dgamma_with_xhat else dvalues, axis=axis, keepdims=True)
        self.dbeta = np.sum(dvalues, axis=axis, keepdims=True)
        dxhat = dvalues * self.gamma if gamma else dvalues
        n = len(dvalues)
        total = n * dxhat
        if mean:
            total = total - dxhat.sum(axis=0, keepdims=True)
        if variance:
            total = total - self.xhat * (dxhat * self.xhat).sum(axis=0, keepdims=True)
        self.dinputs = self.inv_std * total * (1 if times_n else 1 / n)
        return self.dinputs
    return lambda: (backward,)


def backward_by_the_chain():
    """The right backward pass, written the long way: through σ², then μ (CS231n's staged form)."""
    def backward(self, dvalues):
        self.dgamma = (dvalues * self.xhat).sum(axis=0, keepdims=True)
        self.dbeta = dvalues.sum(axis=0, keepdims=True)
        n, dxhat = len(dvalues), dvalues * self.gamma
        centred = self.xhat / self.inv_std
        dvariance = np.sum(dxhat * centred, axis=0, keepdims=True) * -0.5 * self.inv_std ** 3
        dmean = -np.sum(dxhat * self.inv_std, axis=0, keepdims=True) - 2 * dvariance * centred.mean(axis=0)
        self.dinputs = dxhat * self.inv_std + dvariance * 2 * centred / n + dmean / n
        return self.dinputs
    return lambda: (backward,)


# ------------------------------------------------------------------ early stopping

def early_stopping_with(*, on="val", patience_shift=0, previous=False, ties=False, restore=True,
                        restore_when_stopped_only=False):
    def train_with_early_stopping(model, train_data, val_data, patience, max_epochs):
        best, best_epoch, best_weights, waited, last = math.inf, 0, None, 0, None
        for epoch in range(1, max_epochs + 1):
            model.train(*train_data, epochs=1, verbose=False)
            loss = model.evaluate(*(val_data if on == "val" else train_data), verbose=False)[0]
            better = (last is None or loss < last) if previous else (loss <= best if ties else loss < best)
            if loss < best or (ties and loss <= best):
                best, best_epoch, best_weights = loss, epoch, model.get_parameters()
            waited = 0 if better else waited + 1
            last = loss
            if waited >= patience + patience_shift:
                if restore_when_stopped_only:
                    model.set_parameters(best_weights)
                break
        if restore and not restore_when_stopped_only:
            model.set_parameters(best_weights)
        return best_epoch, epoch
    return lambda: (train_with_early_stopping,)


def early_stopping_from_history(model, train_data, val_data, patience, max_epochs):
    """Right, written differently: the validation loss read from train's history, counting from the best epoch."""
    losses, snapshots = [], []
    for epoch in range(1, max_epochs + 1):
        history = model.train(*train_data, epochs=1, verbose=False, validation_data=val_data)
        losses.append(history["val_loss"][-1])
        snapshots.append(model.get_parameters())
        best = int(np.argmin(losses))
        if epoch - 1 - best >= patience:
            break
    model.set_parameters(snapshots[best])
    return best + 1, epoch


# ------------------------------------------------------------------ exercises

def clip_in_place_returning_none(grads, max_norm):
    factor = min(1.0, max_norm / global_norm(grads))
    for grad in grads:
        grad *= factor


def clip_with(rule):
    return lambda: (lambda grads, max_norm: [g * rule(grads, g, max_norm) for g in grads],)


def global_norm(grads):
    return math.sqrt(sum(float(np.sum(g * g)) for g in grads))


WRONG_ANSWERS = {
    "check_he_init": [
        ("sqrt(2 / n_out)", he_scaled(lambda n_in, n_out: math.sqrt(2 / n_out)), "sqrt(2 / n_out)"),
        ("the variance as the scale", he_scaled(lambda n_in, n_out: 2 / n_in), "the variance"),
        ("sqrt(1 / n_in)", he_scaled(lambda n_in, n_out: math.sqrt(1 / n_in)), "ReLU zeroes half"),
        ("Glorot's scale", he_scaled(lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))), "Glorot's"),
        ("the book's 0.01", he_scaled(lambda n_in, n_out: 0.01), "the book's 0.01"),
        ("transposed", lambda: (lambda n_in, n_out: math.sqrt(2 / n_in) * np.random.randn(n_out, n_in),),
         "one column per neuron"),
        ("another generator", lambda: (lambda n_in, n_out: math.sqrt(2 / n_in) * np.random.default_rng(0)
                                       .standard_normal((n_in, n_out)),), "not the global stream's draws"),
    ],
    "check_batchnorm_forward": [
        ("batch statistics at inference", forward_with(batch_at_inference=True), "used the batch's own statistics"),
        ("variance over axis=1", forward_with(axis=1), "axis=1"),
        ("normalised with the unbiased variance", forward_with(ddof=1), "unbiased variance"),
        ("no epsilon", forward_with(epsilon=False), "no ε"),
        ("running variance biased", forward_with(running_ddof=0), "biased batch variance"),
        ("momentum swapped", forward_with(swapped=True), "roles are swapped"),
        ("running statistics updated at inference", forward_with(update_at_inference=True),
         "changed the running statistics"),
        ("no gamma and beta", forward_with(scale_shift=False), "multiply by gamma"),
    ],
    "check_batchnorm_backward": [
        ("dgamma, dbeta over axis=1", backward_with(axis=1), "summed over axis=1"),
        ("dgamma = Σ G", backward_with(dgamma_with_xhat=False), "dgamma = Σ_i G_i x̂_i"),
        ("only the direct path", backward_with(mean=False, variance=False), "the direct path"),
        ("no path through the variance", backward_with(variance=False), "path through σ²"),
        ("no path through the mean", backward_with(mean=False), "path through μ"),
        ("gamma forgotten", backward_with(gamma=False), "γ is missing"),
        ("the 1/N missing", backward_with(times_n=True), "N times too large"),
    ],
    "check_early_stopping": [
        ("stopping on the training loss", early_stopping_with(on="train"), "training loss"),
        ("patience off by one, late", early_stopping_with(patience_shift=1), "off by one"),
        ("patience off by one, early", early_stopping_with(patience_shift=-1), "off by one"),
        ("compared with the epoch before", early_stopping_with(previous=True), "the epoch before it"),
        ("a tie counted as an improvement", early_stopping_with(ties=True), "equal to the best"),
        ("the best weights not restored", early_stopping_with(restore=False), "restore the best"),
        ("the best weights restored only when it stops early", early_stopping_with(restore_when_stopped_only=True),
         "also when training reaches max_epochs"),
    ],
    "check_leaky_relu_std": [
        ("He's, slope ignored", lambda: (lambda n_in, slope: math.sqrt(2 / n_in),), "He's"),
        ("1 + a", lambda: (lambda n_in, slope: math.sqrt(2 / ((1 + slope) * n_in)),), "(1 + a)"),
        ("the variance", lambda: (lambda n_in, slope: 2 / ((1 + slope ** 2) * n_in),), "the variance"),
        ("no 2", lambda: (lambda n_in, slope: math.sqrt(1 / ((1 + slope ** 2) * n_in)),), "the 2 is missing"),
    ],
    "check_clip_by_global_norm": [
        ("scaled up below the threshold", clip_with(lambda gs, g, c: c / global_norm(gs)), "scaled up"),
        ("each array by its own norm", clip_with(lambda gs, g, c: min(1.0, c / np.linalg.norm(g))), "its own norm"),
        ("np.clip", lambda: (lambda grads, c: [np.clip(g, -c, c) for g in grads],), "np.clip"),
        ("an L1 norm", clip_with(lambda gs, g, c: min(1.0, c / sum(float(np.abs(a).sum()) for a in gs))),
         "absolute values"),
        ("no square root", clip_with(lambda gs, g, c: min(1.0, c / global_norm(gs) ** 2)), "square root"),
        ("clipped in place, nothing returned", lambda: (clip_in_place_returning_none,), "returned None"),
    ],
    "check_difference_with_error": [
        ("b - a", lambda: (lambda a, b: (b.mean() - a.mean(), math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1)
                                                                            / len(b))),), "mean(b) - mean(a)"),
        ("ddof=0", lambda: (lambda a, b: (a.mean() - b.mean(), math.sqrt(a.var() / len(a) + b.var() / len(b))),),
         "n - 1"),
        ("single-run spread", lambda: (lambda a, b: (a.mean() - b.mean(), math.sqrt(a.var(ddof=1) + b.var(ddof=1))),),
         "single runs"),
        ("errors added", lambda: (lambda a, b: (a.mean() - b.mean(), a.std(ddof=1) / math.sqrt(len(a))
                                                + b.std(ddof=1) / math.sqrt(len(b))),), "added"),
    ],
}

RIGHT_ANSWERS = [
    ("check_he_init", HE_RIGHT),
    ("check_he_init", lambda: (lambda n_in, n_out: np.random.normal(0, np.sqrt(2 / n_in), size=(n_in, n_out)),)),
    ("check_batchnorm_forward", forward_with()),
    ("check_batchnorm_forward", lambda: (type("ChapterBatchNorm", (ChapterBatchNorm,), {"forward": written_forward}),)),
    ("check_batchnorm_forward", lambda: (BatchNorm,)),
    ("check_batchnorm_backward", backward_with()),
    ("check_batchnorm_backward", backward_by_the_chain()),
    ("check_early_stopping", early_stopping_with()),
    ("check_early_stopping", lambda: (early_stopping_from_history,)),
    ("check_leaky_relu_std", lambda: (lambda n_in, slope: (2 / (n_in + n_in * slope * slope)) ** 0.5,)),
    ("check_clip_by_global_norm", clip_with(lambda gs, g, c: min(1.0, c / global_norm(gs)))),
    ("check_difference_with_error", lambda: (lambda a, b: (np.mean(a) - np.mean(b), np.sqrt(
        np.var(a, ddof=1) / a.size + np.var(b, ddof=1) / b.size)),)),
]


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch13", check_name, answer())


@pytest.mark.parametrize("check_name, answer", RIGHT_ANSWERS, ids=[name for name, _ in RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_and_leaves_the_random_stream_alone(check_name, answer, capsys):
    printed, stream_kept = accepted("ch13", check_name, answer(), capsys)
    assert printed.startswith("Correct")
    assert stream_kept


def test_a_piece_that_fails_hands_the_chapter_nncores_batch_norm(capsys):
    stand_in = chapter_checks("ch13").check_batchnorm_forward(*forward_with(batch_at_inference=True)())
    assert issubclass(stand_in, BatchNorm)
    assert "Not yet:" in capsys.readouterr().out
