"""01_neurons's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from wrong_answers import accepted, cases, refusal


def without_bias(inputs, weights, bias):
    return sum(value * weight for value, weight in zip(inputs, weights))


def bias_in_the_loop(inputs, weights, bias):
    output = 0
    for value, weight in zip(inputs, weights):
        output += value * weight + bias
    return output


def last_input_left_out(inputs, weights, bias):
    return sum(inputs[m] * weights[m] for m in range(len(inputs) - 1)) + bias


def sums_multiplied(inputs, weights, bias):
    return sum(inputs) * sum(weights) + bias


def products_not_added(inputs, weights, bias):
    return [value * weight for value, weight in zip(inputs, weights)]


def the_sum_in_a_list(inputs, weights, bias):
    return [sum(value * weight for value, weight in zip(inputs, weights)) + bias]


def return_inside_the_loop(inputs, weights, bias):
    output = bias
    for value, weight in zip(inputs, weights):
        output += value * weight
        return output


NOTEBOOK_NEURON = ([1, 2, 3, 2.5], [0.2, 0.8, -0.5, 1], 2)


def the_notebooks_neuron(x, w, b):
    inputs, weights, bias = NOTEBOOK_NEURON
    return sum(value * weight for value, weight in zip(inputs, weights)) + bias


def lists_to_np_dot(*arguments):
    """np.dot on the check's lists after nnfs.init(): its replacement calls .astype on each argument."""
    raise AttributeError("'list' object has no attribute 'astype'")


def neuron(inputs, weights, bias):
    return sum(value * weight for value, weight in zip(inputs, weights)) + bias


def first_row_for_everyone(inputs, weights, biases):
    return [neuron(inputs, weights[0], bias) for bias in biases]


def first_bias_for_everyone(inputs, weights, biases):
    return [neuron(inputs, row, biases[0]) for row in weights]


def one_output_per_input(inputs, weights, biases):
    return [sum(row[m] * inputs[m] for row in weights) for m in range(len(inputs))]


def return_inside_the_neuron_loop(inputs, weights, biases):
    outputs = []
    for row, bias in zip(weights, biases):
        outputs.append(neuron(inputs, row, bias))
        return outputs


def a_list_that_grows():
    outputs = [4.8, 1.21, 2.385]  # a list of the notebook's, appended to by every call

    def loop_layer_output(inputs, weights, biases):
        for row, bias in zip(weights, biases):
            outputs.append(neuron(inputs, row, bias))
        return outputs
    return loop_layer_output


def bias_in_the_inner_loop(inputs, weights, biases):
    outputs = []
    for row, bias in zip(weights, biases):
        total = 0
        for value, weight in zip(inputs, row):
            total += value * weight + bias
        outputs.append(total)
    return outputs


def layer_summed(inputs, weights, biases):
    return sum(neuron(inputs, row, bias) for row, bias in zip(weights, biases))


def layer_without_biases(inputs, weights, biases):
    return [neuron(inputs, row, 0) for row in weights]


def not_transposed(inputs, weights, biases):
    return np.dot(np.array(inputs), np.array(weights)) + np.array(biases)


def one_row_per_neuron(inputs, weights, biases):
    return np.dot(np.array(weights), np.array(inputs).T) + np.array(biases).reshape(-1, 1)


def one_row_per_neuron_biases_as_given(inputs, weights, biases):
    """The one-sample np.dot(W_rows, x) + b with the batch transposed in for x: the shapes agree when N == n_neurons."""
    return np.dot(np.array(weights), np.array(inputs).T) + np.array(biases)


def batch_without_biases(inputs, weights, biases):
    return np.dot(np.array(inputs), np.array(weights).T)


def batch_one_bias(inputs, weights, biases):
    return np.dot(np.array(inputs), np.array(weights).T) + biases[0]


def biases_as_a_column(inputs, weights, biases):
    return np.dot(np.array(inputs), np.array(weights).T) + np.array(biases).reshape(-1, 1)


def layer_of(rows, biases):
    return lambda n_inputs: (rows(n_inputs), biases)


def mean_row(n):
    return [1 / n] * n


def change_row(n):
    return [-1] + [0] * (n - 2) + [1]


sum_for_the_mean = layer_of(lambda n: [[1] * n, change_row(n), [1] * n], [0, 0, -5])
first_minus_last = layer_of(lambda n: [mean_row(n), [1] + [0] * (n - 2) + [-1], [1] * n], [0, 0, -5])
plus_five = layer_of(lambda n: [mean_row(n), change_row(n), [1] * n], [0, 0, 5])
one_column_per_neuron = layer_of(lambda n: np.array([mean_row(n), change_row(n), [1] * n]).T.tolist(), [0, 0, -5])
only_first_and_last = layer_of(lambda n: [mean_row(n), change_row(n), [1] + [0] * (n - 2) + [1]], [0, 0, -5])


def two_d_only(a_shape, b_shape):
    rows_a, columns_a = a_shape
    rows_b, columns_b = b_shape
    return (rows_a, columns_b) if columns_a == rows_b else None


def rule_backwards(a_shape, b_shape):
    return (a_shape[0], b_shape[-1]) if a_shape[0] == b_shape[-1] else None


def vector_axis_kept(a_shape, b_shape):
    a_shape, b_shape = (a_shape if len(a_shape) == 2 else (1,) + a_shape), (b_shape if len(b_shape) == 2 else b_shape + (1,))
    return (a_shape[0], b_shape[1]) if a_shape[1] == b_shape[0] else None


def inner_sizes(a_shape, b_shape):
    return (a_shape[-1], b_shape[0]) if a_shape[-1] == b_shape[0] else None


def by_numpy(a_shape, b_shape):
    """Computes the product to read its shape: NumPy answers, nothing is predicted."""
    try:
        return np.dot(np.zeros(a_shape), np.zeros(b_shape)).shape
    except ValueError:
        return None


def by_matmul_on_ones(a_shape, b_shape):
    try:
        return (np.ones(a_shape) @ np.ones(b_shape)).shape
    except ValueError:
        return None


def shape_as_a_list(a_shape, b_shape):
    return list(a_shape[:-1]) + list(b_shape[1:]) if a_shape[-1] == b_shape[0] else None


def batch_layer(inputs, weights, biases):
    return np.asarray(inputs, dtype=np.float64) @ np.asarray(weights, dtype=np.float64).T + np.asarray(biases)


def copy_pasted(batch, layers):
    output = batch
    for index in (0, 1, 1, 1):
        output = batch_layer(output, *layers[index])
    return output


def three_layers(batch, layers):
    output = batch
    for weights, biases in layers[:3]:
        output = batch_layer(output, weights, biases)
    return output


NOTEBOOK_LAYERS = [([[0.2, -0.1, 0.4], [0.7, 0.3, -0.2]], [0.1, -0.3]), ([[0.5, -0.6], [0.1, 0.9]], [0.0, 0.2]),
                   ([[-0.3, 0.8], [0.6, -0.4], [0.2, 0.2]], [0.5, -0.5, 0.05]), ([[1.0, -1.0, 0.5]], [0.3])]


def the_notebooks_layers(batch, layers):
    output = batch
    for weights, biases in NOTEBOOK_LAYERS:
        output = batch_layer(output, weights, biases)
    return output


NOTEBOOK_X = np.array([[1, 2, 3, 2.5], [2, 5, -1, 2], [-1.5, 2.7, 3.3, -0.8]])
NOTEBOOK_BATCH = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])


def starting_from(start):
    """A four_layer_output that runs the layers from a notebook variable ``start`` instead of its argument batch."""
    def four_layer_output(batch, layers):
        output = start
        for weights, biases in layers:
            output = batch_layer(output, weights, biases)
        return output
    return four_layer_output


def every_layer_on_the_batch(batch, layers):
    output = batch
    for weights, biases in layers:
        output = batch_layer(batch, weights, biases)
    return output


def every_layers_outputs(batch, layers):
    outputs, output = [], batch
    for weights, biases in layers:
        output = batch_layer(output, weights, biases)
        outputs.append(output)
    return outputs


def without_layer_biases(batch, layers):
    output = batch
    for weights, _ in layers:
        output = batch_layer(output, weights, np.zeros(len(weights)))
    return output


WRONG_ANSWERS = {
    "check_neuron_output": [
        ("no bias", lambda: (without_bias,), "the bias is missing"),
        ("the bias added in the loop", lambda: (bias_in_the_loop,), "added 4 times"),
        ("the last input left out", lambda: (last_input_left_out,), "the last input is left out"),
        ("sum of inputs times sum of weights", lambda: (sums_multiplied,), "multiply each input by its own weight"),
        ("the products, not their sum", lambda: (products_not_added,), "should return one number"),
        ("the chapter's answer", lambda: (lambda inputs, weights, bias: 4.8,), "for 5 different neurons"),
        ("the sum in a list", lambda: (the_sum_in_a_list,), "got a list of 1 number"),
        ("the return inside the loop", lambda: (return_inside_the_loop,), "is the return inside the loop?"),
        ("the notebook's neuron, not the arguments", lambda: (the_notebooks_neuron,), "not from the notebook's"),
        ("np.dot on lists after nnfs.init()", lambda: (lists_to_np_dot,), "wrap them in np.array"),
    ],
    "check_loop_layer_output": [
        ("every neuron with the first row", lambda: (first_row_for_everyone,), "the first neuron's weights"),
        ("every neuron with the first bias", lambda: (first_bias_for_everyone,), "the first bias"),
        ("one output per input", lambda: (one_output_per_input,), "one output per neuron"),
        ("the outputs added up", lambda: (layer_summed,), "should return a list of 3 numbers"),
        ("no biases", lambda: (layer_without_biases,), "ignore the biases"),
        ("the chapter's answer", lambda: (lambda inputs, weights, biases: [4.8, 1.21, 2.385],), "expected"),
        ("the return inside the loop", lambda: (return_inside_the_neuron_loop,), "is the return inside the loop"),
        ("a list that outlives the call", lambda: (a_list_that_grows(),), "Start a new, empty list"),
        ("the bias added once per input", lambda: (bias_in_the_inner_loop,), "adds its bias 4 times"),
    ],
    "check_layer_output": [
        ("weights not transposed", lambda: (not_transposed,), "transpose them"),
        ("one row per neuron", lambda: (one_row_per_neuron,), "one row per neuron and one column per sample"),
        ("one row per neuron, the biases as given", lambda: (one_row_per_neuron_biases_as_given,),
         "one row per neuron and one column per sample"),
        ("no biases", lambda: (batch_without_biases,), "ignore the biases"),
        ("the first bias for every neuron", lambda: (batch_one_bias,), "the first bias"),
        ("the chapter's Z", lambda: (lambda inputs, weights, biases: np.array([[4.8, 1.21, 2.385]] * 3),),
         "at row 0, column 0 expected"),
        ("the biases as a column", lambda: (biases_as_a_column,), "the biases belong to the columns"),
        ("np.dot on lists after nnfs.init()", lambda: (lists_to_np_dot,), "wrap them in np.array"),
    ],
    "check_summary_layer": [
        ("the sum for the mean", lambda: (sum_for_the_mean,), "gives the sum"),
        ("first minus last", lambda: (first_minus_last,), "first minus last"),
        ("+5 for -5", lambda: (plus_five,), "it is off by 10"),
        ("one column per neuron", lambda: (one_column_per_neuron,), "one row per neuron"),
        ("the sum of the first and last only", lambda: (only_first_and_last,), "look at its row of weights"),
        ("a layer for 4 features only", lambda: (lambda n_inputs: ([[0.25] * 4, [-1, 0, 0, 1], [1] * 4],
                                                                    [0, 0, -5]),), "should have shape (3, 2)"),
    ],
    "check_dot_shape": [
        ("2-D shapes only", lambda: (two_d_only,), "not enough values to unpack"),
        ("the rule backwards", lambda: (rule_backwards,), "must match the first size of the second"),
        ("a vector's axis kept as 1", lambda: (vector_axis_kept,), "axis disappears"),
        ("the inner sizes", lambda: (inner_sizes,), "expected (3, 3)"),
        ("always None", lambda: (lambda a_shape, b_shape: None,), "so the product is defined"),
        ("a list for a tuple", lambda: (shape_as_a_list,), "a shape is a tuple, not a list"),
        ("np.dot on zeros, its shape read", lambda: (by_numpy,), "work it out from the sizes"),
        ("@ on ones, its shape read", lambda: (by_matmul_on_ones,), "work it out from the sizes"),
    ],
    "check_four_layer_output": [
        ("the script's copy-paste bug", lambda: (copy_pasted,), "a, b, b, b"),
        ("three layers", lambda: (three_layers,), "first three layers only"),
        ("the notebook's layers, not the argument", lambda: (the_notebooks_layers,), "use the argument layers"),
        ("the notebook's X, not the argument batch", lambda: (starting_from(NOTEBOOK_X),), "use the argument batch"),
        ("the exercise's batch, not the argument", lambda: (starting_from(NOTEBOOK_BATCH),), "use the argument batch"),
        ("the chapter's printed answer", lambda: (lambda batch, layers: np.array([[1.894], [-0.653]]),),
         "use the arguments batch and layers"),
        ("no biases", lambda: (without_layer_biases,), "expected"),
        ("every layer run on the batch", lambda: (every_layer_on_the_batch,), "each on the outputs of the one before"),
        ("only layer d, on the batch", lambda: (lambda batch, layers: batch_layer(batch, *layers[3]),),
         "outputs of layer d on the batch itself"),
        ("every layer's outputs", lambda: (every_layers_outputs,), "should return one array"),
    ],
}


# ------------------------------------------------------------------ right answers: the chapter's and other ways


def neuron_with_a_loop(inputs, weights, bias):  # the chapter's solution
    output = bias
    for value, weight in zip(inputs, weights):
        output += value * weight
    return output


def neuron_with_np_dot(inputs, weights, bias):
    return float(np.dot(np.array(weights), np.array(inputs)) + bias)


def layer_with_the_neuron(inputs, weights, biases):  # the chapter's solution
    return [neuron_with_a_loop(inputs, row, bias) for row, bias in zip(weights, biases)]


def layer_with_two_loops(inputs, weights, biases):
    outputs = []
    for j in range(len(weights)):
        total = 0
        for m in range(len(inputs)):
            total += inputs[m] * weights[j][m]
        outputs.append(total + biases[j])
    return outputs


def batch_with_np_dot(inputs, weights, biases):  # the chapter's solution
    return np.dot(np.array(inputs), np.array(weights).T) + np.array(biases)


def batch_transposed_twice(inputs, weights, biases):
    return (np.dot(np.array(weights), np.array(inputs).T) + np.array(biases).reshape(-1, 1)).T


def summary_of_lists(n_inputs):  # the chapter's solution
    return [mean_row(n_inputs), change_row(n_inputs), [1] * n_inputs], [0, 0, -5]


def summary_of_arrays(n_inputs):
    weights = np.zeros((3, n_inputs))
    weights[0], weights[1, 0], weights[1, -1], weights[2] = 1 / n_inputs, -1, 1, 1
    return weights, np.array([0.0, 0.0, -5.0])


def shape_by_slicing(a_shape, b_shape):  # the chapter's solution
    if a_shape[-1] != b_shape[0]:
        return None
    return tuple(a_shape[:-1]) + tuple(b_shape[1:])


def shape_case_by_case(a_shape, b_shape):
    if len(a_shape) == 1 and len(b_shape) == 1:
        return () if a_shape[0] == b_shape[0] else None
    if len(a_shape) == 1:
        return (b_shape[1],) if a_shape[0] == b_shape[0] else None
    if len(b_shape) == 1:
        return (a_shape[0],) if a_shape[1] == b_shape[0] else None
    return (a_shape[0], b_shape[1]) if a_shape[1] == b_shape[0] else None


def four_in_a_loop(batch, layers):  # the chapter's solution
    output = batch
    for layer in layers:
        output = batch_with_np_dot(output, *layer)
    return output


def four_written_out(batch, layers):
    (weights_a, biases_a), (weights_b, biases_b), (weights_c, biases_c), (weights_d, biases_d) = layers
    out1 = batch_with_np_dot(batch, weights_a, biases_a)
    out2 = batch_with_np_dot(out1, weights_b, biases_b)
    out3 = batch_with_np_dot(out2, weights_c, biases_c)
    return batch_with_np_dot(out3, weights_d, biases_d)


RIGHT_ANSWERS = [
    ("check_neuron_output", lambda: (neuron_with_a_loop,)),
    ("check_neuron_output", lambda: (neuron_with_np_dot,)),
    ("check_loop_layer_output", lambda: (layer_with_the_neuron,)),
    ("check_loop_layer_output", lambda: (layer_with_two_loops,)),
    ("check_layer_output", lambda: (batch_with_np_dot,)),
    ("check_layer_output", lambda: (batch_transposed_twice,)),
    ("check_summary_layer", lambda: (summary_of_lists,)),
    ("check_summary_layer", lambda: (summary_of_arrays,)),
    ("check_dot_shape", lambda: (shape_by_slicing,)),
    ("check_dot_shape", lambda: (shape_case_by_case,)),
    ("check_four_layer_output", lambda: (four_in_a_loop,)),
    ("check_four_layer_output", lambda: (four_written_out,)),
]


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch01", check_name, answer())


@pytest.mark.parametrize("check_name, answer", RIGHT_ANSWERS, ids=[name for name, _ in RIGHT_ANSWERS])
def test_the_check_accepts_a_right_answer_and_leaves_the_random_stream_alone(check_name, answer, capsys, nnfs_init):
    printed, stream_kept = accepted("ch01", check_name, answer(), capsys)
    assert printed.startswith("Correct")
    assert stream_kept
