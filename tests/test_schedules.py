import math

import numpy as np
import pytest

import nncore as nc
from nncore import schedules
from nncore.optimizers import SGD, Adam, AdamW
from nncore.schedules import CosineWarmup, ExponentialDecay, InverseTimeDecay, StepDecay


def rates(optimizer, steps):
    """``current_learning_rate`` of each of ``steps`` steps, as the book's loop sets it."""
    seen = []
    for _ in range(steps):
        optimizer.pre_update_params()
        seen.append(optimizer.current_learning_rate)
        optimizer.post_update_params()
    return seen


def test_step_decay_multiplies_by_gamma_every_step_size_steps():
    assert [StepDecay(3, gamma=0.5)(t) for t in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]


def test_exponential_decay_counts_steps():
    np.testing.assert_allclose([ExponentialDecay(0.9)(t) for t in range(4)], [1, 0.9, 0.81, 0.729])


def test_cosine_warms_up_linearly_then_falls_to_the_floor_and_stays():
    schedule = CosineWarmup(10, warmup_steps=4, min_factor=0.1)
    np.testing.assert_allclose([schedule(t) for t in range(4)], [0.25, 0.5, 0.75, 1.0])
    assert schedule(4) == 1.0
    np.testing.assert_allclose(schedule(7), 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    falling = [schedule(t) for t in range(4, 11)]
    assert all(a > b for a, b in zip(falling, falling[1:]))
    assert schedule(10) == schedule(500) == pytest.approx(0.1)
    assert [CosineWarmup(4)(t) for t in (0, 4)] == [1.0, 0.0]


def test_the_books_decay_is_the_inverse_time_schedule_bit_for_bit():
    book = [1.0 * (1. / (1. + 0.1 * t)) for t in range(5)]
    assert rates(SGD(learning_rate=1.0, decay=0.1), 5) == book
    assert rates(SGD(learning_rate=1.0, schedule=InverseTimeDecay(0.1)), 5) == book
    assert isinstance(SGD(decay=0.1).schedule, InverseTimeDecay) and SGD().schedule is None


@pytest.mark.parametrize("make", [SGD, nc.Adagrad, nc.RMSprop, Adam, AdamW])
def test_every_optimizer_follows_its_schedule(make):
    optimizer = make(learning_rate=0.5, schedule=StepDecay(2, gamma=0.1))
    np.testing.assert_allclose(rates(optimizer, 5), [0.5, 0.5, 0.05, 0.05, 0.005])


def test_decay_and_schedule_together_are_refused():
    with pytest.raises(ValueError, match=r"give decay or schedule, not both: decay=0.001 is the schedule "
                                         r"InverseTimeDecay\(0.001\), and schedule=StepDecay"):
        Adam(decay=1e-3, schedule=StepDecay(10))


def test_the_schedule_shows_in_repr_and_config_only_when_given():
    assert repr(Adam(learning_rate=0.05, decay=5e-7)) == \
        "Adam(learning_rate=0.05, decay=5e-07, epsilon=1e-07, beta_1=0.9, beta_2=0.999)"
    optimizer = SGD(schedule=CosineWarmup(100, warmup_steps=10))
    assert repr(optimizer) == ("SGD(learning_rate=1.0, decay=0.0, schedule=CosineWarmup(total_steps=100, "
                               "warmup_steps=10, min_factor=0.0), momentum=0.0)")
    assert optimizer.config()["schedule"] == {"class": "CosineWarmup",
                                              "config": {"total_steps": 100, "warmup_steps": 10, "min_factor": 0.0}}


@pytest.mark.parametrize("schedule", [InverseTimeDecay(1e-3), StepDecay(5, 0.5), ExponentialDecay(0.99),
                                      CosineWarmup(50, 5, 0.01)], ids=repr)
def test_describe_and_build_round_trip(schedule):
    rebuilt = schedules.build(schedules.describe(schedule))
    assert type(rebuilt) is type(schedule) and repr(rebuilt) == repr(schedule)
    assert [rebuilt(t) for t in range(60)] == [schedule(t) for t in range(60)]


def test_a_model_trains_with_a_schedule_and_its_history_shows_the_rates(rng):
    X = rng.standard_normal((40, 2))
    model = nc.Model(nc.Dense(2, 3, rng=rng), nc.Softmax(), loss=nc.CategoricalCrossentropy(),
                     optimizer=SGD(learning_rate=0.4, schedule=StepDecay(4, 0.5)), accuracy=nc.CategoricalAccuracy())
    history = model.train(X, (X[:, 0] > 0).astype(int), epochs=3, batch_size=10, verbose=False)
    assert history["lr"] == [0.4, 0.2, 0.1]  # four steps per epoch: the rate of each epoch's last step
