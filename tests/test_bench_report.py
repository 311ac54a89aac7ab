"""make bench's report, from results made up here: verdicts against the targets, the text and the README table."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import bench_report  # noqa: E402

RESULTS = {
    "machine": {"cpu": "Test CPU", "cores": 2, "python": "3.x", "numpy": "2.x", "blas": "OpenBLAS", "torch": None},
    "date": "2026-12-01", "repeats": 3, "mlp_flop": 2e10,
    "spiral": {"nncore": 8.0, "book-style NumPy": 10.0, "nncore, after nnfs.init()": 8.0,
               "book-style NumPy, after nnfs.init()": 10.0},
    "mlp": {f"{who}, {threads}": seconds for threads in ("1 thread", "2 threads")
            for who, seconds in (("nncore", 4.0), ("book-style NumPy", 5.0), ("GEMM floor", 1.0))},
}


def test_targets_give_verdicts_and_skip_pytorch_when_it_is_missing():
    rows = {what: (measured, limit) for what, measured, limit, *_ in bench_report.targets(RESULTS)}
    assert rows["spiral: nncore / book-style loop"] == (0.8, 0.67)
    assert rows["MLP epoch: nncore / GEMM floor, 2 threads"] == (4.0, 1.5)
    assert rows["MLP epoch: nncore / PyTorch, 2 threads"][0] is None


def test_reports_say_met_missed_and_skipped():
    text = bench_report.text_report(RESULTS)
    assert "0.80 x  limit 0.67 x  MISSED" in text and "4.00 x  limit 1.5 x  MISSED" in text
    assert "skipped: PyTorch is not installed" in text and "20 GFLOP of matrix products" in text
    table = bench_report.markdown_report(RESULTS)
    assert "| MLP epoch: nncore / GEMM floor, 2 threads | 4.00x | ≤ 1.5x | **missed** |" in table
    assert table.startswith("Measured on 2026-12-01: Test CPU, 2 cores")


def with_cnn(torch_seconds):
    cnn = {"nncore": 0.02, "loop implementation": 8.0}
    if torch_seconds is not None:
        cnn["PyTorch"] = torch_seconds
    return {**RESULTS, "cnn": cnn}


def test_the_cnn_row_compares_nncore_with_pytorch_and_the_loops():
    rows = {what: (measured, limit) for what, measured, limit, *_ in bench_report.targets(with_cnn(0.025))}
    assert rows["CNN epoch: nncore / PyTorch, 1 thread"] == (pytest.approx(0.8), 2)
    assert rows["CNN epoch: nncore / loop implementation"] == (pytest.approx(0.0025), 0.02)
    text = bench_report.text_report(with_cnn(0.005))
    assert "3. one epoch of the digits CNN" in text and "loop implementation" in text
    assert "CNN epoch: nncore / PyTorch, 1 thread                   4.00 x  limit 2 x  MISSED" in text
    assert "CNN epoch: nncore / loop implementation               0.0025 x  limit 0.02 x  met" in text
    table = bench_report.markdown_report(with_cnn(0.025))
    assert "| CNN epoch: nncore / loop implementation | 0.0025x | ≤ 0.02x | met |" in table
    assert "| digits CNN epoch, 1 thread | 0.0200 | 8.00 | 0.0250 |" in table


def test_the_cnn_row_skips_pytorch_when_it_is_missing_and_old_results_have_no_cnn_row(tmp_path):
    rows = {what: measured for what, measured, *_ in bench_report.targets(with_cnn(None))}
    assert rows["CNN epoch: nncore / PyTorch, 1 thread"] is None
    assert "| CNN epoch: nncore / PyTorch, 1 thread | | ≤ 2x | skipped (no PyTorch) |" in \
        bench_report.markdown_report(with_cnn(None))
    assert "| digits CNN epoch, 1 thread | 0.0200 | 8.00 |  |" in bench_report.markdown_report(with_cnn(None))
    assert not any(what.startswith("CNN") for what, *_ in bench_report.targets(RESULTS))
    bench_report.plot(with_cnn(None), tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 0


def test_the_grading_row_reports_seconds_and_notebooks_per_minute():
    results = {**RESULTS, "grade": {"chapter": "04_loss", "notebooks": 20, "jobs": 2, "seconds": 30.0,
                                    "per_minute": 40.0}}
    rows = {what: (measured, limit) for what, measured, limit, *_ in bench_report.targets(results)}
    assert rows["make grade: 20 submissions of 04_loss, 2 workers"] == (30.0, 120)
    assert "4. make grade, 2 workers (40 notebooks per minute)" in bench_report.text_report(results)
    assert "| make grade: 20 submissions of 04_loss, 2 workers | 30 s | ≤ 120 s | met |" in \
        bench_report.markdown_report(results)


def test_the_setup_row_holds_the_warm_run_to_a_minute_and_reports_the_cold_one():
    setup = {"fresh clone to a ready .venv, warm caches": 14.0, "fresh clone to a ready .venv, cold caches": 75.0}
    results = {**RESULTS, "setup": setup}
    rows = {what: (measured, limit) for what, measured, limit, *_ in bench_report.targets(results)}
    assert rows["fresh clone to a ready .venv, warm caches"] == (14.0, 60)
    text = bench_report.text_report(results)
    assert "5. make setup on a fresh clone" in text and "cold caches" in text and "75.000 s" in text


def test_the_check_row_reports_the_cpu_time_beside_the_wall_time_and_old_results_have_none():
    check = {"seconds": 100.0, "exit code": 0, "chapters": {"01_neurons": 2.0}}
    old = bench_report.text_report({**RESULTS, "check": check})
    assert "make check, wall time" in old and "CPU time" not in old
    new = bench_report.text_report({**RESULTS, "check": {**check, "cpu seconds": 190.0}})
    line = next(line for line in new.splitlines() if "CPU time of all its processes" in line)
    assert line.split()[-2:] == ["190.000", "s"]


def test_ratios_pair_the_runs_of_a_turn_and_report_their_range():
    # The book-style loop's third run met a slow minute that nncore's third run shared: paired, it cancels.
    runs = {"nncore": [6.0, 6.6, 12.0], "book-style NumPy": [10.0, 10.0, 20.0],
            "nncore, after nnfs.init()": [7.0, 7.0, 7.0], "book-style NumPy, after nnfs.init()": [10.0, 10.0, 10.0]}
    results = {**RESULTS, "spiral": {name: sorted(times)[1] for name, times in runs.items()},
               "runs": {"spiral": runs}}
    rows = {what: (measured, spread) for what, measured, _, _, spread in bench_report.targets(results)}
    assert rows["spiral: nncore / book-style loop"] == (pytest.approx(0.6), (pytest.approx(0.6), pytest.approx(0.66)))
    assert results["spiral"]["nncore"] / results["spiral"]["book-style NumPy"] == pytest.approx(0.66)  # unpaired
    assert rows["MLP epoch: nncore / GEMM floor, 2 threads"] == (4.0, None)  # no runs kept: the medians' ratio
    assert "0.60 x  limit 0.67 x  met  (repeats 0.60-0.66)" in bench_report.text_report(results)
    assert "| spiral: nncore / book-style loop | 0.60x (0.60-0.66) | ≤ 0.67x | met |" in \
        bench_report.markdown_report(results)
