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
         "masked_rnn_classifier", "lstm_classifiers"]
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
    keras = lesson["keras"]
    train, test, source = lesson["load_ag_news"]()
    if limit:
        train, test = train.take(limit), test.take(max(limit // 5, 1))
    n_train = int(train.cardinality())
    n_validation = n_train // 10
    vectorizers = {
        "title": lesson["build_vectorizer"](train.map(lesson["extract_title"]),
                                            lesson["VOCAB_SIZE"]),
        "text": lesson["build_vectorizer"](train.map(lesson["extract_text"]),
                                           lesson["VOCAB_SIZE"]),
    }
    pairs_of = {"title": lesson["tupelize_title"], "text": lesson["tupelize"]}
    batch = lesson["BATCH_SIZE"]
    rows = []
    for name, builder, field in RUNS:
        keras.utils.set_random_seed(0)
        model = lesson[builder](vectorizers[field], lesson["VOCAB_SIZE"])
        pairs = train.map(pairs_of[field])
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=1,
                                             restore_best_weights=True)
        started = time.perf_counter()
        history = model.fit(pairs.skip(n_validation).shuffle(10000, seed=0).batch(batch),
                            validation_data=pairs.take(n_validation).batch(batch),
                            epochs=max_epochs, callbacks=[stop], verbose=2)
        seconds = time.perf_counter() - started
        _, accuracy = model.evaluate(test.map(pairs_of[field]).batch(batch), verbose=0)
        epochs = len(history.history["loss"])
        rows.append({"model": name, "test_accuracy": round(float(accuracy), 4),
                     "epochs": epochs, "seconds": round(seconds, 1),
                     "seconds_per_epoch": round(seconds / epochs, 1),
                     "parameters": int(model.count_params())})
        print(f"{name}: accuracy {accuracy:.4f}, {epochs} epochs, {seconds:.0f} s", flush=True)
    return {"data": source, "train_examples": n_train, "validation_examples": n_validation,
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
