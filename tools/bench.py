"""`make bench`: how fast nncore trains, against a book-style NumPy loop, PyTorch (if installed) and the GEMM floor.

Usage: python tools/bench.py [--repeats N] [--skip-check] [--publish]

Reports medians over repeated runs in this one process, with the machine's details:
1. the spiral model of chapter 06 (Dense 2-64-3, Adam lr 0.05 decay 5e-7, 10,001 full-batch epochs);
2. one epoch of a 784-128-128-10 ReLU MLP with Adam, batch 128, 60,000 float32 samples;
3. the wall time of `make check` (set-up done) and of each chapter under its nbval run.
The contenders of a comparison take turns within every repeat, so that each ratio compares runs made
under the same conditions. Writes build/bench/ (results.json, results.md, benchmark.png); --publish also
copies the table and the plot into README.md and docs/. Timings live here, never in tests or notebooks.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import nncore as nc
from nncore.datasets import spiral_data

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the book-style reference lives with the parity tests it also serves
import book_reference as book  # noqa: E402

OUT = ROOT / "build" / "bench"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
SPIRAL_EPOCHS = 10001
MLP_SAMPLES, MLP_BATCH, MLP_SIZES = 60000, 128, (784, 128, 128, 10)
CHAPTER_LIMIT, CHECK_LIMIT = 60, 300  # seconds: every chapter, and `make check` after set-up


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


def interleaved_medians(runs, repeats):
    """Median seconds of each callable in ``runs`` (a dict), run in turns, the first of a turn rotating."""
    names, times = list(runs), {name: [] for name in runs}
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
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
        return interleaved_medians(runs, repeats)


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
            medians = interleaved_medians(runs, repeats)
        results.update({f"{name}, {threads} thread{'s' * (threads > 1)}": value for name, value in medians.items()})
    return results


# 3. `make check` and its chapters -----------------------------------------------------------------------------

def bench_make_check():
    """Wall time of `make check` (set-up done), its exit code, and each chapter's time in its nbval run."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "nbval.xml"
        start = time.perf_counter()
        done = subprocess.run(["make", "--no-print-directory", "check", f"NBVAL_OPTS=--junitxml={report}"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        total = time.perf_counter() - start
        chapters = {}
        if report.exists():
            for case in ElementTree.parse(report).iter("testcase"):
                name = case.get("classname", "?").removeprefix("notebooks.").removesuffix(".ipynb")
                chapters[name] = chapters.get(name, 0.0) + float(case.get("time", 0))
    return {"seconds": total, "exit code": done.returncode, "chapters": dict(sorted(chapters.items()))}


# Targets, report, plot ---------------------------------------------------------------------------------------

def targets(results):
    """The issue's targets as (what, measured, limit, unit) rows: met when measured <= limit, skipped when None."""
    spiral, mlp, rows = results["spiral"], results["mlp"], []
    rows.append(("spiral: nncore / book-style loop", spiral["nncore"] / spiral["book-style NumPy"], 1, "x"))
    rows.append(("spiral after nnfs.init(): nncore / book-style loop",
                 spiral["nncore, after nnfs.init()"] / spiral["book-style NumPy, after nnfs.init()"], 1, "x"))
    torch_time = mlp.get("PyTorch, 2 threads")
    rows.append(("MLP epoch: nncore / PyTorch, 2 threads", torch_time and mlp["nncore, 2 threads"] / torch_time, 1, "x"))
    rows.append(("MLP epoch: nncore / GEMM floor, 2 threads", mlp["nncore, 2 threads"] / mlp["GEMM floor, 2 threads"],
                 3, "x"))
    if "check" in results:
        chapters = results["check"]["chapters"]
        slowest = max(chapters, key=chapters.get)
        rows.append((f"slowest chapter ({slowest})", chapters[slowest], CHAPTER_LIMIT, "s"))
        rows.append(("make check after set-up", results["check"]["seconds"], CHECK_LIMIT, "s"))
    return rows


def describe(machine_info):
    return (f"{machine_info['cpu']}, {machine_info['cores']} cores; Python {machine_info['python']}, "
            f"NumPy {machine_info['numpy']} with {machine_info['blas']}; PyTorch {machine_info['torch']}")


def text_report(results):
    lines = [f"medians of {results['repeats']} repeats, contenders in turns"]
    sections = [("1. spiral model, 10,001 full-batch epochs, 1 thread", results["spiral"]),
                ("2. one epoch of a 784-128-128-10 MLP, batch 128, 60,000 float32 samples", results["mlp"])]
    if "check" in results:
        sections.append((f"3. make check (exit code {results['check']['exit code']}): chapters under nbval",
                         {**results["check"]["chapters"], "make check, wall time": results["check"]["seconds"]}))
    for title, rows in sections:
        lines += ["", title] + [f"  {name:<46} {seconds:8.3f} s" for name, seconds in rows.items()]
        if rows is results["mlp"]:
            speeds = [f"{mlp_flops() / rows[f'GEMM floor, {threads}'] / 1e9:.0f} GFLOP/s on {threads}"
                      for threads in ("1 thread", "2 threads")]
            lines.append(f"  (the floor's {mlp_flops() / 1e9:.0f} GFLOP of matrix products ran at {', '.join(speeds)})")
    lines += ["", "targets (met when measured <= limit)"]
    for what, measured, limit, unit in targets(results):
        if measured is None:
            lines.append(f"  {what:<52} skipped: PyTorch is not installed")
            continue
        verdict = "met" if measured <= limit else "MISSED"
        lines.append(f"  {what:<52} {measured:7.2f} {unit}  limit {limit} {unit}  {verdict}")
    return "\n".join(lines)


def markdown_report(results):
    """The README's table: each target with its measured value, under the machine's name."""
    lines = [f"Measured on {results['date']}: {describe(results['machine'])}. "
             f"Medians of {results['repeats']} repeats, contenders in turns; `make check` timed once.", "",
             "| what | measured | target | |", "|---|---:|---:|---|"]
    for what, measured, limit, unit in targets(results):
        bound = f"≤ {limit}x" if unit == "x" else f"≤ {limit} s"
        if measured is None:
            lines.append(f"| {what} | | {bound} | skipped (no PyTorch) |")
            continue
        value = f"{measured:.2f}x" if unit == "x" else f"{measured:.0f} s"
        lines.append(f"| {what} | {value} | {bound} | {'met' if measured <= limit else '**missed**'} |")
    def row(label, *seconds):
        return f"| {label} | " + " | ".join("" if value is None else f"{value:#.3g}" for value in seconds) + " |"

    spiral, mlp = results["spiral"], results["mlp"]
    lines += ["", "| seconds | nncore | book-style NumPy | PyTorch (CPU) | GEMM floor |", "|---|---:|---:|---:|---:|",
              row("spiral, 10,001 epochs, 1 thread", spiral["nncore"], spiral["book-style NumPy"],
                  spiral.get("PyTorch, 1 thread"), None),
              row("spiral, after `nnfs.init()`", spiral["nncore, after nnfs.init()"],
                  spiral["book-style NumPy, after nnfs.init()"], None, None)]
    lines += [row(f"MLP epoch, {threads}", mlp[f"nncore, {threads}"], mlp[f"book-style NumPy, {threads}"],
                  mlp.get(f"PyTorch, {threads}"), mlp[f"GEMM floor, {threads}"]) for threads in ("1 thread", "2 threads")]
    return "\n".join(lines)


def colour(name):
    for prefix, value in (("nncore", "C0"), ("book", "0.6"), ("PyTorch", "C1"), ("GEMM", "C2")):
        if name.startswith(prefix):
            return value
    return "C0"


def plot(results, path):
    panels = [("Spiral 2-64-3, 10,001 epochs", results["spiral"], "seconds (median)"),
              ("MLP 784-128-128-10, one epoch", results["mlp"], "seconds (median)")]
    if "check" in results:
        panels.append((f"Chapters under nbval (make check {results['check']['seconds']:.0f} s)",
                       results["check"]["chapters"], "seconds (one run of make check)"))
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.5), squeeze=False)
    for axis, (title, rows, xlabel) in zip(axes[0], panels):
        names = list(rows)
        bars = axis.barh(names, [rows[name] for name in names], color=[colour(name) for name in names])
        axis.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
        axis.margins(x=0.15)
        axis.invert_yaxis()
        axis.set_xlabel(xlabel)
        axis.set_title(title, fontsize=10)
        axis.tick_params(axis="y", labelsize=8)
    if "check" in results:
        axes[0][-1].axvline(CHAPTER_LIMIT, color="C3", linestyle="--", label=f"{CHAPTER_LIMIT} s target")
        axes[0][-1].legend(fontsize=8)
    figure.suptitle(describe(results["machine"]), fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def publish(markdown):
    """Copy the plot to docs/ and put the table between the README's bench markers."""
    (ROOT / "docs").mkdir(exist_ok=True)
    shutil.copyfile(OUT / "benchmark.png", ROOT / "docs" / "benchmark.png")
    readme = ROOT / "README.md"
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        raise SystemExit(f"README.md needs the markers {README_START} and {README_END} around the results")
    before, rest = text.split(README_START, 1)
    after = rest.split(README_END, 1)[1]
    block = f"{markdown}\n\n![make bench results](docs/benchmark.png)"
    readme.write_text(f"{before}{README_START}\n{block}\n{README_END}{after}")


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
        print("PyTorch is not installed: its rows are skipped (pip install torch to compare; never required).")
    results = {"machine": machine(torch), "date": datetime.date.today().isoformat(), "repeats": args.repeats}
    print(f"machine: {describe(results['machine'])}")
    print("timing the spiral model ...", flush=True)
    results["spiral"] = bench_spiral(args.repeats, torch)
    print("timing the MLP epoch ...", flush=True)
    results["mlp"] = bench_mlp(args.repeats, torch)
    if not args.skip_check:
        print("timing make check ...", flush=True)
        results["check"] = bench_make_check()
    print()
    print(text_report(results))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    markdown = markdown_report(results)
    (OUT / "results.md").write_text(markdown + "\n")
    plot(results, OUT / "benchmark.png")
    print(f"\nwrote {OUT.relative_to(ROOT)}/results.json, results.md and benchmark.png")
    if args.publish:
        publish(markdown)
        print("updated README.md and docs/benchmark.png")


if __name__ == "__main__":
    main()
