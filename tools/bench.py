"""`make bench`: how fast nncore trains, against a book-style NumPy loop, PyTorch (if installed) and the GEMM floor.

Usage: python tools/bench.py [--repeats N] [--skip-check] [--publish]

Reports medians over repeated runs in this one process, with the machine's details:
1. the spiral model of chapter 06 (Dense 2-64-3, Adam lr 0.05 decay 5e-7, 10,001 full-batch epochs);
2. one epoch of a 784-128-128-10 ReLU MLP with Adam, batch 128, 60,000 float32 samples;
3. one epoch of chapter 14's CNN on the digits (Conv2D 1->16 3x3 padding 1, ReLU, MaxPool2D 2, Flatten, Dense
   256-10, softmax; Adam, batch 32, 1,437 float32 images, 1 thread) against the loops of tests/conv_loops.py;
4. `make grade` on a class of fixture submissions, on all cores;
5. `make setup` on fresh clones of the last commit, package caches warm and cold;
6. the wall time of `make check` (set-up done), the CPU time of all its processes, and each chapter's time
   under its nbval run.
The contenders of a comparison take turns within every repeat, and each ratio is the median over the repeats
of the ratio of two runs made in the same turn, under the same conditions (the report gives its range too).
tools/bench_report.py turns the results into the report: build/bench/ (results.json, results.md,
benchmark.png); --publish also copies the table and the plot into README.md and docs/. Timings live here,
never in tests or notebooks.
"""
import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import nncore as nc
from nncore.convolution import Conv2D, Flatten, MaxPool2D
from nncore.datasets import load_digits_split, scale_pixels, spiral_data

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the book-style reference lives with the parity tests it also serves
import book_reference as book  # noqa: E402
import conv_loops  # noqa: E402

import bench_report  # noqa: E402  (tools/, the folder of this script)
import grade  # noqa: E402  (tools/: make grade's throughput)

SPIRAL_EPOCHS = 10001
MLP_SAMPLES, MLP_BATCH, MLP_SIZES = 60000, 128, (784, 128, 128, 10)
CNN_BATCH, CNN_CHANNELS = 32, 16  # chapter 14's "CNN 16"


def machine(torch):
    """CPU, cores and library versions, to print next to every result."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    blas = [f"{info['internal_api']} {info['version']} ({info.get('architecture', '?')})"
            for info in threadpool_info() if info["user_api"] == "blas"]
    return {"cpu": models[0] if models else platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "numpy": np.__version__, "blas": ", ".join(blas) or "unknown",
            "torch": torch.__version__ if torch else "not installed"}


def interleaved_times(runs, repeats):
    """Seconds of each callable in ``runs`` (a dict) in every repeat, as lists: run in turns, the first of a turn
    rotating, so that the i-th times of two contenders were taken under the same conditions."""
    names, times = list(runs), {name: [] for name in runs}
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    return times


def medians(times):
    """The median of each contender's list of seconds."""
    return {name: statistics.median(values) for name, values in times.items()}


def after_nnfs_init(run):
    """``run``, called with NumPy as ``nnfs.init()`` leaves it."""
    def wrapped():
        with book.nnfs_initialised():
            return run()
    return wrapped


# 1. The spiral model -----------------------------------------------------------------------------------------

def spiral_nncore():
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    model = nc.Model()
    for layer in (nc.Dense(2, 64), nc.ReLU(), nc.Dense(64, 3), nc.Softmax()):
        model.add(layer)
    model.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(learning_rate=0.05, decay=5e-7),
              accuracy=nc.CategoricalAccuracy())
    model.finalize()
    history = model.train(X, y, epochs=SPIRAL_EPOCHS, print_every=SPIRAL_EPOCHS, verbose=False)
    return history["accuracy"][-1]


def spiral_book():
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    layers = [book.DenseLayer(0.01 * np.random.randn(2, 64)), book.ReLUActivation(),
              book.DenseLayer(0.01 * np.random.randn(64, 3))]
    loss, optimizer = book.SoftmaxWithCrossEntropy(), book.AdamOptimizer(learning_rate=0.05, decay=5e-7)
    for _ in range(SPIRAL_EPOCHS):
        _, accuracy = book.train_step(layers, loss, optimizer, X, y)
    return accuracy


def spiral_torch(torch):
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    X, y = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(y.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05, eps=1e-7)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 / (1 + 5e-7 * step))
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(SPIRAL_EPOCHS):
        optimizer.zero_grad()
        output = model(X)
        loss_fn(output, y).backward()
        optimizer.step()
        schedule.step()
    return float((output.argmax(dim=1) == y).float().mean())


def bench_spiral(repeats, torch):
    runs = {"nncore": spiral_nncore, "book-style NumPy": spiral_book,
            "nncore, after nnfs.init()": after_nnfs_init(spiral_nncore),
            "book-style NumPy, after nnfs.init()": after_nnfs_init(spiral_book)}
    if torch is not None:
        torch.set_num_threads(1)
        runs["PyTorch, 1 thread"] = lambda: spiral_torch(torch)
    with threadpool_limits(1):
        return interleaved_times(runs, repeats)


# 2. One epoch of an MNIST-sized MLP ---------------------------------------------------------------------------

def mlp_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((MLP_SAMPLES, MLP_SIZES[0]), dtype=np.float32)
    return X, rng.integers(0, MLP_SIZES[-1], MLP_SAMPLES)


def mlp_weights():
    rng = np.random.default_rng(1)
    return [(0.01 * rng.standard_normal((a, b))).astype(np.float32) for a, b in zip(MLP_SIZES, MLP_SIZES[1:])]


def mlp_nncore(X, y):
    model = nc.Model()
    for index, weights in enumerate(mlp_weights()):
        model.add(nc.Dense(*weights.shape))
        model.add(nc.ReLU() if index < len(MLP_SIZES) - 2 else nc.Softmax())
    model.set(loss=nc.CategoricalCrossentropy(), optimizer=nc.Adam(), accuracy=nc.CategoricalAccuracy())
    model.finalize()
    model.set_parameters([(weights, np.zeros((1, weights.shape[1]), np.float32)) for weights in mlp_weights()])
    return lambda: model.train(X, y, epochs=1, batch_size=MLP_BATCH, verbose=False)


def mlp_book(X, y):
    weights = mlp_weights()
    layers = []
    for index, matrix in enumerate(weights):
        layers.append(book.DenseLayer(matrix))
        if index < len(weights) - 1:
            layers.append(book.ReLUActivation())
    loss, optimizer = book.SoftmaxWithCrossEntropy(), book.AdamOptimizer()

    def epoch():
        for start in range(0, len(X), MLP_BATCH):
            book.train_step(layers, loss, optimizer, X[start:start + MLP_BATCH], y[start:start + MLP_BATCH])
    return epoch


def mlp_torch(torch, X, y):
    modules = []
    for index, weights in enumerate(mlp_weights()):
        linear = torch.nn.Linear(*weights.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weights.T.copy()))
            linear.bias.zero_()
        modules += [linear] + ([torch.nn.ReLU()] if index < len(MLP_SIZES) - 2 else [])
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        for start in range(0, len(X), MLP_BATCH):
            optimizer.zero_grad()
            loss_fn(model(X[start:start + MLP_BATCH]), y[start:start + MLP_BATCH]).backward()
            optimizer.step()
    return epoch


def mlp_matrix_products(X):
    """The GEMM floor: an epoch's matrix products alone, at their real shapes, with nothing around them."""
    weights = mlp_weights()

    def epoch():
        for start in range(0, len(X), MLP_BATCH):
            inputs = X[start:start + MLP_BATCH]
            for index, matrix in enumerate(weights):
                outputs = np.matmul(inputs, matrix)
                np.matmul(inputs.T, outputs)  # the weight gradient's shape and cost
                if index:  # the first layer needs no input gradient
                    np.matmul(outputs, matrix.T)
                inputs = outputs
    return epoch


def mlp_flops():
    """Floating-point operations of an epoch's matrix products (2 per multiply-add)."""
    sizes = list(zip(MLP_SIZES, MLP_SIZES[1:]))
    forward = sum(2 * a * b for a, b in sizes)
    backward = forward + sum(2 * a * b for a, b in sizes[1:])
    return MLP_SAMPLES * (forward + backward)


def bench_mlp(repeats, torch):
    X, y = mlp_data()
    results = {}
    for threads in (1, 2):
        runs = {"nncore": mlp_nncore(X, y), "book-style NumPy": mlp_book(X, y)}
        if torch is not None:
            torch.set_num_threads(threads)
            runs["PyTorch"] = mlp_torch(torch, X, y)
        runs["GEMM floor"] = mlp_matrix_products(X)
        with threadpool_limits(threads):
            times = interleaved_times(runs, repeats)
        results.update({f"{name}, {threads} thread{'s' * (threads > 1)}": value for name, value in times.items()})
    return results


# 3. One epoch of the digits CNN ------------------------------------------------------------------------------

def cnn_data():
    X_train, y_train, _, _ = load_digits_split()
    return scale_pixels(X_train, 16).reshape(-1, 1, 8, 8), y_train


def cnn_weights():
    """Float32 weights for the convolution (He) and the dense layer (the book's 0.01), the same for every contender."""
    rng = np.random.default_rng(2)
    conv = (2 / 9) ** 0.5 * rng.standard_normal((CNN_CHANNELS, 1, 3, 3))
    dense = 0.01 * rng.standard_normal((CNN_CHANNELS * 16, 10))
    return conv.astype(np.float32), dense.astype(np.float32)


def cnn_nncore(X, y, conv=Conv2D, pool=MaxPool2D):
    """An epoch of the CNN in nncore; with ``conv_loops.LoopConv2D`` and ``LoopMaxPool2D``, of the loops."""
    model = nc.Model(conv(1, CNN_CHANNELS, 3, padding=1), nc.ReLU(), pool(2), Flatten(),
                     nc.Dense(CNN_CHANNELS * 16, 10), nc.Softmax(), loss=nc.CategoricalCrossentropy(),
                     optimizer=nc.Adam(), accuracy=nc.CategoricalAccuracy())
    conv_weights, dense_weights = cnn_weights()
    model.set_parameters([(conv_weights, np.zeros(CNN_CHANNELS, np.float32)),
                          (dense_weights, np.zeros((1, 10), np.float32))])
    return lambda: model.train(X, y, epochs=1, batch_size=CNN_BATCH, verbose=False)


def cnn_torch(torch, X, y):
    conv_weights, dense_weights = cnn_weights()
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, CNN_CHANNELS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(CNN_CHANNELS * 16, 10))
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(conv_weights))
        model[4].weight.copy_(torch.from_numpy(dense_weights.T.copy()))
        model[0].bias.zero_()
        model[4].bias.zero_()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    # PyTorch's first backward pass sets up its autograd engine (about 0.1 s here): one step before any timing.
    loss_fn(model(X[:CNN_BATCH]), y[:CNN_BATCH]).backward()
    optimizer.zero_grad()

    def epoch():
        for start in range(0, len(X), CNN_BATCH):
            optimizer.zero_grad()
            loss_fn(model(X[start:start + CNN_BATCH]), y[start:start + CNN_BATCH]).backward()
            optimizer.step()
    return epoch


def bench_cnn(repeats, torch):
    """Seconds per epoch in every repeat, every contender on one thread, as the chapters run (BLAS single-threaded)."""
    X, y = cnn_data()
    runs = {"nncore": cnn_nncore(X, y),
            "loop implementation": cnn_nncore(X, y, conv_loops.LoopConv2D, conv_loops.LoopMaxPool2D)}
    if torch is not None:
        torch.set_num_threads(1)
        runs["PyTorch"] = cnn_torch(torch, X, y)
    with threadpool_limits(1):
        return interleaved_times(runs, repeats)


# 5. A fresh clone's set-up ------------------------------------------------------------------------------------

def bench_setup():
    """Seconds from a fresh clone of the last commit to a ready .venv (`make setup`), package caches warm and cold.

    The cold run gives uv an empty cache of its own and pip none, so every package comes from the index.
    """
    seconds = {}
    with tempfile.TemporaryDirectory() as folder:
        for caches in ("warm", "cold"):
            clone = Path(folder) / caches
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
            env = dict(os.environ)
            if caches == "cold":
                env.update(UV_CACHE_DIR=str(Path(folder) / "uv-cache"), PIP_NO_CACHE_DIR="1")
            start = time.perf_counter()
            subprocess.run(["make", "--no-print-directory", "setup"], cwd=clone, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds[f"fresh clone to a ready .venv, {caches} caches"] = time.perf_counter() - start
    return seconds


# 6. `make check` and its chapters -----------------------------------------------------------------------------

def bench_make_check():
    """Wall time of `make check` (set-up done), the CPU time of all its processes, its exit code, and each
    chapter's time in its nbval run. On a shared machine the CPU time moves less than the wall time."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "nbval.xml"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(["make", "--no-print-directory", "check", f"NBVAL_OPTS=--junitxml={report}"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        total = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # make, pytest, its workers and their kernels
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        chapters = {}
        if report.exists():
            for case in ElementTree.parse(report).iter("testcase"):
                if not case.get("classname", "").startswith("notebooks."):
                    continue  # a unit test: the report of `make check` holds both
                name = case.get("classname").removeprefix("notebooks.").removesuffix(".ipynb")
                chapters[name] = chapters.get(name, 0.0) + float(case.get("time", 0))
    return {"seconds": total, "cpu seconds": cpu, "exit code": done.returncode,
            "chapters": dict(sorted(chapters.items()))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of every contender (default 5)")
    parser.add_argument("--skip-check", action="store_true", help="do not time `make check` and its chapters")
    parser.add_argument("--publish", action="store_true", help="write the table and plot into README.md and docs/")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: its rows are skipped (pip install torch, its CPU build, to compare; never required).")
    results = {"machine": machine(torch), "date": datetime.date.today().isoformat(), "repeats": args.repeats}
    print(f"machine: {bench_report.describe(results['machine'])}")
    print("timing the spiral model ...", flush=True)
    results["runs"] = {"spiral": bench_spiral(args.repeats, torch)}
    print("timing the MLP epoch ...", flush=True)
    results["runs"]["mlp"] = bench_mlp(args.repeats, torch)
    results["mlp_flop"] = mlp_flops()
    print("timing the CNN epoch (the loop implementation takes seconds per epoch) ...", flush=True)
    results["runs"]["cnn"] = bench_cnn(args.repeats, torch)
    results.update({section: medians(times) for section, times in results["runs"].items()})
    print("timing make grade on a class of 20 submissions of 04_loss ...", flush=True)
    results["grade"] = grade.bench()
    print("timing make setup on fresh clones (warm and cold package caches) ...", flush=True)
    results["setup"] = bench_setup()
    if not args.skip_check:
        print("timing make check ...", flush=True)
        results["check"] = bench_make_check()
    print()
    bench_report.write(results, publish_to_readme=args.publish)


if __name__ == "__main__":
    main()
