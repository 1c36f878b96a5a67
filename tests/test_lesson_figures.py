"""Do the lessons' figures come from their benchmark? Numbers in prose and code, checked.

Lesson 06 quotes the AG News benchmark (benchmarks/results/ag_news.json) in two places: its
time budget (`CPU_COST`, seconds per epoch per 1,000 stories and the epochs used) and the
accuracies its prose reports. Both are checked against the JSON, so a new benchmark run that
changes a figure fails here until the lesson says the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rnncourse.lesson_code import lesson_namespace
from rnncourse.notebooks import read_notebook

pytestmark = [pytest.mark.unit, pytest.mark.lesson("06_ag_news")]
ROOT = Path(__file__).resolve().parents[1]
RESULTS = json.loads((ROOT / "benchmarks" / "results" / "ag_news.json").read_text())
# Figures the prose gives that are not the benchmark's: chance on four balanced classes, and
# the range of the masked SimpleRNN in trials without weight decay (named as such there).
NOT_FROM_THE_BENCHMARK = {"0.25", "0.51", "0.70"}


def test_the_time_budget_is_the_benchmarks():
    """Is CPU_COST each model's seconds per epoch per 1,000 stories and its median epochs?"""
    cost = lesson_namespace("06_ag_news", ["time_budget"])["CPU_COST"]
    measured = {m["model"]: (round(m["seconds_per_epoch_per_1000"], 2), m["epochs_median"])
                for m in RESULTS["models"]}
    assert cost == measured


def test_every_accuracy_in_the_prose_is_one_the_benchmark_measured():
    """Is each two-decimal accuracy lesson 06's text quotes a median, min or max of the JSON?"""
    measured = {f"{m[key]:.2f}" for m in RESULTS["models"]
                for key in ("test_accuracy_median", "test_accuracy_min", "test_accuracy_max")}
    nb = read_notebook(ROOT / "source" / "06_ag_news" / "06_ag_news.ipynb")
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    quoted = set(re.findall(r"(?<![\d.])0\.\d\d(?!\d)", text))
    assert quoted, "the prose quotes no accuracy: the test would prove nothing"
    assert quoted - measured - NOT_FROM_THE_BENCHMARK == set()
