"""04_loss's checks refuse the usual wrong answers, each with a message that names the mistake."""
import numpy as np
import pytest

from wrong_answers import cases, chapter_checks, refusal, strict


def sparse_only(probs, labels):
    return probs[range(len(probs)), labels]


def one_hot_only(probs, labels):
    return np.sum(probs * labels, axis=1)


def whole_columns(probs, labels):
    if labels.ndim == 2:
        labels = np.argmax(labels, axis=1)
    return probs[:, labels]


def summed_over_samples(probs, labels):
    if labels.ndim == 1:
        return probs[range(len(probs)), labels]
    return np.sum(probs * labels, axis=0)


def one_hot_summed_over_everything(probs, labels):
    if labels.ndim == 1:
        return probs[range(len(probs)), labels]
    return np.sum(probs * labels)


def whole_rows(probs, labels):
    if labels.ndim == 1:
        return probs[labels]
    return np.sum(probs * labels, axis=1)


def highest(probs, labels):
    return np.max(probs, axis=1)


def confidences(probs, labels):
    if labels.ndim == 1:
        return probs[range(len(probs)), labels]
    return np.sum(probs * labels, axis=1)


def cross_entropy(clip=lambda p: np.clip(p, 1e-7, 1 - 1e-7), log=np.log, pick=confidences, average=np.mean):
    """A Loss_CategoricalCrossentropy made of the given parts."""
    def forward(self, y_pred, y_true):
        return -log(pick(clip(y_pred), y_true))

    def calculate(self, output, y):
        return average(self.forward(output, y))
    return type("Loss_CategoricalCrossentropy", (), {"forward": forward, "calculate": calculate})


def clipped_in_place(p):
    return np.clip(p, 1e-7, 1 - 1e-7, out=p)


def positive_log(p):
    return -np.log(p)


def accuracy_of(predict=lambda probs: np.argmax(probs, axis=1), convert=True, average=np.mean, scale=1):
    def classification_accuracy(probs, y):
        if convert and len(y.shape) == 2:
            y = np.argmax(y, axis=1)
        return scale * average(predict(probs) == y)
    return classification_accuracy


def accuracy_converting_every_label(probs, y):
    return np.mean(np.argmax(probs, axis=1) == np.argmax(y, axis=1))


def same_accuracy():
    labels = np.array([1])
    return np.array([[0.22, 0.6, 0.18]]), np.array([[0.32, 0.36, 0.32]]), labels


def a_better_on_both():
    labels = np.array([0, 0])
    return np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05]]), np.array([[0.4, 0.3, 0.3], [0.3, 0.4, 0.3]]), labels


def rows_not_summing_to_one():
    labels = np.array([0, 0])
    return np.array([[0.4, 0.3, 0.2], [0.4, 0.3, 0.2]]), np.array([[0.98, 0.01, 0.01], [0.3, 0.4, 0.3]]), labels


def a_tie():
    labels = np.array([0, 0])
    return np.array([[0.4, 0.4, 0.2], [0.4, 0.3, 0.3]]), np.array([[0.98, 0.01, 0.01], [0.3, 0.4, 0.3]]), labels


def one_hot_labels():
    labels = np.array([[1, 0, 0], [1, 0, 0]])
    return np.array([[0.4, 0.3, 0.3], [0.4, 0.3, 0.3]]), np.array([[0.98, 0.01, 0.01], [0.3, 0.4, 0.3]]), labels


def inside(p):
    return (p > 1e-7) & (p < 1 - 1e-7)


WRONG_ANSWERS = {
    "check_correct_confidences": [
        ("sparse labels only", lambda: (sparse_only,), "one-hot rows were used as class indices"),
        ("one-hot labels only", lambda: (one_hot_only,), "as if they were one-hot rows"),
        ("whole columns, probs[:, labels]", lambda: (whole_columns,), "pick one entry per row"),
        ("one-hot summed over the samples", lambda: (summed_over_samples,), "sum over the classes of each row"),
        ("the highest probability", lambda: (highest,), "not those of its true class"),
        ("a constant", lambda: (lambda probs, labels: np.full(len(probs), 0.5),), "expected"),
        ("one-hot summed without an axis", lambda: (one_hot_summed_over_everything,), "np.sum without an axis"),
        ("whole rows, probs[labels]", lambda: (whole_rows,), "probs[labels] picks whole rows"),
    ],
    "check_categorical_crossentropy": [
        ("no clipping", lambda: (cross_entropy(clip=lambda p: p),), "-log 0 is infinite"),
        ("the bottom clipped only", lambda: (cross_entropy(clip=lambda p: np.clip(p, 1e-7, None)),),
         "not clipped at the top"),
        ("the top clipped only", lambda: (cross_entropy(clip=lambda p: np.clip(p, None, 1 - 1e-7)),),
         "clip the probabilities to [1e-7, 1 - 1e-7]"),
        ("one-hot labels only", lambda: (cross_entropy(pick=one_hot_only),), "as if they were one-hot rows"),
        ("sparse labels only", lambda: (cross_entropy(pick=sparse_only),), "one-hot rows were used as class indices"),
        ("a sum instead of the mean", lambda: (cross_entropy(average=np.sum),), "average them with np.mean"),
        ("the minus sign lost", lambda: (cross_entropy(log=positive_log),), "the losses are negative"),
        ("base-10 logs", lambda: (cross_entropy(log=np.log10),), "base-10 logs"),
        ("the clipped array computed, y_pred logged",
         lambda: (cross_entropy(clip=lambda p: (np.clip(p, 1e-7, 1 - 1e-7), p)[1]),),
         "the log of the clipped array"),
        ("clipped at 1e-8", lambda: (cross_entropy(clip=lambda p: np.clip(p, 1e-8, 1 - 1e-8)),), "-log 1e-7 = 16.1181"),
        ("the top clipped at 1 - 1e-6", lambda: (cross_entropy(clip=lambda p: np.clip(p, 1e-7, 1 - 1e-6)),),
         "clip the top at 1 - 1e-7 exactly"),
        ("the caller's predictions clipped in place", lambda: (cross_entropy(clip=clipped_in_place),),
         "changed the predictions it was given"),
        ("a constant", lambda: (type("Loss_CategoricalCrossentropy", (), {
            "forward": lambda self, y_pred, y_true: np.full(len(y_pred), 1.0986),
            "calculate": lambda self, output, y: 1.0986}),), "expected"),
    ],
    "check_classification_accuracy": [
        ("a count, not a fraction", lambda: (accuracy_of(average=np.sum),), "divide by N"),
        ("argmax down the columns", lambda: (accuracy_of(predict=lambda probs: np.argmax(probs, axis=0)),),
         "argmax ran down the columns"),
        ("one-hot labels not converted", lambda: (accuracy_of(convert=False),), "turn them into class indices"),
        ("a constant", lambda: (lambda probs, y: 1 / 3,), "expected"),
        ("a percentage", lambda: (accuracy_of(scale=100),), "is a percentage"),
        ("argmax without an axis", lambda: (accuracy_of(predict=np.argmax),), "np.argmax without an axis"),
        ("sparse labels put through argmax too", lambda: (accuracy_converting_every_label,),
         "Sparse labels are class indices already"),
    ],
    "check_disagreeing_predictions": [
        ("the chapter's pair, same accuracy", lambda: (same_accuracy,), "equal accuracy"),
        ("A better on both", lambda: (a_better_on_both,), "its loss should also be the higher one"),
        ("rows not summing to 1", lambda: (rows_not_summing_to_one,), "not a probability distribution"),
        ("a tie for the highest class", lambda: (a_tie,), "two classes share the highest probability"),
        ("one-hot labels", lambda: (one_hot_labels,), "labels should be sparse"),
    ],
    "check_loss_slope": [
        ("the sign flipped", lambda: (lambda p: np.where(inside(p), 1 / np.where(inside(p), p, 1), 0.0),
                                      cross_entropy()), "slope is negative"),
        ("-1/p everywhere, the clip ignored", lambda: (lambda p: -1 / p, cross_entropy()), "below 1e-7 the clip"),
        ("the top clip ignored", lambda: (lambda p: np.where(p > 1e-7, -1 / np.where(p > 1e-7, p, 1), 0.0),
                                          cross_entropy()), "above 1 - 1e-7 the clip"),
        ("the loss itself", lambda: (lambda p: -np.log(np.clip(p, 1e-7, 1 - 1e-7)), cross_entropy()),
         "the losses -log p themselves"),
        ("base-10 logs", lambda: (lambda p: np.where(inside(p), -1 / np.where(inside(p), p, 1), 0.0) / np.log(10),
                                  cross_entropy()), "-log10 p"),
        ("a right slope beside a base-10 loss class",
         lambda: (lambda p: np.where(inside(p), -1 / np.where(inside(p), p, 1), 0.0), cross_entropy(log=np.log10)),
         "measured with a small step"),
    ],
    "check_fix_labels": [
        ("the first row", lambda: (lambda labels: np.asarray(labels)[0],), "should come back unchanged"),
        ("transposed", lambda: (lambda labels: np.asarray(labels).T,), "is a column"),
        ("unchanged", lambda: (lambda labels: labels,), "expected shape (300,)"),
        ("sorted", lambda: (lambda labels: np.sort(np.asarray(labels).reshape(-1)),), "keep every label, in order"),
        ("np.squeeze, which unwraps a single label too", lambda: (np.squeeze,), "np.squeeze removes every axis"),
        ("floats", lambda: (lambda labels: np.asarray(labels, dtype=float).reshape(-1),), "came back as float64"),
    ],
}


@pytest.mark.parametrize("check_name, answer, says", cases(WRONG_ANSWERS))
def test_the_check_refuses_a_wrong_answer_and_names_the_mistake(check_name, answer, says):
    assert says in refusal("ch04", check_name, answer())


OTHER_RIGHT_ANSWERS = [
    ("one-hot through argmax", "check_correct_confidences",
     lambda: (lambda probs, labels: probs[np.arange(len(probs)), labels if labels.ndim == 1 else labels.argmax(1)],)),
    ("clipping the picked confidences", "check_categorical_crossentropy",
     lambda: (cross_entropy(clip=lambda p: p, log=lambda c: np.log(np.clip(c, 1e-7, 1 - 1e-7))),)),
    ("a count divided by N", "check_classification_accuracy",
     lambda: (accuracy_of(average=lambda hits: hits.sum() / len(hits)),)),
    ("a list of the three", "check_disagreeing_predictions", lambda: (lambda: [
        np.array([[0.4, 0.3, 0.3], [0.4, 0.3, 0.3]]), np.array([[0.98, 0.01, 0.01], [0.3, 0.4, 0.3]]), [0, 0]],)),
    ("bounds written with >= and <=", "check_loss_slope", lambda: (
        lambda p: np.where((p >= 1e-7) & (p <= 1 - 1e-7), -1 / np.maximum(p, 1e-7), 0.0), cross_entropy())),
    ("a branch on ndim", "check_fix_labels", lambda: (lambda labels: labels[0] if labels.ndim == 2 else labels,)),
]


@pytest.mark.parametrize("check_name, answer", [pytest.param(name, answer, id=f"{name}: {what}")
                                                for what, name, answer in OTHER_RIGHT_ANSWERS])
def test_a_right_answer_written_differently_passes(check_name, answer, capsys):
    strict(getattr(chapter_checks("ch04"), check_name))(*answer())
    assert capsys.readouterr().out.startswith("Correct: ")
