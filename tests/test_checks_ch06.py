"""06_optimizers' checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest
from nncore import Adam, Dense

from wrong_answers import cases, refusal


class SGD:
    """The book's SGD with decay and momentum, as the chapter builds it."""

    def __init__(self, learning_rate=1.0, decay=0.0, momentum=0.0):
        self.learning_rate = self.current_learning_rate = learning_rate
        self.decay, self.momentum, self.iterations = decay, momentum, 0

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate / (1 + self.decay * self.iterations)

    def post_update_params(self):
        self.iterations += 1

    def step_of(self, layer, name, gradient):
        """The change of `name` ("weights" or "biases") for `gradient`; the velocity is kept on the layer."""
        if not self.momentum:
            return -self.current_learning_rate * gradient
        velocity = self.momentum * getattr(layer, name + "_velocity", 0) - self.current_learning_rate * gradient
        setattr(layer, name + "_velocity", velocity)
        return velocity

    def update_params(self, layer):
        layer.weights = layer.weights + self.step_of(layer, "weights", layer.dweights)
        layer.biases = layer.biases + self.step_of(layer, "biases", layer.dbiases)


class PlainSGD(SGD):
    def __init__(self, learning_rate=1.0):
        super().__init__(learning_rate)


def plain_sgd(update):
    return type("Optimizer_SGD", (PlainSGD,), {"update_params": update})


def uphill(self, layer):
    layer.weights = layer.weights + self.learning_rate * layer.dweights
    layer.biases = layer.biases + self.learning_rate * layer.dbiases


def without_rate(self, layer):
    layer.weights = layer.weights - layer.dweights
    layer.biases = layer.biases - layer.dbiases


def weights_only(self, layer):
    layer.weights = layer.weights - self.learning_rate * layer.dweights


class CacheOptimizer(SGD):
    """AdaGrad (rho None) or RMSprop, with switches for the usual mistakes."""
    inside = swapped = last = summed = no_root = fixed_rate = late = unsquared = False
    rho = None

    def cache(self, old, gradient):
        if self.unsquared:
            return self.rho * old + (1 - self.rho) * gradient
        if self.last:
            return gradient ** 2
        if self.rho is None or self.summed:
            return old + gradient ** 2
        keep = 1 - self.rho if self.swapped else self.rho
        return keep * old + (1 - keep) * gradient ** 2

    def update_params(self, layer):
        rate = self.learning_rate if self.fixed_rate else self.current_learning_rate
        for name in ("weights", "biases"):
            old = getattr(layer, name + "_cache", 0)
            cache = self.cache(old, getattr(layer, "d" + name))
            setattr(layer, name + "_cache", cache)
            if self.late:
                cache = old
            if self.inside:
                scale = np.sqrt(cache + self.epsilon)
            else:
                scale = (cache if self.no_root else np.sqrt(cache)) + self.epsilon
            setattr(layer, name, getattr(layer, name) - rate * getattr(layer, "d" + name) / scale)


class Adagrad(CacheOptimizer):
    def __init__(self, learning_rate=1.0, decay=0.0, epsilon=1e-7):
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon


class RMSprop(CacheOptimizer):
    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, rho=0.9):
        super().__init__(learning_rate, decay)
        self.epsilon, self.rho = epsilon, rho


def variant(base, **switches):
    return type(base.__name__, (base,), switches)


class BookAdam(SGD):
    """Adam from the chapter's equations, with switches for the usual mistakes."""
    first_t, correct_m, correct_c, inside, swapped, still, stored, raw = 1, True, True, False, False, False, False, False

    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        super().__init__(learning_rate, decay)
        self.epsilon, self.beta_1, self.beta_2 = epsilon, beta_1, beta_2

    def update_params(self, layer):
        if self.still:
            return
        beta_1, beta_2 = (self.beta_2, self.beta_1) if self.swapped else (self.beta_1, self.beta_2)
        t = self.iterations + self.first_t
        for name in ("weights", "biases"):
            gradient = getattr(layer, "d" + name)
            m = beta_1 * getattr(layer, name + "_m", 0) + (1 - beta_1) * gradient
            c = beta_2 * getattr(layer, name + "_c", 0) + (1 - beta_2) * gradient ** 2
            m_hat = m / (1 - beta_1 ** t) if self.correct_m else m
            c_hat = c / (1 - beta_2 ** t) if self.correct_c else c
            setattr(layer, name + "_m", m_hat if self.stored else m)
            setattr(layer, name + "_c", c_hat if self.stored else c)
            if self.raw:
                m_hat = gradient
            scale = np.sqrt(c_hat + self.epsilon) if self.inside else np.sqrt(c_hat) + self.epsilon
            setattr(layer, name, getattr(layer, name) - self.current_learning_rate * m_hat / scale)


def sgd_with(**methods):
    return type("Optimizer_SGD", (SGD,), methods)


def grows(self):
    self.current_learning_rate = self.learning_rate * (1 + self.decay * self.iterations)


def from_one(self):
    self.current_learning_rate = self.learning_rate / (1 + self.decay * (self.iterations + 1))


def momentum_uphill(self, layer, name, gradient):
    if not self.momentum:
        return -self.current_learning_rate * gradient
    velocity = self.momentum * getattr(layer, name + "_velocity", 0) + self.current_learning_rate * gradient
    setattr(layer, name + "_velocity", velocity)
    return velocity


def forgets_velocity(self, layer, name, gradient):
    return -self.current_learning_rate * gradient


def undecayed(self, layer, name, gradient):
    velocity = self.momentum * getattr(layer, name + "_velocity", 0) - self.learning_rate * gradient
    setattr(layer, name + "_velocity", velocity)
    return velocity


def minimise(optimizer, steps, gradient=lambda w: 2 * (w - 3), start=0.0, step=True, extra=0):
    layer = Dense(1, 1)
    layer.set_parameters(np.full((1, 1), start), np.zeros((1, 1)))
    first = gradient(layer.weights)
    for _ in range(steps + extra):
        layer.dweights = first if gradient is None else gradient(layer.weights)
        layer.dbiases = np.zeros((1, 1))
        if step:
            optimizer.step([layer])
        else:
            optimizer.update_params(layer)
    return float(layer.weights[0, 0])


def minimise_with_a_stale_gradient(optimizer, steps):
    layer = Dense(1, 1)
    layer.set_parameters(np.zeros((1, 1)), np.zeros((1, 1)))
    layer.dweights, layer.dbiases = 2 * (layer.weights - 3), np.zeros((1, 1))
    for _ in range(steps):
        optimizer.step([layer])
    return float(layer.weights[0, 0])


def minimise_from_random_weights(optimizer, steps):
    layer = Dense(1, 1)
    for _ in range(steps):
        layer.dweights, layer.dbiases = 2 * (layer.weights - 3), np.zeros((1, 1))
        optimizer.step([layer])
    return float(layer.weights[0, 0])


def minimise_by_hand(optimizer, steps):
    """Right, with the three calls of an update written out and the layer's parameters assigned."""
    layer = Dense(1, 1)
    layer.weights, layer.biases = np.zeros((1, 1)), np.zeros((1, 1))
    for _ in range(steps):
        layer.dweights, layer.dbiases = 2 * (layer.weights - 3), np.zeros((1, 1))
        optimizer.pre_update_params()
        optimizer.update_params(layer)
        optimizer.post_update_params()
    return layer.weights.item()


class AdamInPlace(SGD):
    """Right: Adam with the four arrays on the layer, updated in place, as nncore does."""

    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        super().__init__(learning_rate, decay)
        self.epsilon, self.beta_1, self.beta_2 = epsilon, beta_1, beta_2

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums, layer.weight_cache = np.zeros_like(layer.weights), np.zeros_like(layer.weights)
            layer.bias_momentums, layer.bias_cache = np.zeros_like(layer.biases), np.zeros_like(layer.biases)
        power = self.iterations + 1
        for value, m, c, gradient in ((layer.weights, layer.weight_momentums, layer.weight_cache, layer.dweights),
                                      (layer.biases, layer.bias_momentums, layer.bias_cache, layer.dbiases)):
            m *= self.beta_1
            m += (1 - self.beta_1) * gradient
            c *= self.beta_2
            c += (1 - self.beta_2) * gradient * gradient
            value -= (self.current_learning_rate * (m / (1 - self.beta_1 ** power))
                      / (np.sqrt(c / (1 - self.beta_2 ** power)) + self.epsilon))


def average_momentum(self, layer, name, gradient):
    if not self.momentum:
        return -self.current_learning_rate * gradient
    velocity = self.momentum * getattr(layer, name + "_velocity", 0) + (1 - self.momentum) * gradient
    setattr(layer, name + "_velocity", velocity)
    return -self.current_learning_rate * velocity


def rate_outside(self, layer, name, gradient):
    if not self.momentum:
        return -self.current_learning_rate * gradient
    velocity = self.momentum * getattr(layer, name + "_velocity", 0) - gradient
    setattr(layer, name + "_velocity", velocity)
    return self.current_learning_rate * velocity


def flipping_step(k, learning_rate, beta_1, beta_2):
    return learning_rate * (1 - beta_1) * (1 - (-beta_1) ** k) / ((1 + beta_1) * (1 - beta_1 ** k))


def no_epsilon_first_step(weights, dweights, learning_rate, epsilon=1e-7):
    with np.errstate(invalid="ignore"):
        return weights - learning_rate * dweights / np.abs(dweights)


def old_first_adam_step(weights, dweights, learning_rate, epsilon=1e-7):
    layer = Dense(*weights.shape)
    layer.set_parameters(weights, np.zeros((1, weights.shape[1])))
    layer.dweights, layer.dbiases = dweights, np.zeros((1, weights.shape[1]))
    Adam(learning_rate=learning_rate).step([layer])
    return layer.weights


WRONG_ANSWERS = {
    "check_sgd": [
        ("a step uphill", lambda: (plain_sgd(uphill),), "with the gradient, uphill"),
        ("no learning rate", lambda: (plain_sgd(without_rate),), "ignores the learning rate"),
        ("the biases left alone", lambda: (plain_sgd(weights_only),), "biases never move"),
        ("nothing changes", lambda: (plain_sgd(lambda self, layer: None),), "did not change"),
        ("a default rate of 0.1", lambda: (type("Optimizer_SGD", (PlainSGD,), {
            "__init__": lambda self, learning_rate=0.1: PlainSGD.__init__(self, learning_rate)}),), "default 1.0"),
    ],
    "check_sgd_decay_momentum": [
        ("decay multiplies", lambda: (sgd_with(pre_update_params=grows),), "the rate grows"),
        ("decay counted from 1", lambda: (sgd_with(pre_update_params=from_one),), "decay counted from 1"),
        ("the count never advances", lambda: (sgd_with(post_update_params=lambda self: None),), "does not decay"),
        ("momentum with the wrong sign", lambda: (sgd_with(step_of=momentum_uphill),), "momentum with the wrong sign"),
        ("the velocity forgotten", lambda: (sgd_with(step_of=forgets_velocity),), "velocity is not kept"),
        ("a moving average for a velocity", lambda: (sgd_with(step_of=average_momentum),), "which is Adam's m"),
        ("the rate outside the velocity", lambda: (sgd_with(step_of=rate_outside),), "multiplies the whole velocity"),
        ("the undecayed rate in the velocity", lambda: (sgd_with(step_of=undecayed),), "not the decayed"),
    ],
    "check_adagrad": [
        ("epsilon inside the square root", lambda: (variant(Adagrad, inside=True),), "inside the square root"),
        ("only the last squared gradient", lambda: (variant(Adagrad, last=True),), "keeps only the last"),
        ("no square root", lambda: (variant(Adagrad, no_root=True),), "no square root"),
        ("the undecayed rate", lambda: (variant(Adagrad, fixed_rate=True),), "not the decayed"),
        ("the cache added after the step", lambda: (variant(Adagrad, late=True),), "add this update's g ** 2"),
    ],
    "check_rmsprop": [
        ("rho and 1 - rho swapped", lambda: (variant(RMSprop, swapped=True),), "swapped"),
        ("epsilon inside the square root", lambda: (variant(RMSprop, inside=True),), "inside the square root"),
        ("AdaGrad's sum", lambda: (variant(RMSprop, summed=True),), "AdaGrad's sum"),
        ("a cache of the gradients, not their squares", lambda: (variant(RMSprop, unsquared=True),),
         "a cache of the gradients rather than of their squares"),
        ("epsilon left out", lambda: (variant(RMSprop, epsilon=0.0, __init__=lambda self, learning_rate=0.001,
                                               decay=0.0, epsilon=1e-7, rho=0.9: RMSprop.__init__(
                                                   self, learning_rate, decay, 0.0, rho)),), "epsilon is left out"),
    ],
    "check_optimizer_adam": [
        ("no bias correction", lambda: (variant(BookAdam, correct_m=False, correct_c=False),), "no bias correction"),
        ("t starting at 0", lambda: (variant(BookAdam, first_t=0),), "the power is iterations + 1"),
        ("t one too large", lambda: (variant(BookAdam, first_t=2),), "one too large"),
        ("m_hat and c_hat stored back", lambda: (variant(BookAdam, stored=True),), "stored back into m and c"),
        ("the raw gradient on top", lambda: (variant(BookAdam, raw=True),), "puts m_hat"),
        ("beta_1 and beta_2 swapped", lambda: (variant(BookAdam, swapped=True),), "beta_1 and beta_2 are swapped"),
        ("epsilon inside the square root", lambda: (variant(BookAdam, inside=True),), "inside the square root"),
        ("only m corrected", lambda: (variant(BookAdam, correct_c=False),), "only m is bias-corrected"),
        ("nothing changes", lambda: (variant(BookAdam, still=True),), "did not change"),
    ],
    "check_decay_for": [
        ("a straight line", lambda: (lambda lr0, lr_end, steps: (lr0 - lr_end) / steps,), "straight-line"),
        ("off by one", lambda: (lambda lr0, lr_end, steps: (lr0 / lr_end - 1) / (steps - 1),), "off by one"),
        ("the ratio upside down", lambda: (lambda lr0, lr_end, steps: (lr_end / lr0 - 1) / steps,), "negative decay"),
        ("a constant", lambda: (lambda lr0, lr_end, steps: 9e-4,), "expected"),
        ("the 1 of 1 + d t forgotten", lambda: (lambda lr0, lr_end, steps: lr0 / lr_end / steps,), "the 1 comes off"),
    ],
    "check_first_adam_step": [
        ("the sign of the gradient", lambda: (lambda w, g, lr, eps: w - lr * np.sign(g),), "leaves out epsilon"),
        ("SGD's step", lambda: (lambda w, g, lr, eps: w - lr * g,), "SGD's step"),
        ("no bias correction", lambda: (lambda w, g, lr, eps: w - lr * 0.1 * g / (np.sqrt(0.001 * g ** 2) + eps),),
         "without bias correction"),
        ("epsilon inside the square root", lambda: (lambda w, g, lr, eps: w - lr * g / np.sqrt(g ** 2 + eps),),
         "inside the square root"),
        ("epsilon squared inside the square root",
         lambda: (lambda w, g, lr, eps: w - lr * g / np.sqrt(g ** 2 + eps ** 2),), "epsilon ** 2 is inside"),
        ("nncore's Adam with its default epsilon", lambda: (old_first_adam_step,), "the default, not the"),
        ("the weights unchanged", lambda: (lambda w, g, lr, eps: w,), "did not move"),
        ("epsilon 1e-7 whatever is given", lambda: (lambda w, g, lr, eps: w - lr * g / (np.abs(g) + 1e-7),),
         "not the 0.001 it was given"),
        ("no epsilon", lambda: (no_epsilon_first_step,), "nan or inf where the gradient is 0"),
    ],
    "check_minimise": [
        ("the answer returned", lambda: (lambda optimizer, steps: 3.0,), "not the answer"),
        ("the gradient computed once", lambda: (minimise_with_a_stale_gradient,), "computed once"),
        ("the gradient's sign", lambda: (lambda optimizer, steps: minimise(optimizer, steps, lambda w: 2 * (3 - w)),),
         "moved away from 3"),
        ("update_params alone", lambda: (lambda optimizer, steps: minimise(optimizer, steps, step=False),),
         "optimizer.step"),
        ("the layer's random start", lambda: (minimise_from_random_weights,), "start at w = 0"),
        ("one update too many", lambda: (lambda optimizer, steps: minimise(optimizer, steps, extra=1),),
         "one update too many"),
        ("one update too few", lambda: (lambda optimizer, steps: minimise(optimizer, steps, extra=-1),),
         "one update too few"),
        ("the gradient without its 2", lambda: (lambda optimizer, steps: minimise(optimizer, steps, lambda w: w - 3),),
         "half of it"),
    ],
    "check_adam_from_its_equations": [
        ("the full rate", lambda: (lambda k, lr, b1, b2: lr, BookAdam), "steady gradient"),
        ("the limit", lambda: (lambda k, lr, b1, b2: lr * (1 - b1) / (1 + b1), BookAdam), "where the steps end up"),
        ("k from 0", lambda: (lambda k, lr, b1, b2: flipping_step(k + 1, lr, b1, b2), BookAdam), "k counts from 1"),
        ("no bias correction", lambda: (lambda k, lr, b1, b2: flipping_step(k, lr, b1, b2) * (1 - b1 ** k), BookAdam),
         "leaves out the bias correction"),
        ("nncore's Adam passed on", lambda: (flipping_step, type("Optimizer_Adam", (Adam,), {})), "still nncore's"),
        ("an Adam without bias correction",
         lambda: (flipping_step, variant(BookAdam, correct_m=False, correct_c=False)), "no bias correction"),
        ("an Adam with epsilon inside", lambda: (flipping_step, variant(BookAdam, inside=True)),
         "inside the square root"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch06", check_name, answer())


def test_the_right_answers_pass(capsys):
    from wrong_answers import chapter_checks, strict
    checks = chapter_checks("ch06")
    strict(checks.check_sgd)(PlainSGD)
    strict(checks.check_sgd_decay_momentum)(SGD)
    strict(checks.check_adagrad)(Adagrad)
    strict(checks.check_rmsprop)(RMSprop)
    strict(checks.check_optimizer_adam)(BookAdam)
    strict(checks.check_optimizer_adam)(AdamInPlace)
    checks.check_decay_for(lambda lr0, lr_end, steps: (lr0 / lr_end - 1) / steps)
    checks.check_first_adam_step(lambda w, g, lr, eps: w - lr * g / (np.abs(g) + eps))
    checks.check_minimise(minimise)
    checks.check_minimise(minimise_by_hand)
    checks.check_decay_for(lambda lr0, lr_end, steps: (lr0 - lr_end) / (lr_end * steps))
    checks.check_adam_from_its_equations(flipping_step, BookAdam)
    assert capsys.readouterr().out.count("Correct:") == 12


def test_a_check_leaves_the_global_random_stream_alone():
    from wrong_answers import chapter_checks
    np.random.seed(6)
    expected = np.random.rand()
    np.random.seed(6)
    chapter_checks("ch06").check_minimise(minimise)
    assert np.random.rand() == expected
