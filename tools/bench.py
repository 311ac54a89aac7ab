"""`make bench`: how fast nncore trains, against a book-style NumPy loop, PyTorch (if installed) and the GEMM floor.

Usage: python tools/bench.py [--repeats N] [--skip-notebooks]

Reports medians over repeated runs in this one process, with the machine's details:
1. the spiral model of chapter 06 (Dense 2-64-3, Adam lr 0.05 decay 5e-7, 10,001 full-batch epochs);
2. one epoch of a 784-128-128-10 ReLU MLP with Adam, batch 128, 60,000 float32 samples;
3. the wall time of each chapter under nbval, as `make check` runs it.
Writes build/bench/results.json and docs/benchmark.png. Timings live here, never in tests or notebooks.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib
import nnfs
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import bench_reference as book
import nncore as nc
from nncore.datasets import spiral_data

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPIRAL_EPOCHS = 10001
MLP_SAMPLES, MLP_BATCH, MLP_SIZES = 60000, 128, (784, 128, 128, 10)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() \
        else platform.processor()
    blas = [f"{info['internal_api']} {info['version']} ({info.get('architecture', '?')})"
            for info in threadpool_info() if info["user_api"] == "blas"]
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "blas": ", ".join(blas) or "unknown"}


def median_time(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class NnfsInit:
    """``nnfs.init()`` for the duration of a block, then NumPy as it was."""

    def __enter__(self):
        self.saved = {(np, "dot"): np.dot, (np, "zeros"): np.zeros, (np, "eye"): np.eye,
                      (np.random, "randn"): np.random.randn}
        nnfs.init()

    def __exit__(self, *exc):
        for (module, name), function in self.saved.items():
            setattr(module, name, function)


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
    rows = []
    with threadpool_limits(1):
        for name, run in (("nncore", spiral_nncore), ("book-style NumPy", spiral_book)):
            rows.append({"case": f"{name}, no nnfs.init()", "seconds": median_time(run, repeats)})
            with NnfsInit():
                rows.append({"case": f"{name}, after nnfs.init()", "seconds": median_time(run, repeats)})
    if torch is not None:
        torch.set_num_threads(1)
        rows.append({"case": "PyTorch (CPU, 1 thread)", "seconds": median_time(lambda: spiral_torch(torch), repeats)})
    return rows


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


def gemm_floor(threads):
    """Seconds an epoch's matrix products need at this machine's measured float32 GEMM speed."""
    sizes = list(zip(MLP_SIZES, MLP_SIZES[1:]))
    forward = sum(2 * MLP_BATCH * a * b for a, b in sizes)
    backward = forward + sum(2 * MLP_BATCH * a * b for a, b in sizes[1:])  # dW for all, dX for all but the first
    steps = -(-MLP_SAMPLES // MLP_BATCH)
    rng = np.random.default_rng(2)
    A = rng.standard_normal((MLP_BATCH, 784), dtype=np.float32)
    B = rng.standard_normal((784, 128), dtype=np.float32)
    with threadpool_limits(threads):
        seconds = median_time(lambda: [np.matmul(A, B) for _ in range(200)], 5) / 200
    flops_per_second = 2 * MLP_BATCH * 784 * 128 / seconds
    return steps * (forward + backward) / flops_per_second, flops_per_second


def bench_mlp(repeats, torch):
    X, y = mlp_data()
    rows = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            rows.append({"case": f"nncore, {threads} BLAS thread(s)", "seconds": median_time(mlp_nncore(X, y), repeats)})
            rows.append({"case": f"book-style NumPy, {threads} BLAS thread(s)",
                         "seconds": median_time(mlp_book(X, y), repeats)})
        if torch is not None:
            torch.set_num_threads(threads)
            rows.append({"case": f"PyTorch (CPU, {threads} thread(s))",
                         "seconds": median_time(mlp_torch(torch, X, y), repeats)})
        floor, speed = gemm_floor(threads)
        rows.append({"case": f"GEMM floor, {threads} thread(s) ({speed / 1e9:.1f} GFLOP/s)", "seconds": floor})
    return rows


# 3. The chapters under nbval -----------------------------------------------------------------------------------

def bench_notebooks():
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "nbval.xml"
        env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "PYTHONPATH": str(ROOT / "tools" / "guard")}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                        "--nbval-current-env", f"--junitxml={report}", "notebooks"], cwd=ROOT, env=env, check=False,
                       stdout=subprocess.DEVNULL)
        total = time.perf_counter() - start
        per_file = {}
        for case in ElementTree.parse(report).iter("testcase"):
            name = Path(case.get("file") or case.get("classname", "?").replace(".", "/")).stem
            per_file[name] = per_file.get(name, 0.0) + float(case.get("time", 0))
    return [{"case": name, "seconds": seconds} for name, seconds in sorted(per_file.items())] + \
        [{"case": "all chapters (nbval run, wall time)", "seconds": total}]


def table(title, rows):
    lines = [f"\n{title}", f"{'case':<52} {'seconds':>9}"]
    lines += [f"{row['case']:<52} {row['seconds']:>9.3f}" for row in rows]
    return "\n".join(lines)


def plot(results, path):
    panels = [key for key in ("spiral", "mlp", "notebooks") if results.get(key)]
    _, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4), squeeze=False)
    titles = {"spiral": "Spiral 2-64-3, 10,001 epochs", "mlp": "MLP 784-128-128-10, one epoch",
              "notebooks": "Chapters under nbval"}
    for key, axis in zip(panels, axes[0]):
        rows = results[key]
        axis.barh([row["case"] for row in rows], [row["seconds"] for row in rows], color="C0")
        axis.invert_yaxis()
        axis.set_xlabel("seconds (median)")
        axis.set_title(titles[key])
    plt.suptitle(f"{results['machine']['cpu']}, {results['machine']['cores']} cores")
    plt.tight_layout()
    plt.savefig(path, dpi=80)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: its rows are skipped (pip install torch to compare; never required).")
    results = {"machine": machine(), "repeats": args.repeats}
    print("machine:", ", ".join(f"{key} {value}" for key, value in results["machine"].items()))
    results["spiral"] = bench_spiral(args.repeats, torch)
    print(table("1. spiral model, 10,001 full-batch epochs (1 BLAS thread)", results["spiral"]))
    results["mlp"] = bench_mlp(args.repeats, torch)
    print(table("2. one epoch of a 784-128-128-10 MLP, batch 128, 60,000 float32 samples", results["mlp"]))
    if not args.skip_notebooks:
        results["notebooks"] = bench_notebooks()
        print(table("3. chapters under nbval (as in `make check`)", results["notebooks"]))
    out = ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    (ROOT / "docs").mkdir(exist_ok=True)
    plot(results, ROOT / "docs" / "benchmark.png")
    print("\nwrote build/bench/results.json and docs/benchmark.png")


if __name__ == "__main__":
    main()
