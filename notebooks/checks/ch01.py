"""Checks for 01_neurons: the learner's neuron and layers, and the exercises."""
import numpy as np

from . import call, correct, expect, names_read, piece, plain


def _neuron_output(inputs, weights, bias):
    """The course's neuron: inputs (n_inputs,), weights (n_inputs,), a bias -> one number."""
    return float(np.matmul(np.asarray(weights, dtype=np.float64), np.asarray(inputs, dtype=np.float64)) + bias)


def _loop_layer_output(inputs, weights, biases):
    """The course's layer on one sample: (n_inputs,), (n_neurons, n_inputs), (n_neurons,) -> n_neurons numbers."""
    return [_neuron_output(inputs, neuron_weights, bias) for neuron_weights, bias in zip(weights, biases)]


def _layer_output(inputs, weights, biases):
    """The course's layer on a batch: (N, n_inputs), (n_neurons, n_inputs), (n_neurons,) -> (N, n_neurons)."""
    return np.matmul(np.asarray(inputs, dtype=np.float64), np.asarray(weights, dtype=np.float64).T) \
        + np.asarray(biases, dtype=np.float64)


for _reference, _name in ((_neuron_output, "neuron_output"), (_loop_layer_output, "loop_layer_output"),
                          (_layer_output, "layer_output")):
    _reference.__qualname__ = _name  # "the cells below use nncore's finished layer_output"


def _expect_close(where, got, expected, tol=1e-5):
    """Fail unless the arrays agree; name the first entry that differs by its row and column."""
    expect(got.shape == expected.shape, f"{where}: expected shape {expected.shape}, got {got.shape}")
    wrong = np.argwhere(~np.isclose(got, expected, rtol=tol, atol=tol))
    if len(wrong):
        index = tuple(int(i) for i in wrong[0])
        at = f"entry {index[0]}" if len(index) == 1 else f"row {index[0]}, column {index[1]}"
        raise AssertionError(f"{where}: at {at} expected {expected[index]:.4f}, got {got[index]:.4f}")


def _values(rng, *shape):
    """Random numbers with two decimals, as lists, so that a check's inputs look like the chapter's."""
    return rng.uniform(-3, 3, size=shape).round(2)


def _call(function, *args, returns):
    """``call``, plus the likely cause when the learner's np.dot met Python lists after nnfs.init()."""
    try:
        return call(function, *args, returns=returns)
    except AssertionError as problem:
        if "has no attribute 'astype'" in str(problem):
            raise AssertionError(f"{problem} After nnfs.init(), np.dot needs arrays: the check passes lists, so "
                                 "wrap them in np.array(...) first.") from None
        raise


def _number(name, value, returns):
    """``value`` as a float; a list, an array or something that is no number gets a sentence saying what it is."""
    if isinstance(value, (list, tuple)):
        numbers = all(isinstance(item, (int, float, np.integer, np.floating)) for item in value)
        count = f"{len(value)} {'number' if numbers else 'item'}{'' if len(value) == 1 else 's'}"
        raise AssertionError(f"{name} should return {returns}, got a {type(value).__name__} of {count}")
    expect(np.ndim(value) == 0, f"{name} should return {returns}, got {plain(np.asarray(value))}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} should return {returns}, got {plain(value)}") from None


@piece(lambda: _neuron_output)
def check_neuron_output(neuron_output):
    """neuron_output(inputs, weights, bias) = sum of inputs[m] * weights[m], plus bias, on lists of 1 to 7 inputs."""
    rng = np.random.default_rng(1)
    neurons = [(_values(rng, n_inputs), _values(rng, n_inputs), float(_values(rng))) for n_inputs in (4, 1, 7, 3, 6)]
    results = [_number("neuron_output", _call(neuron_output, inputs.tolist(), weights.tolist(), bias,
                                              returns="one number, x . w + b"), "one number, the neuron's output")
               for inputs, weights, bias in neurons]
    expect(len(set(np.round(results, 9))) > 1,
           f"neuron_output gives {results[0]:.4f} for 5 different neurons: compute it from the arguments inputs, "
           "weights and bias, not from the notebook's variables or a fixed number")
    for case, ((inputs, weights, bias), got) in enumerate(zip(neurons, results), 1):
        n_inputs = len(inputs)
        products = inputs * weights
        where = f"case {case} ({n_inputs} inputs, bias {plain(bias)})"
        expected = float(products.sum() + bias)
        if np.isclose(got, expected, atol=1e-6):
            continue
        mistakes = [(products.sum(), "the bias is missing: add it once, after the sum"),
                    (products.sum() + n_inputs * bias, f"the bias is added {n_inputs} times: add it once, "
                                                       "after the loop, not inside it"),
                    (products[:-1].sum() + bias, "the last input is left out: loop over every input"),
                    (products[1:].sum() + bias, "the first input is left out: loop over every input"),
                    (products[0] + bias, "only the first input counts: is the return inside the loop? Return "
                                         "after the loop has added every product"),
                    (inputs.sum() * weights.sum() + bias, "that is (sum of inputs) times (sum of weights): "
                                                          "multiply each input by its own weight, then add up")]
        for value, why in mistakes:
            if np.isclose(got, value, atol=1e-6) and n_inputs > 1:
                raise AssertionError(f"{where}: {why}")
        raise AssertionError(f"{where}: expected {expected:.4f}, got {got:.4f}")
    correct(f"neuron_output computes x . w + b on {len(results)} neurons of 1 to 7 inputs")


@piece(lambda: _loop_layer_output)
def check_loop_layer_output(loop_layer_output):
    """loop_layer_output(inputs, weights, biases): one number per neuron, weights one list per neuron."""
    rng = np.random.default_rng(11)
    for case, (n_inputs, n_neurons) in enumerate(((4, 3), (2, 5), (6, 1), (3, 4)), 1):
        inputs, weights, biases = _values(rng, n_inputs), _values(rng, n_neurons, n_inputs), _values(rng, n_neurons)
        got = _call(loop_layer_output, inputs.tolist(), weights.tolist(), biases.tolist(),
                    returns=f"a list of {n_neurons} numbers, one per neuron")
        where = f"case {case} ({n_neurons} neurons on {n_inputs} inputs)"
        expected = weights @ inputs + biases
        expect(np.ndim(got) == 1, f"{where}: loop_layer_output should return a list of {n_neurons} numbers, one per "
                                  f"neuron, got {plain(got if np.ndim(got) == 0 else np.asarray(got))}")
        got = np.asarray(got, dtype=np.float64)
        expect(len(got) != n_inputs or n_inputs == n_neurons,
               f"{where}: {n_inputs} outputs, one per input; a layer gives one output per neuron: loop over the "
               "rows of weights (one row per neuron)")
        expect(len(got) != 1 or n_neurons == 1,
               f"{where}: 1 output for {n_neurons} neurons: is the return inside the loop over the neurons? Return "
               "the list after the loop")
        expect(len(got) <= n_neurons or not np.allclose(got[-n_neurons:], expected),
               f"{where}: {len(got)} outputs, the last {n_neurons} of them right: the list holds outputs from an "
               "earlier call. Start a new, empty list inside the function")
        expect(len(got) == n_neurons, f"{where}: expected {n_neurons} outputs, one per neuron, got {len(got)}")
        if n_neurons > 1:
            expect(not np.allclose(got, weights[0] @ inputs + biases),
                   f"{where}: every neuron uses the first neuron's weights: neuron j has its own row, weights[j]")
            expect(not np.allclose(got, weights @ inputs + biases[0]),
                   f"{where}: every neuron gets the first bias: neuron j adds its own, biases[j]")
        expect(not np.allclose(got, weights @ inputs), f"{where}: the outputs ignore the biases")
        expect(not np.allclose(got, weights @ inputs + n_inputs * biases),
               f"{where}: each neuron adds its bias {n_inputs} times, once per input: add it once, outside the loop "
               "over the inputs")
        _expect_close(where, got, expected, tol=1e-6)
    correct("loop_layer_output gives one output per neuron, each with its own weights and bias, on 4 layers")


@piece(lambda: _layer_output)
def check_layer_output(layer_output):
    """layer_output(inputs, weights, biases) = X W^T + b, (N, n_neurons), on batches and layers of several sizes."""
    rng = np.random.default_rng(12)
    for case, (n_samples, n_inputs, n_neurons) in enumerate(((3, 3, 3), (5, 4, 2), (1, 3, 6), (4, 2, 3)), 1):
        inputs = _values(rng, n_samples, n_inputs)
        weights, biases = _values(rng, n_neurons, n_inputs), _values(rng, n_neurons)
        got = _call(layer_output, inputs.tolist(), weights.tolist(), biases.tolist(),
                    returns=f"an array of shape ({n_samples}, {n_neurons}): one row per sample, one column per neuron")
        where = f"case {case} ({n_samples} samples, {n_inputs} inputs, {n_neurons} neurons)"
        got = np.asarray(got, dtype=np.float64)
        expected = inputs @ weights.T + biases
        if got.shape == (n_neurons, n_samples) and n_neurons != n_samples:
            raise AssertionError(f"{where}: shape {got.shape} is one row per neuron; the batch comes first, so that "
                                 f"each sample gives a row: shape ({n_samples}, {n_neurons})")
        expect(got.shape == expected.shape, f"{where}: expected shape {expected.shape}, one row per sample and one "
                                            f"column per neuron, got {got.shape}")
        if n_inputs == n_neurons and not np.allclose(got, expected, atol=1e-5):
            expect(not np.allclose(got, inputs @ weights + biases, atol=1e-5),
                   f"{where}: the weights are used as stored, one row per neuron; transpose them so that column j "
                   "holds neuron j's weights")
        if n_samples == n_neurons and not np.allclose(got, expected, atol=1e-5):
            # W X^T is (n_neurons, N): with as many samples as neurons its shape is the layer's
            expect(not np.allclose(got, weights @ inputs.T + biases[:, np.newaxis], atol=1e-5),
                   f"{where}: this is one row per neuron and one column per sample, the transpose of what a layer "
                   "gives: the batch comes first, so that each sample gives a row")
            expect(not np.allclose(got, weights @ inputs.T + biases, atol=1e-5),
                   f"{where}: this is W X^T + b, one row per neuron and one column per sample, with bias j added to "
                   f"sample j. With {n_samples} samples and {n_neurons} neurons the shape fits and the diagonal is "
                   "right, the rest is not: the batch comes first, so that each sample gives a row")
        expect(got.shape != (n_neurons, n_neurons) or not np.allclose(got, inputs @ weights.T + biases[:, None],
                                                                      atol=1e-5),
               f"{where}: bias j is added to row j, sample j: the biases belong to the columns (one per neuron), so "
               "add them as they are, shape (n_neurons,), not as a column")
        expect(not np.allclose(got, inputs @ weights.T + biases[0], atol=1e-5) or n_neurons == 1,
               f"{where}: every neuron gets the first bias")
        expect(not np.allclose(got, inputs @ weights.T, atol=1e-5), f"{where}: the outputs ignore the biases")
        _expect_close(where, got, expected)
    correct("layer_output computes X W^T + b, shape (N, n_neurons), on 4 batches of several sizes")


def check_summary_layer(summary_layer):
    """summary_layer(n_inputs) -> (weights (3, n_inputs), biases (3,)): the mean, last - first, and sum - 5."""
    rng = np.random.default_rng(13)
    names = ("neuron 1 (the mean)", "neuron 2 (last minus first)", "neuron 3 (the sum minus 5)")
    for n_inputs in (4, 2, 7, 5):
        weights, biases = call(summary_layer, n_inputs, returns="(weights, biases) of a layer of 3 neurons")
        weights, biases = np.asarray(weights, dtype=np.float64), np.asarray(biases, dtype=np.float64)
        where = f"summary_layer({n_inputs})"
        expect(weights.shape != (n_inputs, 3) or n_inputs == 3,
               f"{where}: weights of shape {weights.shape} are one column per neuron; this chapter stores them one "
               f"row per neuron, shape (3, {n_inputs})")
        expect(weights.shape == (3, n_inputs), f"{where}: weights should have shape (3, {n_inputs}), one row per "
                                               f"neuron, got {weights.shape}")
        expect(biases.shape == (3,), f"{where}: biases should hold 3 numbers, one per neuron, got shape "
                                     f"{biases.shape}")
        batch = _values(rng, 6, n_inputs)
        got = _layer_output(batch, weights, biases)
        wanted = np.stack([batch.mean(axis=1), batch[:, -1] - batch[:, 0], batch.sum(axis=1) - 5], axis=1)
        for j, name in enumerate(names):
            if np.allclose(got[:, j], wanted[:, j]):
                continue
            gap = got[:, j] - wanted[:, j]
            if j == 0 and np.allclose(got[:, j], batch.sum(axis=1) + biases[0]):
                raise AssertionError(f"{where}: {name} gives the sum; the mean weighs every feature by "
                                     f"1/{n_inputs}")
            if j == 1 and np.allclose(got[:, j], -wanted[:, j]):
                raise AssertionError(f"{where}: {name} gives first minus last; swap the signs of its two weights")
            if np.allclose(gap, gap[0]):
                raise AssertionError(f"{where}: {name} has the right weights but its bias is {plain(biases[j])}; "
                                     f"it is off by {plain(float(gap[0]))}")
            raise AssertionError(f"{where}: {name} on the sample {batch[0].tolist()} gives {got[0, j]:.4f}, "
                                 f"expected {wanted[0, j]:.4f}: look at its row of weights, {weights[j].tolist()}")
    correct("summary_layer's weights give the mean, last minus first and the sum minus 5 for 2 to 7 features")


COMPUTE_NOT_PREDICT = {"dot", "matmul", "vdot", "tensordot", "einsum", "zeros", "ones", "empty", "full", "zeros_like",
                       "ones_like", "empty_like", "full_like", "eye", "ndarray", "arange", "rand", "randn",
                       "standard_normal"}
"""NumPy's functions that make arrays or multiply them: a dot_shape that calls one computes a product to read its
shape instead of predicting it."""


def check_dot_shape(dot_shape):
    """dot_shape(a_shape, b_shape): np.dot's result shape for 1-D and 2-D shapes, or None when it is undefined."""
    computes = [f"np.{name}" for name in sorted(names_read(dot_shape) & COMPUTE_NOT_PREDICT)]
    expect(not computes, f"dot_shape calls {' and '.join(computes)}: it builds arrays and lets NumPy multiply them, "
                         "so the shape is computed, not predicted. Without any array, work it out from the sizes: "
                         "compare the two that are summed over, then keep the others")
    rng = np.random.default_rng(14)
    pairs = [((3, 4), (4, 3)), ((3, 4), (3, 4)), ((2, 3), (4, 2)), ((5, 1), (1, 5)), ((1, 5), (5, 1)),
             ((300, 2), (2, 64)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 3)), ((4,), (3,)), ((2, 3), (2,))]
    for _ in range(9):
        sizes = [int(size) for size in rng.integers(1, 6, size=3)]
        pairs.append(((sizes[0], sizes[1]), (sizes[rng.integers(1, 3)],) + ((sizes[2],) if rng.random() < 0.7 else ())))
    for a_shape, b_shape in pairs:
        try:
            expected = np.dot(np.zeros(a_shape, dtype=np.float64), np.zeros(b_shape, dtype=np.float64)).shape
        except ValueError:
            expected = None
        got = call(dot_shape, a_shape, b_shape, returns="a shape (a tuple) or None")
        if got == expected:
            continue
        message = f"dot_shape({a_shape}, {b_shape}): expected {expected}, got {plain(got)}"
        expect(not isinstance(got, list) or tuple(got) != expected,
               message + " (the right sizes, but a shape is a tuple, not a list: tuple(...) turns one into the other)")
        inner_a, inner_b = a_shape[-1], b_shape[0]
        if expected is None and got is not None and a_shape[0] == b_shape[-1]:
            message += " (it is the last size of the first shape that must match the first size of the second)"
        elif expected is None:
            message += f" (the inner sizes {inner_a} and {inner_b} differ, so the product is not defined)"
        elif got is None:
            message += f" (the inner sizes are both {inner_a}, so the product is defined)"
        elif len(a_shape) == 1 or len(b_shape) == 1:
            message += " (a 1-D argument's axis disappears from the result: it is summed over, not kept as a 1)"
        raise AssertionError(message)
    correct(f"dot_shape agrees with np.dot on {len(pairs)} pairs of 1-D and 2-D shapes")


def _random_layers(rng, sizes):
    return [(_values(rng, n_out, n_in).tolist(), _values(rng, n_out).tolist()) for n_in, n_out in zip(sizes, sizes[1:])]


def _through(batch, layers):
    output = np.asarray(batch, dtype=np.float64)
    for weights, biases in layers:
        output = _layer_output(output, weights, biases)
    return output


def _takes_square_layers(four_layer_output, batch):
    """Whether four_layer_output runs without a ValueError on four layers of as many neurons as the batch has
    features: such layers accept the batch and each other's outputs in any order, so only an input other than the
    batch can make their sizes clash."""
    width = np.shape(batch)[1]
    try:
        four_layer_output(batch, _random_layers(np.random.default_rng(16), (width,) * 5))
    except ValueError:
        return False
    except Exception:  # another mistake: the probe says nothing about the sizes
        return True
    return True


def _four(four_layer_output, batch, layers):
    """The learner's four_layer_output(batch, layers); a size mismatch inside it comes with the likely cause."""
    try:
        return call(four_layer_output, batch, layers, returns="the outputs of the fourth layer, an array")
    except AssertionError as problem:
        if "raised ValueError" not in str(problem):
            raise
        sizes = " -> ".join(str(len(weights[0])) for weights, _ in layers) + f" -> {len(layers[-1][0])}"
        said = (f"four_layer_output(batch of shape {np.shape(batch)}, layers of sizes {sizes}) raised ValueError: "
                f"{str(problem).split('ValueError: ', 1)[1].split('. It should')[0]}.")
        if _takes_square_layers(four_layer_output, batch):
            raise AssertionError(f"{said} The sizes chain only if the layers run in order, a to d, each on the "
                                 "outputs of the one before it (not on the batch).") from None
        width = np.shape(batch)[1]
        raise AssertionError(f"{said} It raises one too on four layers of {width} inputs and {width} neurons each, "
                             "which accept the batch and each other's outputs in any order, so the first layer is "
                             "given something other than the batch: use the argument batch, not an array of the "
                             "notebook such as X.") from None


def _array(value, shape):
    """The learner's result as a float array, or a sentence saying it is not one array."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"four_layer_output should return one array, the outputs of the last layer, shape "
                             f"{shape}, got {type(value).__name__} that is not one array of numbers "
                             "(the outputs of every layer?)") from None


def check_four_layer_output(four_layer_output):
    """four_layer_output(batch, layers): the batch through each of the 4 given layers in turn."""
    rng = np.random.default_rng(15)
    batch = _values(rng, 3, 3)
    first, second = _random_layers(rng, (3, 2, 2, 3, 1)), _random_layers(rng, (3, 2, 2, 3, 1))
    other_batch = _values(np.random.default_rng(17), 3, 3)
    outputs = [_array(_four(four_layer_output, inputs, layers), "(3, 1)")
               for inputs, layers in ((batch, first), (batch, second), (other_batch, first))]
    same_for_stacks, same_for_batches = (outputs[0].shape == other.shape and np.allclose(outputs[0], other)
                                         for other in outputs[1:])
    expect(not (same_for_stacks and same_for_batches),
           "four_layer_output gives the same outputs for two different stacks of layers and for two different "
           "batches: use the arguments batch and layers, not the notebook's variables")
    expect(not same_for_stacks, "four_layer_output gives the same outputs for two different stacks of layers: use "
                                "the argument layers, not the notebook's variable")
    expect(not same_for_batches, "four_layer_output gives the same outputs for two different batches: use the "
                                 "argument batch, not an array of the notebook")
    for case, sizes in enumerate(((3, 2, 2, 3, 1), (4, 3, 3, 3, 3), (2, 5, 3, 4, 2)), 1):
        layers = first if case == 1 else _random_layers(rng, sizes)
        batch = _values(rng, int(rng.integers(2, 5)), sizes[0])
        got = _array(_four(four_layer_output, batch, layers), f"({len(batch)}, {sizes[-1]})")
        expected = _through(batch, layers)
        where = f"case {case} (layer sizes {' -> '.join(str(size) for size in sizes)})"
        wrong = {"these are the outputs of layers a, b, b, b, the script's bug: give each layer its own weights and "
                 "biases": [layers[0], layers[1], layers[1], layers[1]],
                 "these are the outputs of the first three layers only: run all four": layers[:3],
                 "these are the outputs of layer d on the batch itself: feed each layer the outputs of the one "
                 "before": layers[3:]}
        for why, stack in wrong.items():
            try:
                mistaken = _through(batch, stack)
            except ValueError:  # the sizes do not chain: that mistake cannot give these numbers
                continue
            expect(mistaken.shape != got.shape or not np.allclose(got, mistaken, atol=1e-5)
                   or np.allclose(got, expected, atol=1e-5), f"{where}: {why}")
        expect(got.shape == expected.shape, f"{where}: expected shape {expected.shape}, one row per sample and one "
                                            f"column per neuron of the last layer, got {got.shape}")
        _expect_close(where, got, expected)
    correct("four_layer_output runs each of the four layers with its own weights and biases, on 3 stacks")
