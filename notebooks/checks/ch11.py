"""Checks for the exercises of 11_save_and_predict."""
import tempfile

import numpy as np

from . import correct, expect


def check_parameter_round_trip(parameter_round_trip, model, X):
    with tempfile.TemporaryDirectory() as folder:
        fresh = parameter_round_trip(model, folder)
    expect(fresh is not model, "return a new model, not the original one")
    expect(np.array_equal(fresh.predict(X), model.predict(X)), "the reloaded model predicts differently")
    correct("the reloaded parameters give identical predictions")


def check_model_round_trip(model_round_trip, model, X):
    with tempfile.TemporaryDirectory() as folder:
        path, loaded = model_round_trip(model, folder)
        with np.load(path, allow_pickle=False) as archive:
            expect("config" in archive.files, "the file has no config: use model.save, not save_parameters")
    expect(np.array_equal(loaded.predict(X), model.predict(X)), "the loaded model predicts differently")
    correct("the whole model survives the round trip, and the file opens without pickle")


def check_preprocess(preprocess):
    blank = np.full((32, 32), 255, dtype=np.uint8)
    out = preprocess(blank)
    expect(np.shape(out) == (1, 64), f"expected shape (1, 64), got {np.shape(out)}")
    expect(out.dtype == np.float32, f"expected float32, got {out.dtype}")
    expect(np.allclose(out, -1), "a blank white canvas should become -1 everywhere (did you invert with 255 - x?)")
    ink = preprocess(np.zeros((32, 32), dtype=np.uint8))
    expect(np.allclose(ink, 1), "a canvas full of black ink should become +1 everywhere (rescale 0-16 to [-1, 1])")
    correct("(1, 64) float32 in [-1, 1]; blank paper is -1, solid ink is +1")


def check_names(names):
    labels = {0: "zero", 1: "one", 2: "two"}
    confidences = np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5]])
    got = list(names(confidences, labels))
    expect(got == ["one", "zero", "two"], f"expected ['one', 'zero', 'two'], got {got}")
    correct("each row's most confident class is named")
