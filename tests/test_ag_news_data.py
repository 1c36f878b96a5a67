"""Does lesson 06's data loader read AG News offline, check it, and say which data it used?
Does its training helper take everything it uses as arguments and give the same run twice?

The loader and the helper are the notebook's own locked cells, executed here as plain Python.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import types

import pytest

from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import read_notebook
from testing import REPO
from testing.lesson_code import lesson_namespace

SHARED_SAMPLE = REPO.parent / "shared" / "data" / "ag_news_sample"

TRAIN_CSV = (
    '"3","Wall St. Bears Claw Back","Short-sellers are seeing green again."\n'
    '"2","Cup final tonight","Both teams\\are ready."\n'
    '"4","New chip ships","Faster and cooler."\n'
)
TEST_CSV = '"1","Talks resume","Envoys meet in the capital."\n'


@pytest.fixture(scope="module")
def loader():
    return lesson_namespace("06_ag_news", ["imports", "data_loader"])


@pytest.fixture
def ns(loader, monkeypatch):
    """The loader's globals, restored after each test; outside any grading run."""
    monkeypatch.delenv("AG_NEWS_DATA", raising=False)
    monkeypatch.setitem(loader, "GRADING", False)
    return loader


def write_archive(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"ag_news_csv/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_folder_with_both_files_is_read(ns, tmp_path):
    """Does a folder with train.csv and test.csv give labels 0-3 and clean text?"""
    (tmp_path / "train.csv").write_text(TRAIN_CSV)
    (tmp_path / "test.csv").write_text(TEST_CSV)
    splits = ns["ag_news_from_path"](tmp_path)
    assert splits["train"]["label"] == [2, 1, 3]
    assert splits["train"]["description"][1] == "Both teams are ready."
    assert splits["test"]["title"] == ["Talks resume"]


def test_archive_with_matching_checksum_is_read(ns, tmp_path):
    """Does an archive laid out like ag_news_csv.tar.gz load when its sha256 matches?"""
    archive = tmp_path / "ag_news_csv.tar.gz"
    digest = write_archive(archive, {"train.csv": TRAIN_CSV, "test.csv": TEST_CSV})
    splits = ns["ag_news_from_path"](archive, sha256=digest)
    assert splits["train"]["title"][0] == "Wall St. Bears Claw Back"
    assert splits["test"]["label"] == [0]


def test_archive_with_wrong_checksum_is_refused(ns, tmp_path):
    """Is an archive that is not the published one refused, naming the file and both digests?"""
    archive = tmp_path / "ag_news_csv.tar.gz"
    digest = write_archive(archive, {"train.csv": TRAIN_CSV, "test.csv": TEST_CSV})
    with pytest.raises(ValueError, match="sha256") as err:
        ns["ag_news_from_path"](archive)
    assert str(archive) in str(err.value) and digest in str(err.value)
    assert ns["AG_NEWS_SHA256"] in str(err.value)


def test_missing_files_are_named(ns, tmp_path):
    """Does a folder or archive without test.csv say which file is missing?"""
    (tmp_path / "train.csv").write_text(TRAIN_CSV)
    with pytest.raises(FileNotFoundError, match="test.csv"):
        ns["ag_news_from_path"](tmp_path)
    archive = tmp_path / "partial.tar.gz"
    digest = write_archive(archive, {"train.csv": TRAIN_CSV})
    with pytest.raises(FileNotFoundError, match=r"partial\.tar\.gz: the archive has no test.csv"):
        ns["ag_news_from_path"](archive, sha256=digest)
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        ns["ag_news_from_path"](tmp_path / "nowhere")


def test_malformed_row_names_file_and_line(ns, tmp_path):
    """Is a broken CSV row reported with its file and line number?"""
    (tmp_path / "train.csv").write_text(TRAIN_CSV + '"7","only a title"\n')
    (tmp_path / "test.csv").write_text(TEST_CSV)
    with pytest.raises(ValueError, match=r"train\.csv, line 4"):
        ns["ag_news_from_path"](tmp_path)


def test_environment_variable_selects_the_data(ns, tmp_path, monkeypatch):
    """Does AG_NEWS_DATA point load_ag_news at a local copy, and does it say so?"""
    (tmp_path / "train.csv").write_text(TRAIN_CSV)
    (tmp_path / "test.csv").write_text(TEST_CSV)
    monkeypatch.setenv("AG_NEWS_DATA", str(tmp_path))
    train, test, source = ns["load_ag_news"]()
    assert source == f"AG News from {tmp_path.name}"
    first = next(iter(train))
    assert set(first) == {"title", "description", "label"} and int(first["label"]) == 2
    assert int(test.cardinality()) == 1


def fake_tfds(prepared, datasets=None):
    module = types.ModuleType("tensorflow_datasets")
    calls = []

    def builder(name):
        calls.append(("builder", name))
        return types.SimpleNamespace(is_prepared=lambda: prepared)

    def load(name, split):
        calls.append(("load", name, tuple(split)))
        if datasets is None:
            raise OSError("download failed")
        return datasets

    module.builder, module.load, module.calls = builder, load, calls
    return module


def test_no_network_falls_back_to_synthetic_with_a_notice(ns, monkeypatch, capsys):
    """Without data or network, is the synthetic corpus used and announced, tfds not waited on?"""
    module = fake_tfds(prepared=False)
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", module)
    monkeypatch.setitem(ns, "network_reachable", lambda *args, **kwargs: False)
    train, test, source = ns["load_ag_news"](synthetic_size=(40, 8))
    assert source == "synthetic news (not AG News)"
    assert int(train.cardinality()) == 40 and int(test.cardinality()) == 8
    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed and "NOT AG News" in printed and "no network" in printed
    assert module.calls == [("builder", "ag_news_subset")]


def test_tfds_is_used_when_it_can_load(ns, monkeypatch):
    """With a prepared tfds copy, does the loader take the real data from tfds?"""
    module = fake_tfds(prepared=True, datasets=("train-split", "test-split"))
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", module)
    train, test, source = ns["load_ag_news"]()
    assert (train, test) == ("train-split", "test-split")
    assert "tensorflow-datasets" in source
    assert ("load", "ag_news_subset", ("train", "test")) in module.calls


def test_broken_download_is_reported(ns, monkeypatch, capsys):
    """When tfds reaches the network but fails, is the error shown before the fallback?"""
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", fake_tfds(prepared=False))
    monkeypatch.setitem(ns, "network_reachable", lambda *args, **kwargs: True)
    _, _, source = ns["load_ag_news"](synthetic_size=(4, 4))
    assert source.startswith("synthetic")
    assert "OSError: download failed" in capsys.readouterr().out


def test_grading_run_never_downloads(ns, monkeypatch, capsys):
    """Under nbgrader, is tfds left alone and the synthetic corpus announced?"""
    module = fake_tfds(prepared=True, datasets=("x", "y"))
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", module)
    monkeypatch.setitem(ns, "GRADING", True)
    _, _, source = ns["load_ag_news"](synthetic_size=(4, 4))
    assert source.startswith("synthetic") and module.calls == []
    assert "grading run" in capsys.readouterr().out


def test_synthetic_corpus_is_reproducible_and_has_four_classes(ns):
    """Is the synthetic corpus the same on every run, with every class present?"""
    first, again = ns["synthetic_news"](200, seed=3), ns["synthetic_news"](200, seed=3)
    assert first == again
    assert set(first["label"]) == {0, 1, 2, 3}
    assert all(title and description for title, description in
               zip(first["title"], first["description"], strict=True))


@pytest.mark.skipif(not SHARED_SAMPLE.is_dir(),
                    reason="no AG News sample in ../shared/data/ag_news_sample")
def test_shared_sample_reads_as_balanced_ag_news(ns):
    """Does the shared AG News sample load through the loader, every class equally present?"""
    splits = ns["ag_news_from_path"](SHARED_SAMPLE)
    for split in ("train", "test"):
        labels = splits[split]["label"]
        counts = [labels.count(k) for k in range(4)]
        assert len(set(counts)) == 1 and counts[0] > 0, (split, counts)
        assert all(splits[split]["title"]) and all(splits[split]["description"])


@pytest.fixture(scope="module")
def helper():
    return lesson_namespace("06_ag_news", ["imports", "training_helper"])


def test_training_helper_reads_no_notebook_data(helper):
    """Does train_and_evaluate get its data and recipe as arguments, not from notebook globals?"""
    used = set(helper["train_and_evaluate"].__code__.co_names)
    notebook_globals = {"ds_train", "ds_test", "ds_fit", "ds_valid", "RECIPE", "LSTM_RECIPE",
                        "results",
                        "VOCAB_SIZE", "TRAIN_EXAMPLES", "GRADING", "vectorizer"}
    assert not used & notebook_globals, f"train_and_evaluate reads {used & notebook_globals}"


def test_training_helper_uses_the_recipe_and_repeats_a_run(helper):
    """Does the helper apply the recipe's optimizer settings, and give the same run twice?"""
    keras, tf = helper["keras"], helper["tf"]

    def build():
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, "softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    rows = {"x": tf.random.stateless_normal((48, 3), seed=(1, 2)),
            "label": tf.constant([i % 4 for i in range(48)], dtype="int64")}
    data = tf.data.Dataset.from_tensor_slices(rows)
    recipe = {"learning_rate": 0.02, "weight_decay": 0.5, "clipnorm": 2.0, "batch_size": 8,
              "max_epochs": 3, "patience": 5}

    def to_pair(x):
        return x["x"], x["label"]

    runs = [helper["train_and_evaluate"]("toy", build, to_pair, data.skip(8), data.take(8),
                                         data, seed=3, verbose=False, **recipe)
            for _ in range(2)]
    optimizer = runs[0]["model"].optimizer
    assert float(optimizer.learning_rate) == pytest.approx(0.02)
    assert optimizer.weight_decay == 0.5 and optimizer.clipnorm == 2.0
    assert runs[0]["epochs"] == 3 and runs[0]["train examples"] == 40
    assert runs[0]["history"] == runs[1]["history"], "the same seed should give the same run"


def test_training_cells_do_not_train_under_grading():
    """Does every cell that trains the lesson's models skip training under nbgrader, saying so?"""
    source = read_notebook(notebook_path("source", "06_ag_news", REPO))
    training = [cell.source for cell in source.cells if cell.cell_type == "code"
                and "train_and_evaluate(" in cell.source
                and "def train_and_evaluate" not in cell.source]
    assert len(training) == 6, f"expected 6 training cells, found {len(training)}"
    for text in training:
        first, second = text.splitlines()[:2]
        assert first == "if GRADING:" and second.strip().startswith('print("Grading run:'), (
            f"a training cell does not skip under grading:\n{text[:200]}")
