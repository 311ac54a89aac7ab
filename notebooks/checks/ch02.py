"""Checks for 02_dense: the learner's Layer_Dense and the exercises."""
import contextlib
import inspect

import numpy as np

from nncore import Dense

from . import call, correct, expect, expect_close, expect_shape, names_read, piece, plain, seeded


def _layer(layer_class, n_inputs, n_neurons):
    return call(layer_class, n_inputs, n_neurons, returns=f"a layer with {n_inputs} inputs and {n_neurons} neurons")


def _same_state(state, other):
    """Two states of the global generator (``np.random.get_state()``) are the same: the same numbers come next."""
    return all(np.array_equal(a, b) for a, b in zip(state, other))


def _check_initialisation(layer_class, n_inputs, n_neurons, seed):
    with seeded(seed):
        layer = _layer(layer_class, n_inputs, n_neurons)
        after_layer = np.random.get_state()
    with seeded(seed):
        draws = np.random.randn(n_inputs, n_neurons)
        after_draws = np.random.get_state()
    expect(hasattr(layer, "weights") and hasattr(layer, "biases"),
           "__init__ must set self.weights and self.biases")
    weights, biases = np.asarray(layer.weights), np.asarray(layer.biases)
    expect(weights.shape != (n_neurons, n_inputs) or n_inputs == n_neurons,
           f"Layer_Dense({n_inputs}, {n_neurons}).weights has shape {weights.shape}: that is chapter 01's one row "
           f"per neuron; here it is (n_inputs, n_neurons) = {(n_inputs, n_neurons)}, one column per neuron")
    expect_shape(f"Layer_Dense({n_inputs}, {n_neurons}).weights", weights, (n_inputs, n_neurons))
    expect_shape(f"Layer_Dense({n_inputs}, {n_neurons}).biases (one row, so that it adds to every sample)",
                 biases, (1, n_neurons))
    expect(np.all(biases == 0), "the biases should start at zero")
    if np.allclose(weights, draws):
        raise AssertionError("the weights are np.random.randn's draws unscaled: multiply them by 0.01")
    expect(not np.all(weights >= 0), "every weight is positive: draw from the standard normal, np.random.randn, "
           "not np.random.rand (uniform on [0, 1))")
    with seeded(seed):
        transposed = np.random.randn(n_neurons, n_inputs).T
    expect(not np.allclose(weights, 0.01 * transposed),
           f"the weights are drawn as ({n_neurons}, {n_inputs}) and transposed: draw np.random.randn(n_inputs, "
           "n_neurons), so that the layer gives the book's numbers")
    ratio = np.std(weights) / np.std(0.01 * draws)
    expect(np.isclose(ratio, 1, rtol=0.05) or np.allclose(weights, 0.01 * draws),
           f"the weights spread {plain(ratio)} times as wide as 0.01 * np.random.randn(n_inputs, n_neurons)")
    expect(_same_state(after_layer, after_draws),
           f"Layer_Dense({n_inputs}, {n_neurons}): your __init__ takes other numbers from the generator than the "
           f"{n_inputs * n_neurons} of np.random.randn(n_inputs, n_neurons), so every layer created after it gets "
           "other weights than the book's: draw only the weights (the biases are np.zeros, not drawn)")
    expect_close(f"Layer_Dense({n_inputs}, {n_neurons}).weights", weights, 0.01 * draws, rtol=1e-6)
    return layer


def _check_forward(layer, n_inputs, n_neurons, rng):
    inputs = rng.standard_normal((int(rng.integers(2, 7)), n_inputs)).astype(np.float32)
    layer.weights = rng.standard_normal((n_inputs, n_neurons)).astype(np.float32)
    layer.biases = rng.standard_normal((1, n_neurons)).astype(np.float32)
    call(layer.forward, inputs, returns=f"nothing, after setting self.output, shape ({len(inputs)}, {n_neurons})",
         name="forward")
    expect(hasattr(layer, "output"), "forward must store its result in self.output")
    expected = np.matmul(inputs, layer.weights) + layer.biases
    rows = np.shape(layer.output)[0] if np.ndim(layer.output) else 0
    expect(rows == len(inputs) or np.ndim(layer.output) != 2,
           f"self.output has {rows} rows, but the check passed forward {len(inputs)} samples: compute it from the "
           "argument inputs, not from a variable of the notebook")
    expect_shape("self.output", layer.output, expected.shape)
    expect(not np.allclose(layer.output, expected - layer.biases), "the outputs ignore the biases: add + self.biases")
    expect_close("self.output", layer.output, expected, rtol=1e-5, atol=1e-6)


@piece(lambda: Dense)
def check_layer_dense(layer_class):
    """Layer_Dense: weights 0.01 * randn of shape (n_inputs, n_neurons), zero biases (1, n_neurons), Z = XW + b."""
    rng = np.random.default_rng(2)
    for seed in range(3):
        n_inputs, n_neurons = (int(size) for size in rng.integers(1, 9, size=2))
        layer = _check_initialisation(layer_class, n_inputs, n_neurons, seed)
        _check_forward(layer, n_inputs, n_neurons, rng)
    correct("Layer_Dense draws its weights as the book does and computes XW + b, on 3 layers of random sizes")


def check_output_spread(output_spread):
    """output_spread(inputs, n_neurons, scale): the standard deviation of XW over fresh scale * randn weights."""
    rng = np.random.default_rng(22)
    for case in range(4):
        n_samples, n_inputs = int(rng.integers(20, 60)), int(rng.integers(2, 40))
        # inputs of a mean far from 0, as the spirals' are not centred either: x^2 is not the variance of x
        inputs = rng.standard_normal((n_samples, n_inputs)) * rng.uniform(0.5, 3) + rng.uniform(1, 2)
        scale = float(rng.choice([0.01, 0.1, 1.0]))
        n_neurons = int(rng.integers(2, 6))
        expected = scale * np.sqrt(np.mean(np.sum(inputs ** 2, axis=1)))
        got = call(output_spread, inputs, n_neurons, scale, returns="a number, the predicted spread of the outputs")
        expect(np.ndim(got) == 0, f"output_spread should return one number, got {plain(np.asarray(got))}")
        got = float(got)
        where = f"case {case + 1} ({n_inputs} inputs, scale {plain(scale)})"
        mistakes = [
            (scale ** 2 * np.mean(np.sum(inputs ** 2, axis=1)), "that is the variance; the spread is its square root"),
            (scale * np.sqrt(np.mean(inputs ** 2)), f"that is the spread for one input; each output adds up {n_inputs} "
                                                    "products, so sum the squares over the inputs"),
            (scale * np.sqrt(n_inputs), "that is the spread if every input were 1: the variance of x W is x^2 s^2, "
                                        "so the inputs' own values enter"),
            (scale * np.std(inputs) * np.sqrt(n_inputs), "that uses the spread of the inputs around their mean; the "
                                                         "variance of x W is x^2 s^2, with x itself, not x minus its "
                                                         "mean (these inputs are not centred)"),
            (scale * np.mean(np.sqrt(np.sum(inputs ** 2, axis=1))), "that averages the samples' spreads; average "
                                                                    "their variances, then take the square root"),
            (expected * np.sqrt(n_neurons), f"that is sqrt(n_neurons) = {np.sqrt(n_neurons):.3f} times too large: "
                                            "every output has the same spread, however many neurons there are"),
            (scale * np.sqrt(np.mean(np.sum(inputs ** 2, axis=0))), "that sums the squares over the samples (axis 0); "
                                                                     "sum them over the inputs of each sample"),
        ]
        for value, why in mistakes:
            if np.isclose(got, value, rtol=1e-3) and not np.isclose(got, expected, rtol=1e-3):
                raise AssertionError(f"{where}: {plain(got)}: {why}")
        expect(np.isclose(got, expected, rtol=1e-3),
               f"{where}: expected {plain(expected)}, got {plain(got)}")
    with seeded(7):
        inputs = np.random.randn(500, 30)
        measured = np.std(inputs @ (0.01 * np.random.randn(30, 2000)))
    correct(f"predicted spread {output_spread(inputs, 2000, 0.01):.4f}, measured on 2,000 neurons {measured:.4f}")


def check_n_params(n_params):
    """n_params(sizes): the weights and biases of the dense layers sizes[0] -> sizes[1] -> ..., on random stacks."""
    rng = np.random.default_rng(21)
    cases = [([2, 64, 3], 387), ([784, 128, 128, 10], 118282), ([1, 1], 2), ([4, 3], 15)]
    for _ in range(3):
        sizes = [int(size) for size in rng.integers(1, 50, size=int(rng.integers(2, 6)))]
        cases.append((sizes, sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))))
    for sizes, expected in cases:
        got = call(n_params, sizes, returns="a whole number, the count of weights and biases")
        layers = list(zip(sizes[:-1], sizes[1:]))
        mistakes = {expected - sum(b for _, b in layers): "did you forget the biases?",
                    expected - sum(b for _, b in layers) + sum(a for a, _ in layers):
                        "each layer has one bias per neuron (its output size), not per input",
                    sum(a * b + b for a, b in layers[:-1]): "the last layer is missing from the count",
                    sum(a * b + b for a, b in layers[1:]): "the first layer is missing from the count",
                    expected + sizes[0]: f"the {sizes[0]} inputs have no biases: only the neurons of each layer do"}
        hint = mistakes.get(got, "") if got != expected else ""
        expect(got == expected, f"n_params({sizes}): expected {expected}, got {plain(got)}" + (f" ({hint})" if hint else ""))
    correct("n_params counts weights and biases of every layer, on 7 stacks")


def _same_weights(mine, theirs):
    """Equal up to float32 rounding: ``randn(...) / 100`` and ``0.01 * randn(...)`` may differ in the last bit."""
    return np.shape(mine) == np.shape(theirs) and np.allclose(mine, theirs, rtol=1e-6, atol=0)


def _after_skipping(draws, uniform=False):
    """The weights of Dense(64, 3) created right after np.random.seed(0) and ``draws`` numbers drawn (normal ones,
    or uniform ones of np.random.rand)."""
    with seeded(0):
        if draws:
            (np.random.rand if uniform else np.random.randn)(draws)
        return Dense(64, 3).weights


@contextlib.contextmanager
def _watched(function, created, seeds):
    """While ``function`` runs: record in ``created`` every layer its notebook's classes create (the call and its
    sizes), and in ``seeds`` every call of np.random.seed. The notebook's names and NumPy are restored afterwards."""
    namespace = getattr(function, "__globals__", {})
    names = sorted(name for name in {"Layer_Dense", "Dense"} | names_read(function)
                   if inspect.isclass(namespace.get(name)))
    classes, seed = {name: namespace[name] for name in names}, np.random.seed

    def counting(name, layer_class):
        def create(*args, **kwargs):
            created.append((name, tuple(args) + tuple(kwargs.values())))
            return layer_class(*args, **kwargs)
        return create

    def watched_seed(*args, **kwargs):
        seeds.append(args)
        return seed(*args, **kwargs)

    try:
        namespace.update({name: counting(name, layer_class) for name, layer_class in classes.items()})
        np.random.seed = watched_seed
        yield
    finally:
        np.random.seed = seed
        namespace.update(classes)


def check_second_layer(second_layer):
    """second_layer(), right after np.random.seed(0): a Layer_Dense(64, 3) with the weights of the second layer
    of Layer_Dense(2, 64) then Layer_Dense(64, 3), created without the first."""
    created, seeds = [], []
    with seeded(0), _watched(second_layer, created, seeds):
        layer = call(second_layer, returns="one layer, a Layer_Dense(64, 3)")
    if isinstance(layer, (tuple, list)):
        raise AssertionError(f"second_layer should return one layer, the 64 -> 3 one, got {len(layer)} things")
    expect(not seeds, "second_layer calls np.random.seed: the check, like the script, has seeded the generator "
                      "before calling it, and the function should take the generator from there, only skipping the "
                      "first layer's numbers")
    firsts = [name for name, sizes in created if sizes[:2] == (2, 64)]
    expect(not firsts, f"second_layer creates the first layer, {firsts[0] if firsts else ''}(2, 64), and throws it "
                       "away: the exercise is to get the second one without creating the first. Draw the first "
                       "layer's numbers the way its __init__ does and discard them")
    expect(len(created) <= 1,
           f"second_layer creates {len(created)} layers, "
           + ", ".join(f"{name}{sizes}".replace(",)", ")") for name, sizes in created)
           + ": create only the one it returns, and skip the first layer's numbers by drawing them the way its "
             "__init__ does")
    expect(hasattr(layer, "weights"), f"second_layer should return a Layer_Dense(64, 3), got {plain(type(layer))}")
    weights = np.asarray(layer.weights)
    expect_shape("second_layer().weights", weights, (64, 3))
    if _same_weights(weights, _after_skipping(0)):
        raise AssertionError("these weights are the draws right after the seed, which the script's first layer uses: "
                             "skip the first layer's draws before creating this layer")
    for draws in (2, 3, 64, 192, 2 + 64):
        if _same_weights(weights, _after_skipping(draws)):
            raise AssertionError(f"these weights come after {draws} skipped draws; the first layer, Dense(2, 64), "
                                 "draws one number per weight")
    if _same_weights(weights, _after_skipping(128, uniform=True)):
        raise AssertionError("128 skipped with np.random.rand: uniform numbers use up the generator at another rate "
                             "than normal ones; skip with the function the layer itself draws with")
    expect(_same_weights(weights, _after_skipping(128)),
           "second_layer().weights differ from the second layer's of Dense(2, 64) then Dense(64, 3), created after "
           "np.random.seed(0): does it draw anything besides the numbers it skips?")
    correct("second_layer holds the second layer's weights: the first layer's 2 x 64 = 128 draws skipped")
