import json
import zipfile

import numpy as np
import pytest

import nncore as nc
from nncore import saving


@pytest.fixture
def trained(rng):
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int)
    model = nc.Model()
    for layer in (nc.Dense(2, 8, weight_regularizer_l2=1e-3, rng=rng), nc.ReLU(), nc.Dropout(0.1, rng=rng),
                  nc.Dense(8, 2, rng=rng), nc.Softmax()):
        model.add(layer)
    model.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(learning_rate=0.01, decay=1e-3),
              accuracy=nc.CategoricalAccuracy())
    model.finalize()
    model.train(X, y, epochs=5, verbose=False)
    return model, X


def test_save_then_load_gives_identical_predictions_and_state(trained, tmp_path):
    model, X = trained
    path = model.save(tmp_path / "model")
    assert path.name == "model.npz"
    state = np.random.get_state()[1].copy()
    loaded = nc.Model.load(path)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert [repr(layer) for layer in loaded.layers] == [repr(layer) for layer in model.layers]
    assert repr(loaded.optimizer) == repr(model.optimizer) and loaded.optimizer.iterations == 5
    for saved, restored in zip(model.trainable_layers, loaded.trainable_layers):
        for param, slots in model.optimizer.get_state(saved).items():
            for slot, array in slots.items():
                np.testing.assert_array_equal(loaded.optimizer.get_state(restored)[param][slot], array)
    assert loaded.softmax_classifier_output is not None


def test_file_opens_without_pickle(trained, tmp_path):
    path = trained[0].save(tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as archive:
        config = json.loads(str(archive["config"]))
    assert config["format"] == "nncore-model" and config["version"] == 2


def test_parameter_round_trip(trained, tmp_path):
    model, X = trained
    path = model.save_parameters(tmp_path / "weights")
    fresh = nc.Model.load(model.save(tmp_path / "copy", include_optimizer=False))
    fresh.trainable_layers[0].weights[:] = 0
    fresh.load_parameters(path)
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))


def test_loading_into_a_different_architecture_names_the_layer(trained, tmp_path):
    path = trained[0].save_parameters(tmp_path / "weights")
    other = nc.Model()
    for layer in (nc.Dense(2, 4), nc.ReLU(), nc.Dense(4, 2), nc.Softmax()):
        other.add(layer)
    other.finalize()
    with pytest.raises(ValueError, match=r"trainable layer 0 \(Dense\(2 -> 4\)\): weights must have shape \(2, 4\)"):
        other.load_parameters(path)


class Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('ran')",))


def test_a_crafted_pickle_archive_neither_runs_code_nor_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "evil.npz", config=np.array([Boom()], dtype=object), layer0_weights=np.ones((2, 2)))
    with pytest.raises(ValueError, match="holds pickled objects, which nncore never loads"):
        nc.Model.load(tmp_path / "evil.npz")
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("damage, words", [
    (lambda p: p.write_bytes(p.read_bytes()[:200]), "not a NumPy .npz archive"),
    (lambda p: p.write_bytes(p.read_bytes()[:-300]), "not a NumPy .npz archive"),
    (lambda p: p.write_text("hello"), "not a NumPy .npz archive"),
])
def test_corrupt_or_truncated_files_give_a_clear_error(trained, tmp_path, damage, words):
    path = trained[0].save(tmp_path / "model")
    damage(path)
    with pytest.raises(ValueError, match=words):
        nc.Model.load(path)


def rewrite_config(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    config = json.loads(str(arrays["config"]))
    change(config)
    arrays["config"] = np.array(json.dumps(config))
    np.savez(path, **arrays)


@pytest.mark.parametrize("change, words", [
    (lambda c: c.update(version=3), "format version 3; this nncore reads up to version 2"),
    (lambda c: c.update(version=1), "format version 1, whose optimizer state this nncore cannot restore"),
    (lambda c: c["optimizer"]["state"][0].__setitem__(0, 7), "optimizer state for trainable layer 7"),
    (lambda c: c["optimizer"]["state"][0].__setitem__(2, "velocity"), "keeps the state"),
    (lambda c: c.update(format="keras"), "not an nncore model file"),
    (lambda c: c["layers"].__setitem__(1, {"class": "os.system", "config": {}}), "unknown layer class 'os.system'"),
    (lambda c: c["optimizer"].update({"class": "Lion"}), "unknown optimizer class 'Lion'"),
    (lambda c: c["layers"].__setitem__(0, {"class": "Dense", "config": {"n_inputs": 2}}), "malformed config"),
])
def test_foreign_or_newer_files_are_refused(trained, tmp_path, change, words):
    path = trained[0].save(tmp_path / "model")
    rewrite_config(path, change)
    with pytest.raises(ValueError, match=words):
        nc.Model.load(path)


def test_parameter_files_are_not_models(trained, tmp_path):
    path = trained[0].save_parameters(tmp_path / "weights")
    with pytest.raises(ValueError, match="no readable config"):
        nc.Model.load(path)
    with pytest.raises(FileNotFoundError, match="no such model file: missing.npz"):
        nc.Model.load(tmp_path / "missing.npz")


def test_a_crash_while_writing_leaves_the_old_file_intact(trained, tmp_path, monkeypatch):
    model, X = trained
    path = model.save(tmp_path / "model")
    before = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(saving.np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    assert zipfile.is_zipfile(path)
