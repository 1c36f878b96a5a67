"""Does lesson 06's data loader read AG News offline, check it, and say which data it used?

The loader is the notebook's own locked cell, executed here as plain Python.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tarfile
import types

import pytest

from rnncourse.lesson_code import lesson_namespace

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
    assert source == f"AG News from {tmp_path}"
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
