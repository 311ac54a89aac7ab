"""Checks for 06_optimizers: the learner's optimizers (pieces) and the exercises.

A piece's check runs the learner's optimizer for several updates on two small layers, with gradients of very
different sizes, next to nncore's optimizer with the same settings, and compares every update. When the two part,
it runs the usual mistakes (a wrong sign, decay the wrong way, epsilon inside the square root, no bias
correction ...) on the same problem and names the one the learner's numbers follow.
"""
import numpy as np

import nncore.book as book
from nncore import SGD, Adagrad, Adam, RMSprop

from . import call, correct, expect, piece, plain, seeded

UPDATES = "nothing; it changes layer.weights and layer.biases"


class _Layer:
    """A stand-in for a trainable layer: weights (n_inputs, n_neurons), biases (1, n_neurons) and their gradients."""
    params = ("weights", "biases")

    def __init__(self, weights, biases):
        self.weights, self.biases = weights.copy(), biases.copy()

    def __repr__(self):
        return f"a layer with weights of shape {self.weights.shape}"


def _problem(seed, steps):
    """Starting values and `steps` gradients for two layers of random shapes; gradient sizes from 1e-4 to 1."""
    rng = np.random.default_rng(seed)
    shapes = [(int(rng.integers(2, 5)), int(rng.integers(2, 5))) for _ in range(2)]
    start = [(rng.normal(size=shape), rng.normal(size=(1, shape[1]))) for shape in shapes]

    def gradient(shape):
        return rng.normal(size=shape) * 10 ** rng.uniform(-4, 0, size=shape)

    grads = [[(gradient(shape), gradient((1, shape[1]))) for shape in shapes] for _ in range(steps)]
    return start, grads


def _run(optimizer, start, grads, *, learners=True):
    """The updates `optimizer` makes on the problem, called as the chapter's epoch does: [[weights, biases] per layer]
    after each update. The learner's code is run through `call`, nncore's directly."""
    def run(method, *args, returns):
        return call(method, *args, returns=returns, name=method.__name__) if learners else method(*args)

    layers = [_Layer(*values) for values in start]
    done = []
    for step_grads in grads:
        if hasattr(optimizer, "pre_update_params"):
            run(optimizer.pre_update_params, returns="nothing; it sets current_learning_rate")
        for layer, (dweights, dbiases) in zip(layers, step_grads):
            layer.dweights, layer.dbiases = dweights.copy(), dbiases.copy()
            run(optimizer.update_params, layer, returns=UPDATES)
        if hasattr(optimizer, "post_update_params"):
            run(optimizer.post_update_params, returns="nothing; it counts the update")
        done.append([[np.array(layer.weights, dtype=float), np.array(layer.biases, dtype=float)] for layer in layers])
    return done


def _path(rule, start, grads, schedule):
    """The same updates by a rule written here: rule(value, grad, state, rate, t) gives the new value, t the number
    of updates done before this one, rate = schedule(t)."""
    values = [[np.array(value, dtype=float) for value in layer] for layer in start]
    states = [[{} for _ in layer] for layer in start]
    done = []
    with np.errstate(all="ignore"):
        for t, step_grads in enumerate(grads):
            for layer_values, layer_states, layer_grads in zip(values, states, step_grads):
                for index, grad in enumerate(layer_grads):
                    layer_values[index] = rule(layer_values[index], grad, layer_states[index], schedule(t), t)
            done.append([[value.copy() for value in layer] for layer in values])
    return done


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-10)


def _same(mine, theirs, which=(0, 1)):
    """Do two runs agree at every update (on the weights, 0, and/or the biases, 1)?"""
    return all(_close(arrays_a[i], arrays_b[i]) for step_a, step_b in zip(mine, theirs)
               for arrays_a, arrays_b in zip(step_a, step_b) for i in which)


def _first_difference(mine, theirs):
    """A sentence saying where `mine` first parts from `theirs`."""
    for step, (step_a, step_b) in enumerate(zip(mine, theirs), 1):
        for number, (arrays_a, arrays_b) in enumerate(zip(step_a, step_b), 1):
            for name, a, b in zip(("weights", "biases"), arrays_a, arrays_b):
                if a.shape != b.shape:
                    return f"after update {step}, layer {number}'s {name} have shape {a.shape}, expected {b.shape}"
                if not _close(a, b):
                    worst = np.unravel_index(np.argmax(np.abs(a - b)), a.shape)
                    return (f"after update {step}, layer {number}'s {name} at index {tuple(int(i) for i in worst)}: "
                            f"expected {b[worst]:.6g}, got {a[worst]:.6g}")
    return "the updates differ"


def _diagnose(what, mine, reference, mistakes, start):
    """Fail unless `mine` follows `reference`; name the first of `mistakes`, (message, run), that `mine` follows."""
    if _same(mine, reference):
        return
    for step, arrays in enumerate(mine, 1):
        if not all(np.all(np.isfinite(array)) for pair in arrays for array in pair):
            hint = ("is something divided by zero, or the square root of a negative number taken (a cache of the "
                    "gradients rather than of their squares)?" + ("" if step > 1 else
                    " For Adam: the first update divides by 1 - beta ** 1, the power is iterations + 1; with the "
                    "power iterations it divides by 1 - beta ** 0 = 0."))
            raise AssertionError(f"{what}: the weights are inf or nan after update {step}: {hint}")
    if all(np.allclose(array, value) for pair, values in zip(mine[-1], start) for array, value in zip(pair, values)):
        raise AssertionError(f"{what}: the weights and biases did not change; update_params must change "
                             "layer.weights and layer.biases")
    if _same(mine, reference, which=(0,)):
        if all(np.allclose(pair[1], values[1]) for pair, values in zip(mine[-1], start)):
            raise AssertionError(f"{what}: the weights are right but the biases never move: update layer.biases "
                                 "from layer.dbiases the same way")
        raise AssertionError(f"{what}: the weights are right but not the biases: {_first_difference(mine, reference)}")
    for mistake, run in mistakes:
        if _same(mine, run):
            raise AssertionError(f"{what}: {mistake}")
    raise AssertionError(f"{what}: {_first_difference(mine, reference)}")


def _optimizer(cls, *settings):
    return call(cls, *settings, returns="an optimizer")


def _named(cls, settings):
    return f"{plain(cls)}({', '.join(plain(value) for value in settings)})"


def _constant(rate):
    return lambda t: rate


def _one_over_t(rate, decay):
    return lambda t: rate / (1 + decay * t)


def _sgd_rule(momentum, sign=-1, add=+1, style="book"):
    """theta <- theta + add * v, v <- momentum v + sign * rate * g (the book's rule: sign -1, add +1).

    style "average": v <- momentum v + (1 - momentum) g, theta <- theta - rate v (Adam's m, not momentum);
    style "rate outside": v <- momentum v - g, theta <- theta + rate v.
    """
    def rule(value, grad, state, rate, t):
        if style == "average":
            state["v"] = momentum * state.get("v", 0) + (1 - momentum) * grad
            return value - rate * state["v"]
        if style == "rate outside":
            state["v"] = momentum * state.get("v", 0) - grad
            return value + rate * state["v"]
        state["v"] = momentum * state.get("v", 0) + sign * rate * grad
        return value + add * state["v"]
    return rule


@piece(lambda: book.Optimizer_SGD)
def check_sgd(optimizer_class):
    """Optimizer_SGD(learning_rate): update_params moves weights and biases by -learning_rate times their gradients."""
    for seed, settings in ((61, (0.37,)), (62, ())):
        optimizer = _optimizer(optimizer_class, *settings)
        rate = settings[0] if settings else 1.0
        start, grads = _problem(seed, 3)
        mine = _run(optimizer, start, grads)
        mistakes = [("the weights moved with the gradient, uphill: the update is theta <- theta - eta g",
                     _path(_sgd_rule(0, +1), start, grads, _constant(rate))),
                    ("the step ignores the learning rate: multiply the gradient by self.learning_rate",
                     _path(_sgd_rule(0), start, grads, _constant(1.0)))]
        what = _named(optimizer_class, settings) + ("" if settings else ", whose rate is the book's default 1.0")
        _diagnose(what, mine, _path(_sgd_rule(0), start, grads, _constant(rate)), mistakes, start)
    correct("Optimizer_SGD steps every weight and bias by -learning_rate times its gradient, on two layers")


def _check_rates(optimizer, what, rate, decay, steps):
    """current_learning_rate after each pre_update_params, and iterations after the post_update_params."""
    for hook in ("pre_update_params", "post_update_params"):
        expect(hasattr(optimizer, hook), f"{what} has no {hook}: add it with @add_to_class(Optimizer_SGD)")
    for t in range(steps):
        call(optimizer.pre_update_params, returns="nothing; it sets current_learning_rate", name="pre_update_params")
        got, expected = getattr(optimizer, "current_learning_rate", None), rate / (1 + decay * t)
        expect(got is not None, f"{what}: __init__ and pre_update_params should set self.current_learning_rate")
        if not np.isclose(got, expected, rtol=1e-9):
            if np.isclose(got, rate * (1 + decay * t), rtol=1e-9):
                hint = "the rate grows: divide the starting rate by (1 + decay * iterations), do not multiply"
            elif np.isclose(got, rate / (1 + decay * (t + 1)), rtol=1e-9):
                hint = ("decay counted from 1: the first update (iterations = 0) uses the full rate; iterations "
                        "starts at 0 and post_update_params adds 1 after each update")
            elif t > 0 and np.isclose(got, rate, rtol=1e-9):
                hint = ("the rate does not decay: does pre_update_params divide by (1 + decay * iterations), and "
                        "does post_update_params add 1 to iterations?")
            else:
                hint = f"it should be learning_rate / (1 + decay * iterations) = {plain(expected)}"
            raise AssertionError(f"{what}: before update {t + 1} (iterations = {t}) current_learning_rate is "
                                 f"{plain(got)}; {hint}")
        call(optimizer.post_update_params, returns="nothing; it counts the update", name="post_update_params")
    iterations = getattr(optimizer, "iterations", None)
    expect(iterations == steps, f"{what}: after {steps} updates iterations is {plain(iterations)}, expected "
           f"{steps}: post_update_params adds 1 per update")


@piece(lambda: book.Optimizer_SGD)
def check_sgd_decay_momentum(optimizer_class):
    """Optimizer_SGD(learning_rate, decay, momentum): 1/t decay before each update, a velocity per parameter."""
    for settings in ((0.6, 0.05, 0.0), (0.4, 0.2, 0.0)):
        optimizer = _optimizer(optimizer_class, *settings)
        _check_rates(optimizer, _named(optimizer_class, settings), settings[0], settings[1], 6)
    for seed, settings in ((63, (0.5, 0.1, 0.0)), (64, (0.4, 0.0, 0.8)), (65, (0.3, 0.05, 0.6)), (66, ())):
        optimizer = _optimizer(optimizer_class, *settings)
        rate, decay, momentum = settings or (1.0, 0.0, 0.0)
        start, grads = _problem(seed, 8)
        mine = _run(optimizer, start, grads)
        schedule = _one_over_t(rate, decay)
        uphill = ("momentum with the wrong sign: the velocity is v <- mu v - eta_t g, against the gradient, then "
                  "theta <- theta + v") if momentum else "the weights moved with the gradient: theta <- theta - eta_t g"
        mistakes = [(uphill, _path(_sgd_rule(momentum, +1), start, grads, schedule)),
                    ("the update uses learning_rate, not the decayed current_learning_rate",
                     _path(_sgd_rule(momentum), start, grads, _constant(rate)))]
        if momentum:
            mistakes += [("momentum with the wrong sign: theta <- theta + v (not minus), with v <- mu v - eta_t g",
                          _path(_sgd_rule(momentum, add=-1), start, grads, schedule)),
                         ("the velocity is not kept: with momentum each update is mu times the previous update "
                          "minus eta_t g, kept per layer for the weights and for the biases",
                          _path(_sgd_rule(0), start, grads, schedule)),
                         ("the velocity is a moving average of the gradients, mu v + (1 - mu) g, which is Adam's m: "
                          "momentum's velocity is v <- mu v - eta_t g, the previous update scaled by mu plus this "
                          "step", _path(_sgd_rule(momentum, style="average"), start, grads, schedule))]
            if decay:
                mistakes.append(("the rate multiplies the whole velocity (v <- mu v - g, theta <- theta + eta_t v): "
                                 "with decay that rescales the old steps too; the rate belongs to this step's "
                                 "gradient, v <- mu v - eta_t g",
                                 _path(_sgd_rule(momentum, style="rate outside"), start, grads, schedule)))
        what = _named(optimizer_class, settings) + ("" if settings else ", the defaults 1.0, 0.0, 0.0")
        _diagnose(what, mine, _run(SGD(*settings), start, grads, learners=False), mistakes, start)
    correct("Optimizer_SGD decays its rate as learning_rate / (1 + decay t) and rolls with momentum, "
            "as nncore's SGD does, on 4 settings")


def _cache_rule(kind, epsilon, rho=None, *, inside=False, squared=True, root=True, late=False):
    """AdaGrad's (kind "sum"), RMSprop's ("average") or a wrong ("last", "swapped") cache, and the step; late: the
    step divides by the cache before this update's gradient is added to it."""
    def rule(value, grad, state, rate, t):
        new, old = grad ** 2 if squared else grad, state.get("c", 0)
        if late:
            step = rate * grad / (np.sqrt(old) + epsilon)
        if kind == "sum":
            state["c"] = old + new
        elif kind == "last":
            state["c"] = new
        else:
            keep = 1 - rho if kind == "swapped" else rho
            state["c"] = keep * old + (1 - keep) * new
        if late:
            return value - step
        if inside:
            return value - rate * grad / np.sqrt(state["c"] + epsilon)
        return value - rate * grad / ((np.sqrt(state["c"]) if root else state["c"]) + epsilon)
    return rule


def _check_cache_optimizer(optimizer_class, nncore_class, configs):
    """AdaGrad's or RMSprop's updates on two problems, against nncore's; their usual mistakes named."""
    for seed, settings in configs:
        optimizer = _optimizer(optimizer_class, *settings)
        rate, decay, epsilon, *rho = settings
        kind, rho = ("average", rho[0]) if rho else ("sum", None)
        start, grads = _problem(seed, 8)
        with np.errstate(all="ignore"):
            mine = _run(optimizer, start, grads)
        schedule = _one_over_t(rate, decay)
        mistakes = [("epsilon is inside the square root: the chapter's equations add it outside, g / (sqrt(c) + "
                     "epsilon)", _path(_cache_rule(kind, epsilon, rho, inside=True), start, grads, schedule)),
                    ("no square root: divide the gradient by sqrt(cache) + epsilon",
                     _path(_cache_rule(kind, epsilon, rho, root=False), start, grads, schedule)),
                    ("the update uses learning_rate, not the decayed current_learning_rate",
                     _path(_cache_rule(kind, epsilon, rho), start, grads, _constant(rate))),
                    ("the step divides by the cache as it was before this update: add this update's g ** 2 to the "
                     "cache first, then step", _path(_cache_rule(kind, epsilon, rho, late=True), start, grads, schedule)),
                    ("epsilon is left out: divide by sqrt(cache) + epsilon",
                     _path(_cache_rule(kind, 0.0, rho), start, grads, schedule))]
        if kind == "sum":
            mistakes += [("the cache keeps only the last squared gradient: AdaGrad adds them all up, c <- c + g ** 2",
                          _path(_cache_rule("last", epsilon), start, grads, schedule)),
                         ("the cache sums the gradients, not their squares: c <- c + g ** 2",
                          _path(_cache_rule("sum", epsilon, squared=False), start, grads, schedule))]
        else:
            mistakes += [("rho and 1 - rho are swapped: the old cache keeps the share rho, the new squared gradient "
                          "gets 1 - rho", _path(_cache_rule("swapped", epsilon, rho), start, grads, schedule)),
                         ("the cache is AdaGrad's sum; RMSprop's is a moving average, c <- rho c + (1 - rho) g ** 2",
                          _path(_cache_rule("sum", epsilon), start, grads, schedule))]
        reference = _run(nncore_class(*settings), start, grads, learners=False)
        _diagnose(_named(optimizer_class, settings), mine, reference, mistakes, start)


@piece(lambda: book.Optimizer_Adagrad)
def check_adagrad(optimizer_class):
    """Optimizer_Adagrad(learning_rate, decay, epsilon): c <- c + g ** 2, theta <- theta - eta_t g / (sqrt(c) + eps)."""
    _check_cache_optimizer(optimizer_class, Adagrad, [(67, (0.3, 0.05, 1e-3)), (68, (0.8, 0.0, 1e-7))])
    correct("Optimizer_Adagrad matches nncore's Adagrad for 8 updates, with epsilon 1e-3 and 1e-7")


@piece(lambda: book.Optimizer_RMSprop)
def check_rmsprop(optimizer_class):
    """Optimizer_RMSprop(learning_rate, decay, epsilon, rho): c <- rho c + (1 - rho) g ** 2, AdaGrad's step."""
    _check_cache_optimizer(optimizer_class, RMSprop, [(69, (0.02, 0.05, 1e-3, 0.8)), (70, (0.01, 0.0, 1e-7, 0.95))])
    correct("Optimizer_RMSprop matches nncore's RMSprop for 8 updates, with two rho and two epsilon")


def _adam_rule(epsilon, beta_1, beta_2, *, correct_m=True, correct_c=True, inside=False, first_t=1, stored=False,
               raw=False):
    """Adam's step; the keywords make the usual mistakes. t + first_t is the power of the bias correction; stored:
    the corrected averages replace m and c; raw: the gradient, not m_hat, on top."""
    def rule(value, grad, state, rate, t):
        state["m"] = beta_1 * state.get("m", 0) + (1 - beta_1) * grad
        state["c"] = beta_2 * state.get("c", 0) + (1 - beta_2) * grad ** 2
        m_hat = state["m"] / (1 - beta_1 ** (t + first_t)) if correct_m else state["m"]
        c_hat = state["c"] / (1 - beta_2 ** (t + first_t)) if correct_c else state["c"]
        if stored:
            state["m"], state["c"] = m_hat, c_hat
        top = grad if raw else m_hat
        return value - rate * top / (np.sqrt(c_hat + epsilon) if inside else np.sqrt(c_hat) + epsilon)
    return rule


def _check_adam_on(optimizer_class, settings, start, grads):
    """The learner's Adam with `settings` on one problem, against nncore's; Adam's usual mistakes named."""
    rate, decay, epsilon, beta_1, beta_2 = settings
    optimizer = _optimizer(optimizer_class, *settings)
    with np.errstate(all="ignore"):
        mine = _run(optimizer, start, grads)

    def run(schedule=_one_over_t(rate, decay), **mistake):
        return _path(_adam_rule(**{"epsilon": epsilon, "beta_1": beta_1, "beta_2": beta_2, **mistake}),
                     start, grads, schedule)

    mistakes = [("no bias correction: divide m by 1 - beta_1 ** (t + 1) and c by 1 - beta_2 ** (t + 1), with t = "
                 "iterations, the updates done before this one", run(correct_m=False, correct_c=False)),
                ("only c is bias-corrected: divide m by 1 - beta_1 ** (t + 1) too", run(correct_m=False)),
                ("only m is bias-corrected: divide c by 1 - beta_2 ** (t + 1) too", run(correct_c=False)),
                ("beta_1 and beta_2 are swapped: beta_1 averages the gradients (m), beta_2 their squares (c)",
                 run(beta_1=beta_2, beta_2=beta_1)),
                ("epsilon is inside the square root: the chapter's equations add it outside, m_hat / (sqrt(c_hat) + "
                 "epsilon)", run(inside=True)),
                ("the power of the correction is one too large: the first update (iterations = 0) divides by "
                 "1 - beta ** 1, the power is iterations + 1", run(first_t=2)),
                ("the corrected m_hat and c_hat were stored back into m and c: keep m and c as the moving averages "
                 "and compute the corrected ones afresh at every update", run(stored=True)),
                ("the step divides the gradient itself by sqrt(c_hat) + epsilon, RMSprop's step with Adam's cache: "
                 "Adam's step puts m_hat, the average of the gradients, on top", run(raw=True)),
                ("the update uses learning_rate, not the decayed current_learning_rate", run(_constant(rate)))]
    reference = _run(Adam(*settings), start, grads, learners=False)
    _diagnose(_named(optimizer_class, settings), mine, reference, mistakes, start)


@piece(lambda: book.Optimizer_Adam)
def check_optimizer_adam(optimizer_class):
    """Optimizer_Adam(learning_rate, decay, epsilon, beta_1, beta_2): Adam's equations, checked for 50 updates."""
    for seed, settings in ((71, (0.05, 0.01, 1e-4, 0.8, 0.95)), (72, (0.02, 0.0, 1e-7, 0.9, 0.999))):
        start, grads = _problem(seed, 50)
        _check_adam_on(optimizer_class, settings, start, grads)
    correct("Optimizer_Adam matches nncore's Adam for 50 updates, with the usual settings and with others")


def check_decay_for(decay_for):
    """decay_for(lr0, lr_end, steps): the decay d with lr0 / (1 + d * steps) = lr_end."""
    rng = np.random.default_rng(73)
    cases = [(1.0, 0.1, 10000), (0.001, 0.0001, 5000)]
    for _ in range(4):
        lr0 = float(rng.uniform(0.01, 2))
        cases.append((lr0, lr0 / float(rng.uniform(1.5, 100)), int(rng.integers(10, 20000))))
    for lr0, lr_end, steps in cases:
        expected = (lr0 / lr_end - 1) / steps
        got = call(decay_for, lr0, lr_end, steps, returns="a number, the decay")
        expect(np.ndim(got) == 0, f"decay_for should return one number, got {plain(np.asarray(got))}")
        got = float(got)
        if np.isclose(got, expected, rtol=1e-6):
            continue
        named = f"decay_for({plain(lr0)}, {plain(lr_end)}, {steps}): expected {plain(expected)}, got {plain(got)}"
        if got < 0:
            raise AssertionError(f"{named}; a negative decay makes the rate grow: is a ratio upside down? "
                                 "lr0 / lr_end is above 1")
        if np.isclose(got, lr0 / lr_end / steps, rtol=1e-6):
            raise AssertionError(f"{named}, which solves lr0 / (d * steps) = lr_end: the schedule divides by 1 + d * "
                                 "steps, so the 1 comes off the ratio first")
        if np.isclose(got, (lr0 - lr_end) / steps, rtol=1e-6):
            raise AssertionError(f"{named}, the slope of a straight-line schedule; 1/t decay solves "
                                 "lr0 / (1 + d * steps) = lr_end for d")
        if any(np.isclose(got, (lr0 / lr_end - 1) / (steps + off), rtol=1e-6) for off in (-1, 1)):
            raise AssertionError(f"{named}: off by one update; update number `steps`, counting from 0, comes "
                                 "after `steps` updates, so its rate is lr0 / (1 + d * steps)")
        raise AssertionError(named)
    decay = float(call(decay_for, 1.0, 0.1, 10000, returns="a number, the decay"))
    optimizer = SGD(learning_rate=1.0, decay=decay)
    for _ in range(10000):
        optimizer.step([])
    optimizer.pre_update_params()
    correct(f"decay_for(1.0, 0.1, 10000) = {decay:.6g}; nncore's SGD with that decay steps with "
            f"{optimizer.current_learning_rate:.4f} at update number 10,000")


def _first_step_by_nncore(weights, dweights, learning_rate, epsilon):
    layer = _Layer(weights, np.zeros((1, weights.shape[1]), dtype=float))
    layer.dweights, layer.dbiases = dweights, np.zeros((1, weights.shape[1]), dtype=float)
    Adam(learning_rate=learning_rate, epsilon=epsilon).step([layer])
    return layer.weights


def check_first_adam_step(first_adam_step):
    """first_adam_step(weights, dweights, learning_rate, epsilon) -> the weights after a fresh Adam's first update."""
    rng = np.random.default_rng(74)
    ambiguous = []
    for case in range(1, 5):
        shape = (int(rng.integers(1, 5)), int(rng.integers(2, 6)))
        epsilon = [1e-7, 1e-3, 0.05, 1e-7][case - 1]
        learning_rate = float(rng.uniform(0.001, 0.2))
        weights = rng.normal(size=shape)
        dweights = rng.choice([-1, 1], size=shape) * 10 ** rng.uniform(np.log10(epsilon) - 1, 1, size=shape)
        dweights.flat[0] = 0.0
        expected = _first_step_by_nncore(weights, dweights, learning_rate, epsilon)
        got = call(first_adam_step, weights.copy(), dweights.copy(), learning_rate, epsilon,
                   returns=f"the weights after the first update, shape {shape}")
        got = np.asarray(got, dtype=float)
        sizes = np.abs(dweights[dweights != 0])
        named = (f"case {case} (learning_rate {plain(learning_rate)}, epsilon {plain(epsilon)}, gradients 0 and from "
                 f"{plain(sizes.min())} to {plain(sizes.max())})")
        expect(got.shape == shape, f"{named}: expected the weights' shape {shape}, got {got.shape}")
        if np.allclose(got, expected, rtol=1e-7, atol=1e-12):
            continue
        step = weights - got
        with np.errstate(all="ignore"):
            wrong = [(learning_rate * np.sign(dweights), "the step is learning_rate times the sign of the gradient, "
                      "which leaves out epsilon: a gradient no larger than epsilon moves its weight by half the "
                      "rate or less"),
                     (learning_rate * dweights, "that is SGD's step, learning_rate * dweights; at Adam's first "
                      "update m_hat = g and c_hat = g ** 2"),
                     (learning_rate * 0.1 * dweights / (np.sqrt(0.001 * dweights ** 2) + epsilon),
                      "that is the step without bias correction, about 3.16 times the rate; with it, m_hat = g and "
                      "c_hat = g ** 2 at the first update"),
                     (learning_rate * dweights / np.sqrt(dweights ** 2 + epsilon),
                      "epsilon is inside the square root: the chapter adds it outside, g / (|g| + epsilon)"),
                     (learning_rate * dweights / np.sqrt(dweights ** 2 + epsilon ** 2),
                      "epsilon ** 2 is inside the square root: the chapter adds epsilon outside, g / (|g| + epsilon)"),
                     (-learning_rate * dweights / (np.abs(dweights) + epsilon),
                      "the weights moved with the gradient: Adam steps against it")]
        expect(not np.allclose(step, 0), f"{named}: the weights did not move")
        expect(np.all(np.isfinite(got)), f"{named}: nan or inf where the gradient is 0: is something divided by |g| "
               "alone? epsilon in the denominator, |g| + epsilon, keeps it above 0")
        if epsilon != 1e-7:
            wrong.append((learning_rate * dweights / (np.abs(dweights) + 1e-7),
                          f"the step used epsilon = 1e-7, the default, not the {plain(epsilon)} it was given"))
        matches = [mistake for wrong_step, mistake in wrong if np.allclose(step, wrong_step, rtol=1e-6, atol=1e-12)]
        if len(matches) > 1 and case < 4:
            ambiguous = matches  # this case cannot tell these mistakes apart (epsilon too small): the next may
            continue
        if matches:
            raise AssertionError(f"{named}: {matches[0]}")
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), shape)
        raise AssertionError(f"{named}: at index {tuple(int(i) for i in worst)} (gradient {plain(dweights[worst])}) "
                             f"expected {plain(expected[worst])}, got {plain(got[worst])}")
    expect(not ambiguous, f"case 1: {'; or '.join(ambiguous)}")
    correct("the first Adam step is learning_rate * g / (|g| + epsilon): the full rate against the gradient's sign, "
            "less for a gradient not much larger than epsilon, none for a zero gradient")


def _minimise_here(make_optimizer, steps, mistake=None):
    """minimise done right with nncore's optimizer (mistake None), or with one of the usual mistakes."""
    optimizer, layer = make_optimizer(), _Layer(np.zeros((1, 1), dtype=float), np.zeros((1, 1), dtype=float))
    for _ in range(steps):
        gradient = {"stale": np.full((1, 1), -6.0, dtype=float), "uphill": 2 * (3 - layer.weights),
                    "half": layer.weights - 3}.get(mistake, 2 * (layer.weights - 3))
        layer.dweights, layer.dbiases = gradient, np.zeros((1, 1), dtype=float)
        if mistake == "no step":
            optimizer.update_params(layer)
        else:
            optimizer.step([layer])
    return float(layer.weights[0, 0])


def check_minimise(minimise):
    """minimise(optimizer, steps): w after `steps` updates on (w - 3) ** 2 from w = 0."""
    runs = [("SGD(learning_rate=0.1, momentum=0.5)", lambda: SGD(learning_rate=0.1, momentum=0.5), 5),
            ("Adam(learning_rate=0.1)", lambda: Adam(learning_rate=0.1), 7),
            ("SGD(learning_rate=0.3, decay=0.5)", lambda: SGD(learning_rate=0.3, decay=0.5), 6),
            ("SGD(learning_rate=0.1, momentum=0.5)", lambda: SGD(learning_rate=0.1, momentum=0.5), 1000),
            ("Adam(learning_rate=0.1)", lambda: Adam(learning_rate=0.1), 1000)]
    mistakes = (("stale", "the gradient is computed once, before the loop: recompute 2(w - 3) from the current w "
                          "before every update"),
                ("uphill", "w moved away from 3: the gradient of (w - 3) ** 2 is 2(w - 3)"),
                ("no step", "call optimizer.step([layer]), which runs pre_update_params, update_params and "
                            "post_update_params: without them the count of updates stays at 0, and with it the "
                            "decay and Adam's bias correction"))
    for name, make_optimizer, steps in runs:
        with seeded(75), np.errstate(all="ignore"):
            got = call(minimise, make_optimizer(), steps, returns="a number, the final w")
        expect(np.ndim(got) == 0, f"minimise should return one number, w, got {plain(np.asarray(got))}")
        got, expected = float(np.asarray(got)), _minimise_here(make_optimizer, steps)
        if abs(got - expected) < 1e-5:
            continue
        named = f"minimise({name}, {steps}): expected w = {expected:.6f}, got {got:.6f}"
        expect(got != 3.0, f"{named}; {steps} updates do not reach 3 exactly: take the steps and return the w they "
               "give, not the answer")
        for mistake, message in mistakes:
            with np.errstate(all="ignore"):
                if abs(got - _minimise_here(make_optimizer, steps, mistake)) < 1e-5:
                    raise AssertionError(f"{named}: {message}")
        for other, message in ((steps + 1, "one update too many"), (steps - 1, "one update too few")):
            expect(abs(got - _minimise_here(make_optimizer, other)) >= 1e-5,
                   f"{named}, where {other} updates take it: {message}; take exactly `steps` updates")
        expect(abs(got - _minimise_here(make_optimizer, steps, "half")) >= 1e-5,
               f"{named}: the gradient is w - 3, half of it: the derivative of (w - 3) ** 2 is 2(w - 3)")
        raise AssertionError(f"{named}; does the layer start at w = 0 with a zero bias?")
    correct("SGD with momentum, SGD with decay and Adam take w where nncore's own loop does, after a few updates and "
            "after 1,000 (w = 3)")


def _flipping_problem(steps=50, size=0.5):
    """One weight whose gradient flips sign at every update, +size, -size, +size ...: the zigzag of overshooting."""
    start = [(np.zeros((1, 1), dtype=float), np.zeros((1, 1), dtype=float))]
    zero = np.zeros((1, 1), dtype=float)
    grads = [[(np.full((1, 1), size * (-1) ** k, dtype=float), zero)] for k in range(steps)]
    return start, grads


def check_adam_from_its_equations(flipping_step, optimizer_class):
    """flipping_step(k, learning_rate, beta_1, beta_2): the step of update k (from 1) for a gradient flipping sign;
    then the learner's Optimizer_Adam against nncore's Adam on the same 50 updates."""
    rng = np.random.default_rng(76)
    configs = [(0.05, 0.9, 0.999)] + [(float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.95)),
                                       float(rng.uniform(0.9, 0.9999))) for _ in range(2)]
    start, grads = _flipping_problem()
    for learning_rate, beta_1, beta_2 in configs:
        path = _run(Adam(learning_rate, 0.0, 1e-12, beta_1, beta_2), start, grads, learners=False)
        measured = np.abs(np.diff([0.0] + [arrays[0][0][0, 0] for arrays in path]))
        predicted = []
        for k in range(1, len(grads) + 1):
            got = call(flipping_step, k, learning_rate, beta_1, beta_2, returns="a number, the size of the step")
            expect(np.ndim(got) == 0, f"flipping_step should return one number, got {plain(np.asarray(got))}")
            predicted.append(float(got))
        predicted = np.array(predicted)
        if np.allclose(predicted, measured, rtol=1e-6):
            continue
        k = int(np.argmax(~np.isclose(predicted, measured, rtol=1e-6))) + 1
        named = (f"flipping_step({k}, {plain(learning_rate)}, {plain(beta_1)}, {plain(beta_2)}): nncore's Adam "
                 f"steps by {plain(measured[k - 1])}, you predict {plain(predicted[k - 1])}")
        updates = np.arange(1, len(grads) + 1)
        for guess, mistake in ((np.full(len(grads), learning_rate), "the full rate is the step of a steady gradient "
                                "(and of the first update): after that m averages +g and -g"),
                               (np.full(len(grads), learning_rate * (1 - beta_1) / (1 + beta_1)),
                                f"that is where the steps end up for large k, not the step of update {k}"),
                               (measured * (1 - beta_1 ** updates), "that leaves out the bias correction: m_hat "
                                "is m / (1 - beta_1 ** k)")):
            if np.allclose(predicted, guess, rtol=1e-6):
                raise AssertionError(f"{named}; {mistake}")
        if np.allclose(predicted[:-1], measured[1:], rtol=1e-6):
            raise AssertionError(f"{named}, the step of update {k + 1}: k counts from 1 here, the first update is "
                                 "k = 1")
        raise AssertionError(f"{named}. Write m after k updates as a sum over the k gradients")
    expect(not issubclass(optimizer_class, Adam), "your formula is right. Optimizer_Adam is still nncore's finished "
           "Adam: write yours in the Adam section (and run its check) so that this exercise can check it too")
    for learning_rate, beta_1, beta_2 in configs:
        _check_adam_on(optimizer_class, (learning_rate, 0.02, 0.01, beta_1, beta_2), start, grads)
    last = float(flipping_step(len(grads), 0.05, 0.9, 0.999))
    correct(f"your Optimizer_Adam follows nncore's Adam through 50 flipping updates, and your formula predicts every "
            f"step: 0.05 at k = 1, {last:.5f} at k = 50, towards 0.05 * 0.1 / 1.9 = {0.05 / 19:.5f}")
