"""nncore.autograd: every operation's gradient against float64 centred differences, broadcasting and reuse
included, plus the engine (order, accumulation, seeding) and clear errors for bad input."""
import numpy as np
import pytest

from nncore import gradcheck
from nncore.autograd import Tensor, sum_to_shape, topological_order

RNG = np.random.default_rng(12)


def numeric(f, *arrays):
    """Centred differences of the number f(*arrays) with respect to each array."""
    return [gradcheck.numerical_gradient(lambda _: f(*arrays), array) for array in arrays]


def check(expression, *shapes, positive=False, tol=1e-7):
    """expression(*tensors) -> Tensor; compares each input's grad (of the weighted sum of the output) with
    numerical gradients of the same expression computed on plain arrays."""
    arrays = [RNG.uniform(0.5, 2.0, shape) if positive else RNG.standard_normal(shape) for shape in shapes]
    weights = RNG.standard_normal(np.shape(expression(*[Tensor(a) for a in arrays]).data))

    def value(*values):
        return float(np.sum(expression(*[Tensor(v) for v in values]).data * weights))

    tensors = [Tensor(a.copy()) for a in arrays]
    (expression(*tensors) * weights).sum().backward()
    for tensor, expected in zip(tensors, numeric(value, *arrays)):
        assert tensor.grad is not None and tensor.grad.shape == tensor.shape
        assert gradcheck.relative_error(tensor.grad, expected) < tol


@pytest.mark.parametrize("name, expression, shapes", [
    ("add", lambda a, b: a + b, [(3, 4), (3, 4)]),
    ("add broadcast row", lambda a, b: a + b, [(5, 3), (1, 3)]),
    ("add broadcast leading", lambda a, b: a + b, [(2, 5, 3), (3,)]),
    ("add broadcast both", lambda a, b: a + b, [(4, 1), (1, 3)]),
    ("sub", lambda a, b: a - b, [(3, 4), (1, 4)]),
    ("neg", lambda a: -a, [(2, 3)]),
    ("mul", lambda a, b: a * b, [(3, 4), (3, 4)]),
    ("mul broadcast column", lambda a, b: a * b, [(4, 3), (4, 1)]),
    ("mul scalar tensor", lambda a, b: a * b, [(4, 3), ()]),
    ("matmul", lambda a, b: a @ b, [(4, 3), (3, 5)]),
    ("transpose", lambda a: a.T * 1.0, [(2, 5)]),
    ("reshape", lambda a: a.reshape(3, 4), [(2, 6)]),
    ("reshape tuple", lambda a: a.reshape((12,)), [(3, 4)]),
    ("sum all", lambda a: a.sum(), [(3, 4)]),
    ("sum axis 0", lambda a: a.sum(axis=0), [(3, 4)]),
    ("sum axis 1 keepdims", lambda a: a.sum(axis=1, keepdims=True), [(3, 4)]),
    ("sum negative axis", lambda a: a.sum(axis=-1), [(2, 3, 4)]),
    ("sum two axes", lambda a: a.sum(axis=(0, 2)), [(2, 3, 4)]),
    ("mean all", lambda a: a.mean(), [(3, 4)]),
    ("mean axis keepdims", lambda a: a.mean(axis=0, keepdims=True), [(3, 4)]),
    ("max axis 1", lambda a: a.max(axis=1), [(4, 5)]),
    ("max axis 0 keepdims", lambda a: a.max(axis=0, keepdims=True), [(4, 5)]),
    ("max all", lambda a: a.max(), [(3, 3)]),
    ("relu", lambda a: a.relu(), [(4, 5)]),
    ("exp", lambda a: a.exp(), [(3, 2)]),
    ("log_softmax", lambda a: a.log_softmax(), [(4, 5)]),
    ("log_softmax axis 0", lambda a: a.log_softmax(axis=0), [(4, 5)]),
    ("reuse", lambda a: a * a + a, [(3, 3)]),
    ("reuse through two paths", lambda a, w: (a @ w).relu() @ w.T + a, [(4, 3), (3, 3)]),
    ("a dense layer", lambda x, w, b: x @ w + b, [(5, 3), (3, 4), (1, 4)]),
])
def test_gradients_match_centred_differences(name, expression, shapes):
    check(expression, *shapes)


@pytest.mark.parametrize("name, expression, shapes", [
    ("log", lambda a: a.log(), [(3, 4)]),
    ("div", lambda a, b: a / b, [(3, 4), (1, 4)]),
    ("pow", lambda a: a ** 3, [(3, 2)]),
    ("pow fractional", lambda a: a ** 0.5, [(3, 2)]),
    ("pow negative", lambda a: a ** -2, [(3, 2)]),
])
def test_gradients_of_operations_that_need_positive_inputs(name, expression, shapes):
    check(expression, *shapes, positive=True)


def test_numbers_and_arrays_mix_in_on_either_side():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    array = np.array([[2.0, 1.0], [0.5, 1.0]])
    results = [x + 1, 1 + x, x - 1, 1 - x, x * 2, 2 * x, x / 2, 2 / x, array + x, array * x, array - x, array / x,
               x @ array, array @ x]
    expected = [x.data + 1, 1 + x.data, x.data - 1, 1 - x.data, x.data * 2, 2 * x.data, x.data / 2, 2 / x.data,
                array + x.data, array * x.data, array - x.data, array / x.data, x.data @ array, array @ x.data]
    for result, value in zip(results, expected):
        assert isinstance(result, Tensor) and np.allclose(result.data, value)
    (array - x).sum().backward()
    assert np.array_equal(x.grad, -np.ones((2, 2)))


def test_a_tensor_used_twice_gets_both_gradients():
    x = Tensor(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y, w = Tensor(2.0), Tensor(5.0)
    (y * w + y).backward()
    assert y.grad == 6.0 and w.grad == 2.0


def test_broadcast_gradients_are_summed_back_to_each_shape():
    x, b = Tensor(np.ones((4, 3))), Tensor(np.zeros((1, 3)))
    (x + b).sum().backward()
    assert b.grad.shape == (1, 3) and np.array_equal(b.grad, [[4.0, 4.0, 4.0]])
    assert np.array_equal(sum_to_shape(np.ones((2, 4, 3)), (3,)), [8.0, 8.0, 8.0])
    assert sum_to_shape(np.ones((2, 3)), (2, 3)).shape == (2, 3)
    assert sum_to_shape(np.ones((2, 3)), ()).shape == ()


def test_topological_order_puts_every_tensor_after_its_parents_once():
    a, b = Tensor(1.0), Tensor(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert len(order) == len({id(t) for t in order}) == 5 and order[-1] is e
    position = {id(t): i for i, t in enumerate(order)}
    assert all(position[id(p)] < position[id(t)] for t in order for p in t.parents)


def test_a_long_chain_needs_no_recursion():
    x = Tensor(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_leaves_accumulate_across_calls_and_inner_tensors_start_afresh():
    w = Tensor(np.array([1.0, 2.0]))
    hidden = w * 3.0
    loss = hidden.sum()
    loss.backward()
    loss.backward()
    assert np.array_equal(w.grad, [6.0, 6.0]) and np.array_equal(hidden.grad, [1.0, 1.0])
    w.grad = None
    loss.backward()
    assert np.array_equal(w.grad, [3.0, 3.0])


def test_a_non_scalar_takes_an_explicit_gradient():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    y = x * 2
    with pytest.raises(ValueError, match=r"needs a scalar, got a tensor of shape \(2, 3\).*gradient="):
        y.backward()
    y.backward(np.ones((2, 3)))
    assert np.array_equal(x.grad, np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match=r"gradient must have the tensor's shape \(2, 3\), got \(3,\)"):
        y.backward(np.ones(3))


def test_max_shares_the_gradient_between_ties():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))
    x.max(axis=1).sum().backward()
    assert np.array_equal(x.grad, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])


def test_log_softmax_is_stable_and_equals_its_formula():
    z = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    out = Tensor(z).log_softmax()
    assert np.all(np.isfinite(out.data))
    assert np.allclose(out.data[1], z[1] - np.log(np.sum(np.exp(z[1]))))
    composed = Tensor(z[1:])
    fused = Tensor(z[1:])
    weights = RNG.standard_normal((1, 3))
    shifted = composed - composed.data.max(axis=-1, keepdims=True)
    ((shifted - shifted.exp().sum(axis=-1, keepdims=True).log()) * weights).sum().backward()
    (fused.log_softmax() * weights).sum().backward()
    assert np.allclose(composed.grad, fused.grad, atol=1e-12)


def test_dtypes_integers_become_float_and_float32_stays():
    assert Tensor(3).data.dtype == np.float64 and Tensor([True, False]).data.dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).data.dtype == np.float32
    assert Tensor(1.5).shape == () and repr(Tensor(np.ones((2, 3)))) == "Tensor(shape=(2, 3), dtype=float64)"


@pytest.mark.parametrize("bad, says", [
    ("3.0", "strings are not numbers"),
    (np.array([1, "a"], dtype=object), "dtype object"),
    (np.array([1 + 2j]), "dtype complex128"),
    ([[1.0, 2.0], [3.0]], "must be numbers or an array of numbers"),
    (None, "dtype object"),
])
def test_bad_data_is_refused_clearly(bad, says):
    with pytest.raises(TypeError, match=says):
        Tensor(bad)


def test_a_tensor_of_a_tensor_and_a_tensor_exponent_are_refused():
    with pytest.raises(TypeError, match="got a Tensor"):
        Tensor(Tensor(1.0))
    with pytest.raises(TypeError, match="takes a number as exponent"):
        Tensor(2.0) ** Tensor(3.0)
    with pytest.raises(TypeError, match="dtype"):
        Tensor(1.0) + "a"


def test_matmul_needs_matrices_and_accumulate_needs_the_shape():
    with pytest.raises(ValueError, match=r"two 2-D tensors, got shapes \(3,\) and \(3, 2\)"):
        Tensor(np.ones(3)) @ Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"shape \(4, 3\) arrived at a tensor of shape \(1, 3\).*sum_to_shape"):
        Tensor(np.zeros((1, 3))).accumulate(np.ones((4, 3)))


def test_the_first_gradient_is_stored_as_a_copy():
    x, g = Tensor(np.zeros(3)), np.ones(3)
    x.accumulate(g)
    x.accumulate(g)
    assert np.array_equal(g, np.ones(3)) and np.array_equal(x.grad, [2.0, 2.0, 2.0])


def test_operations_keep_the_subclass():
    class Mine(Tensor):
        pass

    x = Mine(np.ones((2, 2)))
    results = [x + 1, 1 - x, x * x, x @ x, x.T, x.sum(), x.mean(axis=0), x.max(axis=1), x.relu(), x.exp(),
               (x + 1).log(), x ** 2, x / 2, x.reshape(4), x.log_softmax()]
    assert all(type(result) is Mine for result in results)


def test_a_spiral_model_matches_nncore_layers_in_float64():
    from nncore import Dense, ReLU, SoftmaxCategoricalCrossentropy
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((20, 2)), rng.integers(0, 3, 20)
    dense1, relu, dense2, loss = Dense(2, 8, rng=rng), ReLU(), Dense(8, 3, rng=rng), SoftmaxCategoricalCrossentropy()
    with gradcheck.float64_dot():
        value = loss.forward(dense2.forward(relu.forward(dense1.forward(X))), y)
        dense1.backward(relu.backward(dense2.backward(loss.backward(loss.output, y))))
    W1, b1, W2, b2 = (Tensor(a.copy()) for a in (dense1.weights, dense1.biases, dense2.weights, dense2.biases))
    logits = (Tensor(X) @ W1 + b1).relu() @ W2 + b2
    mean_loss = -(logits.log_softmax() * np.eye(3)[y]).sum() / len(y)
    mean_loss.backward()
    assert abs(mean_loss.data - value) < 1e-12
    for tensor, expected in ((W1, dense1.dweights), (b1, dense1.dbiases), (W2, dense2.dweights),
                             (b2, dense2.dbiases)):
        assert np.max(np.abs(tensor.grad - expected)) < 1e-12
