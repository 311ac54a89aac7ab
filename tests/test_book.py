import nncore
from nncore import book


def test_book_names_are_the_same_objects():
    assert book.Layer_Dense is nncore.Dense
    assert book.Layer_Dropout is nncore.Dropout
    assert book.Activation_Softmax is nncore.Softmax
    assert book.Activation_Softmax_Loss_CategoricalCrossentropy is nncore.SoftmaxCategoricalCrossentropy
    assert book.Optimizer_Adam is nncore.Adam
    assert book.Accuracy_Categorical is nncore.CategoricalAccuracy


def test_star_import_gives_every_alias():
    namespace = {}
    exec("from nncore.book import *", namespace)
    assert set(book.__all__) <= set(namespace)
    assert all(name[0].isupper() for name in book.__all__)


def test_every_registered_nncore_class_has_a_book_name():
    registered = {cls for classes in nncore.registry.CLASSES.values() for cls in classes.values()
                  if cls.__module__.startswith("nncore.")}
    assert registered <= set(book.book_names().values())
    assert book.Activation_Swish is nncore.Swish and book.Loss_MeanSquaredError is nncore.MeanSquaredError
    assert book.Layer_Input is nncore.Input and book.Accuracy_Regression is nncore.RegressionAccuracy
