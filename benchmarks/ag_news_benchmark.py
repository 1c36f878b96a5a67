"""Train lesson 06's baseline and recurrent models over several seeds; write a results table.

    .venv/bin/python -m benchmarks.ag_news_benchmark [--data PATH] [--seeds N]
        [--max-epochs N] [--limit N] [--out DIR]

Data, first found: --data, $AG_NEWS_DATA (ag_news_csv.tar.gz or a folder with train.csv and
test.csv), the AG News sample in ../shared/data/ag_news_sample beside the repository, then what
the lesson's loader finds (tensorflow-datasets, else its synthetic corpus). The output says which.
Every model is built, trained and tested by the notebook's own code (its locked and solution
cells, run as plain Python) with the notebook's recipe, once per seed; the table gives the median
and the range of test accuracy, seconds per epoch and epochs used. Writes DIR/ag_news.json and
DIR/ag_news.md (default DIR: benchmarks/results).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from functools import partial
from pathlib import Path

os.environ.pop("NBGRADER_EXECUTION", None)  # the lesson's full mode, never its grading mode
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from testing import REPO
from testing.lesson_code import lesson_namespace

SHARED_SAMPLE = REPO.parent / "shared" / "data" / "ag_news_sample"
CELLS = ["imports", "data_loader", "data_functions", "vectorizer", "rnn_classifier",
         "masked_rnn_classifier", "lstm_classifiers", "training_helper", "baseline"]
BASELINE = "Bag of words (baseline)"
# (name as in the notebook, builder, text it reads, the notebook's recipe for it); the recurrent
# builders take (vectorizer, vocab_size).
MODELS = [
    (BASELINE, "build_bag_of_words", "text", "RECIPE"),
    ("SimpleRNN, titles", "build_rnn_classifier", "title", "RECIPE"),
    ("SimpleRNN, title + description", "build_rnn_classifier", "text", "RECIPE"),
    ("SimpleRNN, masked", "build_masked_rnn_classifier", "text", "RECIPE"),
    ("LSTM", "build_lstm_classifier", "text", "LSTM_RECIPE"),
    ("BiLSTM, 2 layers", "build_bilstm_classifier", "text", "BILSTM_RECIPE"),
]


def choose_data(argument: str | None, environ=os.environ, shared: Path = SHARED_SAMPLE):
    """(path or None, why): which AG News copy to use; None leaves it to the lesson's loader."""
    if argument:
        return argument, "given with --data"
    if environ.get("AG_NEWS_DATA"):
        return environ["AG_NEWS_DATA"], "from $AG_NEWS_DATA"
    if (shared / "train.csv").is_file() and (shared / "test.csv").is_file():
        return str(shared), f"the shared AG News sample {os.path.relpath(shared, REPO)}"
    return None, (f"no --data, no $AG_NEWS_DATA and no sample in {shared}: "
                  "the lesson's loader decides (tensorflow-datasets, else synthetic news)")


def split(train, limit: int | None):
    """The notebook's split: the first tenth of the training data is for validation."""
    if limit:
        train = train.take(limit)
    n_train = int(train.cardinality())
    n_validation = max(n_train // 10, 1)
    return train.skip(n_validation), train.take(n_validation)


def run(data: str | None, why: str, seeds: int, max_epochs: int | None,
        limit: int | None) -> dict:
    lesson = lesson_namespace("06_ag_news", CELLS)
    train, test, source = lesson["load_ag_news"](data)
    if limit:
        test = test.take(max(limit // 4, 4))
    fit, validation = split(train, limit)
    recipes = {key: dict(lesson[key]) for key in ("RECIPE", "LSTM_RECIPE", "BILSTM_RECIPE")}
    for recipe in recipes.values():
        recipe["max_epochs"] = min(max_epochs or recipe["max_epochs"], recipe["max_epochs"])
    vocab = lesson["VOCAB_SIZE"]
    texts = {"title": fit.map(lesson["extract_title"]), "text": fit.map(lesson["extract_text"])}
    vectorizers = {field: lesson["build_vectorizer"](t, vocab) for field, t in texts.items()}
    vectorizers["tfidf"] = lesson["build_tfidf_vectorizer"](texts["text"], vocab)
    pairs = {"title": lesson["tupelize_title"], "text": lesson["tupelize"]}
    rows = []
    for name, builder, field, recipe in MODELS:
        if builder == "build_bag_of_words":
            build = partial(lesson[builder], vectorizers["tfidf"])
        else:
            build = partial(lesson[builder], vectorizers[field], vocab)
        runs = []
        for seed in range(seeds):
            result = lesson["train_and_evaluate"](name, build, pairs[field], fit, validation,
                                                  test, seed=seed, verbose=False,
                                                  **recipes[recipe])
            runs.append({"seed": seed, "test_accuracy": round(result["test accuracy"], 4),
                         "epochs": result["epochs"], "best_epoch": result["best epoch"],
                         "seconds": round(result["seconds"], 1),
                         "seconds_per_epoch": round(result["seconds"] / result["epochs"], 2)})
            print(f"{name}, seed {seed}: test accuracy {result['test accuracy']:.3f}, "
                  f"{result['epochs']} epochs, {result['seconds']:.0f} s", flush=True)
        rows.append(summarise(name, runs, result["parameters"], int(fit.cardinality())))
    return {"data": source, "data_choice": why, "train_examples": int(fit.cardinality()),
            "validation_examples": int(validation.cardinality()),
            "test_examples": int(test.cardinality()), "seeds": seeds,
            "recipe": recipes["RECIPE"], "lstm_recipe": recipes["LSTM_RECIPE"],
            "bilstm_recipe": recipes["BILSTM_RECIPE"],
            "vocab_size": vocab,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                       f"{platform.python_version()}, TensorFlow {lesson['tf'].__version__}",
            "models": rows}


def summarise(name: str, runs: list[dict], parameters: int, n_train: int) -> dict:
    accuracies = [r["test_accuracy"] for r in runs]
    per_epoch = statistics.median(r["seconds_per_epoch"] for r in runs)
    return {"model": name, "test_accuracy_median": round(statistics.median(accuracies), 4),
            "test_accuracy_min": min(accuracies), "test_accuracy_max": max(accuracies),
            "epochs_median": statistics.median(r["epochs"] for r in runs),
            "seconds_per_epoch_median": round(per_epoch, 2),
            "seconds_per_epoch_per_1000": round(per_epoch * 1000 / n_train, 3),
            "parameters": parameters, "runs": runs}


def markdown(result: dict) -> str:
    recipe = result["recipe"]
    lines = [
        f"Data: {result['data']}, {result['data_choice']}: {result['train_examples']:,} "
        f"training, {result['validation_examples']:,} validation and "
        f"{result['test_examples']:,} test examples. Recipe: Adam, learning rate "
        f"{recipe['learning_rate']}, weight decay {recipe['weight_decay']} (LSTMs "
        f"{result['lstm_recipe']['weight_decay']}), gradients clipped to norm "
        f"{recipe['clipnorm']}, batches of {recipe['batch_size']}, at most "
        f"{recipe['max_epochs']} epochs (BiLSTM {result['bilstm_recipe']['max_epochs']}), "
        f"early stopping on validation accuracy with patience "
        f"{recipe['patience']}, vocabulary "
        f"{result['vocab_size']:,}. {result['seeds']} seed(s) per model; {result['machine']}; "
        f"{result['total_seconds'] / 60:.0f} min in all.",
        "",
        "| model | test accuracy, median | min–max | seed 0 | epochs (median) | s/epoch | "
        "s/epoch per 1,000 examples | parameters |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["models"]:
        lines.append(
            f"| {row['model']} | {row['test_accuracy_median']:.3f} | "
            f"{row['test_accuracy_min']:.3f}–{row['test_accuracy_max']:.3f} | "
            f"{row['runs'][0]['test_accuracy']:.3f} | {row['epochs_median']:g} | "
            f"{row['seconds_per_epoch_median']:.1f} | "
            f"{row['seconds_per_epoch_per_1000']:.2f} | {row['parameters']:,} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="ag_news_csv.tar.gz or a folder with its CSV files")
    parser.add_argument("--seeds", type=int, default=3, help="runs per model (default 3)")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="cap on epochs (default: the notebook's recipe)")
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first N examples only (a quick check)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    data, why = choose_data(args.data)
    print(f"data: {why}", flush=True)
    started = time.perf_counter()
    result = run(data, why, args.seeds, args.max_epochs, args.limit)
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
