"""Checks for 04_loss: the learner's confidences, cross-entropy class and accuracy, and the exercises."""
import numpy as np

from nncore import CategoricalCrossentropy, accuracy
from nncore.book import Loss_CategoricalCrossentropy

from . import call, correct, expect, piece, plain

EPSILON = 1e-7


def _correct_confidences(probs, labels):
    """The course's version: probs (N, K), labels sparse (N,) or one-hot (N, K) -> (N,)."""
    probs, labels = np.asarray(probs), np.asarray(labels)
    if labels.ndim == 1:
        return probs[np.arange(len(probs)), labels]
    return np.sum(probs * labels, axis=1)


_correct_confidences.__qualname__ = "correct_confidences"  # "the cells below use nncore's finished ..."


def _expect_close(where, got, expected, tol=1e-6):
    """Fail unless the arrays agree; name the first entry that differs."""
    expect(got.shape == expected.shape, f"{where}: expected shape {expected.shape}, got {got.shape}")
    wrong = np.argwhere(~np.isclose(got, expected, rtol=tol, atol=tol))
    if len(wrong):
        index = tuple(int(i) for i in wrong[0])
        at = "" if not index else f" at sample {index[0]}" if len(index) == 1 else f" at {index}"
        raise AssertionError(f"{where}{at}: expected {expected[index]:.6g}, got {got[index]:.6g}")


def _batch(rng, n_samples, n_classes):
    """Random probability rows (N, K), sparse labels (N,) and the same labels one-hot (N, K)."""
    logits = rng.normal(0, 1.5, size=(n_samples, n_classes))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = rng.integers(0, n_classes, size=n_samples)
    return probs, labels, np.eye(n_classes, dtype=int)[labels]


SIZES = ((4, 4), (5, 3), (7, 2), (6, 5))
"""(N, K) of the batches the piece checks use; in the square one, (4, 4), some mistakes broadcast silently
instead of failing, and the checks name them."""


def _confidences_mistakes(got, probs, labels, given, where):
    n_samples = len(probs)
    if got.shape == (n_samples, n_samples) and given.ndim == 1 and np.allclose(got, probs[:, labels]):
        raise AssertionError(f"{where}: shape {got.shape} is every sample's probability of every sample's label, "
                             "as probs[:, labels] gives; pick one entry per row, row i at column labels[i]")
    if given.ndim == 2 and got.shape == () and np.isclose(got, np.sum(probs * given)):
        raise AssertionError(f"{where}: one number, the sum over the whole batch: np.sum without an axis adds up "
                             "everything; sum over the classes of each row, axis=1")
    if given.ndim == 1 and got.shape == probs.shape and np.allclose(got, probs[labels]):
        raise AssertionError(f"{where}: shape {got.shape}: probs[labels] picks whole rows, row labels[i] for sample "
                             "i; pick one entry per row, row i at column labels[i]")
    if given.ndim == 2 and got.shape == (probs.shape[1],) and np.allclose(got, np.sum(probs * given, axis=0)):
        raise AssertionError(f"{where}: shape {got.shape}, one number per class, is the sum over the samples "
                             "(axis 0); sum over the classes of each row, axis=1")
    if given.ndim == 1 and got.shape == (n_samples,) and n_samples == probs.shape[1] \
            and np.allclose(got, np.sum(probs * given, axis=1)):
        raise AssertionError(f"{where}: the sparse labels were multiplied in as if they were one-hot rows; sparse "
                             "labels are class indices: tell the two formats apart by labels.ndim")
    if given.ndim == 2 and got.shape == given.shape:
        raise AssertionError(f"{where}: shape {got.shape}: the one-hot rows were used as class indices; one-hot "
                             "labels need their own way, the sum over each row of probs times labels")
    expect(not np.allclose(got, probs.max(axis=1)) or np.allclose(probs.max(axis=1), probs[range(n_samples), labels]),
           f"{where}: these are each sample's highest probabilities, not those of its true class")


@piece(lambda: _correct_confidences)
def check_correct_confidences(correct_confidences):
    """correct_confidences(probs, labels): probs[i, k_i] for sparse and for one-hot labels, on random batches."""
    rng = np.random.default_rng(41)
    for n_samples, n_classes in SIZES:
        probs, labels, one_hot = _batch(rng, n_samples, n_classes)
        expected = probs[np.arange(n_samples), labels]
        for name, given in (("sparse", labels), ("one-hot", one_hot)):
            where = f"{name} labels, shape {given.shape}, for {n_samples} samples of {n_classes} classes"
            got = call(correct_confidences, probs, given,
                       returns=f"the {n_samples} confidences in the true classes, shape ({n_samples},), for {where}")
            got = np.asarray(got, dtype=np.float64)
            _confidences_mistakes(got, probs, labels, given, where)
            _expect_close(where, got, expected)
    correct("correct_confidences picks each sample's probability of its true class, sparse and one-hot, on 4 batches")


def _losses(forward, probs, labels, where):
    given = probs.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        got = call(forward, probs, labels, returns=f"the per-sample losses, shape ({len(probs)},), for {where}",
                   name="forward")
    expect(np.array_equal(probs, given), f"{where}: forward changed the predictions it was given (np.clip(..., "
                                         "out=y_pred), or an assignment into y_pred); the caller still holds them: "
                                         "clip into a new array")
    return np.asarray(got, dtype=np.float64)


def _check_sample_losses(got, probs, labels, given, where):
    expected = -np.log(np.clip(probs[np.arange(len(probs)), labels], EPSILON, 1 - EPSILON))
    if got.shape != expected.shape or not np.allclose(got, expected):
        with np.errstate(over="ignore"):
            _confidences_mistakes(np.exp(-got), np.clip(probs, EPSILON, 1 - EPSILON), labels, given, where)
    expect(np.ndim(got) != 0, f"{where}: forward returned one number; it gives the per-sample losses, shape "
                              f"({len(probs)},), and calculate averages them")
    expect(not np.allclose(got, -expected), f"{where}: the losses are negative: L_i = -log p, with a minus sign")
    expect(not np.allclose(got, expected / np.log(10)), f"{where}: these are base-10 logs; use the natural log, "
                                                        "np.log")
    _expect_close(where, got, expected)


@piece(lambda: Loss_CategoricalCrossentropy)
def check_categorical_crossentropy(loss_class):
    """Loss_CategoricalCrossentropy: per-sample -log of the clipped true-class probability, both label formats,
    and calculate as their mean."""
    rng = np.random.default_rng(42)
    loss = call(loss_class, returns="a loss object")
    for n_samples, n_classes in SIZES:
        probs, labels, one_hot = _batch(rng, n_samples, n_classes)
        for name, given in (("sparse", labels), ("one-hot", one_hot)):
            where = f"forward with {name} labels, shape {given.shape}"
            _check_sample_losses(_losses(loss.forward, probs, given, where), probs, labels, given, where)
    edges = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    edge_labels = np.array([1, 1, 2])
    got = _losses(loss.forward, edges, edge_labels, "a perfect prediction and two hopeless ones")
    shown = ", ".join(f"{loss:.4g}" for loss in got + 0.0)
    expect(np.all(np.isfinite(got)), f"a probability of 0 for the true class gave the losses [{shown}]: "
                                     "-log 0 is infinite; clip the probabilities to [1e-7, 1 - 1e-7] before the log, "
                                     "and take the log of the clipped array, not of y_pred")
    floor, hopeless = -np.log(EPSILON), got[1:]
    if np.all(hopeless > 10) and not np.allclose(hopeless, floor, rtol=1e-6):
        raise AssertionError(f"a probability of 0 for the true class should cost -log 1e-7 = {floor:.4f}, the "
                             f"largest clipped loss, got {hopeless[0]:.4f}: clip at 1e-7 and 1 - 1e-7, as the text "
                             "says")
    expect(not np.isclose(got[0], 0, atol=1e-9), "a perfect prediction costs exactly 0: the probability 1 was not "
                                                 "clipped at the top, to 1 - 1e-7 (it should cost about 1e-7)")
    expect(np.isclose(got[0], -np.log(1 - EPSILON), rtol=1e-2, atol=0),
           f"a perfect prediction costs {got[0]:.3g}, not -log(1 - 1e-7) = {-np.log(1 - EPSILON):.3g}: clip the top "
           "at 1 - 1e-7 exactly")
    _check_sample_losses(got, edges, edge_labels, edge_labels, "a perfect prediction and two hopeless ones")
    above = _losses(loss.forward, np.array([[1 + 1e-6, -1e-6]]), np.array([0]), "a probability slightly above 1")
    expect(np.all(above > 0), f"a probability slightly above 1 gave the loss {plain(float(above[0]))}, below 0: clip "
                              "the top too, at 1 - 1e-7")
    probs, labels, one_hot = _batch(rng, 8, 3)
    mean = call(loss.calculate, probs, labels, returns="the mean loss, one number", name="calculate")
    expected = float(np.mean(-np.log(probs[np.arange(8), labels])))
    expect(np.ndim(mean) == 0, f"calculate should return one number, the mean of the per-sample losses, got "
                               f"{plain(np.asarray(mean))}")
    mean = float(mean)
    expect(not np.isclose(mean, 8 * expected), "calculate gives 8 times the mean on 8 samples: it adds the "
                                               "per-sample losses up; average them with np.mean")
    expect(np.isclose(mean, expected, rtol=1e-6), f"calculate on 8 samples: expected {expected:.6f}, got {mean:.6f}")
    correct("Loss_CategoricalCrossentropy clips both sides, takes -log of the true class for sparse and one-hot "
            "labels, and calculate averages")


@piece(lambda: accuracy)
def check_classification_accuracy(classification_accuracy):
    """classification_accuracy(probs, y): the fraction of rows whose argmax is the label, both label formats."""
    rng = np.random.default_rng(47)
    for n_samples, n_classes in SIZES + ((40, 3),):
        probs, labels, one_hot = _batch(rng, n_samples, n_classes)
        predicted = np.argmax(probs, axis=1)
        expected = float(np.mean(predicted == labels))
        for name, given in (("sparse", labels), ("one-hot", one_hot)):
            where = f"{name} labels, shape {given.shape}, for {n_samples} samples of {n_classes} classes"
            try:
                got = call(classification_accuracy, probs, given, returns=f"one number, the accuracy, for {where}")
            except AssertionError as error:
                if name == "sparse" and "AxisError" in str(error):
                    raise AssertionError(f"{error} Sparse labels are class indices already: only one-hot labels "
                                         "(y.ndim == 2) need np.argmax(y, axis=1)") from None
                raise
            expect(np.ndim(got) == 0, f"{where}: classification_accuracy should return one number, got "
                                      f"{plain(np.asarray(got))}")
            got = float(got)
            if np.isclose(got, expected):
                continue
            if name == "one-hot" and n_samples == n_classes and np.isclose(got, float(np.mean(predicted == one_hot))):
                raise AssertionError(f"{where}: the predicted classes were compared with the one-hot rows; turn them "
                                     "into class indices first, with np.argmax(y, axis=1)")
            column_argmax, flat_argmax = np.argmax(probs, axis=0), float(np.mean(np.argmax(probs) == labels))
            mistakes = [(100 * expected, f"{plain(got)} is a percentage; accuracy is the fraction, between 0 and 1"),
                        (flat_argmax, "np.argmax without an axis gives one index into the whole flattened array; "
                                      "each sample's predicted class is its row's argmax, axis=1"),
                        (expected * n_samples, f"{plain(got)} is the number of right predictions; accuracy is "
                                               f"their fraction, so divide by N = {n_samples} (np.mean)"),
                        (float(np.mean(column_argmax == labels[:n_classes])) if n_samples >= n_classes else None,
                         "argmax ran down the columns (axis 0); each sample's predicted class is its row's argmax, "
                         "axis=1")]
            for value, why in mistakes:
                if value is not None and np.isclose(got, value):
                    raise AssertionError(f"{where}: {why}")
            raise AssertionError(f"{where}: expected {expected:.4f}, got {got:.4f}")
    correct("classification_accuracy agrees with nncore's accuracy for sparse and one-hot labels, on 5 batches")


def _nncore_loss(probs, labels):
    return float(CategoricalCrossentropy().calculate(probs, labels))


def check_disagreeing_predictions(disagreeing_predictions):
    """disagreeing_predictions() -> (probs_a, probs_b, labels): A more accurate than B, yet with a higher loss."""
    answer = call(disagreeing_predictions, returns="(probs_a, probs_b, labels)")
    expect(isinstance(answer, (tuple, list)) and len(answer) == 3,
           f"disagreeing_predictions should return three things, (probs_a, probs_b, labels), got {plain(answer)}")
    probs_a, probs_b, labels = (np.asarray(part) for part in answer)
    expect(labels.ndim == 1, f"labels should be sparse, one class index per sample, shape (N,), got {labels.shape}")
    expect(np.issubdtype(labels.dtype, np.integer), "labels should be whole numbers, class indices")
    for name, probs in (("probs_a", probs_a), ("probs_b", probs_b)):
        expect(probs.ndim == 2 and len(probs) == len(labels),
               f"{name} should hold one row of probabilities per label, shape ({len(labels)}, K), got {probs.shape}")
        expect(np.all(probs >= 0) and np.allclose(probs.sum(axis=1), 1),
               f"{name} has a row that is not a probability distribution (non-negative, summing to 1): "
               f"row sums {np.round(probs.sum(axis=1), 4).tolist()}")
        expect(labels.min() >= 0 and labels.max() < probs.shape[1], f"a label is not a class of {name}'s "
                                                                     f"{probs.shape[1]} columns")
        ties = [i for i, row in enumerate(probs) if np.sum(np.isclose(row, row.max())) > 1]
        expect(not ties, f"{name}, row {ties[0] if ties else 0}: two classes share the highest probability, so the "
                         "predicted class is a tie; make one the highest")
    acc_a, acc_b = accuracy(probs_a, labels), accuracy(probs_b, labels)
    loss_a, loss_b = _nncore_loss(probs_a, labels), _nncore_loss(probs_b, labels)
    measured = f"A: accuracy {acc_a:.2f}, loss {loss_a:.3f}; B: accuracy {acc_b:.2f}, loss {loss_b:.3f}"
    expect(acc_a > acc_b, f"{measured}. A should have the higher accuracy" +
           (": equal accuracy is the opening example of the chapter; here A must get more samples right"
            if np.isclose(acc_a, acc_b) else ""))
    expect(loss_a > loss_b, f"{measured}. A is more accurate, as it should be, but its loss should also be the "
                            "higher one: make A barely right and B very sure where it is right")
    correct(f"{measured}: the more accurate predictions have the higher loss")


def _clipped_loss(p):
    return -np.log(np.clip(p, EPSILON, 1 - EPSILON))


def check_loss_slope(loss_slope, loss_class):
    """loss_slope(p): d/dp of -log(clip(p, 1e-7, 1 - 1e-7)), compared with the formula and measured on loss_class."""
    rng = np.random.default_rng(44)
    p = np.concatenate([[0.0, 1e-9, 3e-8, 0.001, 0.25, 0.5, 0.9, 1 - 1e-8, 1.0], rng.uniform(0.01, 0.99, size=8)])
    inside = (p > EPSILON) & (p < 1 - EPSILON)
    expected = np.where(inside, -1 / np.where(inside, p, 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        got = call(loss_slope, p.copy(), returns=f"the slope at each of the {len(p)} confidences, shape ({len(p)},)")
        got = np.asarray(got, dtype=np.float64)
        expect(got.shape == p.shape, f"loss_slope should return one slope per confidence, shape {p.shape}, got "
                                     f"{got.shape}")
        middle = inside & (p > 0.001)
        expect(not np.allclose(got[middle], -expected[middle]), "the slopes are positive: the loss falls as the "
                                                               "confidence rises, so its slope is negative, -1/p")
        expect(not np.allclose(got[middle], _clipped_loss(p[middle])), "these are the losses -log p themselves, not "
                                                                      "their slope")
        expect(not np.allclose(got[middle], expected[middle] / np.log(10)), "this is the slope of -log10 p; the loss "
                                                                             "uses the natural log, whose slope is -1/p")
        for held, name in ((p <= EPSILON, "below 1e-7 the clip holds p at 1e-7"),
                           (p >= 1 - EPSILON, "above 1 - 1e-7 the clip holds p at 1 - 1e-7")):
            flat = np.flatnonzero(held & ~np.isclose(got, 0))
            if len(flat):
                raise AssertionError(f"at p = {plain(float(p[flat[0]]))} the slope is {plain(float(got[flat[0]]))}: "
                                     f"{name}, so the loss does not change there and its slope is 0")
    wrong = np.flatnonzero(~np.isclose(got, expected, rtol=1e-6))
    if len(wrong):
        raise AssertionError(f"loss_slope at p = {plain(float(p[wrong[0]]))}: expected "
                             f"{plain(float(expected[wrong[0]]))}, got {plain(float(got[wrong[0]]))}")
    loss, h = loss_class(), 1e-6
    measured = (loss.forward(np.array([[0.75 - h, 0.25 + h]]), np.array([0]))
                - loss.forward(np.array([[0.75 + h, 0.25 - h]]), np.array([0]))) / (-2 * h)
    predicted = float(call(loss_slope, np.array([0.75]), returns="one slope")[0])
    expect(np.isclose(float(measured[0]), predicted, rtol=1e-3),
           f"at p = 0.75 loss_slope gives {predicted:.4f}, but the Loss_CategoricalCrossentropy above, measured with a "
           f"small step, changes at {float(measured[0]):.4f}: the class does not compute -ln(p) (a log other than "
           "the natural one, np.log?)")
    correct(f"the slope of the loss at p = 0.75 is {predicted:.4f}; the Loss_CategoricalCrossentropy above, "
            f"measured with a small step, gives {float(measured[0]):.4f}. Where the clip holds p, the slope is 0.")


def check_fix_labels(fix_labels):
    """fix_labels(labels): (1, N) or (N,) labels -> (N,), the same class indices in the same order."""
    rng = np.random.default_rng(45)
    for n_samples in (300, 7, 1):
        y = rng.integers(0, 3, size=n_samples)
        if n_samples == 1:
            y = np.array([2])
        for name, given in (("wrapped", np.array([y])), ("already right", y.copy())):
            where = f"fix_labels of {name} labels, shape {given.shape}"
            fixed = np.asarray(call(fix_labels, given, returns=f"sparse labels, shape {y.shape}"))
            if fixed.shape == (n_samples, 1) and n_samples > 1:
                raise AssertionError(f"{where}: shape {fixed.shape} is a column; sparse labels are 1-D, {y.shape}")
            if fixed.shape == () and n_samples == 1:
                raise AssertionError(f"{where}: gave shape (), a bare number: np.squeeze removes every axis of length "
                                     "1, and one label in a batch of one still needs its axis, (1,); reshape to -1")
            if name == "already right" and fixed.shape != y.shape:
                raise AssertionError(f"{where}: gave shape {fixed.shape}; labels that are already (N,) should come "
                                     "back unchanged")
            expect(fixed.shape == y.shape, f"{where}: expected shape {y.shape}, got {fixed.shape}")
            expect(np.array_equal(fixed, y), f"{where}: the shape is right but the labels differ from the original "
                                             "ones: keep every label, in order")
            expect(np.issubdtype(fixed.dtype, np.integer), f"{where}: the labels came back as {fixed.dtype}; class "
                                                           "indices are whole numbers, and NumPy refuses to index "
                                                           "with floats: keep their integer type")
    correct("fix_labels gives sparse labels of shape (N,) for wrapped and for correct labels")
