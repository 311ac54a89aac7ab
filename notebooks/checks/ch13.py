"""Checks for 13_deep_networks: He initialisation, batch normalisation's forward and backward, the early-stopping
rule, and the exercises (an initialisation for leaky ReLU, clipping by the global norm, two models over seeds).

Each check tries the learner's code on its own random inputs and compares it with nncore's finished version; where
the answer is wrong it also computes the usual wrong answers and names the one that matches.
"""
import math

import numpy as np

from nncore import BatchNorm, Dense, gradcheck

from . import call, correct, expect, expect_close, expect_shape, piece, seeded


def _same(a, b, rtol=1e-5, atol=1e-8):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- He initialisation --------------------------

def he_init(n_in, n_out):
    return Dense(n_in, n_out, init="he").weights


@piece(lambda: he_init)
def check_he_init(he_init):
    """he_init(n_in, n_out): sqrt(2 / n_in) * np.random.randn(n_in, n_out), the draws of Dense(init='he')."""
    rng = np.random.default_rng(131)
    for case in range(3):
        n_in, n_out = (int(size) for size in rng.choice(np.arange(20, 90), size=2, replace=False))
        seed = int(rng.integers(1000))
        with seeded(seed):
            got = call(he_init, n_in, n_out, returns=f"an array of shape ({n_in}, {n_out})", name="he_init")
        with seeded(seed):
            draws = np.random.randn(n_in, n_out).astype(np.float64)
        got = np.asarray(got, dtype=np.float64)
        expect(got.shape != (n_out, n_in), f"he_init({n_in}, {n_out}) gave shape {got.shape}: the weights are "
                                           f"(n_in, n_out), one column per neuron, as in Dense")
        expect_shape(f"he_init({n_in}, {n_out})", got, (n_in, n_out))
        ratio = float(np.sum(got * draws) / np.sum(draws * draws))
        if not _same(got, ratio * draws):
            spread = float(got.std())
            expect(abs(spread / math.sqrt(2 / n_in) - 1) < 0.1,
                   f"he_init({n_in}, {n_out}) has standard deviation {spread:.4f}, expected sqrt(2 / n_in) = "
                   f"{math.sqrt(2 / n_in):.4f}")
            raise AssertionError(f"he_init({n_in}, {n_out}) has the right spread but not the global stream's draws: "
                                 "scale np.random.randn(n_in, n_out), so that a seed gives Dense(init='he')'s weights")
        wrong = {math.sqrt(2 / n_out): "the scale is sqrt(2 / n_out): He divides by n_in, the number of inputs each "
                                       "neuron adds up",
                 2 / n_in: "the scale is 2 / n_in, the variance: randn has standard deviation 1, so multiply it by "
                           "the standard deviation, sqrt(2 / n_in)",
                 math.sqrt(1 / n_in): "the scale is sqrt(1 / n_in): ReLU zeroes half of its inputs, which the 2 in "
                                      "sqrt(2 / n_in) makes up for",
                 math.sqrt(2 / (n_in + n_out)): "the scale is Glorot's sqrt(2 / (n_in + n_out)), not He's",
                 0.01: "the scale is the book's 0.01, not He's"}
        for scale, mistake in wrong.items():
            expect(abs(ratio / scale - 1) > 1e-4, f"he_init({n_in}, {n_out}): {mistake}")
        expect_close(f"he_init({n_in}, {n_out}), the scale of the draws", ratio, math.sqrt(2 / n_in))
    correct("he_init scales the global stream's randn(n_in, n_out) by sqrt(2 / n_in), as Dense(init='he'), "
            "on 3 random sizes")


# ---------------------------------------------------------------- batch normalisation: forward ---------------

def _batch(rng, n_samples, n_features):
    """Features of very different means and spreads, so that normalising over the wrong axis shows."""
    return rng.normal(rng.uniform(-3, 3, n_features), rng.uniform(0.2, 4, n_features), (n_samples, n_features))


def _normalised(x, gamma, beta, epsilon, *, axis=0, ddof=0):
    mean = x.mean(axis=axis, keepdims=True)
    return gamma * (x - mean) / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + epsilon) + beta


def _layer(bn_class, n_features, momentum, epsilon, rng):
    layer = call(bn_class, n_features, momentum, epsilon, returns="a layer", name="BatchNorm")
    layer.gamma = rng.uniform(0.5, 2, (1, n_features))
    layer.beta = rng.normal(0, 1, (1, n_features))
    layer.running_mean = np.zeros((1, n_features))
    layer.running_var = np.ones((1, n_features))
    return layer


def _check_training_output(layer, x, got, epsilon):
    gamma, beta = layer.gamma, layer.beta
    expect_shape("forward(x, training=True)", got, x.shape)
    if not _same(got, _normalised(x, gamma, beta, epsilon)):
        mistakes = [(_normalised(x, gamma, beta, epsilon, axis=1), "normalised over axis=1, across the features of "
                     "each sample: batch normalisation takes each feature's mean and variance over the batch, axis=0"),
                    (_normalised(x, gamma, beta, epsilon, ddof=1), "normalised with the unbiased variance (divided "
                     "by N - 1): the batch is normalised with its own variance, divided by N"),
                    (_normalised(x, gamma, beta, 0.0), "no ε under the square root: a feature that is constant in a "
                     "batch would divide by 0; use self.epsilon"),
                    (_normalised(x, 1.0, 0.0, epsilon), "the output is x̂ alone: multiply by gamma and add beta"),
                    (_normalised(x, beta, gamma, epsilon), "gamma and beta are swapped: y = gamma * x̂ + beta")]
        for wrong, mistake in mistakes:
            expect(not _same(got, wrong), f"forward(x, training=True): {mistake}")
        expect_close("forward(x, training=True)", got, _normalised(x, gamma, beta, epsilon))


def _check_running(layer, batches, momentum):
    mean, var = np.zeros((1, batches[0].shape[1])), np.ones((1, batches[0].shape[1]))
    biased, swapped = var.copy(), (mean.copy(), var.copy())
    for x in batches:
        mean = momentum * mean + (1 - momentum) * x.mean(axis=0, keepdims=True)
        var = momentum * var + (1 - momentum) * x.var(axis=0, ddof=1, keepdims=True)
        biased = momentum * biased + (1 - momentum) * x.var(axis=0, keepdims=True)
        swapped = ((1 - momentum) * swapped[0] + momentum * x.mean(axis=0, keepdims=True),
                   (1 - momentum) * swapped[1] + momentum * x.var(axis=0, ddof=1, keepdims=True))
    got_mean, got_var = np.asarray(layer.running_mean), np.asarray(layer.running_var)
    expect(not (_same(got_mean, 0 * mean) and _same(got_var, 1 + 0 * var)),
           "after two training batches running_mean and running_var are still 0 and 1: update them in every "
           "training pass, r = momentum * r + (1 - momentum) * (the batch's statistic)")
    expect(not _same(got_mean, swapped[0]), "running_mean = (1 - momentum) * r + momentum * (batch mean): the roles "
                                            "are swapped; momentum is the share of the old value that is kept")
    expect_close("running_mean after two training batches", got_mean, mean)
    expect(not _same(got_var, biased), "running_var follows the biased batch variance (divided by N): the running "
                                       "estimate uses the unbiased one, times N / (N - 1), as PyTorch keeps it")
    expect(not _same(got_var, np.sqrt(var)), "running_var holds a standard deviation: keep the variance")
    expect_close("running_var after two training batches", got_var, var)
    return mean, var


@piece(lambda: BatchNorm)
def check_batchnorm_forward(bn_class):
    """BatchNorm.forward(inputs, training): batch statistics and running updates in training, running ones after."""
    rng = np.random.default_rng(132)
    for case in range(2):
        n_samples, n_features = int(rng.integers(6, 12)), int(rng.integers(3, 6))
        momentum, epsilon = float(rng.uniform(0.6, 0.95)), 0.05
        layer = _layer(bn_class, n_features, momentum, epsilon, rng)
        batches = [_batch(rng, n_samples, n_features) for _ in range(2)]
        for x in batches:
            got = call(layer.forward, x, True, returns=f"an array of shape {x.shape}", name="forward")
            _check_training_output(layer, x, np.asarray(got, dtype=np.float64), epsilon)
        x = batches[-1]
        centred = x - x.mean(axis=0, keepdims=True)
        inv_std = 1 / np.sqrt(x.var(axis=0, keepdims=True) + epsilon)
        for name, wanted in (("xhat", centred * inv_std), ("inv_std", inv_std)):
            expect(getattr(layer, name, None) is not None,
                   f"forward(x, training=True) did not store self.{name}: backward reads it")
            expect_close(f"self.{name} after forward(x, training=True)", getattr(layer, name), wanted)
        expect(getattr(layer, "training", None) is True, "forward(x, training=True) did not set self.training = "
                                                         "True: backward needs to know which statistics were used")
        mean, var = _check_running(layer, batches, momentum)
        new = _batch(rng, n_samples, n_features) + 1.0
        got = np.asarray(call(layer.forward, new, False, returns=f"an array of shape {new.shape}", name="forward"),
                         dtype=np.float64)
        wanted = layer.gamma * (new - mean) / np.sqrt(var + epsilon) + layer.beta
        expect(not _same(got, _normalised(new, layer.gamma, layer.beta, epsilon)),
               "forward(x, training=False) used the batch's own statistics: at inference use running_mean and "
               "running_var, so a prediction does not depend on the other samples of its batch")
        expect(_same(layer.running_mean, mean) and _same(layer.running_var, var),
               "forward(x, training=False) changed the running statistics: only training batches update them")
        expect(getattr(layer, "training", None) is False, "forward(x, training=False) left self.training True")
        expect_close("forward(x, training=False)", got, wanted)
        one = np.asarray(call(layer.forward, new[:1], False, returns="an array of shape (1, n)", name="forward"))
        expect_close("forward on a single sample, training=False", one, wanted[:1])
    correct("BatchNorm.forward normalises each feature over the batch in training, keeps unbiased running "
            "statistics with momentum, and uses them at inference, on 2 random layers")


# ---------------------------------------------------------------- batch normalisation: backward --------------

def _reference_backward(x, gamma, dvalues, epsilon):
    layer = BatchNorm(x.shape[1], epsilon=epsilon)
    layer.gamma = gamma.copy()
    layer.forward(x, training=True)
    layer.backward(dvalues)
    return layer


def _dx(dxhat, xhat, inv_std, *, mean=True, variance=True):
    """The training backward, with the path through the mean or the variance left out for the usual mistakes."""
    n_samples = len(dxhat)
    total = n_samples * dxhat
    if mean:
        total = total - dxhat.sum(axis=0, keepdims=True)
    if variance:
        total = total - xhat * (dxhat * xhat).sum(axis=0, keepdims=True)
    return inv_std * total / n_samples


@piece(lambda: BatchNorm)
def check_batchnorm_backward(backward):
    """BatchNorm.backward(dvalues) after a training pass: dgamma, dbeta and dinputs, against a numerical gradient."""
    if isinstance(backward, type):
        backward = backward.backward
    Probe = type("BatchNorm", (BatchNorm,), {"backward": backward})
    rng = np.random.default_rng(133)
    for case in range(3):
        n_samples, n_features = int(rng.integers(4, 8)), int(rng.integers(2, 5))
        x, epsilon = _batch(rng, n_samples, n_features), 0.05
        gamma, dvalues = rng.uniform(0.5, 2, (1, n_features)), rng.normal(0, 1, (n_samples, n_features))
        layer = Probe(n_features, epsilon=epsilon)
        layer.gamma = gamma.copy()
        layer.forward(x, training=True)
        call(backward, layer, dvalues.copy(), returns="dinputs, after setting dgamma, dbeta and dinputs",
             name="BatchNorm.backward")
        right = _reference_backward(x, gamma, dvalues, epsilon)
        for name in ("dgamma", "dbeta"):
            got = getattr(layer, name, None)
            expect(got is not None, f"backward did not set self.{name}")
            expect(np.shape(got) != (n_samples, 1), f"self.{name} has shape {np.shape(got)}: it was summed over "
                                                    f"axis=1; γ and β are used by every sample, so sum over axis=0")
            expect(np.shape(got) != (n_samples, n_features), f"self.{name} has shape {np.shape(got)}, one row per "
                                                             f"sample: sum over the batch, axis=0, keepdims=True")
        expect(not _same(layer.dgamma, right.dbeta), "self.dgamma = Σ G: γ multiplies x̂, so dgamma = Σ_i G_i x̂_i")
        expect_close("self.dgamma", layer.dgamma, right.dgamma)
        expect_close("self.dbeta", layer.dbeta, right.dbeta)
        got = getattr(layer, "dinputs", None)
        expect(got is not None, "backward did not set self.dinputs")
        dxhat, inv_std, xhat = dvalues * gamma, layer.inv_std, layer.xhat
        mistakes = [(dxhat * inv_std, "dinputs is ∂x̂ / σ' alone, the direct path: in training μ and σ² are computed "
                     "from every sample, and the gradient must include the paths through them"),
                    (_dx(dvalues, xhat, inv_std), "γ is missing: the gradient reaching x̂ is G · γ"),
                    (_dx(dxhat, xhat, inv_std, variance=False), "the path through σ² is missing (the term "
                     "x̂ Σ_i ∂x̂_i x̂_i)"),
                    (_dx(dxhat, xhat, inv_std, mean=False), "the path through μ is missing (the term Σ_i ∂x̂_i)"),
                    (n_samples * right.dinputs, "dinputs is N times too large: the 1/N of the mean is missing")]
        for wrong, mistake in mistakes:
            expect(not _same(got, wrong), f"self.dinputs: {mistake}")
        expect_close("self.dinputs", got, right.dinputs)

    def loss(_):
        check = BatchNorm(n_features, epsilon=epsilon)
        check.gamma = gamma
        return float(np.sum(check.forward(x, training=True) * dvalues))
    numerical = gradcheck.numerical_gradient(loss, x)
    expect(gradcheck.relative_error(layer.dinputs, numerical) < 1e-6,
           "self.dinputs differs from the numerical gradient of Σ G · y")
    correct("BatchNorm.backward gives dgamma, dbeta and dinputs (all three paths) equal to a numerical gradient, "
            "on 3 random batches")


# ---------------------------------------------------------------- early stopping -----------------------------

class ScriptedModel:
    """A stand-in for a Model whose per-epoch losses are scripted; its 'weights' say the epoch they come from."""

    def __init__(self, train_losses, val_losses, X, X_val):
        self.train_losses, self.val_losses, self.X, self.X_val = train_losses, val_losses, X, X_val
        self.epoch, self.weights = 0, 0

    def train(self, X, y, *, epochs=1, verbose=True, validation_data=None, batch_size=None, **_):
        expect(epochs == 1, f"the check's model was trained with epochs={epochs}: train one epoch at a time")
        expect(self.epoch < len(self.val_losses), f"the model was trained past max_epochs={len(self.val_losses)}")
        self.epoch += 1
        self.weights = self.epoch
        history = {"epoch": [self.epoch], "loss": [self.train_losses[self.epoch - 1]]}
        if validation_data is not None:
            history["val_loss"] = [self.val_losses[self.epoch - 1]]
        return history

    def evaluate(self, X, y, *, verbose=True, batch_size=None):
        expect(self.epoch > 0, "the model was evaluated before its first epoch")
        losses = self.val_losses if X is self.X_val else self.train_losses
        return losses[self.epoch - 1], 0.5

    def get_parameters(self):
        return [(np.array([float(self.weights)]),)]

    def set_parameters(self, parameters):
        self.weights = int(parameters[0][0][0])


def _rule(losses, patience, *, previous=False, ties=False):
    """(best epoch, stopped epoch) of the right rule or of a usual mistake: 1-based epochs."""
    best, best_epoch, waited, last = math.inf, 0, 0, None
    for epoch, loss in enumerate(losses, 1):
        better = loss <= best if ties else loss < best
        if previous:
            better = last is None or loss < last
        if better:
            waited = 0
        else:
            waited += 1
        if loss < best or (ties and loss <= best):
            best, best_epoch = loss, epoch
        last = loss
        if waited >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses)


SCRIPTS = [  # (training losses, validation losses, patience)
    ([1.0 - 0.05 * k for k in range(16)],
     [1.0, 0.8, 0.7, 0.75, 0.72, 0.74, 0.71, 0.73, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9], 3),
    ([1.0 - 0.05 * k for k in range(14)],
     [0.9, 0.6, 0.5, 0.55, 0.5, 0.56, 0.57, 0.58, 0.59, 0.4, 0.45, 0.46, 0.47, 0.48], 4),
    ([1.0 - 0.05 * k for k in range(8)], [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.44, 0.43], 2),
    # The last epochs rise, but fewer than `patience` of them: training ends at max_epochs, and the best weights
    # must come back then too.
    ([1.0 - 0.05 * k for k in range(4)], [0.9, 0.7, 0.6, 0.65], 3),
]


@piece(lambda: train_with_early_stopping)
def check_early_stopping(train_with_early_stopping):
    """train_with_early_stopping(model, train_data, val_data, patience, max_epochs) -> (best_epoch, stopped_epoch).

    The model is a ``ScriptedModel``: its losses are scripted, so the right epochs are known and each usual mistake
    gives epochs of its own.
    """
    for train_losses, val_losses, patience in SCRIPTS:
        X, X_val = np.zeros((4, 2)), np.ones((4, 2))
        model = ScriptedModel(train_losses, val_losses, X, X_val)
        result = call(train_with_early_stopping, model, (X, np.zeros(4)), (X_val, np.zeros(4)), patience,
                      len(val_losses), returns="(best_epoch, stopped_epoch)", name="train_with_early_stopping")
        expect(isinstance(result, tuple) and len(result) == 2, "train_with_early_stopping should return "
                                                               "(best_epoch, stopped_epoch), a pair of epochs")
        best, stopped = (int(value) for value in result)
        right = _rule(val_losses, patience)
        where = f"with validation losses {val_losses} and patience={patience}"
        if (best, stopped) != right:
            expect((best, stopped) != _rule(train_losses, patience),
                   f"{where}: it followed the training loss, which keeps falling; stop on the validation loss")
            expect(stopped not in (_rule(val_losses, patience + 1)[1], _rule(val_losses, patience - 1)[1]),
                   f"{where}: it stopped at epoch {stopped}, expected {right[1]}: patience is off by one; stop once "
                   f"{patience} epochs in a row did not beat the best")
            expect((best, stopped) != _rule(val_losses, patience, previous=True),
                   f"{where}: it stopped at epoch {stopped}, expected {right[1]}: a loss was compared with the epoch "
                   "before it, not with the best so far")
            expect((best, stopped) != _rule(val_losses, patience, ties=True),
                   f"{where}: a loss equal to the best counted as an improvement; only a lower one is")
            raise AssertionError(f"{where}: expected (best_epoch, stopped_epoch) = {right}, got {(best, stopped)}")
        expect(model.epoch == stopped, f"{where}: it says it stopped at epoch {stopped} but trained {model.epoch}")
        expect(model.weights != stopped or best == stopped or stopped < len(val_losses),
               f"{where}: it trained all {stopped} epochs without stopping early and kept the last epoch's weights: "
               f"restore the best epoch's ({best}) with set_parameters also when training reaches max_epochs")
        expect(model.weights != stopped or best == stopped,
               f"{where}: the model kept the weights of epoch {stopped}, where it stopped: restore the best "
               f"epoch's ({best}) with set_parameters")
        expect(model.weights == best, f"{where}: the model ends with the weights of epoch {model.weights}, "
                                      f"expected those of the best epoch, {best}")
    correct("train_with_early_stopping stops after `patience` epochs without a new lowest validation loss and "
            "restores the best epoch's weights, on 4 scripted runs (one ends at max_epochs)")


def train_with_early_stopping(model, train_data, val_data, patience, max_epochs, batch_size=None):
    best, best_epoch, best_weights, waited = math.inf, 0, None, 0
    for epoch in range(1, max_epochs + 1):
        model.train(*train_data, epochs=1, batch_size=batch_size, verbose=False)
        loss = model.evaluate(*val_data, batch_size=batch_size, verbose=False)[0]
        if loss < best:
            best, best_epoch, best_weights, waited = loss, epoch, model.get_parameters(), 0
        else:
            waited += 1
        if waited >= patience:
            break
    model.set_parameters(best_weights)
    return best_epoch, epoch


# ---------------------------------------------------------------- exercises ----------------------------------

def check_leaky_relu_std(leaky_relu_std):
    """Exercise 1: the weight standard deviation that keeps the variance through leaky ReLU."""
    rng = np.random.default_rng(134)
    for case in range(4):
        n_in, slope = int(rng.integers(10, 500)), float(rng.uniform(0.05, 0.5))
        got = float(call(leaky_relu_std, n_in, slope, returns="a number", name="leaky_relu_std"))
        right = math.sqrt(2 / ((1 + slope ** 2) * n_in))
        wrong = {math.sqrt(2 / n_in): "this is He's sqrt(2 / n_in): the negative side keeps slope² of its variance",
                 math.sqrt(2 / ((1 + slope) * n_in)): "(1 + a) in place of (1 + a²): the negative half is scaled by "
                                                      "a, so its second moment by a²",
                 2 / ((1 + slope ** 2) * n_in): "this is the variance: return its square root",
                 math.sqrt(1 / ((1 + slope ** 2) * n_in)): "the 2 is missing: each half of z carries half of its "
                                                           "second moment"}
        for value, mistake in wrong.items():
            expect(abs(got / value - 1) > 1e-6, f"leaky_relu_std({n_in}, {slope:.3f}) = {got:.5g}: {mistake}")
        expect_close(f"leaky_relu_std({n_in}, {slope:.3f})", got, right)
    correct("leaky_relu_std = sqrt(2 / ((1 + a²) n_in)); for a = 0 it is He's")


def check_clip_by_global_norm(clip_by_global_norm):
    """Exercise 2: every gradient scaled by one factor so that their global norm is at most max_norm."""
    rng = np.random.default_rng(135)
    for case in range(3):
        grads = [rng.normal(0, 3, tuple(rng.integers(1, 5, size=2))) for _ in range(3)]
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        for max_norm in (norm / 3, norm * 2):
            got = call(clip_by_global_norm, [g.copy() for g in grads], max_norm, returns="a list of 3 arrays",
                       name="clip_by_global_norm")
            expect(got is not None, "clip_by_global_norm returned None: return the list of clipped arrays (a "
                                    "new list, or the arrays you changed in place)")
            got = [np.asarray(g, dtype=np.float64) for g in got]
            expect(len(got) == len(grads), f"clip_by_global_norm returned {len(got)} arrays for {len(grads)}")
            factor = min(1.0, max_norm / norm)
            if all(_same(a, factor * g) for a, g in zip(got, grads)):
                continue
            expect(not all(_same(a, g * max_norm / norm) for a, g in zip(got, grads)),
                   "gradients whose norm is already below max_norm were scaled up: scale only when it is above")
            expect(not all(_same(a, g * min(1.0, max_norm / np.linalg.norm(g))) for a, g in zip(got, grads)),
                   "each array was clipped by its own norm: one factor for all of them keeps the step's direction")
            expect(not all(_same(a, np.clip(g, -max_norm, max_norm)) for a, g in zip(got, grads)),
                   "the values were clipped one by one (np.clip): scale every array by max_norm / global norm")
            l1 = sum(float(np.sum(np.abs(g))) for g in grads)
            expect(not all(_same(a, g * min(1.0, max_norm / l1)) for a, g in zip(got, grads)),
                   "the norm is a sum of absolute values: the global norm is sqrt(Σ g²) over every array")
            squared = norm ** 2
            expect(not all(_same(a, g * min(1.0, max_norm / squared)) for a, g in zip(got, grads)),
                   "the norm is missing its square root")
            for index, (a, g) in enumerate(zip(got, grads)):
                expect_close(f"clipped gradient {index}", a, factor * g)
    correct("clip_by_global_norm scales every gradient by min(1, max_norm / ||g||) with one global norm")


def check_difference_with_error(difference_with_error):
    """Exercise 3: mean(a) - mean(b) and its standard error sqrt(s_a² / n_a + s_b² / n_b) with N - 1."""
    rng = np.random.default_rng(136)
    for case in range(3):
        a, b = rng.normal(0.95, 0.01, int(rng.integers(4, 8))), rng.normal(0.96, 0.02, int(rng.integers(4, 8)))
        got = call(difference_with_error, a.copy(), b.copy(), returns="(difference, standard error)",
                   name="difference_with_error")
        expect(isinstance(got, tuple) and len(got) == 2, "difference_with_error should return a pair of numbers")
        difference, error = (float(value) for value in got)
        expect(abs(difference + (a.mean() - b.mean())) > 1e-12 or abs(a.mean() - b.mean()) < 1e-12,
               "the difference is mean(b) - mean(a): return mean(a) - mean(b)")
        expect_close("the difference of the means", difference, a.mean() - b.mean())
        sa, sb = a.std(ddof=1), b.std(ddof=1)
        right = math.sqrt(sa ** 2 / len(a) + sb ** 2 / len(b))
        wrong = {math.sqrt(a.var() / len(a) + b.var() / len(b)): "the variances divide by n, not n - 1 "
                                                                 "(np.std(..., ddof=1))",
                 math.sqrt(sa ** 2 + sb ** 2): "the standard deviations of single runs: the error of a mean of n "
                                               "runs is smaller, divide each variance by its n",
                 sa / math.sqrt(len(a)) + sb / math.sqrt(len(b)): "the two errors were added: add the variances "
                                                                  "and take the square root of the sum"}
        for value, mistake in wrong.items():
            expect(abs(error / value - 1) > 1e-9, f"standard error {error:.5g}: {mistake}")
        expect_close("the standard error of the difference", error, right)
    correct("difference_with_error gives mean(a) - mean(b) and sqrt(s_a²/n_a + s_b²/n_b)")

