"""Train lesson 06's four classifiers in full mode and write a table of the results.

    .venv/bin/python benchmarks/ag_news_benchmark.py [--max-epochs N] [--limit N] [--out DIR]

The data is whatever the lesson's own loader finds: $AG_NEWS_DATA (ag_news_csv.tar.gz or its
folder), tensorflow-datasets, or, with neither, the synthetic corpus; the table says which.
Writes DIR/ag_news.json and DIR/ag_news.md (default DIR: benchmarks/results).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.pop("NBGRADER_EXECUTION", None)  # full mode: no grading budget
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from rnncourse.lesson_code import lesson_namespace  # noqa: E402

CELLS = ["imports", "data_loader", "data_functions", "vectorizer", "rnn_classifier",
         "masked_rnn_classifier", "lstm_classifiers", "training_helper"]
# (name, builder, text function): the lesson's five training runs.
RUNS = [
    ("SimpleRNN, titles", "build_rnn_classifier", "title"),
    ("SimpleRNN, title + description", "build_rnn_classifier", "text"),
    ("SimpleRNN, masked", "build_masked_rnn_classifier", "text"),
    ("LSTM", "build_lstm_classifier", "text"),
    ("BiLSTM, 2 layers", "build_bilstm_classifier", "text"),
]


def run(max_epochs: int, limit: int | None) -> dict:
    lesson = lesson_namespace("06_ag_news", CELLS)
    train, test, source = lesson["load_ag_news"]()
    if limit:
        train, test = train.take(limit), test.take(max(limit // 5, 1))
    # The notebook's own train_and_evaluate reads these globals of the lesson.
    lesson.update(ds_train=train, ds_test=test, MAX_EPOCHS=max_epochs)
    vectorizers = {
        "title": lesson["build_vectorizer"](train.map(lesson["extract_title"]),
                                            lesson["VOCAB_SIZE"]),
        "text": lesson["build_vectorizer"](train.map(lesson["extract_text"]),
                                           lesson["VOCAB_SIZE"]),
    }
    pairs_of = {"title": lesson["tupelize_title"], "text": lesson["tupelize"]}
    for name, builder, field in RUNS:
        model = lesson[builder](vectorizers[field], lesson["VOCAB_SIZE"])
        lesson["train_and_evaluate"](name, model, pairs_of[field])
    results = lesson["results"]
    rows = [{"model": name, "test_accuracy": round(float(r["test accuracy"]), 4),
             "epochs": r["epochs"], "seconds": round(r["seconds"], 1),
             "seconds_per_epoch": round(r["seconds"] / r["epochs"], 1),
             "parameters": int(r["parameters"])} for name, r in results.items()]
    return {"data": source, "train_examples": int(train.cardinality()),
            "validation_examples": next(iter(results.values()))["validation examples"],
            "test_examples": int(test.cardinality()), "max_epochs": max_epochs,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                       f"{platform.python_version()}, TensorFlow {lesson['tf'].__version__}",
            "models": rows}


def markdown(result: dict) -> str:
    lines = [
        f"Data: {result['data']} ({result['train_examples']} training examples, "
        f"{result['validation_examples']} of them for validation, {result['test_examples']} "
        f"test examples); at most {result['max_epochs']} epochs with early stopping; "
        f"{result['machine']}.",
        "",
        "| model | test accuracy | epochs | seconds per epoch | parameters |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["models"]:
        lines.append(f"| {row['model']} | {row['test_accuracy']:.3f} | {row['epochs']} | "
                     f"{row['seconds_per_epoch']:.1f} | {row['parameters']:,} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=8)
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first N examples only (a quick check)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(args.max_epochs, args.limit)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ag_news.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "ag_news.md").write_text(markdown(result))
    print(markdown(result))
    print(f"wrote {args.out / 'ag_news.json'} and {args.out / 'ag_news.md'} "
          f"in {result['total_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
