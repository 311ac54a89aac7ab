"""Checks for 02_dense: the learner's Layer_Dense and the exercises."""
import numpy as np

from nncore import Dense

from . import call, correct, expect, expect_close, expect_shape, piece, plain, seeded


def _layer(layer_class, n_inputs, n_neurons):
    return call(layer_class, n_inputs, n_neurons, returns=f"a layer with {n_inputs} inputs and {n_neurons} neurons")


def _check_initialisation(layer_class, n_inputs, n_neurons, seed):
    with seeded(seed):
        layer = _layer(layer_class, n_inputs, n_neurons)
    with seeded(seed):
        draws = np.random.randn(n_inputs, n_neurons)
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
        inputs = rng.standard_normal((int(rng.integers(20, 60)), int(rng.integers(1, 40)))) * rng.uniform(0.5, 3)
        scale = float(rng.choice([0.01, 0.1, 1.0]))
        n_neurons = int(rng.integers(1, 6))
        expected = scale * np.sqrt(np.mean(np.sum(inputs ** 2, axis=1)))
        got = call(output_spread, inputs, n_neurons, scale, returns="a number, the predicted spread of the outputs")
        expect(np.ndim(got) == 0, f"output_spread should return one number, got {plain(np.asarray(got))}")
        got = float(got)
        squared = scale ** 2 * np.mean(np.sum(inputs ** 2, axis=1))
        if np.isclose(got, squared, rtol=1e-3) and not np.isclose(got, expected, rtol=1e-3):
            raise AssertionError(f"case {case + 1}: {plain(got)} is the variance; the spread is its square root")
        one_input = scale * np.sqrt(np.mean(inputs ** 2))
        if np.isclose(got, one_input, rtol=1e-3) and inputs.shape[1] > 1:
            raise AssertionError(f"case {case + 1}: {plain(got)} is the spread for one input; each output adds "
                                 f"up {inputs.shape[1]} products, so sum the squares over the inputs")
        expect(np.isclose(got, expected, rtol=1e-3),
               f"case {case + 1} ({inputs.shape[1]} inputs, scale {plain(scale)}): expected {plain(expected)}, "
               f"got {plain(got)}")
    with seeded(7):
        inputs = np.random.randn(500, 30)
        measured = np.std(inputs @ (0.01 * np.random.randn(30, 2000)))
    correct(f"predicted spread {output_spread(inputs, 2000, 0.01):.4f}, measured on 2,000 neurons {measured:.4f}")


def check_n_params(n_params):
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
                    sum(a * b + b for a, b in layers[:-1]): "the last layer is missing from the count"}
        hint = mistakes.get(got, "") if got != expected else ""
        expect(got == expected, f"n_params({sizes}): expected {expected}, got {plain(got)}" + (f" ({hint})" if hint else ""))
    correct("n_params counts weights and biases of every layer, on 7 stacks")


def check_make_layers(make_layers):
    with seeded(0):
        layers = call(make_layers, returns="two layers, (first, second)")
    expect(len(layers) == 2, f"make_layers should return 2 layers, got {len(layers)}")
    with seeded(0):
        reference = (Dense(2, 64), Dense(64, 3))
    for index, (mine, theirs) in enumerate(zip(layers, reference), 1):
        expect_shape(f"layer {index} weights", mine.weights, theirs.weights.shape)
    with seeded(0):
        second_first = Dense(64, 3)
        first_second = Dense(2, 64)
    expect(not (np.array_equal(layers[0].weights, first_second.weights)
                and np.array_equal(layers[1].weights, second_first.weights)),
           "the layers are created in the wrong order: the 64 -> 3 layer drew its weights first")
    for index, (mine, theirs) in enumerate(zip(layers, reference), 1):
        expect(np.array_equal(mine.weights, theirs.weights),
               f"layer {index} has the right shape but different weights: create the layers in order "
               "(2 -> 64 first, then 64 -> 3) and draw nothing else in between")
    correct("same seed and same order of creation give the same weights as nncore")
