"""Do the README and the instructors' guide say what the code does? Their figures are checked
against the code and the benchmark's results, and every file, module and make target they name
must exist."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from rnncourse.course import build
from rnncourse.engine import limits
from rnncourse.engine.notebooks import read_notebook
from testing import REPO

from .helpers import flat, printed_text

pytestmark = pytest.mark.unit

README = (REPO / "README.md").read_text(encoding="utf-8")
GUIDE = (REPO / "docs" / "instructors.md").read_text(encoding="utf-8")
ARCHITECTURE = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
DOCS = {"README.md": README, "docs/instructors.md": GUIDE}
ALL_DOCS = {**DOCS, "ARCHITECTURE.md": ARCHITECTURE}
RESULTS = json.loads((REPO / "benchmarks" / "results" / "ag_news.json").read_text())


def test_the_guides_table_of_limits_is_the_settings_own_help():
    """Does the guide show exactly the table GradingLimits' help strings make?"""
    assert limits.manual() in GUIDE, (
        "docs/instructors.md's table of limits differs from the settings: paste the output of "
        "`python -m rnncourse.engine.limits`")


def test_the_guide_gives_the_solutions_build_its_real_cell_limit():
    assert (f"{build.SOLUTION_CELL_SECONDS:,} s instead (`SOLUTION_CELL_SECONDS`)"
            in flat(GUIDE))


def benchmark_markdown() -> str:
    spec = importlib.util.spec_from_file_location(
        "ag_news_benchmark", REPO / "benchmarks" / "ag_news_benchmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.markdown(RESULTS)


def test_the_readmes_lesson_06_table_is_the_committed_benchmark_run():
    """Every row, every column, as benchmarks/ag_news_benchmark.py writes it from the JSON."""
    table = [line for line in benchmark_markdown().splitlines() if line.startswith("|")]
    start = README.index(table[0])
    shown = README[start:].split("\n\n", 1)[0].splitlines()
    assert shown == table, "README's lesson 06 table differs from benchmarks/results/ag_news.json"


def lesson_06_prose() -> str:
    """The README's paragraphs on lesson 06's real-data run, after its table."""
    part = README[README.index("Lesson 06 on real text"):]
    return part.split("\n## ", 1)[0]


def committed_lesson_06_accuracies() -> list[str]:
    """The test accuracies solutions/06_ag_news printed, in the order of its models."""
    solution = read_notebook(REPO / "solutions" / "06_ag_news" / "06_ag_news.ipynb")
    return re.findall(r": test accuracy (\d\.\d{3}) ", printed_text(solution))


def test_the_readmes_lesson_06_figures_are_the_benchmarks():
    """Each accuracy the prose quotes is one the JSON holds (or, where it says so, one the
    committed solution printed, in its order), and so are the data's sizes."""
    measured = {f"{value:.3f}" for model in RESULTS["models"] for value in (
        model["test_accuracy_median"], model["test_accuracy_min"], model["test_accuracy_max"],
        *(run["test_accuracy"] for run in model["runs"]))}
    committed = committed_lesson_06_accuracies()
    assert len(committed) == len(RESULTS["models"]), committed
    for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", flat(lesson_06_prose())):
        if "not in benchmarks/results" in sentence:
            continue
        if "committed run's test accuracies" in sentence:
            assert re.findall(r"\b\d\.\d{3}\b", sentence) == committed, sentence
            continue
        quoted = set(re.findall(r"\b\d\.\d{3}\b", sentence))
        assert quoted <= measured, f"not in benchmarks/results/ag_news.json: {quoted - measured}"
    total = RESULTS["train_examples"] + RESULTS["validation_examples"]
    sizes = (f"{total:,} training stories, {RESULTS['validation_examples']:,} of them for "
             f"validation, and {RESULTS['test_examples']:,} test stories")
    assert sizes in flat(lesson_06_prose())


@pytest.mark.parametrize("doc", ALL_DOCS)
def test_every_file_the_docs_name_exists(doc):
    named = set(re.findall(
        r"`((?:rnncourse|testing|tests|benchmarks|scripts|docs|\.ci)/[\w./-]*)`", ALL_DOCS[doc]))
    missing = sorted(p for p in named if not re.search(r"NN_|<|\*", p)
                     and not (REPO / p).exists())
    assert not missing, f"{doc} names files that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_module_the_docs_run_exists(doc):
    modules = set(re.findall(r"python -m ((?:rnncourse|testing)(?:\.\w+)+)", DOCS[doc]))
    missing = sorted(m for m in modules if importlib.util.find_spec(m) is None)
    assert modules and not missing, f"{doc} runs modules that do not exist: {missing}"


def test_every_module_the_architecture_names_exists_and_each_folder_lists_its_own():
    """Does ARCHITECTURE.md name only modules that exist, and does each folder's __init__
    list every module in it (and none that is gone)?"""
    named = set(re.findall(r"\b((?:engine|grading|course)/[\w/]+\.py)", ARCHITECTURE))
    assert named, "ARCHITECTURE.md names no module"
    missing = sorted(p for p in named if not (REPO / "rnncourse" / p).is_file())
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"
    for init in sorted((REPO / "rnncourse").rglob("__init__.py")):
        folder = init.parent
        listed = set(re.findall(r"`(\w+)`", init.read_text()))
        if folder.name == "rnncourse":
            modules = {p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py")
                       .is_file()}
        else:
            modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
            modules |= {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
        assert modules <= listed, f"{init} does not list {sorted(modules - listed)}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_the_docs_name_exists(doc):
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    named = set(re.findall(r"`make ([\w-]+)", DOCS[doc]))
    assert named and named <= targets, f"{doc} names make targets {named - targets}"


def test_the_fast_tier_is_documented():
    for doc, text in DOCS.items():
        assert "pytest -m unit" in text, f"{doc} does not say how to run the fast tier"


# Names of the frameworks' own weights that a row of the README's notation table may give
# although its lesson never spells them out.
FRAMEWORK_WEIGHTS = {"kernel", "recurrent_kernel", "bias", "weight_ih_l0", "weight_hh_l0",
                     "bias_ih_l0 + bias_hh_l0", "weight_ih", "weight_hh", "bias_ih + bias_hh",
                     "_reverse"}


def test_the_readmes_notation_table_names_each_lessons_own_weights():
    """Has every lesson a row in the README's notation table, and is every name of its own
    that a row gives one the lesson really uses (a renamed weight fails here)?"""
    section = README.split("### One notation for the weights", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in section.splitlines()
            if re.match(r"\| \d\d \|", line)}
    lessons = sorted(path.name for path in (REPO / "source").iterdir() if path.is_dir())
    assert sorted(rows) == [name[:2] for name in lessons]
    for name in lessons:
        text = (REPO / "source" / name / f"{name}.ipynb").read_text(encoding="utf-8")
        unknown = [token for token in re.findall(r"`([^`]+)`", rows[name[:2]])
                   if token not in FRAMEWORK_WEIGHTS and token not in text]
        assert not unknown, f"the README's row for {name} names {unknown}, which it never uses"
