"""The AG News benchmark runs end to end on whatever data this machine has, and says which.

The smoke run trains every model for one epoch on a few hundred examples: it checks that the
script, the notebook's code it runs and the report work together, not how well the models learn.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from rnncourse.engine.nbgrader_run import QUIET_ENV
from testing import REPO

MODULE = "benchmarks.ag_news_benchmark"
MODELS = ["Bag of words (baseline)", "SimpleRNN, titles", "SimpleRNN, title + description",
          "SimpleRNN, masked", "LSTM", "BiLSTM, 2 layers"]


def benchmark_module():
    return importlib.import_module(MODULE)


@pytest.mark.unit
def test_data_choice_prefers_argument_then_environment_then_shared_sample(tmp_path):
    """Is the data --data, else $AG_NEWS_DATA, else the shared sample, else the loader's?"""
    choose = benchmark_module().choose_data
    sample = tmp_path / "ag_news_sample"
    assert choose(None, {}, sample)[0] is None
    assert "the lesson's loader decides" in choose(None, {}, sample)[1]
    sample.mkdir()
    (sample / "train.csv").write_text("")
    assert choose(None, {}, sample)[0] is None, "a sample without test.csv is not used"
    (sample / "test.csv").write_text("")
    assert choose(None, {}, sample) == (str(sample), choose(None, {}, sample)[1])
    assert choose(None, {"AG_NEWS_DATA": "/data/ag.tar.gz"}, sample) == (
        "/data/ag.tar.gz", "from $AG_NEWS_DATA")
    assert choose("x.tar.gz", {"AG_NEWS_DATA": "/data/ag.tar.gz"}, sample)[0] == "x.tar.gz"


def test_smoke_run_writes_json_and_markdown(tmp_path):
    """Does a tiny run train all six models over two seeds and report them in both files?"""
    module = benchmark_module()
    expected_path, why = module.choose_data(None)
    done = subprocess.run(
        [sys.executable, "-m", MODULE, "--limit", "160", "--max-epochs", "1", "--seeds", "2",
         "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, timeout=900,
        env={**os.environ, **QUIET_ENV},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"data: {why}" in done.stdout
    result = json.loads((tmp_path / "ag_news.json").read_text())
    assert result["data_choice"] == why
    if expected_path is not None:
        assert result["data"].startswith("AG News from"), result["data"]
    assert result["train_examples"] == 144 and result["validation_examples"] == 16
    assert result["seeds"] == 2 and result["recipe"]["max_epochs"] == 1
    assert [row["model"] for row in result["models"]] == MODELS
    for row in result["models"]:
        assert len(row["runs"]) == 2 and all(r["epochs"] == 1 for r in row["runs"]), row
        accuracies = [r["test_accuracy"] for r in row["runs"]]
        assert row["test_accuracy_min"] == min(accuracies) <= row["test_accuracy_median"]
        assert row["test_accuracy_median"] <= max(accuracies) == row["test_accuracy_max"]
        assert 0.0 <= row["test_accuracy_min"] and row["test_accuracy_max"] <= 1.0, row
        assert row["seconds_per_epoch_median"] > 0 and row["parameters"] > 0, row
    table = (tmp_path / "ag_news.md").read_text()
    assert result["data"] in table
    for row in result["models"]:
        assert (f"| {row['model']} | {row['test_accuracy_median']:.3f} | "
                f"{row['test_accuracy_min']:.3f}–{row['test_accuracy_max']:.3f} |") in table


@pytest.mark.unit
def test_committed_results_are_a_full_run_on_real_data():
    """Are benchmarks/results a full three-seed run on AG News? (That the README quotes this
    run, table and prose, tests/test_docs.py checks.)"""
    result = json.loads((REPO / "benchmarks" / "results" / "ag_news.json").read_text())
    assert result["data"].startswith("AG News from") and result["seeds"] == 3
    assert [row["model"] for row in result["models"]] == MODELS
    markdown = (REPO / "benchmarks" / "results" / "ag_news.md").read_text(encoding="utf-8")
    assert markdown == benchmark_module().markdown(result), "ag_news.md is not ag_news.json"


@pytest.mark.unit
@pytest.mark.skipif(not benchmark_module().SHARED_SAMPLE.is_dir(),
                    reason="no AG News sample in ../shared/data/ag_news_sample")
def test_shared_sample_is_used_when_no_data_is_named():
    """With the shared sample beside the repository and no $AG_NEWS_DATA, is it the data?"""
    module = benchmark_module()
    path, why = module.choose_data(None, {})
    assert path == str(module.SHARED_SAMPLE) and "shared AG News sample" in why
