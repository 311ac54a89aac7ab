import numpy as np

import nncore
from nncore import book


def test_book_names_are_the_same_objects():
    assert book.Layer_Dense is nncore.Dense
    assert issubclass(book.Layer_Dropout, nncore.Dropout) and issubclass(book.Activation_Sigmoid, nncore.Sigmoid)
    assert book.Activation_Softmax is nncore.Softmax
    assert book.Activation_Softmax_Loss_CategoricalCrossentropy is nncore.SoftmaxCategoricalCrossentropy
    assert book.Optimizer_Adam is nncore.Adam
    assert book.Accuracy_Categorical is nncore.CategoricalAccuracy


def test_star_import_gives_every_alias():
    namespace = {}
    exec("from nncore.book import *", namespace)
    assert set(book.__all__) <= set(namespace)
    assert all(name[0].isupper() for name in book.__all__)


def test_every_registered_nncore_class_but_the_schedules_has_a_book_name():
    registered = {cls for kind, classes in nncore.registry.CLASSES.items() if kind != "schedule"
                  for cls in classes.values()
                  if cls.__module__.startswith("nncore.") and cls.__module__ != "nncore.book"}
    named = set(book.book_names().values())
    assert all(any(issubclass(each, cls) for each in named) for cls in registered)
    assert book.Activation_Swish is nncore.Swish and book.Loss_MeanSquaredError is nncore.MeanSquaredError
    assert book.Layer_Input is nncore.Input and book.Accuracy_Regression is nncore.RegressionAccuracy


def test_the_books_dropout_trains_by_default_keeps_rate_as_the_kept_fraction_and_draws_the_books_mask():
    dropout = book.Layer_Dropout(0.1)
    assert dropout.rate == 0.9 and dropout.config() == {"rate": 0.1}
    inputs = np.ones((50, 4), dtype=np.float32)
    np.random.seed(3)
    dropout.forward(inputs)
    np.random.seed(3)
    expected = np.random.binomial(1, 0.9, size=inputs.shape) / 0.9
    assert dropout.binary_mask.dtype == np.float64
    np.testing.assert_array_equal(dropout.output, inputs * expected)
    np.testing.assert_array_equal(dropout.backward(np.ones((50, 4))), expected)
    np.testing.assert_array_equal(dropout.forward(inputs, training=False), inputs)


def test_the_books_sigmoid_uses_the_books_formula():
    z = np.array([[-3.0, 0.0, 2.5]], dtype=np.float32)
    np.testing.assert_array_equal(book.Activation_Sigmoid().forward(z), 1 / (1 + np.exp(-z)))
    assert nncore.gradcheck.check_layer(book.Activation_Sigmoid(), z)["dinputs"] < 1e-6


def test_a_model_with_the_books_dropout_saves_and_loads(tmp_path):
    model = nncore.Model(nncore.Dense(2, 4), book.Layer_Dropout(0.2), nncore.Dense(4, 2), book.Activation_Sigmoid(),
                         loss=nncore.BinaryCrossentropy(), optimizer=nncore.Adam(), accuracy=nncore.CategoricalAccuracy(binary=True))
    loaded = nncore.Model.load(model.save(tmp_path / "book_model"))
    assert [repr(layer) for layer in loaded.layers] == [repr(layer) for layer in model.layers]
    assert loaded.layers[1].rate == 0.8


def test_the_books_dropout_passes_the_gradient_check_in_both_modes():
    inputs = np.random.default_rng(0).standard_normal((6, 4))
    for training in (True, False):
        assert nncore.gradcheck.check_layer(book.Layer_Dropout(0.3), inputs, training=training)["dinputs"] < 1e-6
