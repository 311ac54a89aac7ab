"""Checks for 10_real_data: the learner's scaling, shuffling, steps per epoch and confusion matrix, and the exercises."""
import numpy as np

from . import call, correct, expect, expect_shape, names_read, piece, plain, seeded


def _scale_splits(train, *others):
    half = train.max() / 2
    return tuple(((split - half) / half).astype(np.float32) for split in (train, *others))


def _shuffle_together(X, y):
    keys = np.arange(len(X))
    np.random.shuffle(keys)
    return X[keys], y[keys]


def _n_steps(n_samples, batch_size):
    steps = -(-n_samples // batch_size)
    return steps, n_samples - (steps - 1) * batch_size


def _confusion_matrix(y_true, y_pred, n_classes):
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


for _reference in (_scale_splits, _shuffle_together, _n_steps, _confusion_matrix):
    _reference.__qualname__ = _reference.__name__.lstrip("_")


def _scaled(split, m):
    return (split - m / 2) / (m / 2)


@piece(lambda: _scale_splits)
def check_scale_splits(scale_splits):
    """scale_splits(train, *others): every split mapped with (x - m/2) / (m/2), m the training part's largest value."""
    rng = np.random.default_rng(100)
    for case in range(3):
        low, middle, high = np.sort(rng.choice(np.r_[6:16, 17:30], size=3, replace=False))
        tops = (low, high, middle)  # training, validation, test: the held-out splits go above the training part
        splits = [rng.integers(0, top + 1, size=(int(rng.integers(3, 9)), int(rng.integers(2, 6)))).astype(float)
                  for top in tops]
        for split, top in zip(splits, tops):
            split[0, 0] = top
        train, validation, test = splits
        given = [split.copy() for split in splits]
        got = call(scale_splits, train, validation, test,
                   returns="a tuple of three float32 arrays: the training part, then the other splits, scaled")
        expect(all(np.array_equal(split, before) for split, before in zip(splits, given)),
               "scale_splits changed the arrays it was given (x -= ... or x /= ... works in place): compute new "
               "arrays, (x - m/2) / (m/2), and leave the splits as they came; the raw pixels are still needed")
        expect(isinstance(got, (tuple, list)) and len(got) == 3,
               f"scale_splits(train, validation, test) should return one array per split, the training part first, "
               f"3 in all; got {plain(got) if not isinstance(got, (tuple, list)) else f'{len(got)} values'}")
        m = train.max()
        candidates = {"its own largest value": None, "the test split's largest value": test.max(),
                      "the largest value of all the splits together": max(tops), "16, the digits' bound": 16,
                      "255, the bound of 8-bit images": 255}
        for name, split, scaled in zip(("training part", "validation split", "test split"), splits, got):
            scaled = np.asarray(scaled)
            expect_shape(f"the scaled {name}", scaled, split.shape)
            if np.allclose(scaled, _scaled(split, m), rtol=1e-5, atol=1e-6):
                expect(scaled.dtype == np.float32,
                       f"the scaled {name} has dtype {scaled.dtype}: return float32, the dtype nnfs.init() gives "
                       f"the network (.astype(np.float32))")
                continue
            if np.allclose(scaled, split / m, rtol=1e-5):
                raise AssertionError(f"the {name} lands in [0, 1] (x / m): subtract m/2 and divide by m/2 for [-1, 1]")
            if np.allclose(scaled, (split - m / 2) / m, rtol=1e-5, atol=1e-6):
                raise AssertionError(f"the {name} lands in [-0.5, 0.5]: after subtracting m/2, divide by m/2, not by "
                                     "m, so that 0 maps to -1 and m to 1")
            for wrong, value in candidates.items():
                value = split.max() if value is None else value
                if value != m and np.allclose(scaled, _scaled(split, value), rtol=1e-5, atol=1e-6):
                    raise AssertionError(
                        f"case {case + 1}: the {name} was scaled with m = {plain(value)}, {wrong}; m is read off the "
                        f"training part only ({plain(m)} here) and applied unchanged to every split, even where "
                        "another split goes above it")
            worst = np.argmax(np.abs(scaled - _scaled(split, m)))
            raise AssertionError(f"case {case + 1}: the {name} should be (x - m/2) / (m/2) with m = {plain(m)}, the "
                                 f"training part's largest value; at flat index {worst} x = {plain(split.flat[worst])} "
                                 f"should give {plain(_scaled(split, m).flat[worst])}, got {plain(scaled.flat[worst])}")
    correct("scale_splits reads m off the training part only and maps every split with it, on 3 sets of splits")


@piece(lambda: _shuffle_together)
def check_shuffle_together(shuffle_together):
    """shuffle_together(X, y): one shuffled array of keys (np.random.shuffle), indexing both X and y."""
    rng = np.random.default_rng(101)
    for case in range(3):
        n, d = int(rng.integers(8, 40)), int(rng.integers(2, 6))
        X = rng.standard_normal((n, d))
        X[:, 0] = np.arange(n)  # the first feature names the sample, so that each row can be traced
        y = rng.permutation(n) + 100 if case == 0 else rng.integers(0, 4, n)
        X_given, y_given = X.copy(), y.copy()
        with seeded(case):
            got = call(shuffle_together, X, y, returns=f"(X_shuffled, y_shuffled), shapes ({n}, {d}) and ({n},)")
        with seeded(case):
            expected_X, expected_y = _shuffle_together(X_given, y_given)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               "shuffle_together should return two arrays, (X_shuffled, y_shuffled)")
        expect(np.array_equal(X, X_given) and np.array_equal(y, y_given),
               "shuffle_together changed the arrays it was given (np.random.shuffle(X) shuffles X itself, in place): "
               "shuffle an array of keys instead and index X and y with it, leaving the inputs as they were")
        X_out, y_out = np.asarray(got[0]), np.asarray(got[1])
        expect_shape("X_shuffled", X_out, X.shape)
        expect_shape("y_shuffled", y_out, y.shape)
        order = X_out[:, 0].astype(int)
        expect(np.array_equal(np.sort(X_out[:, 0]), np.arange(n)) and np.array_equal(X_out, X[order]),
               "the rows of X_shuffled are not X's rows in a new order: shuffle whole rows (samples), not columns "
               "or single values")
        if np.array_equal(X_out, X):
            expect(np.array_equal(y_out, y), "only y was shuffled: X is still in its old order, so the images no "
                                             "longer sit with their labels. Index both with the same keys")
            raise AssertionError("X and y come back in their old order: nothing was shuffled")
        if not np.array_equal(y_out, y[order]):
            expect(not np.array_equal(y_out, y), "only X was shuffled: y is still in its old order, so image i no "
                                                 "longer sits with its label. Index both with the same keys")
            raise AssertionError("X and y were shuffled with two different permutations: each is shuffled, but the "
                                 "images no longer match their labels. Draw one array of keys and index both with it")
        expect(np.array_equal(X_out, expected_X),
               "X and y stay paired, but the order is not the one np.random.shuffle gives an array of keys "
               "0 ... N-1 (np.random.permutation(N) gives the same): use NumPy's global generator and draw once, so "
               "that after np.random.seed(0) the chapter gets the book's order")
    correct("shuffle_together moves X and y with one permutation, the book's draws, and leaves its inputs alone")


@piece(lambda: _n_steps)
def check_n_steps(n_steps):
    """n_steps(n_samples, batch_size) = (ceil(N / B), the size of the last batch), a partial last batch kept."""
    rng = np.random.default_rng(102)
    cases = [(1150, 128), (128, 128), (129, 128), (1, 32), (256, 128), (100, 7)]
    cases += [(int(rng.integers(1, 3000)), int(rng.integers(1, 300))) for _ in range(6)]
    for n, b in cases:
        steps = -(-n // b)
        expected = (steps, n - (steps - 1) * b)
        got = call(n_steps, n, b, returns="(steps, last_batch_size), two whole numbers")
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"n_steps({n}, {b}) should return two numbers, (steps, last_batch_size); got {plain(got)}")
        got = tuple(got)
        expect(all(isinstance(value, (int, np.integer)) for value in got),
               f"n_steps({n}, {b}) returned ("
               + ", ".join(f"{value:.1f}" if isinstance(value, float) else plain(value) for value in got)
               + "), not whole numbers" + (" (np.ceil and / give floats: int(...) them, or use // and math.ceil)"
                                           if any(isinstance(value, float) for value in got) else "")
               + ": the training loop runs range(steps), which needs an int")
        if got == expected:
            continue
        hint = ""
        if n % b and got[0] == n // b:
            hint = " (the last, smaller batch is dropped: ceil(N / B) steps, not N // B)"
        elif n % b == 0 and got[0] == n // b + 1:
            hint = f" (an extra, empty step: {b} divides {n}, so {n // b} full batches cover every sample)"
        elif n % b == 0 and got[1] == 0:
            hint = f" (when B divides N the last batch is a full one of {b} samples, not 0)"
        elif got[0] == steps and got[1] == b:
            hint = f" (the last batch holds what is left after {steps - 1} full ones, not always B)"
        raise AssertionError(f"n_steps({n}, {b}): expected (steps, last batch) = {expected}, got "
                             f"({plain(got[0])}, {plain(got[1])}){hint}")
    correct(f"n_steps gives ceil(N / B) steps and the last batch's size, partial or full, on {len(cases)} cases")


@piece(lambda: _confusion_matrix)
def check_confusion_matrix(confusion_matrix):
    """confusion_matrix(y_true, y_pred, n_classes): (K, K) counts, row = true class, column = predicted class."""
    rng = np.random.default_rng(103)
    for case in range(3):
        n_classes, n = int(rng.integers(3, 7)), int(rng.integers(30, 80))
        y_true = rng.integers(0, n_classes - 1, n)  # the last class never occurs: only n_classes gives the size
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes - 1, n))
        y_pred[:3] = (y_true[:3] + 1) % (n_classes - 1)  # a few one-way confusions, so the matrix is not symmetric
        expected = _confusion_matrix(y_true, y_pred, n_classes)
        got = call(confusion_matrix, y_true, y_pred, n_classes,
                   returns=f"a ({n_classes}, {n_classes}) array of counts")
        got = np.asarray(got)
        expect(got.shape != (n_classes,),
               f"confusion_matrix returned {n_classes} counts, one per class: the matrix is ({n_classes}, "
               f"{n_classes}), one row per true class and one column per predicted class, so that every (true, "
               "predicted) pair has its own count")
        expect(got.shape == (n_classes, n_classes),
               f"expected a ({n_classes}, {n_classes}) matrix for n_classes={n_classes}, got shape {got.shape}"
               + (": size it by n_classes, not by the largest label seen (a class may never occur)"
                  if got.shape == (n_classes - 1, n_classes - 1) else ""))
        if np.array_equal(got, expected):
            expect(np.issubdtype(got.dtype, np.integer), f"the counts have dtype {got.dtype}: count whole numbers "
                                                         "(dtype=int)")
            continue
        expect(not np.array_equal(got, expected.T),
               "rows and columns are swapped: in this chapter row i holds the images whose TRUE class is i and "
               "column j the ones PREDICTED as j, so a 3 read as 8 counts at [3, 8]")
        rows = expected.sum(axis=1, keepdims=True)
        expect(not np.allclose(got, expected / np.maximum(rows, 1)),
               "the rows are divided by their sums: return the counts themselves, whole numbers")
        expect(not np.array_equal(got, np.diag(np.diag(expected))),
               "only the diagonal is filled: every (true, predicted) pair counts, the mistakes too")
        expect(not np.array_equal(got, (expected > 0).astype(int)),
               "every pair that occurs counts 1, however often it occurs: matrix[y_true, y_pred] += 1 adds 1 once per "
               "distinct pair when the pairs repeat. Add them one by one (a loop over zip(y_true, y_pred), or "
               "np.add.at(matrix, (y_true, y_pred), 1))")
        row, column = np.argwhere(got != expected)[0]
        raise AssertionError(f"case {case + 1}: at [{row}, {column}] (true {row}, predicted {column}) expected "
                             f"{plain(expected[row, column])} images, got {plain(got[row, column])}")
    correct("confusion_matrix counts (true, predicted) pairs, rows true, on 3 random label sets")


def check_evaluate_both(evaluate_both, model, X, y):
    """evaluate_both(model, X, y, batch_size) = (sample-weighted accuracy, mean of the batches' accuracies)."""
    first = call(evaluate_both, model, X, y, 50, returns="(the sample-weighted accuracy, the mean of the batch "
                                                        "accuracies), two numbers")
    rng = np.random.default_rng(104)
    cases = [(len(X), 50)]
    for _ in range(3):
        n = int(rng.integers(len(X) // 2, len(X) - 60))
        batch_size = int(rng.integers(20, 60))
        cases.append((n - n % batch_size + int(rng.integers(1, batch_size // 3 + 1)), batch_size))  # a small last batch
    cases.append((200, 40))  # 40 divides 200: both numbers agree
    for n, batch_size in cases:
        Xs, ys = X[:n], y[:n]
        got = first if (n, batch_size) == (len(X), 50) else call(
            evaluate_both, model, Xs, ys, batch_size, returns="two numbers")
        expect(isinstance(got, (tuple, list)) and len(got) == 2 and all(np.ndim(value) == 0 for value in got),
               f"evaluate_both should return two numbers, (weighted, mean of batch means); got {plain(got)}")
        weighted, mean_of_means = float(got[0]), float(got[1])
        hits = np.argmax(model.predict(Xs), axis=1) == ys
        batches = [hits[start:start + batch_size].mean() for start in range(0, n, batch_size)]
        right, plain_mean = hits.mean(), float(np.mean(batches))
        where = f"on {n} samples in batches of {batch_size} (the last of {n - (len(batches) - 1) * batch_size})"
        if np.isclose(weighted, right) and np.isclose(mean_of_means, plain_mean):
            continue
        expect(not (np.isclose(weighted, plain_mean) and np.isclose(mean_of_means, right)),
               f"{where}: the two numbers are swapped; return (sample-weighted, mean of the batch means)")
        if n % batch_size:
            expect(not np.isclose(mean_of_means, np.mean(batches[:-1])),
                   f"{where}: the mean of the batch means leaves out the last, smaller batch; it counts once, like "
                   "every other batch")
            expect(not np.isclose(weighted, hits[:n - n % batch_size].mean()),
                   f"{where}: the sample-weighted accuracy leaves out the last, smaller batch")
        expect(np.isclose(weighted, right),
               f"{where}: the first number should be the sample-weighted accuracy, correct predictions / N = "
               f"{right:.4f} (model.evaluate gives it), got {plain(weighted)}")
        expect(not np.isclose(mean_of_means, right),
               f"{where}: the second number is the sample-weighted accuracy again ({right:.4f}); average the "
               f"batches' own accuracies instead, each batch counting once however small ({plain_mean:.4f})")
        raise AssertionError(f"{where}: the mean of the batches' accuracies is {plain_mean:.4f}, got "
                             f"{plain(mean_of_means)}")
    correct(f"evaluate_both: the sample-weighted accuracy is model.evaluate's, and the mean of the batch means "
            f"weights a small last batch like a full one, on {len(cases)} cases")


def check_precision_recall(precision_recall):
    """precision_recall(matrix): (precision, recall), (K,) each; with rows true, precision = diag / column sums."""
    rng = np.random.default_rng(105)
    for case in range(3):
        n_classes = int(rng.integers(3, 7))
        matrix = rng.integers(0, 6, (n_classes, n_classes)) + np.diag(rng.integers(10, 40, n_classes))
        matrix[0, 1] += 15  # many true 0 read as 1, few the other way: precision and recall differ
        got = call(precision_recall, matrix.copy(),
                   returns=f"(precision, recall), two arrays of shape ({n_classes},)")
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"precision_recall should return two arrays, (precision, recall); got {plain(got)}")
        precision, recall = (np.asarray(values, dtype=float) for values in got)
        expected_precision = np.diag(matrix) / matrix.sum(axis=0)
        expected_recall = np.diag(matrix) / matrix.sum(axis=1)
        for name, values in (("precision", precision), ("recall", recall)):
            expect(values.shape == (n_classes,),
                   f"{name} should hold one number per class, shape ({n_classes},), got {plain(values)}"
                   + (" (one number for all classes is the accuracy)" if values.ndim == 0 else ""))
        if np.allclose(precision, expected_precision) and np.allclose(recall, expected_recall):
            continue
        expect(not (np.allclose(precision, expected_recall) and np.allclose(recall, expected_precision)),
               "precision and recall are swapped: rows are the true classes, so recall (of the images truly k, the "
               "share predicted k) divides by row k's sum, and precision (of the images predicted k, the share "
               "truly k) by column k's")
        expect(not (np.allclose(precision, expected_recall) and np.allclose(recall, expected_recall)),
               "precision and recall are the same numbers, both divided by the row sums: precision divides class "
               "k's hits by column k's sum, every image predicted k")
        expect(not np.allclose(precision, np.diag(matrix) / matrix.sum()),
               "precision is divided by the count of all images; divide class k's hits by the images predicted k")
        expect(np.allclose(precision, expected_precision),
               f"case {case + 1}: precision should be {np.round(expected_precision, 3).tolist()}, got "
               f"{np.round(precision, 3).tolist()}")
        raise AssertionError(f"case {case + 1}: recall should be {np.round(expected_recall, 3).tolist()}, got "
                             f"{np.round(recall, 3).tolist()}")
    correct("precision divides by the column sums and recall by the row sums, on 3 random matrices")


GOAL = 0.97


def _test_split_read(function, X_test, y_test):
    """The names of the notebook's globals holding the test split that ``function`` reads, if any."""
    namespace, found = getattr(function, "__globals__", {}), []
    for name in sorted(names_read(function)):
        value = namespace.get(name)
        if isinstance(value, np.ndarray) and (value.shape == np.shape(X_test) or (
                value.shape == np.shape(y_test) and np.array_equal(value, y_test))):
            found.append(name)
    return found


def check_challenge(challenger, X_train, y_train, X_val, y_val, X_test, y_test):
    """Train with challenger(X_train, y_train, X_val, y_val), then evaluate the test split once and report."""
    peeks = _test_split_read(challenger, X_test, y_test)
    expect(not peeks, f"challenger reads {', '.join(peeks)}, the test split, from the notebook: it may use only the "
                      "training and validation parts it is given. The check looks at the test split, once, for the "
                      "model you return")
    with seeded(0):
        returned = call(challenger, X_train, y_train, X_val, y_val,
                        returns="(model, record): your trained nncore.Model and a dict with 'choice' and "
                                "'validation_accuracy'")
    expect(isinstance(returned, tuple) and len(returned) == 2,
           f"challenger should return (model, record), two things; got {plain(returned)}")
    model, record = returned
    expect(callable(getattr(model, "evaluate", None)) and getattr(model, "finalized", False),
           f"the first thing returned should be your trained, finalized nncore.Model; got {plain(model)}")
    expect(isinstance(record, dict) and {"choice", "validation_accuracy"} <= set(record),
           "the record should be a dict with 'choice' (what you chose, in words) and 'validation_accuracy'; got "
           + (f"the keys {sorted(record)}" if isinstance(record, dict) else plain(record)))
    history = model.history or {}
    expect(len(history.get("val_accuracy", [])) > 0,
           "the model's history holds no validation score: train it with validation_data=(X_val, y_val), so that "
           "the choice rests on the validation split")
    val_loss, val_accuracy = model.evaluate(X_val, y_val, verbose=False)
    test_loss, test_accuracy = model.evaluate(X_test, y_test, verbose=False)  # the one look at the test split
    last = history["val_accuracy"][-1], history["val_loss"][-1]

    def same(score, loss, accuracy):
        return np.isclose(score[0], accuracy, rtol=0, atol=1e-9) and np.isclose(score[1], loss, rtol=1e-3)

    expect(not (same(last, test_loss, test_accuracy) and not same(last, val_loss, val_accuracy)),
           "the validation score in the model's history is its score on the TEST split: the test split was passed "
           "as validation_data, so the choice was made by looking at it. Validate on (X_val, y_val)")
    expect(same(last, val_loss, val_accuracy),
           f"the last validation score in the model's history ({last[0]:.4f}) is not its accuracy on X_val, y_val "
           f"({val_accuracy:.4f}): validate on the validation split given to challenger, and return the model as "
           "it was after that training")
    recorded = float(record["validation_accuracy"])
    expect(not (np.isclose(recorded, test_accuracy, rtol=0, atol=1e-9)
                and not np.isclose(recorded, val_accuracy, rtol=0, atol=1e-9)),
           "the record's validation_accuracy is the model's accuracy on the TEST split: record the validation "
           "score your choice rests on")
    expect(abs(recorded - val_accuracy) <= 0.01,
           f"the record says validation accuracy {recorded:.4f}, but the model scores {val_accuracy:.4f} on X_val, "
           "y_val: record the validation score of the model you return")
    train_loss, train_accuracy = model.evaluate(X_train, y_train, verbose=False)
    expect(not (train_accuracy >= 0.99 and val_loss <= train_loss),
           f"the model's validation loss ({val_loss:.4f}) is no higher than its loss on the training part "
           f"({train_loss:.4f}), which it fits to {train_accuracy:.3f}: it looks trained on the validation split too. "
           "Train on (X_train, y_train) only: the validation split must stay unseen to judge the choice")
    expect(test_accuracy >= GOAL,
           f"test accuracy {test_accuracy:.3f} (validation {val_accuracy:.3f}) is below the goal of {GOAL}. "
           "Improve the choice on validation data, not on this number: every run of this check is one more look "
           "at the test split")
    correct(f"test accuracy {test_accuracy:.3f} on the {len(y_test)} test digits, evaluated once (goal {GOAL}); "
            f"chosen on validation: {record['choice']} (validation accuracy {val_accuracy:.3f})")
