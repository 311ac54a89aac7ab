r"""Optimizers: SGD (with decay and momentum), Adagrad, RMSprop, Adam and AdamW.

One training step is ``pre_update_params()``, ``update_params(layer)`` for
every trainable layer, then ``post_update_params()`` (or ``step(layers)``,
which does all three). The learning rate decays as
:math:`\eta_t = \eta_0 / (1 + d\,t)`, where :math:`t` counts the steps done,
or follows any schedule of ``nncore.schedules`` (``schedule=``):
:math:`\eta_t = \eta_0 f(t)`.

Every optimizer is one rule, ``increment(grad, state)``: the change
:math:`\Delta\theta` of a parameter, from its gradient and its state, which
``update(value, grad, state)`` adds to the parameter. It is applied to each
parameter a layer names in ``layer.params`` (``Dense``: ``weights`` and
``biases``, with gradients ``dweights`` and ``dbiases``). The state of each
parameter (momentums, caches) is held by the optimizer, keyed by layer and
parameter name, so layers never share it and ``Model.save`` can store it.

The rules are elementwise, so ``step(layers)`` lays the small parameters end to
end (``nncore.packing``) and applies the rule once to all of them: the same
numbers, bit for bit, without a dozen NumPy calls per bias vector.

``clip_norm=c`` clips the gradients of a whole step together, by their global
norm: the step needs every layer's gradients before it updates any, so it
happens in ``step(layers)`` (a hand-written step calls ``clip_gradients(layers)``
before its ``update_params`` calls).
"""
import math
import weakref

import numpy as np

from . import _checks, packing, schedules
from .registry import register


class Optimizer:
    r"""The learning-rate schedule, gradient clipping, the step counter and the per-parameter state of every optimizer.

    A subclass names its state arrays in ``slots`` and implements ``update``.

    Parameters
    ----------
    learning_rate : float
        :math:`\eta_0`, the rate before any decay.
    decay : float
        The book's 1/t decay, :math:`\eta_t = \eta_0 / (1 + d\,t)` (``schedules.InverseTimeDecay(decay)``).
    schedule : nncore.schedules.Schedule, optional
        Another schedule, :math:`\eta_t = \eta_0 f(t)` with :math:`t` the steps done; not together with ``decay``.
    clip_norm : float, optional
        Scale the step's gradients, all layers and parameters together, to a global norm of at most ``clip_norm``.
    """

    slots = ()

    def __init__(self, learning_rate, decay, *, schedule=None, clip_norm=None):
        self.learning_rate = _checks.real_number("learning_rate", learning_rate, low_open=True)
        self.current_learning_rate = self.learning_rate
        self.decay = _checks.real_number("decay", decay)
        schedule = schedules.check(schedule)
        if schedule is not None and self.decay:
            raise ValueError(f"give decay or schedule, not both: decay={self.decay!r} is the schedule "
                             f"InverseTimeDecay({self.decay!r}), and schedule={schedule!r} came too")
        # decay= is the book's schedule; the same expression, so its rates are bit for bit the book's.
        self.schedule = schedules.InverseTimeDecay(self.decay) if self.decay else schedule
        self.clip_norm = None if clip_norm is None else _checks.real_number("clip_norm", clip_norm, low_open=True)
        self.clipped_at = None  # the value of iterations when clip_gradients last ran
        self.iterations = 0
        self.states = weakref.WeakKeyDictionary()  # layer -> {parameter name: {slot: array}}
        self.work_arrays = {}  # (shape, dtype, index) -> the scratch array work_array returns
        self.packed = None  # the small parameters of the last step(layers), laid end to end

    def pre_update_params(self):
        """Set ``current_learning_rate`` for this step (call once per step, not per layer)."""
        if self.schedule is not None:
            self.current_learning_rate = self.learning_rate * self.schedule(self.iterations)

    def clip_gradients(self, layers):
        r"""Scale every gradient of ``layers`` in place so that their global norm is at most ``clip_norm``.

        :math:`\|g\| = \sqrt{\sum g^2}` over every parameter of every layer; each
        gradient is multiplied by :math:`c / \max(\|g\|, c)`, so the direction of
        the step is kept and only its length shrinks. The layers' ``d<name>``
        arrays hold the clipped gradients afterwards (as PyTorch's
        ``clip_grad_norm_`` leaves them). Returns :math:`\|g\|` before clipping.
        """
        if self.clip_norm is None:
            raise ValueError("clip_gradients needs the optimizer's clip_norm, e.g. Adam(clip_norm=1.0); it is None")
        grads = [getattr(layer, "d" + name) for layer in layers for name in getattr(layer, "params", ())
                 if getattr(layer, "d" + name, None) is not None]
        # In float64: a gradient large enough to need clipping can overflow float32 when squared.
        norm = math.sqrt(sum(float(np.sum(np.square(grad, dtype=np.float64))) for grad in grads))
        if norm > self.clip_norm:
            scale = self.clip_norm / norm
            for grad in grads:
                grad *= scale
        self.clipped_at = self.iterations
        return norm

    def update_params(self, layer):
        """Update every parameter in ``layer.params`` in place from its gradient ``d<name>``."""
        if self.clip_norm is not None and self.clipped_at != self.iterations:
            raise ValueError(f"clip_norm={self.clip_norm!r} clips the gradients of all layers of a step together, "
                             "which update_params(layer) alone cannot see: call step(layers), or "
                             "clip_gradients(layers) before this step's update_params calls")
        self.layer_state(layer)  # refuses a layer without params
        for name in layer.params:
            self.update_parameter(layer, name)

    def layer_state(self, layer):
        """``{parameter name: {slot: array}}`` of ``layer``, empty before its first step; refuses a layer without
        ``params``."""
        try:
            return self.states[layer]
        except (KeyError, TypeError):
            if not getattr(layer, "params", ()):
                raise TypeError(f"update_params takes a layer that names its parameters in params, got {layer!r}")
            state = self.states[layer] = {}
            return state

    def parameter_and_gradient(self, layer, name):
        """``layer.<name>`` and its gradient ``layer.d<name>``, which backward must have set."""
        value, grad = getattr(layer, name), getattr(layer, "d" + name, None)
        if grad is None:
            raise ValueError(f"{layer!r} has no gradient d{name} yet: call backward before the optimizer's step")
        return value, grad

    def parameter_state(self, layer, name, value, grad):
        """``{slot: array}`` of ``layer.<name>``, created with ``initial_state`` at its first step."""
        layer_state = self.layer_state(layer)
        if name not in layer_state:
            layer_state[name] = {slot: self.initial_state(value, grad) for slot in self.slots}
        return layer_state[name]

    def update_parameter(self, layer, name):
        """Update ``layer.<name>`` in place, creating its state at its first step."""
        value, grad = self.parameter_and_gradient(layer, name)
        self.update(value, grad, self.parameter_state(layer, name, value, grad))

    def initial_state(self, value, grad):
        """A state array before the first step: zeros of the parameter's shape and dtype."""
        return np.zeros_like(value)

    def work_array(self, shape, dtype, index):
        """Scratch space of ``shape`` and ``dtype`` for an update's temporaries, kept from step to step.

        Its values mean nothing between calls; ``index`` tells apart the arrays one update needs at once.
        Writing temporaries into it (``out=``) does the same arithmetic as an expression, bit for bit,
        without allocating: for a large parameter the allocations cost as much as the arithmetic
        (Adam on 784x128 float32: 125 us a step with work arrays, 210-260 us without).
        """
        key = (shape, np.dtype(dtype), index)
        array = self.work_arrays.get(key)
        if array is None:
            array = self.work_arrays[key] = np.empty(shape, dtype)
        return array

    def divide_by_root(self, grad, cache):
        r"""The step :math:`-\eta_t\, g / (\sqrt{c} + \epsilon)` of Adagrad and RMSprop, in a work array."""
        step = self.work_array(grad.shape, np.result_type(grad, cache), 0)
        root = self.work_array(cache.shape, cache.dtype, 1)
        np.multiply(grad, -self.current_learning_rate, out=step)
        np.sqrt(cache, out=root)
        root += self.epsilon
        step /= root
        return step

    def update(self, value, grad, state):
        r"""Change the array ``value`` in place by the rule's increment: :math:`\theta \leftarrow \theta + \Delta\theta`."""
        value += self.increment(grad, state)

    def increment(self, grad, state):
        r""":math:`\Delta\theta` for a parameter with gradient ``grad``, reading and writing its ``state`` dict of
        slot arrays (each of ``grad``'s shape); an array of ``grad``'s shape, often a work array that the next call
        overwrites. Elementwise: on parameters laid end to end it gives each the numbers of its own call."""
        raise NotImplementedError

    def post_update_params(self):
        """Count the step that was just taken."""
        self.iterations += 1

    def step(self, layers, *, checked=True):
        """One complete update of every layer in the list ``layers`` (their gradients clipped first, with ``clip_norm``).

        The same numbers as ``update_params`` on each layer. Parameters of at most ``packing.MAX_PACKED_SIZE``
        elements take one ``increment`` together (per dtype), unless a subclass changes ``update_params`` or
        ``update``, which that would bypass. With ``checked`` (the default) the packing is first compared with
        ``layers`` and their gradients, and rebuilt if any changed; ``checked=False``, for a training loop's
        later steps, reuses the previous step's packing as it is: the same layers, their gradients of the same
        shapes and dtypes.
        """
        self.pre_update_params()
        if self.clip_norm is not None:
            self.clip_gradients(layers)
        if type(self).update_params is Optimizer.update_params and type(self).update is Optimizer.update:
            if self.packed is None or (checked and not self.packed.matches(layers)):
                self.packed = packing.PackedParameters(self, layers)
            self.packed.update()
        else:
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
        """Constructor arguments (hyper-parameters); ``schedule`` and ``clip_norm`` only where they are set."""
        config = {"learning_rate": self.learning_rate, "decay": self.decay}
        if self.schedule is not None and not self.decay:
            config["schedule"] = schedules.describe(self.schedule)
        if self.clip_norm is not None:
            config["clip_norm"] = self.clip_norm
        return config

    def __repr__(self):
        config = self.config()
        if "schedule" in config:
            config["schedule"] = self.schedule
        args = ", ".join(f"{key}={value!r}" for key, value in config.items())
        return f"{type(self).__name__}({args})"


@register(kind="optimizer")
class SGD(Optimizer):
    r"""Gradient descent, :math:`\theta \leftarrow \theta - \eta_t g`, optionally with momentum.

    With momentum :math:`\mu`: :math:`v \leftarrow \mu v - \eta_t g`, :math:`\theta \leftarrow \theta + v`.
    """

    def __init__(self, learning_rate=1.0, decay=0., momentum=0., *, schedule=None, clip_norm=None):
        super().__init__(learning_rate, decay, schedule=schedule, clip_norm=clip_norm)
        self.momentum = _checks.real_number("momentum", momentum, low=0.0, high=1.0)

    @property
    def slots(self):
        return ("momentum",) if self.momentum else ()

    def initial_state(self, value, grad):
        # The dtype that v = mu * v - eta * g gives (float64 if g is).
        return np.zeros_like(value, dtype=np.result_type(value, grad))

    def increment(self, grad, state):
        # -(eta g), exactly: theta + (-(eta g)) is theta - eta g bit for bit, as is v + (-(eta g)).
        step = np.multiply(grad, -self.current_learning_rate, out=self.work_array(grad.shape, grad.dtype, 0))
        if not self.momentum:
            return step
        momentum = state["momentum"]
        momentum *= self.momentum
        momentum += step
        return momentum

    def config(self):
        return {**super().config(), "momentum": self.momentum}


@register(kind="optimizer")
class Adagrad(Optimizer):
    r"""Per-parameter rates from the sum of squared gradients: :math:`c \leftarrow c + g^2`,
    :math:`\theta \leftarrow \theta - \eta_t g / (\sqrt{c} + \epsilon)`."""

    slots = ("cache",)

    def __init__(self, learning_rate=1.0, decay=0., epsilon=1e-7, *, schedule=None, clip_norm=None):
        super().__init__(learning_rate, decay, schedule=schedule, clip_norm=clip_norm)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)

    def increment(self, grad, state):
        state["cache"] += np.square(grad, out=self.work_array(grad.shape, grad.dtype, 2))
        return self.divide_by_root(grad, state["cache"])

    def config(self):
        return {**super().config(), "epsilon": self.epsilon}


@register(kind="optimizer")
class RMSprop(Optimizer):
    r"""Adagrad with a moving-average cache: :math:`c \leftarrow \rho c + (1-\rho) g^2`."""

    slots = ("cache",)

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, rho=0.9, *, schedule=None, clip_norm=None):
        super().__init__(learning_rate, decay, schedule=schedule, clip_norm=clip_norm)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        self.rho = _checks.real_number("rho", rho, low=0.0, high=1.0)

    def initial_state(self, value, grad):
        # The dtype that c = rho * c + (1 - rho) * g^2 gives (float64 if g is).
        return np.zeros_like(value, dtype=np.result_type(value, grad))

    def increment(self, grad, state):
        cache = state["cache"]
        cache *= self.rho
        squares = np.square(grad, out=self.work_array(grad.shape, grad.dtype, 2))
        squares *= 1 - self.rho
        cache += squares
        return self.divide_by_root(grad, cache)

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

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999, *, schedule=None,
                 clip_norm=None):
        super().__init__(learning_rate, decay, schedule=schedule, clip_norm=clip_norm)
        self.epsilon = _checks.real_number("epsilon", epsilon, low_open=True)
        self.beta_1 = _checks.real_number("beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _checks.real_number("beta_2", beta_2, low=0.0, high=1.0)

    def initial_state(self, value, grad):
        # The dtype that m = b1 * m + (1 - b1) * g gives (float64 if g is), as in the book.
        return np.zeros_like(value, dtype=np.result_type(value, grad))

    def increment(self, grad, state):
        """The equations above, in their order, each operation in place or into a work array."""
        m, c, t = state["momentum"], state["cache"], self.iterations + 1
        scaled = self.work_array(grad.shape, grad.dtype, 0)
        m *= self.beta_1
        m += np.multiply(grad, 1 - self.beta_1, out=scaled)
        c *= self.beta_2
        c += np.multiply(np.square(grad, out=scaled), 1 - self.beta_2, out=scaled)
        correction_1, correction_2 = 1 - self.beta_1 ** t, 1 - self.beta_2 ** t
        step, root = self.work_array(m.shape, m.dtype, 1), self.work_array(c.shape, c.dtype, 2)
        np.divide(m, correction_1, out=step)  # m_hat
        step *= -self.current_learning_rate  # the book's -eta m_hat: theta + (-s) is theta - s bit for bit
        np.divide(c, correction_2, out=root)  # c_hat
        np.sqrt(root, out=root)
        root += self.epsilon
        step /= root
        return step

    def config(self):
        return {**super().config(), "epsilon": self.epsilon, "beta_1": self.beta_1, "beta_2": self.beta_2}


@register(kind="optimizer")
class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Each step shrinks the decayed parameters by the same fraction
    :math:`\eta_t \lambda`, beside Adam's step:
    :math:`\theta \leftarrow \theta - \eta_t \hat m / (\sqrt{\hat c} + \epsilon) - \eta_t \lambda \theta`,
    with :math:`\theta` the value before the step. An L2 penalty is not the same:
    its gradient :math:`2\lambda_2\theta` goes through Adam's division by
    :math:`\sqrt{\hat c}`, so weights with large gradients decay less.

    Parameters
    ----------
    weight_decay : float
        :math:`\lambda`, 0.01 by default (as PyTorch's ``AdamW``).
    weight_decay_on : tuple of str
        The parameter names that decay. By default a layer's ``weights`` only: biases and
        BatchNorm's ``gamma`` and ``beta`` are left alone, the usual practice (PyTorch's
        ``AdamW`` decays every parameter it is given).
    """

    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999, weight_decay=0.01, *,
                 weight_decay_on=("weights",), schedule=None, clip_norm=None):
        super().__init__(learning_rate, decay, epsilon, beta_1, beta_2, schedule=schedule, clip_norm=clip_norm)
        self.weight_decay = _checks.real_number("weight_decay", weight_decay)
        if isinstance(weight_decay_on, str) or not all(isinstance(name, str) for name in weight_decay_on):
            raise TypeError(f"weight_decay_on must be a tuple of parameter names, such as ('weights',), "
                            f"got {weight_decay_on!r}")
        self.weight_decay_on = tuple(weight_decay_on)

    def update_params(self, layer):
        """Adam's step on every parameter, and the decay of those named in ``weight_decay_on``."""
        names = [name for name in getattr(layer, "params", ()) if name in self.weight_decay_on and self.weight_decay]
        decayed = [getattr(layer, name) for name in names]
        # Taken from the values before Adam's step changes them, and subtracted only once that step succeeded.
        decrements = [self.current_learning_rate * self.weight_decay * value for value in decayed]
        super().update_params(layer)
        for value, decrement in zip(decayed, decrements):
            value -= decrement

    def config(self):
        return {**super().config(), "weight_decay": self.weight_decay, "weight_decay_on": self.weight_decay_on}
