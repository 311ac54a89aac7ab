"""Checks for the exercises of 09_model."""
import numpy as np

from nncore import BinaryCrossentropy, CategoricalCrossentropy, Dense, Model, ReLU, Sigmoid, Softmax

from . import correct, expect


def check_build(build):
    cls = build(Softmax(), CategoricalCrossentropy())
    binary = build(Sigmoid(), BinaryCrossentropy())
    for name, model in (("cls", cls), ("bin", binary)):
        expect(getattr(model, "finalized", False), f"the {name} model is not finalized: call finalize()")
    expect(cls.softmax_classifier_output is not None,
           "the softmax + categorical cross-entropy model should use the combined shortcut")
    expect(binary.softmax_classifier_output is None, "the sigmoid model must not use the softmax shortcut")
    correct("only the softmax + cross-entropy model uses the combined gradient")


def check_functional_twin(functional_twin, source):
    twin = functional_twin(source)
    X = np.random.default_rng(12).standard_normal((20, 2)).astype(np.float32)
    got, expected = twin.predict(X), source.predict(X)
    expect(got.shape == expected.shape, f"expected predictions of shape {expected.shape}, got {got.shape}")
    expect(np.array_equal(got, expected), "the predictions differ: copy every layer's weights and biases")
    correct("the functional twin predicts exactly what the sequential model predicts")


def check_total_parameters(total_parameters):
    for sizes, expected in (((2, 64, 3), 387), ((784, 128, 10), 101770), ((1, 1), 2)):
        model = Model()
        for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            model.add(Dense(n_in, n_out, rng=np.random.default_rng(index)))
            model.add(ReLU())
        model.finalize()
        got = total_parameters(model)
        expect(got == expected, f"a {sizes} network has {expected} parameters, got {got}"
               + (" (did you forget the biases?)" if got == expected - sum(sizes[1:]) else ""))
    correct("total_parameters counts weights and biases")


def check_pairing_error(pairing_error):
    error = pairing_error()
    expect(isinstance(error, ValueError), f"expected the ValueError from compile, got {error!r}")
    expect("categorical_crossentropy" in str(error), f"unexpected message: {error}")
    correct(f"compile refused it: {error}")
