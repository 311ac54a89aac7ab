"""The report of `make bench`: targets with verdicts, a text table, the README's table and the plot.

Usage: python tools/bench_report.py [RESULTS_JSON] [--publish]   (default build/bench/results.json)

tools/bench.py measures and calls ``write`` with its results; run on its own, this
script renders a saved results.json again (after a change to the report, say)
without timing anything.
"""
import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
# The fast-feedback targets: every chapter under 20 s and `make check` (set-up done) under 90 s on 2 cores; nncore
# 1.5x faster than the book-style spiral loop, its MLP epoch within 1.5x of the GEMM floor and no slower than PyTorch.
CHAPTER_LIMIT, CHECK_LIMIT = 20, 90
SPIRAL_LIMIT, GEMM_LIMIT, TORCH_LIMIT = 0.67, 1.5, 1
CNN_TORCH_LIMIT, CNN_LOOPS_LIMIT = 2, 0.02  # nncore's CNN epoch: at most 2x PyTorch's, at least 50x faster than loops
GRADE_LIMIT = 120  # seconds: make grade on 20 submissions of one chapter, on all cores
SETUP_LIMIT = 60  # seconds: a fresh clone's `make setup` with warm package caches


def paired_ratio(results, section, name, reference):
    """``name``'s seconds over ``reference``'s in ``results[section]``: ``(median, (lowest, highest))`` of the
    ratios of the runs made in the same turn, or the ratio of the medians (no range) for results without runs."""
    runs, values = results.get("runs", {}).get(section, {}), results[section]
    if name in runs and reference in runs:
        ratios = [a / b for a, b in zip(runs[name], runs[reference])]
        return statistics.median(ratios), (min(ratios), max(ratios))
    if name in values and reference in values:
        return values[name] / values[reference], None
    return None, None


def targets(results):
    """The issue's targets as (what, measured, limit, unit, range) rows: met when measured <= limit, skipped when
    None; ``range`` is a ratio's lowest and highest value over the repeats (None for seconds)."""
    rows = []

    def compare(what, section, name, reference, limit):
        measured, spread = paired_ratio(results, section, name, reference)
        rows.append((what, measured, limit, "x", spread))

    compare("spiral: nncore / book-style loop", "spiral", "nncore", "book-style NumPy", SPIRAL_LIMIT)
    compare("spiral after nnfs.init(): nncore / book-style loop", "spiral", "nncore, after nnfs.init()",
            "book-style NumPy, after nnfs.init()", SPIRAL_LIMIT)
    compare("MLP epoch: nncore / PyTorch, 2 threads", "mlp", "nncore, 2 threads", "PyTorch, 2 threads", TORCH_LIMIT)
    compare("MLP epoch: nncore / GEMM floor, 2 threads", "mlp", "nncore, 2 threads", "GEMM floor, 2 threads",
            GEMM_LIMIT)
    if "cnn" in results:
        compare("CNN epoch: nncore / PyTorch, 1 thread", "cnn", "nncore", "PyTorch", CNN_TORCH_LIMIT)
        compare("CNN epoch: nncore / loop implementation", "cnn", "nncore", "loop implementation", CNN_LOOPS_LIMIT)
    if "grade" in results:
        graded = results["grade"]
        rows.append((f"make grade: {graded['notebooks']} submissions of {graded['chapter']}, {graded['jobs']} workers",
                     graded["seconds"], GRADE_LIMIT, "s", None))
    if "setup" in results:
        warm = "fresh clone to a ready .venv, warm caches"
        rows.append((warm, results["setup"][warm], SETUP_LIMIT, "s", None))
    if "check" in results:
        chapters = results["check"]["chapters"]
        slowest = max(chapters, key=chapters.get)
        rows.append((f"slowest chapter ({slowest})", chapters[slowest], CHAPTER_LIMIT, "s", None))
        rows.append(("make check after set-up", results["check"]["seconds"], CHECK_LIMIT, "s", None))
    return rows


def ratio(value):
    """A ratio to two decimals, or to two significant digits below 0.1 (``0.0043``), so it never reads 0.00."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def describe(machine_info):
    return (f"{machine_info['cpu']}, {machine_info['cores']} cores; Python {machine_info['python']}, "
            f"NumPy {machine_info['numpy']} with {machine_info['blas']}; PyTorch {machine_info['torch']}")


def text_report(results):
    lines = [f"medians of {results['repeats']} repeats, contenders in turns; a ratio is the median of the repeats' "
             "ratios (runs of the same turn), its lowest and highest beside it"]
    sections = [("1. spiral model, 10,001 full-batch epochs, 1 thread", results["spiral"]),
                ("2. one epoch of a 784-128-128-10 MLP, batch 128, 60,000 float32 samples", results["mlp"])]
    if "cnn" in results:
        sections.append(("3. one epoch of the digits CNN, batch 32, 1,437 float32 images, 1 thread", results["cnn"]))
    if "grade" in results:
        graded = results["grade"]
        sections.append((f"4. make grade, {graded['jobs']} workers ({graded['per_minute']:.0f} notebooks per minute)",
                         {f"{graded['notebooks']} submissions of {graded['chapter']}": graded["seconds"]}))
    if "setup" in results:
        sections.append(("5. make setup on a fresh clone", results["setup"]))
    if "check" in results:
        sections.append((f"6. make check (exit code {results['check']['exit code']}): chapters under nbval",
                         {**results["check"]["chapters"], "make check, wall time": results["check"]["seconds"],
                          **({"make check, CPU time of all its processes": results["check"]["cpu seconds"]}
                             if "cpu seconds" in results["check"] else {})}))
    for title, rows in sections:
        lines += ["", title] + [f"  {name:<46} {seconds:8.3f} s" for name, seconds in rows.items()]
        if rows is results["mlp"]:
            speeds = [f"{results['mlp_flop'] / rows[f'GEMM floor, {threads}'] / 1e9:.0f} GFLOP/s on {threads}"
                      for threads in ("1 thread", "2 threads")]
            lines.append(f"  (the floor's {results['mlp_flop'] / 1e9:.0f} GFLOP of matrix products ran at {', '.join(speeds)})")
    lines += ["", "targets (met when measured <= limit)"]
    for what, measured, limit, unit, spread in targets(results):
        if measured is None:
            lines.append(f"  {what:<52} skipped: PyTorch is not installed")
            continue
        verdict = "met" if measured <= limit else "MISSED"
        shown = ratio(measured) if unit == "x" else f"{measured:.2f}"
        over = f"  (repeats {ratio(spread[0])}-{ratio(spread[1])})" if spread else ""
        lines.append(f"  {what:<52} {shown:>7} {unit}  limit {limit} {unit}  {verdict}{over}")
    return "\n".join(lines)


def markdown_report(results):
    """The README's table: each target with its measured value, under the machine's name."""
    lines = [f"Measured on {results['date']}: {describe(results['machine'])}. "
             f"Medians of {results['repeats']} repeats, contenders in turns; a ratio is the median of the ratios of "
             "runs made in the same turn, with the lowest and highest in brackets; `make check` timed once.", "",
             "| what | measured | target | |", "|---|---:|---:|---|"]
    for what, measured, limit, unit, spread in targets(results):
        bound = f"≤ {limit}x" if unit == "x" else f"≤ {limit} s"
        if measured is None:
            lines.append(f"| {what} | | {bound} | skipped (no PyTorch) |")
            continue
        value = f"{ratio(measured)}x" if unit == "x" else f"{measured:.0f} s"
        if spread:
            value += f" ({ratio(spread[0])}-{ratio(spread[1])})"
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
    if "cnn" in results:
        cnn = results["cnn"]
        lines += ["", "| seconds | nncore | loop implementation | PyTorch (CPU) |", "|---|---:|---:|---:|",
                  row("digits CNN epoch, 1 thread", cnn["nncore"], cnn["loop implementation"], cnn.get("PyTorch"))]
    return "\n".join(lines)


def colour(name):
    for prefix, value in (("nncore", "C0"), ("book", "0.6"), ("loop", "0.6"), ("PyTorch", "C1"), ("GEMM", "C2")):
        if name.startswith(prefix):
            return value
    return "C0"


def plot(results, path):
    panels = [("Spiral 2-64-3, 10,001 epochs", results["spiral"], "seconds (median)"),
              ("MLP 784-128-128-10, one epoch", results["mlp"], "seconds (median)")]
    if "cnn" in results:
        panels.append(("Digits CNN, one epoch", results["cnn"], "seconds (median, log scale)"))
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
        if rows is results.get("cnn"):
            axis.set_xscale("log")  # the loops take hundreds of times longer than the others
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


def write(results, *, publish_to_readme=False):
    """Print the text report and write results.json, results.md and benchmark.png to build/bench/."""
    print(text_report(results))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    markdown = markdown_report(results)
    (OUT / "results.md").write_text(markdown + "\n")
    plot(results, OUT / "benchmark.png")
    print(f"\nwrote {OUT.relative_to(ROOT)}/results.json, results.md and benchmark.png")
    if publish_to_readme:
        publish(markdown)
        print("updated README.md and docs/benchmark.png")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", type=Path, default=OUT / "results.json")
    parser.add_argument("--publish", action="store_true", help="write the table and plot into README.md and docs/")
    args = parser.parse_args()
    if not args.results.exists():
        sys.exit(f"{args.results} does not exist: run `make bench` first")
    write(json.loads(args.results.read_text()), publish_to_readme=args.publish)


if __name__ == "__main__":
    main()
