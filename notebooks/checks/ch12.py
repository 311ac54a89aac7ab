"""Checks for 12_autograd: the learner's pieces of the Tensor (accumulate, backward, sum_to_shape, +, *, @) and
the exercises.

A method is checked alone: the check grafts it onto a subclass of nncore's finished ``autograd.Tensor`` and
builds small graphs with it, on random shapes and values, so that one unfinished piece never fails another's check.
For an operation, the check sets ``out.grad`` itself and runs ``out._backward()``: what arrives at the operands is
then exactly the operation's own backward.
"""
import numpy as np

from nncore import autograd

from . import NotWrittenYet, call, correct, expect, expect_close, expect_shape, piece, plain


def _sizes(rng, count, low=2, high=8):
    """``count`` different whole numbers in [low, high): a mix-up of two axes then shows in a shape."""
    return [int(size) for size in rng.choice(np.arange(low, high), size=count, replace=False)]


def _method(tensor_class, name):
    """The learner's ``tensor_class.<name>``, after making sure the class can be called at all."""
    call(tensor_class, np.zeros(2), returns="a Tensor holding the array", name="Tensor")
    method = getattr(tensor_class, name, None)
    expect(method is not None, f"Tensor has no method {name}: run the cell that defines it, then this check")
    expect(method is not getattr(autograd.Tensor, name, None),
           f"Tensor.{name} is still nncore's own: run the cell that defines yours, then this check")
    return method


def _probe(**methods):
    """nncore's Tensor with the learner's ``methods`` in place of its own."""
    return type("Tensor", (autograd.Tensor,), dict(methods))


def _array(value, what):
    expect(value is not None, f"{what} is None: no gradient arrived")
    return np.array(value, dtype=np.float64)


# ---------------------------------------------------------------- accumulate ---------------------------------

@piece(lambda: autograd.Tensor)
def check_accumulate(tensor_class):
    """Tensor.accumulate(grad): the first gradient becomes self.grad (a copy), every later one is added to it."""
    Probe = _probe(accumulate=_method(tensor_class, "accumulate"))
    rng = np.random.default_rng(121)
    for case in range(3):
        shape = tuple(_sizes(rng, 2))
        tensor = Probe(rng.standard_normal(shape))
        shares = [rng.standard_normal(shape) for _ in range(3)]
        kept = [share.copy() for share in shares]
        call(tensor.accumulate, shares[0], returns="nothing, after storing grad in self.grad",
             name="Tensor.accumulate")
        first = _array(tensor.grad, "self.grad after accumulate(grad) on a tensor with no gradient yet")
        expect_shape("self.grad (the tensor's shape)", first, shape)
        expect_close("self.grad after one gradient", first, kept[0], rtol=1e-12)
        for share in shares[1:]:
            call(tensor.accumulate, share, returns="nothing, after adding grad to self.grad",
                 name="Tensor.accumulate")
        expect(np.array_equal(shares[0], kept[0]),
               "the first gradient's array changed when the next ones arrived: self.grad was that very array "
               "(self.grad = grad), so += wrote into it, and it belongs to the tensor that sent it; store a copy "
               "the first time (grad.copy())")
        total = _array(tensor.grad, "self.grad after three gradients")
        if not np.allclose(total, sum(kept)):
            expect(not np.allclose(total, kept[-1]),
                   "after three gradients self.grad holds only the last: each one replaced the one before (=), "
                   "instead of being added to it (+=); a tensor used three times must get all three shares")
            expect(not np.allclose(total, kept[0]),
                   "after three gradients self.grad holds only the first: add the ones that arrive later")
            expect(not np.allclose(total, kept[0] * kept[1] * kept[2]),
                   "the gradients were multiplied: the shares of the paths add up")
        expect_close("self.grad after three gradients", total, sum(kept), rtol=1e-12)
    correct("Tensor.accumulate stores the first gradient as a copy and adds the others, on 3 random shapes")


# ---------------------------------------------------------------- topological order and backward -------------

def _watch(root, tensors):
    """Wrap every tensor's _backward to catch a closure that runs twice or before its gradient has arrived."""
    ran = set()
    for tensor in tensors:
        def watched(tensor=tensor, original=tensor._backward):
            if tensor is root:
                expect(tensor.grad is not None, "the output's gradient was never seeded: before the walk, "
                                                "backward() must put the given gradient (1 for a scalar) in self.grad")
            expect(id(tensor) not in ran,
                   "one tensor's _backward ran twice in one backward(): it was passed on twice, so its parents "
                   "got its gradient twice; run each tensor's closure once (it appears once in the order)")
            expect(tensor.grad is not None,
                   "a tensor's _backward ran before any gradient had arrived at it (its grad was None): run the "
                   "closures in *reversed* topological order, from the output back to the leaves")
            ran.add(id(tensor))
            original()
        tensor._backward = watched
    return ran


def _fan_out_graph(Tensor, rng):
    a, b = Tensor(rng.uniform(0.5, 2.0)), Tensor(rng.uniform(-2.0, -0.5))
    c = a * b
    d = c + a
    return a, b, (d * c)


def _check_order(order_function, Probe, rng):
    a, b, e = _fan_out_graph(Probe, rng)
    d, c = e.parents
    order = list(call(order_function, e, returns="a list of the 5 tensors e was computed from, e last",
                      name="topological_order"))
    ids = [id(tensor) for tensor in order]
    expect(len(set(ids)) == len(ids),
           "topological_order(e) lists a tensor more than once: c = a·b is used by d and by e, so the search "
           "reaches it twice; keep a set of the tensors already visited and skip them")
    expect(set(ids) == {id(t) for t in (a, b, c, d, e)},
           f"topological_order(e) for e = (a·b + a)·(a·b) must list its 5 tensors a, b, a·b, a·b + a and e, got "
           f"{len(order)} tensors")
    position = {tensor_id: index for index, tensor_id in enumerate(ids)}
    expect(all(position[id(parent)] < position[id(tensor)] for tensor in order for parent in tensor.parents),
           "topological_order puts a tensor before one of its parents: add a tensor to the list only after all "
           "its parents are in it (visit the parents first, then append)")
    # n is both a parent of r and an ancestor of r's other parent 2n: a breadth-first search, reversed, lists 2n
    # before n, which the graph above cannot show.
    n = Probe(rng.uniform(0.5, 2.0)) * 3.0
    doubled = n * 2.0
    r = n + doubled
    order = list(call(order_function, r, returns="a list of the tensors r was computed from, r last",
                      name="topological_order"))
    position = {id(tensor): index for index, tensor in enumerate(order)}
    expect(id(n) in position and id(doubled) in position and position[id(n)] < position[id(doubled)],
           "topological_order(r) for n = 3a, r = n + 2n lists 2n before n, one of its parents: a breadth-first "
           "search, reversed, is not a topological order; visit a tensor's parents depth first and append the "
           "tensor after them")


@piece(lambda: autograd.Tensor)
def check_backward(tensor_class, order_function):
    """topological_order(root), then Tensor.backward(gradient=None): seed, reverse order, each closure once."""
    Probe = _probe(backward=_method(tensor_class, "backward"))
    rng = np.random.default_rng(122)
    _check_order(order_function, Probe, rng)
    for case in range(3):
        a, b, e = _fan_out_graph(Probe, rng)
        ran = _watch(e, autograd.topological_order(e))
        call(e.backward, returns="nothing, after filling in the grad of every tensor e was computed from",
             name="e.backward")
        ra, rb = autograd.Tensor(a.data.copy()), autograd.Tensor(b.data.copy())
        ((ra * rb + ra) * (ra * rb)).backward()
        got = _array(a.grad, "a.grad after e.backward()")
        expect(not np.allclose(got, 0.0) or np.allclose(ra.grad, 0.0),
               "every gradient came out 0: the seed, ∂e/∂e, is 1, not 0")
        expect_close("a.grad for e = (a·b + a)·(a·b)", got, ra.grad, rtol=1e-10)
        expect_close("b.grad for e = (a·b + a)·(a·b)", _array(b.grad, "b.grad"), rb.grad, rtol=1e-10)
        first = got.copy()
        ran.clear()
        call(e.backward, returns="nothing, after adding to the leaves' gradients", name="a second e.backward")
        again = _array(a.grad, "a.grad after a second backward()")
        if not np.allclose(again, 2 * first):
            raise AssertionError(
                f"after a second e.backward() a.grad is {again / first:.3g} times the first, not 2: the leaves "
                "add the new gradients (as in PyTorch), but the inner tensors must start afresh; set grad = None "
                "on every tensor that has parents before seeding")
    x = Probe(rng.standard_normal((2, 3)))
    y = x * 2.0
    try:
        y.backward()
    except NotImplementedError as stub:
        raise NotWrittenYet(str(stub)) from None
    except ValueError:
        pass
    except Exception as error:
        raise AssertionError(f"y.backward() on a tensor of shape (2, 3) with no gradient raised "
                             f"{type(error).__name__}: {error}; it should raise ValueError saying that a tensor "
                             "that is not a scalar needs gradient=") from None
    else:
        raise AssertionError("y.backward() on a tensor of shape (2, 3) without a gradient went through: only a "
                             "scalar has an obvious seed (1); raise ValueError asking for gradient=")
    given = rng.standard_normal((2, 3))
    x.grad = None
    call(y.backward, given, returns="nothing, after filling in x.grad", name="y.backward")
    got = _array(x.grad, "x.grad after y.backward(gradient)")
    expect(not np.allclose(got, 2.0), "y.backward(gradient) ignored the gradient it was given: seed self.grad "
                                      "with it (ones only when it is left out)")
    expect_close("x.grad for y = 2x after y.backward(gradient)", got, 2 * given, rtol=1e-10)
    correct("topological_order and Tensor.backward give the gradients of a graph with fan-out, twice, and of a "
            "non-scalar with its gradient")


# ---------------------------------------------------------------- sum_to_shape -------------------------------

@piece(lambda: autograd.sum_to_shape)
def check_sum_to_shape(sum_to_shape):
    """sum_to_shape(grad, shape): sum over the leading axes broadcasting added and over the stretched size-1 axes."""
    rng = np.random.default_rng(123)
    n, m, k = _sizes(rng, 3)
    cases = [((n, m), (1, m)), ((n, m), (m,)), ((k, n, m), (n, 1)), ((n, m), (n, 1)), ((n, m), (n, m)),
             ((n, m), ())]
    for grad_shape, shape in cases:
        grad = rng.standard_normal(grad_shape)
        got = call(sum_to_shape, grad.copy(), shape, returns=f"an array of shape {shape}", name="sum_to_shape")
        got = np.asarray(got, dtype=np.float64)
        expected = autograd.sum_to_shape(grad, shape)
        where = f"sum_to_shape(grad of shape {grad_shape}, {shape})"
        if got.shape != shape:
            expect(got.ndim <= len(shape) or len(grad_shape) == len(shape),
                   f"{where} gave shape {got.shape}: the leading axes that broadcasting put in front must be "
                   "summed away too")
            expect(not (got.shape == grad_shape and grad_shape != shape),
                   f"{where} returned the gradient unsummed, shape {grad_shape}: every copy that broadcasting made "
                   "of a value sends back a share, so sum over the axes it was copied along")
            expect(got.shape != tuple(size for size in shape if size != 1) or 1 not in shape,
                   f"{where} gave shape {got.shape}: sum the stretched size-1 axes with keepdims=True, so that "
                   f"they stay, as in {shape}")
            expect_shape(where, got, shape)
        expect(not np.allclose(got * (grad.size / max(np.prod(shape, dtype=int), 1)), expected)
               or grad.size == np.prod(shape, dtype=int),
               f"{where} is an average: the gradient of a value copied N times is the *sum* of the N shares, "
               "not their mean")
        expect_close(where, got, expected, rtol=1e-10)
    correct("sum_to_shape sums over the added and the stretched axes, on 6 pairs of shapes")


# ---------------------------------------------------------------- + and * ------------------------------------

BROADCAST = ("a gradient of the wrong shape arrived at an operand that was broadcast: sum it back to that "
             "operand's shape with sum_to_shape(..., operand.shape)")


def _operation_backward(method, a, b, grad, label, wrong_shape=BROADCAST):
    """out = method(a, b); out.grad = grad; out._backward(). Returns out."""
    out = call(method, a, b, returns="a new Tensor (numbers on the right become tensors with self.lift)",
               name=f"Tensor.{getattr(method, '__name__', 'the operation')}")
    expect(isinstance(out, autograd.Tensor), f"{label} returned {plain(type(out))}, not a Tensor")
    expect(any(parent is a for parent in out.parents),
           f"{label}: the result's parents do not hold the left operand: pass (self, other) when you make it, or "
           "the walk never reaches them")
    expect(not isinstance(b, autograd.Tensor) or any(parent is b for parent in out.parents),
           f"{label}: the result's parents do not hold the right operand: pass (self, other) when you make it, or "
           "the walk never reaches it and its gradient stays None")
    out.grad = grad
    try:
        call(out._backward, returns="nothing, after passing each operand its share with accumulate",
             name=f"({label})._backward")
    except NotWrittenYet:
        raise
    except AssertionError as error:
        if "arrived at a tensor of shape" in str(error) or "mismatch in its core dimension" in str(error):
            raise AssertionError(f"{label}: {wrong_shape}. ({error})") from None
        raise
    return out


def _shares(label, a, b, expected_a, expected_b):
    for name, tensor, expected in (("a", a, expected_a), ("b", b, expected_b)):
        got = tensor.grad
        expect(got is not None, f"{label}: {name}.grad is None after the result's _backward(): give every "
                                "operand its share with accumulate (and set out._backward to your closure)")
        expect_close(f"{label}: {name}.grad", got, expected, rtol=1e-10, atol=1e-12)


def _broadcast_cases(rng):
    n, m = _sizes(rng, 2)
    return [((n, m), (n, m)), ((n, m), (1, m)), ((n, 1), (n, m)), ((n, m), (m,))]


def _check_add(add, rng):
    Probe = _probe(__add__=add)
    for a_shape, b_shape in _broadcast_cases(rng):
        a, b = Probe(rng.standard_normal(a_shape)), Probe(rng.standard_normal(b_shape))
        grad = rng.standard_normal(np.broadcast_shapes(a_shape, b_shape))
        label = f"a + b with shapes {a_shape} and {b_shape}"
        out = _operation_backward(add, a, b, grad, label)
        expect_close(f"{label}: the result", out.data, a.data + b.data, rtol=1e-10)
        expect(a.grad is None or not np.allclose(a.grad, 1.0) or np.allclose(grad, 1.0),
               f"{label}: a.grad is the local derivative 1 alone: multiply by out.grad (the chain rule)")
        _shares(label, a, b, autograd.sum_to_shape(grad, a_shape), autograd.sum_to_shape(grad, b_shape))
    a = Probe(rng.standard_normal((3, 2)))
    grad = rng.standard_normal((3, 2))
    _operation_backward(add, a, a, grad, "a + a")
    expect(not np.allclose(a.grad, grad), "a + a gave a.grad = out.grad, one operand's share: hand each share to "
                                          "accumulate, which adds them; setting .grad replaces the share before")
    expect_close("a + a: a.grad", a.grad, 2 * grad, rtol=1e-10)
    a = Probe(rng.standard_normal((3, 2)))
    _operation_backward(add, a, 2.0, grad, "a + 2.0")
    expect_close("a + 2.0: a.grad", _array(a.grad, "a + 2.0: a.grad"), grad, rtol=1e-10)


def _check_mul(mul, rng):
    Probe = _probe(__mul__=mul)
    for a_shape, b_shape in _broadcast_cases(rng):
        a, b = Probe(rng.standard_normal(a_shape)), Probe(rng.standard_normal(b_shape))
        grad = rng.standard_normal(np.broadcast_shapes(a_shape, b_shape))
        label = f"a * b with shapes {a_shape} and {b_shape}"
        out = _operation_backward(mul, a, b, grad, label)
        expect_close(f"{label}: the result", out.data, a.data * b.data, rtol=1e-10)
        expected_a = autograd.sum_to_shape(grad * b.data, a_shape)
        if a.grad is not None and not np.allclose(a.grad, expected_a):
            expect(not np.allclose(a.grad, autograd.sum_to_shape(grad * a.data, a_shape)),
                   f"{label}: a got out.grad times a itself: each operand's gradient is out.grad times the *other* "
                   "operand, since ∂(ab)/∂a = b")
            expect(not np.allclose(a.grad, autograd.sum_to_shape(np.broadcast_to(b.data, grad.shape), a_shape)),
                   f"{label}: a.grad is b alone, the local derivative: multiply it by out.grad (the chain rule)")
        _shares(label, a, b, expected_a, autograd.sum_to_shape(grad * a.data, b_shape))
    a = Probe(rng.standard_normal((3, 2)))
    grad = rng.standard_normal((3, 2))
    _operation_backward(mul, a, a, grad, "a * a")
    expect(not np.allclose(a.grad, grad * a.data),
           "a * a gave a.grad = out.grad · a, one operand's share: hand each share to accumulate, which adds them "
           "(the derivative of a² is 2a); setting .grad replaces the share before")
    expect_close("a * a: a.grad", a.grad, 2 * grad * a.data, rtol=1e-10)
    a = Probe(rng.standard_normal((3, 2)))
    _operation_backward(mul, a, 3.0, grad, "a * 3.0")
    expect_close("a * 3.0: a.grad", _array(a.grad, "a * 3.0: a.grad"), 3 * grad, rtol=1e-10)


@piece(lambda: autograd.Tensor)
def check_add_mul(tensor_class):
    """Tensor.__add__ and Tensor.__mul__: shares out.grad and out.grad times the other operand, summed to shape."""
    add, mul = _method(tensor_class, "__add__"), _method(tensor_class, "__mul__")
    rng = np.random.default_rng(124)
    _check_add(add, rng)
    _check_mul(mul, rng)
    correct("+ and * give each operand its share, summed back over broadcast axes, added up for a + a and a * a, "
            "on 4 pairs of shapes")


# ---------------------------------------------------------------- @ ------------------------------------------

MATMUL_SHAPES = ("a gradient of the wrong shape: each operand's gradient has that operand's shape, G Bᵀ is "
                 "(N, m) times (m, k) like A, Aᵀ G is (k, N) times (N, m) like B")


@piece(lambda: autograd.Tensor)
def check_matmul(tensor_class):
    """Tensor.__matmul__: C = A B gives A the gradient G Bᵀ and B the gradient Aᵀ G."""
    matmul = _method(tensor_class, "__matmul__")
    Probe = _probe(__matmul__=matmul)
    rng = np.random.default_rng(125)
    square = int(rng.integers(3, 6))
    shapes = [(square, square, square)] + [tuple(_sizes(rng, 3)) for _ in range(2)]
    for rows, inner, columns in shapes:
        A, B = rng.standard_normal((rows, inner)), rng.standard_normal((inner, columns))
        G = rng.standard_normal((rows, columns))
        a, b = Probe(A), Probe(B)
        label = f"A @ B with A {A.shape} and B {B.shape}"
        out = _operation_backward(matmul, a, b, G, label, wrong_shape=MATMUL_SHAPES)
        expect_close(f"{label}: the result", out.data, A @ B, rtol=1e-10)
        dA, dB = _array(a.grad, f"{label}: A.grad"), _array(b.grad, f"{label}: B.grad")
        expect(not (dA.shape == (inner, columns) and rows != inner),
               f"{label}: A.grad has shape {dA.shape}, B's: the gradients were swapped; A gets G Bᵀ, B gets Aᵀ G")
        for got, name, expected, mistakes in (
                (dA, "A.grad", G @ B.T, [(G, B, "A.grad is G B: it is G Bᵀ, (N, m) times (m, k), from "
                                                "∂C_ij/∂A_ik = B_kj"),
                                         (A.T, G, "A.grad is Aᵀ G, B's gradient: the two were swapped; A gets G Bᵀ"),
                                         (B.T, G, "A.grad is Bᵀ G: the factors are in the wrong order; it is G Bᵀ, "
                                                  "(N, m) times (m, k)")]),
                (dB, "B.grad", A.T @ G, [(G.T, A, "B.grad is Gᵀ A, the transpose of Aᵀ G: B's gradient has B's "
                                                  "shape, (k, N) times (N, m)"),
                                         (G, B.T, "B.grad is G Bᵀ, A's gradient: the two were swapped; B gets Aᵀ G")])):
            expect_shape(f"{label}: {name} (the shape of its operand)", got, expected.shape)
            if not np.allclose(got, expected):
                for left, right, message in mistakes:
                    aligned = left.shape[1] == right.shape[0] and (left.shape[0], right.shape[1]) == got.shape
                    expect(not (aligned and np.allclose(got, left @ right)), f"{label}: {message}")
            expect_close(f"{label}: {name}", got, expected, rtol=1e-10)
    A = rng.standard_normal((square, square))
    G = rng.standard_normal((square, square))
    a = Probe(A)
    _operation_backward(matmul, a, a, G, "A @ A", wrong_shape=MATMUL_SHAPES)
    expect(not (np.allclose(a.grad, G @ A.T) or np.allclose(a.grad, A.T @ G)),
           "A @ A gave A one of its two shares: hand both to accumulate, which adds them (G Aᵀ + Aᵀ G)")
    expect_close("A @ A: A.grad", a.grad, G @ A.T + A.T @ G, rtol=1e-10)
    correct("@ gives A the gradient G Bᵀ and B the gradient Aᵀ G, on 3 pairs of shapes and for A @ A")


# ---------------------------------------------------------------- exercises ----------------------------------

def check_tanh(tensor_class):
    """Exercise: Tensor.tanh, whose backward passes on out.grad · (1 - tanh²)."""
    Probe = _probe(tanh=_method(tensor_class, "tanh"))
    rng = np.random.default_rng(126)
    for case in range(3):
        shape = tuple(_sizes(rng, 2))
        x = Probe(rng.standard_normal(shape))
        out = call(x.tanh, returns="a new Tensor holding tanh of the data", name="Tensor.tanh")
        expect(isinstance(out, autograd.Tensor), f"x.tanh() returned {plain(type(out))}, not a Tensor")
        expect_close("x.tanh().data", out.data, np.tanh(x.data), rtol=1e-10)
        expect(any(parent is x for parent in out.parents),
               "x.tanh() has no parent x: make the result with (self,) as its parents, or the walk never reaches x")
        grad = rng.standard_normal(shape)
        out.grad = grad
        call(out._backward, returns="nothing, after passing x its share", name="x.tanh()._backward")
        got = _array(x.grad, "x.grad after the result's _backward() (did you set out._backward?)")
        t = np.tanh(x.data)
        expect(not np.allclose(got, grad * (1 - t)), "x.grad is out.grad · (1 - tanh): the derivative of tanh is "
                                                     "1 - tanh², squared")
        expect(not np.allclose(got, 1 - t ** 2), "x.grad is 1 - tanh² alone, the local derivative: multiply it by "
                                                 "out.grad (the chain rule)")
        expect(not np.allclose(got, grad * (1 - x.data ** 2)),
               "x.grad is out.grad · (1 - x²): the derivative is 1 - tanh(x)², the square of the *output*")
        expect_close("x.grad", got, grad * (1 - t ** 2), rtol=1e-10)
        second = x.tanh()
        second.grad = grad
        call(second._backward, returns="nothing, after adding x's share", name="a second x.tanh()._backward")
        expect(not np.allclose(x.grad, got),
               "a second x.tanh() replaced x.grad instead of adding to it: pass the share with self.accumulate")
        expect_close("x.grad after two uses", x.grad, 2 * grad * (1 - t ** 2), rtol=1e-10)
    correct("Tensor.tanh passes on out.grad · (1 - tanh²) and adds up when x is used twice, on 3 random shapes")


def check_tied_gradient(tied_gradient):
    """Exercise: Y = X W Wᵀ uses W twice, so ∂L/∂W = Xᵀ G W + Gᵀ X W."""
    rng = np.random.default_rng(127)
    for case in range(3):
        samples, n, k = _sizes(rng, 3)
        X, W, G = rng.standard_normal((samples, n)), rng.standard_normal((n, k)), rng.standard_normal((samples, n))
        got = call(tied_gradient, X.copy(), W.copy(), G.copy(), returns=f"∂L/∂W, an array of shape {(n, k)}",
                   name="tied_gradient")
        got = np.asarray(got, dtype=np.float64)
        w = autograd.Tensor(W)
        ((autograd.Tensor(X) @ w @ w.T) * G).sum().backward()
        encoder, decoder = X.T @ G @ W, G.T @ X @ W
        expect(got.shape != (k, n), f"tied_gradient has shape {(k, n)}, Wᵀ's: the second use's gradient is that "
                                    "of Wᵀ, (XW)ᵀ G; transpose it back to W's shape, Gᵀ X W")
        expect_shape("tied_gradient (the shape of W)", got, (n, k))
        expect(not np.allclose(got, encoder), "tied_gradient is Xᵀ G W, the share of the first use (H = X W) "
                                              "alone: W is used twice, so add the share of Y = H Wᵀ, Gᵀ X W")
        expect(not np.allclose(got, decoder), "tied_gradient is Gᵀ X W, the share of the second use (Y = H Wᵀ) "
                                              "alone: W is used twice, so add the share of H = X W, Xᵀ G W")
        expect(not (np.allclose(got, 2 * encoder) or np.allclose(got, 2 * decoder)),
               "tied_gradient is one share twice: the two uses of W give different shares, Xᵀ G W and Gᵀ X W")
        expect_close("tied_gradient", got, w.grad, rtol=1e-9)
    correct("tied_gradient adds the shares of both uses of W and matches the graph's gradient, on 3 random sizes")


def _normalised(x, detach_mean=False, detach_variance=False, epsilon=1e-5):
    mean = x.data.mean(axis=0, keepdims=True) if detach_mean else x.mean(axis=0, keepdims=True)
    centred = x - mean
    variance = ((x.data - x.data.mean(axis=0, keepdims=True)) ** 2).mean(axis=0, keepdims=True) if detach_variance \
        else (centred ** 2).mean(axis=0, keepdims=True)
    return centred / (variance + epsilon) ** 0.5


def _gradient_of(function, X, G):
    x = autograd.Tensor(X.copy())
    (function(x) * G).sum().backward()
    return x.grad


def check_batch_norm(batch_norm):
    """Exercise: x̂ = (x - μ) / √(σ² + ε) per feature, written with tensor operations so the graph finds ∂x̂/∂x."""
    rng = np.random.default_rng(128)
    for case in range(3):
        samples, features = _sizes(rng, 2, low=3)
        X = rng.standard_normal((samples, features)) * rng.uniform(0.5, 3.0, features) + rng.uniform(-2, 2, features)
        X[:, 0] = 5 + 0.01 * X[:, 0]  # a small variance, where ε matters
        x = autograd.Tensor(X.copy())
        out = call(batch_norm, x, returns=f"a Tensor of shape {X.shape}", name="batch_norm")
        expect(isinstance(out, autograd.Tensor), f"batch_norm returned {plain(type(out))}, not a Tensor: build "
                                                 "it from tensor operations, so that the graph can differentiate it")
        expect_shape("batch_norm(x)", out.data, X.shape)
        mean, variance = X.mean(axis=0, keepdims=True), X.var(axis=0, keepdims=True)
        expected = (X - mean) / np.sqrt(variance + 1e-5)
        if not np.allclose(out.data, expected, rtol=1e-9):
            expect(not np.allclose(out.data, (X - mean) / np.sqrt(X.var(axis=0, ddof=1, keepdims=True) + 1e-5)),
                   "batch_norm divides the squared deviations by N - 1: the batch variance is their mean, ÷ N")
            expect(not np.allclose(out.data, (X - mean) / np.sqrt(variance)),
                   "batch_norm has no ε: add 1e-5 to the variance before the square root (a feature with a tiny "
                   "variance otherwise blows up)")
            rows = (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + 1e-5)
            expect(not np.allclose(out.data, rows), "batch_norm normalised each sample (axis 1): normalise each "
                                                    "feature over the batch, axis 0")
            expect_close("batch_norm(x)", out.data, expected, rtol=1e-9)
        G = rng.standard_normal(X.shape)
        (out * G).sum().backward()
        expect(x.grad is not None, "x.grad is None after backward(): the result is not connected to x; compute it "
                                   "from x with tensor operations (x.mean, -, **, /), not from x.data")
        got = np.asarray(x.grad)
        right = _gradient_of(_normalised, X, G)
        if not np.allclose(got, right, rtol=1e-7, atol=1e-9):
            for detach_mean, detach_variance, what in ((True, True, "the mean and the variance"),
                                                       (True, False, "the mean"), (False, True, "the variance")):
                wrong = _gradient_of(lambda t: _normalised(t, detach_mean, detach_variance), X, G)
                expect(not np.allclose(got, wrong, rtol=1e-7, atol=1e-9),
                       f"the values are right but x.grad is not: {what} came from x.data, a constant to the graph, "
                       f"so the gradient misses the paths through it; every x_i moves μ and σ² too, so compute "
                       "them with tensor operations (x.mean(axis=0, keepdims=True), ...)")
        expect_close("x.grad of batch_norm", got, right, rtol=1e-7, atol=1e-9)
    correct("batch_norm normalises each feature and the graph's gradient includes the paths through μ and σ², on 3 "
            "random batches")
