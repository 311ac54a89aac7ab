"""10_real_data's checks refuse the usual wrong answers, each with a message that names the mistake."""
import functools
import math

import numpy as np
import pytest

import nncore
from nncore import Adam, CategoricalAccuracy, CategoricalCrossentropy, Dense, ReLU, Softmax
from nncore.datasets import load_digits_split, scale_pixels, train_val_test_split
from wrong_answers import cases, refusal


def scaled_with(choose_m, unit=False, dtype=np.float32, keep_train=True):
    """A scale_splits whose m is ``choose_m(split, train, others)``."""
    def scale_splits(train, *others):
        splits = (train, *others) if keep_train else others
        out = []
        for split in splits:
            m = choose_m(split, train, others)
            out.append((split / m if unit else (split - m / 2) / (m / 2)).astype(dtype))
        return tuple(out)
    return scale_splits


def two_permutations(X, y):
    return X[np.random.permutation(len(X))], y[np.random.permutation(len(y))]


def only_X(X, y):
    return X[np.random.permutation(len(X))], y


def in_place(X, y):
    state = np.random.get_state()
    np.random.shuffle(X)
    np.random.set_state(state)
    np.random.shuffle(y)
    return X, y


def another_generator(X, y):
    keys = np.random.default_rng(0).permutation(len(X))
    return X[keys], y[keys]


def confusion(fill):
    def confusion_matrix(y_true, y_pred, n_classes):
        matrix = np.zeros((n_classes, n_classes), dtype=int)
        np.add.at(matrix, (y_true, y_pred), 1)
        return fill(matrix, y_true, y_pred)
    return confusion_matrix


def scaled_in_place(train, *others):
    half = train.max() / 2
    scaled = []
    for split in (train, *others):
        split -= half
        split /= half
        scaled.append(split.astype(np.float32))
    return tuple(scaled)


def fancy_indexed(y_true, y_pred, n_classes):
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    matrix[y_true, y_pred] += 1  # a pair that repeats is added once
    return matrix


def sized_by_labels(y_true, y_pred, n_classes):
    size = int(max(y_true.max(), y_pred.max())) + 1
    matrix = np.zeros((size, size), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


@functools.lru_cache(maxsize=None)
def digits():
    """The chapter's splits, scaled and shuffled as it does, and a small model trained for a few epochs."""
    X_train, y_train, X_test, y_test = load_digits_split(test_size=0.2, random_state=0)
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(X_train, y_train, val=0.2, test=0, rng=0)
    X_train, X_val, X_test = (scale_pixels(X, 16) for X in (X_train, X_val, X_test))
    return X_train, y_train, X_val, y_val, X_test, y_test


def small_model(X, y, epochs=3, validation_data=None):
    np.random.seed(0)
    model = nncore.Model(Dense(64, 32), ReLU(), Dense(32, 10), Softmax(), loss=CategoricalCrossentropy(),
                         optimizer=Adam(learning_rate=0.01), accuracy=CategoricalAccuracy())
    model.train(X, y, epochs=epochs, batch_size=64, verbose=False, print_every=epochs, validation_data=validation_data)
    return model


@functools.lru_cache(maxsize=None)
def trained():
    X_train, y_train, X_val, y_val, _, _ = digits()
    return small_model(X_train, y_train)


def evaluate_arguments(wrong):
    _, _, X_val, y_val, _, _ = digits()
    return wrong, trained(), X_val, y_val


def hits(model, X, y):
    return np.argmax(model.predict(X), axis=1) == y


def batch_means(model, X, y, batch_size, drop_last=False):
    correct = hits(model, X, y)
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    return [correct[start:start + batch_size].mean() for start in range(0, stop, batch_size)]


def challenge_arguments(wrong):
    return (wrong, *digits())


def validated_on_the_test_split(X_train, y_train, X_val, y_val):
    _, _, _, _, X_test, y_test = digits()
    model = small_model(X_train, y_train, validation_data=(X_test, y_test))
    return model, {"choice": "small", "validation_accuracy": model.history["val_accuracy"][-1]}


def recorded_test_accuracy(X_train, y_train, X_val, y_val):
    _, _, _, _, X_test, y_test = digits()
    model = small_model(X_train, y_train, validation_data=(X_val, y_val))
    return model, {"choice": "small", "validation_accuracy": model.evaluate(X_test, y_test, verbose=False)[1]}


def without_validation(X_train, y_train, X_val, y_val):
    return small_model(X_train, y_train), {"choice": "small", "validation_accuracy": 0.9}


def trained_on_the_validation_split_too(X_train, y_train, X_val, y_val):
    model = small_model(np.concatenate([X_train, X_val]), np.concatenate([y_train, y_val]), epochs=30,
                        validation_data=(X_val, y_val))
    return model, {"choice": "train + val", "validation_accuracy": model.history["val_accuracy"][-1]}


def too_weak(X_train, y_train, X_val, y_val):
    model = small_model(X_train, y_train, epochs=1, validation_data=(X_val, y_val))
    return model, {"choice": "one epoch", "validation_accuracy": model.history["val_accuracy"][-1]}


X_TEST = None  # bound to the test split by peeking_arguments, as a notebook's global would be


def peeking_arguments():
    global X_TEST
    X_TEST = digits()[4]
    return challenge_arguments(peeking_at_the_test_split)


def peeking_at_the_test_split(X_train, y_train, X_val, y_val):
    model = small_model(X_train, y_train, validation_data=(X_val, y_val))
    predict = model.predict(X_TEST)  # chooses nothing, but the test split has been looked at
    return model, {"choice": f"small, {len(predict)}", "validation_accuracy": model.history["val_accuracy"][-1]}


def model_only(X_train, y_train, X_val, y_val):
    return small_model(X_train, y_train, epochs=1, validation_data=(X_val, y_val))


def record_without_keys(X_train, y_train, X_val, y_val):
    return small_model(X_train, y_train, epochs=1, validation_data=(X_val, y_val)), {"accuracy": 0.9}


WRONG_ANSWERS = {
    "check_scale_splits": [
        ("every split scaled with its own largest value", lambda: (scaled_with(lambda split, train, others: split.max()),),
         "its own largest value"),
        ("m from the test split", lambda: (scaled_with(lambda split, train, others: others[-1].max()),),
         "the test split's largest value"),
        ("m from all the splits together",
         lambda: (scaled_with(lambda split, train, others: max(s.max() for s in (train, *others))),),
         "all the splits together"),
        ("a fixed 16", lambda: (scaled_with(lambda split, train, others: 16),), "16, the digits' bound"),
        ("mapped to [0, 1]", lambda: (scaled_with(lambda split, train, others: train.max(), unit=True),), "[0, 1]"),
        ("float64", lambda: (scaled_with(lambda split, train, others: train.max(), dtype=np.float64),), "float32"),
        ("the inputs scaled in place", lambda: (scaled_in_place,), "changed the arrays it was given"),
        ("divided by m, not m/2", lambda: (lambda train, *others: tuple(
            ((split - train.max() / 2) / train.max()).astype(np.float32) for split in (train, *others)),),
         "[-0.5, 0.5]"),
        ("the training part not returned",
         lambda: (scaled_with(lambda split, train, others: train.max(), keep_train=False),), "one array per split"),
    ],
    "check_shuffle_together": [
        ("two different permutations", lambda: (two_permutations,), "two different permutations"),
        ("only X shuffled", lambda: (only_X,), "only X was shuffled"),
        ("only y shuffled", lambda: (lambda X, y: (X, y[np.random.permutation(len(y))]),), "only y was shuffled"),
        ("shuffled in place", lambda: (in_place,), "changed the arrays it was given"),
        ("nothing shuffled", lambda: (lambda X, y: (X.copy(), y.copy()),), "nothing was shuffled"),
        ("another generator", lambda: (another_generator,), "global generator"),
    ],
    "check_n_steps": [
        ("the partial batch dropped", lambda: (lambda n, b: (n // b, b),), "last, smaller batch is dropped"),
        ("N % B as the last batch", lambda: (lambda n, b: (-(-n // b), n % b),), "not 0"),
        ("an extra step when B divides N", lambda: (lambda n, b: (n // b + 1, n % b),), "extra, empty step"),
        ("the last batch always full", lambda: (lambda n, b: (-(-n // b), b),), "not always B"),
        ("the example's answer", lambda: (lambda n, b: (9, 126),), "expected"),
        ("floats from np.ceil", lambda: (lambda n, b: (np.ceil(n / b), n - (np.ceil(n / b) - 1) * b),),
         "not whole numbers (np.ceil"),
    ],
    "check_confusion_matrix": [
        ("transposed: rows predicted", lambda: (confusion(lambda matrix, t, p: matrix.T),),
         "rows and columns are swapped"),
        ("counts per class instead of a matrix", lambda: (lambda y_true, y_pred, n: np.bincount(y_true, minlength=n),),
         "one per class"),
        ("sized by the labels seen", lambda: (sized_by_labels,), "size it by n_classes"),
        ("rows divided by their sums",
         lambda: (confusion(lambda matrix, t, p: matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)),),
         "divided by their sums"),
        ("only the diagonal", lambda: (confusion(lambda matrix, t, p: np.diag(np.diag(matrix))),), "only the diagonal"),
        ("matrix[y_true, y_pred] += 1, repeated pairs added once", lambda: (fancy_indexed,), "once per distinct pair"),
        ("a constant", lambda: (lambda y_true, y_pred, n: np.ones((n, n), dtype=int),), "expected"),
    ],
    "check_evaluate_both": [
        ("a constant (1, 1)", lambda: evaluate_arguments(lambda m, X, y, b: (1, 1)),
         "should be the sample-weighted accuracy"),
        ("the old exercise's constant, three arguments", lambda: evaluate_arguments(lambda m, X, y: (1, 1)),
         "raised TypeError"),
        ("swapped", lambda: evaluate_arguments(
            lambda m, X, y, b: (np.mean(batch_means(m, X, y, b)), hits(m, X, y).mean())), "swapped"),
        ("the weighted accuracy twice", lambda: evaluate_arguments(
            lambda m, X, y, b: (hits(m, X, y).mean(), hits(m, X, y).mean())), "sample-weighted accuracy again"),
        ("the last batch dropped from the mean", lambda: evaluate_arguments(
            lambda m, X, y, b: (hits(m, X, y).mean(), np.mean(batch_means(m, X, y, b, drop_last=True)))),
         "leaves out the last, smaller batch"),
    ],
    "check_precision_recall": [
        ("swapped", lambda: (lambda c: (np.diag(c) / c.sum(axis=1), np.diag(c) / c.sum(axis=0)),), "swapped"),
        ("both divided by the row sums", lambda: (lambda c: (np.diag(c) / c.sum(axis=1), np.diag(c) / c.sum(axis=1)),),
         "both divided by the row sums"),
        ("divided by the total", lambda: (lambda c: (np.diag(c) / c.sum(), np.diag(c) / c.sum(axis=1)),),
         "count of all images"),
        ("the accuracy for every class", lambda: (lambda c: (np.trace(c) / c.sum(), np.trace(c) / c.sum()),),
         "one number for all classes is the accuracy"),
        ("a constant", lambda: (lambda c: (np.ones(len(c)), np.ones(len(c))),), "precision should be"),
    ],
    "check_challenge": [
        ("the test split passed as validation data", lambda: challenge_arguments(validated_on_the_test_split),
         "test split was passed as validation_data"),
        ("the test accuracy recorded", lambda: challenge_arguments(recorded_test_accuracy),
         "the model's accuracy on the TEST split"),
        ("trained without validation data", lambda: challenge_arguments(without_validation), "no validation score"),
        ("a model below the goal", lambda: challenge_arguments(too_weak), "below the goal of 0.97"),
        ("trained on the validation split too", lambda: challenge_arguments(trained_on_the_validation_split_too),
         "trained on the validation split too"),
        ("the model alone", lambda: challenge_arguments(model_only), "(model, record)"),
        ("a record without the keys", lambda: challenge_arguments(record_without_keys), "'choice'"),
        ("the notebook's test split read inside challenger", peeking_arguments, "reads X_TEST, the test split"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch10", check_name, answer())


def test_the_references_pass_their_own_checks(capsys):
    from checks import ch10

    ch10.check_scale_splits.strict(ch10._scale_splits)
    ch10.check_shuffle_together.strict(ch10._shuffle_together)
    ch10.check_n_steps.strict(ch10._n_steps)
    ch10.check_confusion_matrix.strict(ch10._confusion_matrix)
    assert capsys.readouterr().out.count("Correct:") == 4


def test_right_answers_written_differently_pass(capsys):
    from checks import ch10

    ch10.check_scale_splits.strict(lambda train, *others: [(split / (train.max() / 2) - 1).astype(np.float32)
                                                          for split in (train, *others)])
    ch10.check_n_steps.strict(lambda n, b: (math.ceil(n / b), n % b or b))
    ch10.check_confusion_matrix.strict(lambda t, p, k: np.bincount(t * k + p, minlength=k * k).reshape(k, k))
    ch10.check_precision_recall(lambda c: (np.array([c[k, k] / c[:, k].sum() for k in range(len(c))]),
                                           np.array([c[k, k] / c[k].sum() for k in range(len(c))])))
    assert capsys.readouterr().out.count("Correct:") == 4


def test_the_checks_leave_the_global_random_stream_alone():
    from checks import ch10

    np.random.seed(5)
    expected = np.random.rand(3)
    np.random.seed(5)
    ch10.check_shuffle_together.strict(ch10._shuffle_together)
    assert np.array_equal(np.random.rand(3), expected)
