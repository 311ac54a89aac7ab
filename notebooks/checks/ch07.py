"""Checks for the exercises of 07_regularization."""
import numpy as np

from nncore import Dense, Loss, gradcheck

from . import correct, expect, expect_close, expect_shape


def check_penalty_and_gradient(penalty_and_gradient):
    rng = np.random.default_rng(8)
    weights = rng.standard_normal((3, 4))
    weights[np.abs(weights) < 0.05] = 0.3
    l1, l2 = 0.01, 0.005
    penalty, gradient = penalty_and_gradient(weights.copy(), l1, l2)
    layer = Dense(3, 4, weight_regularizer_l1=l1, weight_regularizer_l2=l2)
    layer.set_parameters(weights, np.zeros((1, 4)))
    expect_close("penalty", penalty, Loss().regularization_loss(layer))
    expect_shape("gradient", gradient, weights.shape)
    numeric = gradcheck.numerical_gradient(lambda w: l1 * np.sum(np.abs(w)) + l2 * np.sum(w * w), weights.copy())
    error = gradcheck.relative_error(gradient, numeric)
    expect(error < 1e-6, f"the gradient differs from the numerical one (relative error {error:.1e}); "
           "L1 gives ±l1, L2 gives 2*l2*w")
    correct("penalty matches nncore and the gradient passes the numerical check")


def check_apply_dropout(apply_dropout):
    state = np.random.get_state()
    np.random.seed(123)
    out = apply_dropout(np.ones((1000, 1000)), 0.3, True)
    dropped = np.mean(out == 0)
    expect(abs(dropped - 0.3) < 0.01, f"expected 30% zeros (rate = fraction dropped), got {dropped:.1%}")
    expect(abs(out.mean() - 1) < 0.01, f"expected a mean of 1 within 1% (divide by 1 - rate), got {out.mean():.4f}")
    inputs = np.arange(6.0).reshape(2, 3)
    same = apply_dropout(inputs, 0.3, False)
    expect(np.array_equal(same, inputs), "with training=False dropout must return the inputs unchanged")
    np.random.set_state(state)
    correct(f"{dropped:.1%} dropped, mean {out.mean():.3f}, identity when not training")


def check_k_fold_indices(k_fold_indices):
    for n, k in ((10, 3), (100, 5), (7, 7), (23, 4)):
        folds = [np.asarray(fold) for fold in k_fold_indices(n, k, np.random.default_rng(n))]
        expect(len(folds) == k, f"k_fold_indices({n}, {k}, rng): expected {k} folds, got {len(folds)}")
        everything = np.concatenate(folds)
        expect(len(everything) == len(set(everything.tolist())), f"k_fold_indices({n}, {k}, rng): folds overlap")
        expect(sorted(everything.tolist()) == list(range(n)),
               f"k_fold_indices({n}, {k}, rng): folds do not cover range({n})")
        sizes = [len(fold) for fold in folds]
        expect(max(sizes) - min(sizes) <= 1, f"k_fold_indices({n}, {k}, rng): fold sizes {sizes} differ by more than 1")
    labels = np.repeat(np.arange(3), 100)  # sorted by class, as spiral_data(100, 3) returns them
    folds = [np.asarray(fold) for fold in k_fold_indices(300, 3, np.random.default_rng(0))]
    classes = "; ".join(f"fold {i}: classes {sorted(set(labels[fold].tolist()))}" for i, fold in enumerate(folds))
    contiguous = all(np.array_equal(np.sort(fold), np.arange(fold.min(), fold.min() + len(fold))) for fold in folds)
    expect(not contiguous, "the folds are contiguous blocks of range(n): the indices were not shuffled before "
           f"splitting. On 300 points sorted by class ({classes}) each fold validates on a single class. "
           "Shuffle first with rng.permutation(n), then split.")
    strided = all(len(fold) < 2 or len(set(np.diff(np.sort(fold)).tolist())) == 1 for fold in folds)
    expect(not strided, "each fold takes every k-th index in order: the indices were not shuffled before "
           "splitting. A fixed pattern can line up with an order or a period in the data (spiral_data is sorted by "
           "class, and by radius within a class). Shuffle first with rng.permutation(n), then split.")
    other = [np.asarray(fold) for fold in k_fold_indices(300, 3, np.random.default_rng(1))]
    expect(not all(np.array_equal(a, b) for a, b in zip(folds, other)),
           "two different generators gave the same folds: the indices were not shuffled with rng. "
           "Use rng.permutation(n), then split.")
    again = [np.asarray(fold) for fold in k_fold_indices(300, 3, np.random.default_rng(0))]
    expect(all(np.array_equal(a, b) for a, b in zip(folds, again)),
           "the same seed gave different folds: shuffle with the rng you are given (rng.permutation), "
           "not with np.random, so that the folds can be reproduced")
    counts = ", ".join(str(np.bincount(labels[fold], minlength=3)) for fold in folds)
    correct(f"shuffled, disjoint folds that cover every sample, sizes within 1; "
            f"on 300 points sorted by class they hold per class {counts}")


def check_scaler(fit_scaler, transform):
    rng = np.random.default_rng(9)
    X_train = rng.normal(5.0, 2.0, (200, 2))
    X_test = rng.normal(8.0, 3.0, (50, 2))
    scaler = fit_scaler(X_train)
    train_scaled, test_scaled = transform(X_train, scaler), transform(X_test, scaler)
    expect_close("scaled training means", train_scaled.mean(axis=0), [0, 0], atol=1e-9)
    expect_close("scaled training stds", train_scaled.std(axis=0), [1, 1], atol=1e-9)
    expected_test = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    expect(not np.allclose(test_scaled.mean(axis=0), 0, atol=0.05),
           "the scaled test data has mean 0: it was scaled with its own statistics, not the training ones")
    expect_close("scaled test data", test_scaled, expected_test)
    correct("the test data is scaled with the training statistics")
