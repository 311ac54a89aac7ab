r"""Optimizers: SGD (with decay and momentum), Adagrad, RMSprop and Adam.

One training step is ``pre_update_params()``, ``update_params(layer)`` for
every trainable layer, then ``post_update_params()`` (or ``step(layers)``,
which does all three). The learning rate decays as
:math:`\eta_t = \eta_0 / (1 + d\,t)`, where :math:`t` counts the steps done.

Every optimizer is one rule, ``update(value, grad, state)``, applied to each
parameter a layer names in ``layer.params`` (``Dense``: ``weights`` and
``biases``, with gradients ``dweights`` and ``dbiases``). The state of each
parameter (momentums, caches) is held by the optimizer, keyed by layer and
parameter name, so layers never share it and ``Model.save`` can store it.
"""
import weakref

import numpy as np

from . import _checks
from .registry import register


class Optimizer:
    """Learning-rate decay, the step counter and the per-parameter state shared by every optimizer.

    A subclass names its state arrays in ``slots`` and implements ``update``.
    """

    slots = ()

    def __init__(self, learning_rate, decay):
        self.learning_rate = _checks.real_number("learning_rate", learning_rate, low_open=True)
        self.current_learning_rate = self.learning_rate
        self.decay = _checks.real_number("decay", decay)
        self.iterations = 0
        self.states = weakref.WeakKeyDictionary()  # layer -> {parameter name: {slot: array}}

    def pre_update_params(self):
        """Set ``current_learning_rate`` for this step (call once per step, not per layer)."""
        if self.decay:
            self.current_learning_rate = self.learning_rate * (1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        """Update every parameter in ``layer.params`` in place from its gradient ``d<name>``."""
        try:
            layer_state = self.states[layer]
        except (KeyError, TypeError):
            if not getattr(layer, "params", ()):
                raise TypeError(f"update_params takes a layer that names its parameters in params, got {layer!r}")
            layer_state = self.states[layer] = {}
        for name in layer.params:
            value, grad = getattr(layer, name), getattr(layer, "d" + name, None)
            if grad is None:
                raise ValueError(f"{layer!r} has no gradient d{name} yet: call backward before the optimizer's step")
            if name not in layer_state:
                layer_state[name] = {slot: self.initial_state(value, grad) for slot in self.slots}
            self.update(value, grad, layer_state[name])

    def initial_state(self, value, grad):
        """A state array before the first step: zeros of the parameter's shape and dtype."""
        return np.zeros_like(value)

    def update(self, value, grad, state):
        """Change the array ``value`` in place from ``grad``, reading and writing its ``state`` dict."""
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

    def get_state(self, layer):
        """The state of ``layer``'s parameters, ``{parameter name: {slot: array}}`` (empty before a step)."""
        return self.states.get(layer, {})

    def set_state(self, layer, state):
        """Restore a ``get_state`` result for ``layer``: every slot, each of its parameter's shape."""
        restored = {}
        for name, slots in state.items():
            if name not in layer.params:
                raise ValueError(f"{layer!r} has no parameter {name!r}; its parameters are {layer.params}")
            if set(slots) != set(self.slots):
                raise ValueError(f"{type(self).__name__} keeps the state {self.slots} per parameter, "
                                 f"got {tuple(slots)} for {name!r}")
            restored[name] = {}
            for slot, array in slots.items():
                array = _checks.as_array(f"the {slot} of {name!r}", array)
                if array.shape != np.shape(getattr(layer, name)):
                    raise ValueError(f"the {slot} of {name!r} must have shape {np.shape(getattr(layer, name))}, "
                                     f"got {array.shape}")
                restored[name][slot] = np.array(array)
        self.states[layer] = restored

    def config(self):
        """Constructor arguments (hyper-parameters)."""
        return {"learning_rate": self.learning_rate, "decay": self.decay}

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({args})"


@register(kind="optimizer")
class SGD(Optimizer):
    r"""Gradient descent, :math:`\theta \leftarrow \theta - \eta_t g`, optionally with momentum.

    With momentum :math:`\mu`: :math:`v \leftarrow \mu v - \eta_t g`, :math:`\theta \leftarrow \theta + v`.
    """

    def __init__(self, learning_rate=1.0, decay=0., momentum=0.):
        super().__init__(learning_rate, decay)
        self.momentum = _checks.real_number("momentum", momentum, low=0.0, high=1.0)

    @property
    def slots(self):
        return ("momentum",) if self.momentum else ()

    def update(self, value, grad, state):
        if self.momentum:
            state["momentum"] = self.momentum * state["momentum"] - self.current_learning_rate * grad
            value += state["momentum"]
        else:
            value += -self.current_learning_rate * grad

    def config(self):
        return {**super().config(), "momentum": self.momentum}


@register(kind="optimizer")
class Adagrad(Optimizer):
    r"""Per-parameter rates from the sum of squared gradients: :math:`c \leftarrow c + g^2`,
    :math:`\theta \leftarrow \theta - \eta_t g / (\sqrt{c} + \epsilon)`."""

    slots = ("cache",)

    def __init__(self, learning_rate=1.0, decay=0., epsilon=1e-7):
        super().__init__(learning_rate, decay)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)

    def update(self, value, grad, state):
        state["cache"] += grad ** 2
        value += -self.current_learning_rate * grad / (np.sqrt(state["cache"]) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon}


@register(kind="optimizer")
class RMSprop(Optimizer):
    r"""Adagrad with a moving-average cache: :math:`c \leftarrow \rho c + (1-\rho) g^2`."""

    slots = ("cache",)

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, rho=0.9):
        super().__init__(learning_rate, decay)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        self.rho = _checks.real_number("rho", rho, low=0.0, high=1.0)

    def update(self, value, grad, state):
        state["cache"] = self.rho * state["cache"] + (1 - self.rho) * grad ** 2
        value += -self.current_learning_rate * grad / (np.sqrt(state["cache"]) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "rho": self.rho}


@register(kind="optimizer")
class Adam(Optimizer):
    r"""Momentum plus an RMSprop cache, both bias-corrected.

    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`c \leftarrow \beta_2 c + (1-\beta_2) g^2`,
    :math:`\hat m = m / (1-\beta_1^{t+1})`, :math:`\hat c = c / (1-\beta_2^{t+1})`,
    :math:`\theta \leftarrow \theta - \eta_t \hat m / (\sqrt{\hat c} + \epsilon)`.
    """

    slots = ("momentum", "cache")

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        super().__init__(learning_rate, decay)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        self.beta_1 = _checks.real_number("beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _checks.real_number("beta_2", beta_2, low=0.0, high=1.0)

    def initial_state(self, value, grad):
        # The dtype that m = b1 * m + (1 - b1) * g gives (float64 if g is), as in the book.
        return np.zeros_like(value, dtype=np.result_type(value, grad))

    def update(self, value, grad, state):
        """The equations above, in their order; ``m`` and ``c`` are scaled, then added to, in place."""
        m, c, t = state["momentum"], state["cache"], self.iterations + 1
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        c *= self.beta_2
        c += (1 - self.beta_2) * grad ** 2
        correction_1, correction_2 = 1 - self.beta_1 ** t, 1 - self.beta_2 ** t
        # m_hat = m / correction_1 and c_hat = c / correction_2 inside one expression, whose temporaries NumPy
        # reuses: as named arrays they make a 784x128 float32 update 6 times slower (755 vs 125 us).
        value -= self.current_learning_rate * (m / correction_1) / (np.sqrt(c / correction_2) + self.epsilon)

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "beta_1": self.beta_1, "beta_2": self.beta_2}
