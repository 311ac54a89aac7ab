r"""Learning-rate schedules: the factor by which an optimizer scales its ``learning_rate`` at each step.

A schedule is called with :math:`t`, the number of steps the optimizer has
taken (its ``iterations``, 0 for the first step), and returns a factor
:math:`f(t)`; the step uses :math:`\eta_t = \eta_0 f(t)`. Every schedule counts
*steps* (batches), not epochs: with 10 batches per epoch, ``StepDecay(100)``
lowers the rate every 10 epochs.

``InverseTimeDecay`` is the book's :math:`1 / (1 + d\,t)`, which an optimizer's
``decay=d`` uses. Every schedule here is registered (``kind="schedule"``), which is what saving
rebuilds; one written outside nncore joins with ``nncore.register(MySchedule, kind="schedule")``.
"""
import math

from . import _checks, registry


class Schedule:
    """The interface: ``schedule(iteration) -> factor``, ``config()`` for saving, and a ``__repr__`` from it."""

    def __call__(self, iteration):
        raise NotImplementedError

    def config(self):
        """Constructor arguments, enough to build the same schedule again."""
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({args})"


@registry.register(kind="schedule")
class InverseTimeDecay(Schedule):
    r"""The book's decay, :math:`f(t) = 1 / (1 + d\,t)`."""

    def __init__(self, decay):
        self.decay = _checks.real_number("decay", decay, low_open=True)

    def __call__(self, iteration):
        return 1. / (1. + self.decay * iteration)

    def config(self):
        return {"decay": self.decay}


@registry.register(kind="schedule")
class StepDecay(Schedule):
    r"""Multiply the rate by ``gamma`` every ``step_size`` steps: :math:`f(t) = \gamma^{\lfloor t / s \rfloor}`."""

    def __init__(self, step_size, gamma=0.1):
        self.step_size = _checks.positive_int("step_size", step_size)
        self.gamma = _checks.real_number("gamma", gamma, low_open=True, high=1.0, high_open=False)

    def __call__(self, iteration):
        return self.gamma ** (iteration // self.step_size)

    def config(self):
        return {"step_size": self.step_size, "gamma": self.gamma}


@registry.register(kind="schedule")
class ExponentialDecay(Schedule):
    r"""Multiply the rate by ``gamma`` after every step: :math:`f(t) = \gamma^t` (``gamma`` near 1, e.g. 0.999)."""

    def __init__(self, gamma):
        self.gamma = _checks.real_number("gamma", gamma, low_open=True, high=1.0, high_open=False)

    def __call__(self, iteration):
        return self.gamma ** iteration

    def config(self):
        return {"gamma": self.gamma}


@registry.register(kind="schedule")
class CosineWarmup(Schedule):
    r"""A linear warm-up over ``warmup_steps`` steps, then a half cosine down to ``min_factor`` at ``total_steps``.

    With :math:`w` warm-up steps, :math:`T` steps in all and :math:`m` the floor:
    :math:`f(t) = (t + 1) / w` for :math:`t < w` (the first step already moves),
    then :math:`f(t) = m + (1 - m)\,\tfrac12\,(1 + \cos(\pi p))` with
    :math:`p = (t - w) / (T - w)`, which falls from 1 at :math:`t = w` to :math:`m`
    at :math:`t = T` and stays there.
    """

    def __init__(self, total_steps, warmup_steps=0, min_factor=0.0):
        self.total_steps = _checks.positive_int("total_steps", total_steps)
        self.warmup_steps = _checks.non_negative_int("warmup_steps", warmup_steps, what="a whole number of steps")
        if self.warmup_steps >= self.total_steps:
            raise ValueError(f"warmup_steps must be below total_steps ({self.total_steps}), got {self.warmup_steps}")
        self.min_factor = _checks.real_number("min_factor", min_factor, high=1.0, high_open=False)

    def __call__(self, iteration):
        if iteration < self.warmup_steps:
            return (iteration + 1) / self.warmup_steps
        progress = min(1.0, (iteration - self.warmup_steps) / (self.total_steps - self.warmup_steps))
        return self.min_factor + (1 - self.min_factor) * 0.5 * (1 + math.cos(math.pi * progress))

    def config(self):
        return {"total_steps": self.total_steps, "warmup_steps": self.warmup_steps, "min_factor": self.min_factor}


def check(schedule):
    """Check that ``schedule`` is a ``Schedule`` (or ``None``) and return it."""
    if schedule is None or isinstance(schedule, Schedule):
        return schedule
    got = f"the string {schedule!r}" if isinstance(schedule, str) else f"a {type(schedule).__name__}"
    raise TypeError(f"schedule must be a Schedule such as CosineWarmup(1000, warmup_steps=100), got {got}")


def describe(schedule):
    """``{'class': name, 'config': {...}}``, what an optimizer's config holds (``build`` rebuilds it)."""
    return {"class": type(schedule).__name__, "config": schedule.config()}


def build(description):
    """The schedule that ``describe`` described; a class name not registered raises ``ValueError``."""
    return registry.lookup("schedule", description["class"])(**description["config"])
