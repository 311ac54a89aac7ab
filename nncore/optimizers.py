r"""Optimizers: SGD (with decay and momentum), Adagrad, RMSprop and Adam.

One training step is ``pre_update_params()``, ``update_params(layer)`` for
every trainable layer, then ``post_update_params()`` (or ``step(layers)``,
which does all three). The learning rate decays as
:math:`\eta_t = \eta_0 / (1 + d\,t)`, where :math:`t` counts the steps done.
Per-parameter state (momentums, caches) lives on each layer, so layers never
share it.
"""
import numpy as np

from . import _checks


class Optimizer:
    """Learning-rate decay and the step counter shared by every optimizer."""

    def __init__(self, learning_rate, decay):
        self.learning_rate = _checks.real_number("learning_rate", learning_rate, low_open=True)
        self.current_learning_rate = self.learning_rate
        self.decay = _checks.real_number("decay", decay)
        self.iterations = 0

    def pre_update_params(self):
        """Set ``current_learning_rate`` for this step (call once per step, not per layer)."""
        if self.decay:
            self.current_learning_rate = self.learning_rate * (1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        """Update ``layer.weights`` and ``layer.biases`` in place from ``dweights`` and ``dbiases``."""
        raise NotImplementedError

    def post_update_params(self):
        """Count the step that was just taken."""
        self.iterations += 1

    def step(self, layers):
        """One complete update of every layer in ``layers``."""
        self.pre_update_params()
        for layer in layers:
            self.update_params(layer)
        self.post_update_params()

    def config(self):
        """Constructor arguments (hyper-parameters)."""
        return {"learning_rate": self.learning_rate, "decay": self.decay}

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Gradient descent, :math:`\theta \leftarrow \theta - \eta_t g`, optionally with momentum.

    With momentum :math:`\mu`: :math:`v \leftarrow \mu v - \eta_t g`, :math:`\theta \leftarrow \theta + v`.
    """

    def __init__(self, learning_rate=1.0, decay=0., momentum=0.):
        super().__init__(learning_rate, decay)
        self.momentum = _checks.real_number("momentum", momentum, low=0.0, high=1.0)

    def update_params(self, layer):
        if self.momentum:
            if not hasattr(layer, "weight_momentums"):
                layer.weight_momentums = np.zeros_like(layer.weights)
                layer.bias_momentums = np.zeros_like(layer.biases)
            weight_updates = self.momentum * layer.weight_momentums - self.current_learning_rate * layer.dweights
            layer.weight_momentums = weight_updates
            bias_updates = self.momentum * layer.bias_momentums - self.current_learning_rate * layer.dbiases
            layer.bias_momentums = bias_updates
        else:
            weight_updates = -self.current_learning_rate * layer.dweights
            bias_updates = -self.current_learning_rate * layer.dbiases
        layer.weights += weight_updates
        layer.biases += bias_updates

    def config(self):
        return {**super().config(), "momentum": self.momentum}


class Adagrad(Optimizer):
    r"""Per-parameter rates from the sum of squared gradients: :math:`c \leftarrow c + g^2`,
    :math:`\theta \leftarrow \theta - \eta_t g / (\sqrt{c} + \epsilon)`."""

    def __init__(self, learning_rate=1.0, decay=0., epsilon=1e-7):
        super().__init__(learning_rate, decay)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_cache += layer.dweights ** 2
        layer.bias_cache += layer.dbiases ** 2
        layer.weights += -self.current_learning_rate * layer.dweights / (np.sqrt(layer.weight_cache) + self.epsilon)
        layer.biases += -self.current_learning_rate * layer.dbiases / (np.sqrt(layer.bias_cache) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon}


class RMSprop(Optimizer):
    r"""Adagrad with a moving-average cache: :math:`c \leftarrow \rho c + (1-\rho) g^2`."""

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, rho=0.9):
        super().__init__(learning_rate, decay)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        self.rho = _checks.real_number("rho", rho, low=0.0, high=1.0)

    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_cache = self.rho * layer.weight_cache + (1 - self.rho) * layer.dweights ** 2
        layer.bias_cache = self.rho * layer.bias_cache + (1 - self.rho) * layer.dbiases ** 2
        layer.weights += -self.current_learning_rate * layer.dweights / (np.sqrt(layer.weight_cache) + self.epsilon)
        layer.biases += -self.current_learning_rate * layer.dbiases / (np.sqrt(layer.bias_cache) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "rho": self.rho}


class Adam(Optimizer):
    r"""Momentum plus an RMSprop cache, both bias-corrected.

    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`c \leftarrow \beta_2 c + (1-\beta_2) g^2`,
    :math:`\hat m = m / (1-\beta_1^{t+1})`, :math:`\hat c = c / (1-\beta_2^{t+1})`,
    :math:`\theta \leftarrow \theta - \eta_t \hat m / (\sqrt{\hat c} + \epsilon)`.
    """

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        super().__init__(learning_rate, decay)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        self.beta_1 = _checks.real_number("beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _checks.real_number("beta_2", beta_2, low=0.0, high=1.0)

    def update_params(self, layer):
        if not (hasattr(layer, "weight_cache") and hasattr(layer, "weight_momentums")):
            # The state takes the dtype that m = b1 * m + (1 - b1) * g would give (float64 if g is), as in the book.
            weight_dtype = np.result_type(layer.weights, layer.dweights)
            bias_dtype = np.result_type(layer.biases, layer.dbiases)
            layer.weight_momentums = np.zeros_like(layer.weights, dtype=weight_dtype)
            layer.weight_cache = np.zeros_like(layer.weights, dtype=weight_dtype)
            layer.bias_momentums = np.zeros_like(layer.biases, dtype=bias_dtype)
            layer.bias_cache = np.zeros_like(layer.biases, dtype=bias_dtype)
        step = self.iterations + 1
        self._update(layer.weights, layer.dweights, layer.weight_momentums, layer.weight_cache, step)
        self._update(layer.biases, layer.dbiases, layer.bias_momentums, layer.bias_cache, step)

    def _update(self, param, grad, m, c, step):
        """Update ``param`` and its state ``m``, ``c`` in place: the formulas' operations in their order,
        so the numbers are identical to the written-out version, with two temporary arrays instead of eight."""
        scratch = (1 - self.beta_1) * grad
        m *= self.beta_1
        m += scratch
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - self.beta_2
        c *= self.beta_2
        c += scratch
        np.divide(m, 1 - self.beta_1 ** step, out=scratch)
        c_corrected = c / (1 - self.beta_2 ** step)
        np.sqrt(c_corrected, out=c_corrected)
        c_corrected += self.epsilon
        scratch *= -self.current_learning_rate
        scratch /= c_corrected
        param += scratch

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "beta_1": self.beta_1, "beta_2": self.beta_2}
