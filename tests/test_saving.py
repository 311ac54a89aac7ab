import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest

import nncore as nc
from nncore import saving
from nncore.normalization import BatchNorm
from nncore.optimizers import AdamW
from nncore.schedules import CosineWarmup, Schedule


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
    with pytest.raises(ValueError, match=r"weights.npz: 'layer0_weights' has shape \(2, 8\); trainable layer 0 \(Dense\(2 -> 4\)\) "
                                         r"needs weights of shape \(2, 4\)"):
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


def refusal_of_a_changed_config(model, tmp_path, change):
    """The ValueError with which ``Model.load`` refuses ``model``'s file after ``change`` edited its config."""
    path = model.save(tmp_path / "model")
    rewrite_config(path, change)
    with pytest.raises(ValueError) as info:
        nc.Model.load(path)
    return str(info.value)


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


# Hostile and careless files: every load is bounded in memory and time, every refusal names the member.

def load_in_a_thread(path, timeout=10):
    """``Model.load(path)``'s exception (or ``None``), failing the test if it has not returned within ``timeout``."""
    outcome = {}

    def run():
        try:
            nc.Model.load(path)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"Model.load({path.name}) still runs after {timeout} s"
    return outcome.get("error")


def peak_memory_of(call):
    """The exception ``call`` raises and the most memory Python and NumPy held meanwhile, in bytes."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            call()
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
def test_a_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "model.npz")
    error = load_in_a_thread(tmp_path / "model.npz")
    assert isinstance(error, ValueError) and "model.npz is a FIFO, not a regular file" in str(error)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_behind_a_symlink_is_refused_at_once(tmp_path):
    (tmp_path / "model.npz").symlink_to("/dev/zero")
    error = load_in_a_thread(tmp_path / "model.npz")
    assert isinstance(error, ValueError) and "model.npz is a device, not a regular file" in str(error)


def add_member(path, member, megabytes_of_zeros, *, npy_header=None):
    """Append to the archive ``path`` a deflated member of zeros: 100 MB compress to about 450 KB at the fastest
    level, in a quarter of the default level's time."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(member, "w", force_zip64=True) as stream:
            if npy_header is not None:
                stream.write(npy_header)
            chunk = bytes(1 << 20)
            for _ in range(megabytes_of_zeros):
                stream.write(chunk)


def npy_header(shape):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_a_zip_bomb_member_that_is_not_expected_is_never_read(trained, tmp_path):
    path = trained[0].save(tmp_path / "model")
    add_member(path, "surprise.npy", 200, npy_header=npy_header((25_000_000,)))
    assert path.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        loaded = nc.Model.load(path)  # the surprise is not part of the model: ignored, not decompressed
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(loaded.layers) == 5 and peak < 20_000_000


def test_a_zip_bomb_in_place_of_a_parameter_is_refused_by_its_header(trained, tmp_path):
    model = trained[0]
    path = model.save(tmp_path / "model")
    arrays = dict(np.load(path, allow_pickle=False))
    del arrays["layer0_weights"]
    np.savez(path, **arrays)
    add_member(path, "layer0_weights.npy", 200, npy_header=npy_header((25_000_000,)))
    error, peak = peak_memory_of(lambda: nc.Model.load(path))
    assert "'layer0_weights' has shape (25000000,); trainable layer 0 (Dense" in str(error)
    assert peak < 20_000_000


def test_a_member_longer_than_its_header_says_is_refused_before_it_is_read(trained, tmp_path):
    path = trained[0].save(tmp_path / "model")
    arrays = dict(np.load(path, allow_pickle=False))
    del arrays["layer1_biases"]
    np.savez(path, **arrays)
    add_member(path, "layer1_biases.npy", 200, npy_header=npy_header((1, 2)))
    error, peak = peak_memory_of(lambda: nc.Model.load(path))
    assert "'layer1_biases' is 209,715,328 bytes long; its header describes 144" in str(error)
    assert peak < 20_000_000


@pytest.mark.parametrize("n_neurons", [12_000, 30_000])
def test_an_oversized_config_is_refused_before_anything_is_built(trained, tmp_path, n_neurons):
    path = trained[0].save(tmp_path / "model")
    rewrite_config(path, lambda c: c["layers"][0]["config"].update(n_inputs=n_neurons, n_neurons=n_neurons))
    error, peak = peak_memory_of(lambda: nc.Model.load(path))
    assert f"describes a model of {n_neurons * n_neurons + n_neurons + 18:,} parameters; nncore loads at most" \
        in str(error)
    assert peak < 20_000_000


def rewrite_member(path, member, value):
    arrays = dict(np.load(path, allow_pickle=False))
    arrays[member] = value
    np.savez(path, **arrays)


def test_a_config_that_does_not_match_the_arrays_is_refused_before_anything_is_built(trained, tmp_path):
    path = trained[0].save(tmp_path / "model")
    rewrite_config(path, lambda c: c["layers"][0]["config"].update(n_neurons=9))
    with pytest.raises(ValueError, match=r"'layer0_weights' has shape \(2, 8\); trainable layer 0 \(Dense "
                                         r".*needs weights of shape \(2, 9\)"):
        nc.Model.load(path)


@pytest.mark.parametrize("member, value, words", [
    ("optimizer_state1", np.full((2, 8), np.nan), "'optimizer_state1' holds NaN or infinite values"),
    ("optimizer_state0", np.zeros((1, 1)), "'optimizer_state0' must have shape (2, 8), got (1, 1)"),
    ("layer0_weights", np.ones((2, 8)) * 1j, "'layer0_weights' must hold floating-point numbers, got dtype complex128"),
    ("layer0_biases", np.zeros((1, 8), dtype=int), "'layer0_biases' must hold floating-point numbers, got dtype int64"),
    ("layer1_weights", np.full((8, 2), np.inf), "'layer1_weights' holds NaN or infinite values"),
    ("config", np.array([1.0]), "'config' must hold text, got dtype float64"),
])
def test_a_bad_array_is_refused_by_its_name(trained, tmp_path, member, value, words):
    path = trained[0].save(tmp_path / "model")
    rewrite_member(path, member, value)
    with pytest.raises(ValueError) as info:
        nc.Model.load(path)
    assert words in str(info.value)


@pytest.mark.parametrize("change, words", [
    (lambda c: c["optimizer"].update(iterations="5"), "optimizer iterations must be a whole number >= 0, got '5'"),
    (lambda c: c["optimizer"].update(iterations=True), "optimizer iterations must be a whole number >= 0, got True"),
    (lambda c: c["optimizer"].update(iterations=-1), "optimizer iterations must be a whole number >= 0, got -1"),
    (lambda c: c["optimizer"].update(current_learning_rate=float("nan")), "current_learning_rate must be a finite"),
    (lambda c: c["optimizer"].update(current_learning_rate=0), "current_learning_rate must be a finite number > 0"),
    (lambda c: c["accuracy"].update(precision=-1.0), "accuracy precision must be a finite number >= 0 or null"),
    (lambda c: c["optimizer"]["state"].append([0, "weights"]), "optimizer state must be a list of [layer index"),
    (lambda c: c["optimizer"]["state"][0].__setitem__(1, "kernel"), "optimizer state for 'kernel' of Dense(2 -> 8"),
    (lambda c: c.update(layers=[]), "'layers' must be a non-empty list, got []"),
    (lambda c: c["layers"].__setitem__(0, "Dense"), "layer 0 must be {'class': name, 'config': {...}}, got 'Dense'"),
    (lambda c: c.update(version="2"), "format version '2', which nncore never wrote"),
    (lambda c: c["layers"][0]["config"].update(n_inputs=2.5), "n_inputs must be a positive integer"),
])
def test_every_config_field_is_checked(trained, tmp_path, change, words):
    assert words in refusal_of_a_changed_config(trained[0], tmp_path, change)


def test_a_path_without_npz_saves_and_loads_the_same_file(trained, tmp_path):
    model, X = trained
    assert model.save(tmp_path / "digits.model") == tmp_path / "digits.model.npz"
    np.testing.assert_array_equal(nc.Model.load(tmp_path / "digits.model").predict(X), model.predict(X))
    model.save_parameters(tmp_path / "digits.parms")
    model.load_parameters(tmp_path / "digits.parms")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_saved_file_gets_the_usual_permissions(trained, tmp_path):
    model = trained[0]
    previous = os.umask(0o022)
    try:
        path = model.save(tmp_path / "model")
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        path.chmod(0o640)
        model.save(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_the_temporary_of_a_killed_save_is_removed_by_the_next_save(trained, tmp_path):
    path = trained[0].save(tmp_path / "model")
    script = f"""
import numpy as np, time, nncore as nc
from nncore import saving
model = nc.Model.load({str(path)!r})
def slow(file, **arrays):
    file.write(b"part of a model"); file.flush(); print("writing", flush=True); time.sleep(60)
saving.np.savez = slow
model.save({str(path)!r})
"""
    saver = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert saver.stdout.readline() == "writing\n"
    saver.send_signal(signal.SIGKILL)
    saver.wait()
    assert len(list(tmp_path.glob(".model.npz.*.tmp"))) == 1
    trained[0].save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


# BatchNorm's buffers, schedules, clipping and AdamW (issue 20)

@pytest.fixture
def normalised(rng):
    X = rng.standard_normal((40, 2))
    model = nc.Model(nc.Dense(2, 8, init="he", rng=rng), BatchNorm(8, momentum=0.8), nc.ReLU(), nc.Dense(8, 2, rng=rng),
                     nc.Softmax(), loss=nc.CategoricalCrossentropy(),
                     optimizer=AdamW(learning_rate=0.01, schedule=CosineWarmup(40, warmup_steps=4), clip_norm=0.5),
                     accuracy=nc.CategoricalAccuracy())
    model.train(X, (X[:, 0] > 0).astype(int), epochs=5, batch_size=10, verbose=False)
    return model, X


def test_batchnorm_buffers_schedule_and_clipping_round_trip(normalised, tmp_path):
    model, X = normalised
    loaded = nc.Model.load(model.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.layers[1].running_var, model.layers[1].running_var)
    assert repr(loaded.layers[0]) == "Dense(2 -> 8, init='he')" and loaded.layers[1].momentum == 0.8
    assert repr(loaded.optimizer) == repr(model.optimizer)
    assert loaded.optimizer.clip_norm == 0.5 and loaded.optimizer.weight_decay_on == ("weights",)
    for optimizer in (model.optimizer, loaded.optimizer):
        optimizer.pre_update_params()
    assert loaded.optimizer.current_learning_rate == model.optimizer.current_learning_rate


def test_parameter_files_hold_the_buffers_too(normalised, tmp_path):
    model, X = normalised
    path = model.save_parameters(tmp_path / "weights")
    with np.load(path, allow_pickle=False) as archive:
        assert {"layer1_gamma", "layer1_beta", "layer1_running_mean", "layer1_running_var"} <= set(archive.files)
    fresh = nc.Model.load(model.save(tmp_path / "copy", include_optimizer=False))
    fresh.layers[1].running_mean[:] = 0
    fresh.load_parameters(path)
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))


@pytest.mark.parametrize("member, value, words", [
    ("layer1_running_var", np.full((1, 8), np.nan), "'layer1_running_var' holds NaN or infinite values"),
    ("layer1_running_var", -np.ones((1, 8)), "model.npz: layer1's running_var must hold values >= 0, got -1 at index (0, 0)"),
    ("layer1_running_mean", np.zeros((8,)), "'layer1_running_mean' must have shape (1, 8), got (8,)"),
    ("layer1_running_mean", np.zeros((1, 8), dtype=int), "'layer1_running_mean' must hold floating-point numbers"),
])
def test_a_bad_buffer_is_refused_by_its_name(normalised, tmp_path, member, value, words):
    path = normalised[0].save(tmp_path / "model")
    rewrite_member(path, member, value)
    with pytest.raises(ValueError) as info:
        nc.Model.load(path)
    assert words in str(info.value)


def test_a_missing_buffer_is_refused_by_its_name(normalised, tmp_path):
    path = normalised[0].save(tmp_path / "model")
    arrays = dict(np.load(path, allow_pickle=False))
    del arrays["layer1_running_var"]
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="model.npz lacks the array 'layer1_running_var'"):
        nc.Model.load(path)


def test_a_zip_bomb_in_place_of_a_buffer_is_refused_by_its_header(normalised, tmp_path):
    path = normalised[0].save(tmp_path / "model")
    arrays = dict(np.load(path, allow_pickle=False))
    del arrays["layer1_running_mean"]
    np.savez(path, **arrays)
    add_member(path, "layer1_running_mean.npy", 200, npy_header=npy_header((25_000_000,)))
    error, peak = peak_memory_of(lambda: nc.Model.load(path))
    assert "'layer1_running_mean' must have shape (1, 8), got (25000000,)" in str(error)
    assert peak < 20_000_000


@pytest.mark.parametrize("change, words", [
    (lambda c: c["optimizer"]["config"]["schedule"].update({"class": "os.system"}),
     "unknown schedule class 'os.system'"),
    (lambda c: c["optimizer"]["config"].update(schedule="CosineWarmup"),
     "optimizer schedule must be {'class': name, 'config': {...}}, got 'CosineWarmup'"),
    (lambda c: c["optimizer"]["config"]["schedule"]["config"].update(total_steps=-3),
     "total_steps must be a positive integer, got -3"),
    (lambda c: c["optimizer"]["config"].update(clip_norm=0), "clip_norm must be in (0.0, inf), got 0.0"),
    (lambda c: c["optimizer"]["config"]["schedule"]["config"].update(steps=3), "malformed config"),
    (lambda c: c["layers"][0]["config"].update(init="xavier"), "unknown init 'xavier'"),
])
def test_schedule_and_init_fields_are_checked(normalised, tmp_path, change, words):
    assert words in refusal_of_a_changed_config(normalised[0], tmp_path, change)


def test_a_schedule_may_end_at_a_learning_rate_of_zero(normalised, tmp_path):
    path = normalised[0].save(tmp_path / "model")
    rewrite_config(path, lambda c: c["optimizer"].update(current_learning_rate=0.0))
    assert nc.Model.load(path).optimizer.current_learning_rate == 0.0


def test_a_file_saved_before_init_existed_loads_with_the_books_init(trained, tmp_path):
    model, X = trained
    path = model.save(tmp_path / "model")
    rewrite_config(path, lambda c: [layer["config"].pop("init", None) for layer in c["layers"]])
    loaded = nc.Model.load(path)
    assert loaded.trainable_layers[0].init == "book"
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


class Halving(Schedule):
    def __call__(self, iteration):
        return 0.5

    def config(self):
        return {}


@nc.register(kind="schedule")
class FixedFactor(Schedule):
    """A schedule written outside nncore, registered so that saving can rebuild it."""
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, iteration):
        return self.factor

    def config(self):
        return {"factor": self.factor}


@nc.register
class BufferOnlyCounter:
    """Keeps a buffer but no parameters."""
    buffers = ("count",)

    def __init__(self):
        self.count = np.zeros(1)

    def forward(self, inputs, training=False):
        return inputs

    def config(self):
        return {}


def test_what_cannot_be_rebuilt_is_refused_at_save(trained, tmp_path):
    model = trained[0]
    model.set(optimizer=nc.SGD(schedule=Halving()))
    model.finalize()
    with pytest.raises(ValueError, match=r"cannot save the schedule Halving\(\): its class is not registered; "
                                         r"call nncore.register\(Halving, kind='schedule'\) first"):
        model.save(tmp_path / "model")
    assert model.save(tmp_path / "model", include_optimizer=False).exists()
    counting = nc.Model(nc.Dense(2, 2), BufferOnlyCounter(), nc.Softmax())
    with pytest.raises(ValueError, match=r"cannot save .*BufferOnlyCounter.*: nncore saves the buffers \('count',\) of "
                                         r"trainable layers \(layers with params\) only"):
        counting.save(tmp_path / "counting")


def test_a_registered_schedule_of_ones_own_is_saved_and_rebuilt(trained, tmp_path):
    model = trained[0]
    model.set(optimizer=nc.SGD(learning_rate=0.5, schedule=FixedFactor(0.25)))
    model.finalize()
    loaded = nc.Model.load(model.save(tmp_path / "model"))
    schedule = loaded.optimizer.schedule
    assert type(schedule) is FixedFactor and schedule.factor == 0.25
    loaded.optimizer.pre_update_params()
    assert loaded.optimizer.current_learning_rate == 0.125
