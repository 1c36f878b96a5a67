"""Does lesson 09 write its dates from CLDR's data, batch them with a mask, and read a file of
real sentence pairs, naming the file and the line of what it cannot read?

The generator, the vocabulary and the reader are the notebook's own locked cells, executed here
as plain Python.
"""

from __future__ import annotations

import datetime

import pytest

from testing.lesson_code import lesson_namespace

pytestmark = pytest.mark.lesson("09_seq2seq_attention")
CELLS = ["imports", "check_models", "date_data", "vocabulary", "sentence_pairs"]


@pytest.fixture(scope="module")
def ns():
    return lesson_namespace("09_seq2seq_attention", CELLS)


@pytest.mark.parametrize(("locale", "style", "date", "written"), [
    ("pl", "full", (2021, 3, 3), "środa, 3 marca 2021"),
    ("ru", "long", (2021, 3, 3), "3 марта 2021 г."),
    ("ru", "words0", (1992, 10, 24), "двадцать четвертого октября 1992 года"),
    ("en", "words0", (1975, 1, 28), "the twenty-eighth of January 1975"),
    ("en", "full", (2021, 3, 3), "Wednesday, March 3, 2021"),
    ("de", "words1", (2009, 3, 31), "Dienstag, der einunddreißigste März 2009"),
    ("fr", "words0", (2021, 3, 1), "le premier mars 2021"),
    ("fr", "words0", (2021, 3, 2), "le deux mars 2021"),
    ("es", "words0", (2021, 3, 3), "el tres de marzo de 2021"),
])
def test_dates_are_written_with_cldr_names_and_number_words(ns, locale, style, date, written):
    """Does write_date give each language's own order, month forms and number words?"""
    assert ns["write_date"](datetime.date(*date), locale, style) == written


def test_every_style_writes_words_and_no_style_repeats_another(ns):
    """Does every language have several styles, each with letters in it and none the same?"""
    for locale in ns["LANGUAGES"]:
        styles = ns["date_styles"](locale)
        texts = [ns["write_date"](datetime.date(1999, 12, 31), locale, s) for s in styles]
        assert len(styles) >= 4 and len(set(texts)) == len(texts), (locale, texts)
        assert all(any(char.isalpha() for char in text) for text in texts), (locale, texts)
        assert all("\u202f" not in text and "\xa0" not in text for text in texts)


def test_date_pairs_are_seeded_and_their_targets_are_the_iso_dates(ns):
    """Do date_pairs give the same pairs for a seed, ISO targets in range, every language?"""
    pairs = ns["date_pairs"](600, seed=3)
    assert pairs == ns["date_pairs"](600, seed=3) != ns["date_pairs"](600, seed=4)
    for source, target in pairs:
        date = datetime.date.fromisoformat(target)
        assert ns["FIRST_DATE"] <= date <= ns["LAST_DATE"] and target == date.isoformat()
        assert str(date.year) in source, (source, target)
    months = {name for locale in ns["LANGUAGES"]
              for name in ns["get_month_names"]("wide", "format", locale).values()}
    assert any(name in source for source, _ in pairs for name in months)
    assert any("года" in s for s, _ in pairs) and any(" the " in s for s, _ in pairs)


def test_batches_are_padded_to_their_own_longest_sequence_with_a_mask(ns):
    """Does make_batch add END, pad each batch to its longest source, and mask the padding?"""
    vocab = ns["Vocab"](["abc", "ba"])
    targets = ns["Vocab"](["12"])
    source, mask, target = ns["make_batch"]([("ab", "1"), ("c", "21")], vocab, targets)
    PAD, START, END = ns["PAD"], ns["START"], ns["END"]
    assert vocab.tokens[4:] == ["a", "b", "c"] and source.tolist() == [[4, 5, END],
                                                                       [6, END, PAD]]
    assert mask.tolist() == [[True, True, True], [True, True, False]]
    assert target.tolist() == [[START, 4, END, PAD], [START, 5, 4, END]]
    assert vocab.encode("abz") == [4, 5, ns["UNK"]]
    assert vocab.decode([START, 6, 4, END, 5]) == "ca"
    batches = ns["batches_by_length"]([("x" * n, "1") for n in range(1, 21)], 5, seed=0)
    assert sorted(len(b[0][0]) for b in batches) == [1, 6, 11, 16]
    assert all(max(len(s) for s, _ in b) - min(len(s) for s, _ in b) == 4 for b in batches)


def test_sentence_pairs_are_read_with_tatoebas_attribution_column_ignored(ns, tmp_path):
    """Are two-column and three-column lines read, blank lines skipped, spaces trimmed?"""
    path = tmp_path / "fra.txt"
    path.write_text("Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM)\n"
                    "\n I see. \tJe vois.\n", encoding="utf-8")
    assert ns["read_pairs"](path) == [("Go.", "Va !"), ("I see.", "Je vois.")]
    assert ns["words"]("Don't go, Tom!") == ["don", "'", "t", "go", ",", "tom", "!"]


@pytest.mark.parametrize(("content", "problem"), [
    (b"Go.\tVa !\nno tab here\n", "line 2: expected a sentence, a tab and its translation"),
    (b"Go.\t \n", "line 1: expected a sentence, a tab"),
    (b"\n\n", "no sentence pairs in the file"),
    (b"Go.\tVa \xff!\n", "not UTF-8 text"),
])
def test_a_bad_pairs_file_is_named_with_its_problem(ns, tmp_path, content, problem):
    """Does read_pairs stop with the file's name, the line and what is wrong?"""
    path = tmp_path / "pairs.tsv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=problem) as raised:
        ns["read_pairs"](path)
    assert str(path) in str(raised.value)


def test_a_missing_pairs_file_says_where_the_name_came_from(ns, tmp_path):
    """Does a path that is not a file fail with the path and the environment variable?"""
    with pytest.raises(FileNotFoundError, match="TRANSLATION_PAIRS"):
        ns["read_pairs"](tmp_path / "nothing.tsv")
