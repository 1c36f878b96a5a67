"""The AG News benchmark script runs end to end and writes a table that matches its JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rnncourse.course import REPO
from rnncourse.nbgrader_run import QUIET_ENV

MODELS = ["SimpleRNN, titles", "SimpleRNN, title + description", "SimpleRNN, masked", "LSTM",
          "BiLSTM, 2 layers"]


def test_benchmark_writes_json_and_markdown(tmp_path, monkeypatch):
    """Does a tiny benchmark run train all five models and report them in both files?"""
    monkeypatch.delenv("AG_NEWS_DATA", raising=False)
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "ag_news_benchmark.py"),
         "--limit", "200", "--max-epochs", "1", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
        env={**os.environ, **QUIET_ENV},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads((tmp_path / "ag_news.json").read_text())
    assert result["data"] == "synthetic news (not AG News)"
    assert result["train_examples"] == 200 and result["max_epochs"] == 1
    assert [row["model"] for row in result["models"]] == MODELS
    for row in result["models"]:
        assert 0.0 <= row["test_accuracy"] <= 1.0, row
        assert row["epochs"] == 1 and row["seconds"] > 0 and row["parameters"] > 0, row
    table = (tmp_path / "ag_news.md").read_text()
    assert "synthetic news (not AG News)" in table
    for row in result["models"]:
        assert f"| {row['model']} | {row['test_accuracy']:.3f} |" in table
