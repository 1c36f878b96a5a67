"""Do the lessons' figures come from their measured runs? Numbers in prose and code, checked.

Lesson 06 quotes the AG News benchmark (benchmarks/results/ag_news.json) in two places: its
time budget (`CPU_COST`, seconds per epoch per 1,000 stories and the epochs used) and the
accuracies its prose reports. Both are checked against the JSON, so a new benchmark run that
changes a figure fails here until the lesson says the same. Lesson 08 quotes its committed
solution (solutions/08_char_lm, run on tiny Shakespeare): `LESSON_RUN` and the figures of its
results paragraph must be what that run printed, and its bar charts of the next character at
three temperatures must be drawn, flatter at each higher one, as its prose says. Lessons 07 and
09 quote their experiments the same way, and their claims (which models solve the adding
problem; that attention's advantage grows with the length of the date) must hold in the
committed run.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from rnncourse.engine.notebooks import read_notebook
from testing.lesson_code import lesson_namespace

from .helpers import ASSIGNMENTS, flat, printed_text, section_text

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[1]
RESULTS = json.loads((ROOT / "benchmarks" / "results" / "ag_news.json").read_text())
# Figures the prose gives that are not the benchmark's: chance on four balanced classes, and
# the range of the masked SimpleRNN in trials without weight decay (named as such there).
NOT_FROM_THE_BENCHMARK = {"0.25", "0.51", "0.70"}
# Every test accuracy the benchmark measured (each model's median, min and max), as the prose
# writes them.
MEASURED_ACCURACIES = {f"{m[key]:.2f}" for m in RESULTS["models"]
                       for key in ("test_accuracy_median", "test_accuracy_min",
                                   "test_accuracy_max")}


@pytest.mark.lesson("06_ag_news")
def test_the_time_budget_is_the_benchmarks():
    """Is CPU_COST each model's seconds per epoch per 1,000 stories and its median epochs?"""
    cost = lesson_namespace("06_ag_news", ["time_budget"])["CPU_COST"]
    measured = {m["model"]: (round(m["seconds_per_epoch_per_1000"], 2), m["epochs_median"])
                for m in RESULTS["models"]}
    assert cost == measured


@pytest.mark.lesson("06_ag_news")
def test_every_accuracy_in_the_prose_is_one_the_benchmark_measured():
    """Is each two-decimal accuracy lesson 06's text quotes a median, min or max of the JSON?"""
    nb = read_notebook(ROOT / "source" / "06_ag_news" / "06_ag_news.ipynb")
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    quoted = set(re.findall(r"(?<![\d.])0\.\d\d(?!\d)", text))
    assert quoted, "the prose quotes no accuracy: the test would prove nothing"
    assert quoted - MEASURED_ACCURACIES - NOT_FROM_THE_BENCHMARK == set()


RESULT = re.compile(r"after (\d+) updates in ([\d.]+) min \(([\d.]+) min of CPU time\): "
                    r"validation perplexity ([\d.]+) \(([\d.]+) nats per character\), test "
                    r"perplexity ([\d.]+)")


@pytest.mark.lesson("08_char_lm")
def test_lesson_08_quotes_what_its_committed_run_measured_on_real_text():
    """Are LESSON_RUN and the results paragraph's figures what solutions/08 printed, on
    tiny Shakespeare?"""
    source = read_notebook(ROOT / "source" / "08_char_lm" / "08_char_lm.ipynb")
    solution = read_notebook(ROOT / "solutions" / "08_char_lm" / "08_char_lm.ipynb")
    printed = printed_text(solution)
    assert "data: tiny Shakespeare from" in printed, "the committed solution ran on other text"
    found = RESULT.search(printed)
    assert found, "the committed solution printed no training result"
    updates, minutes, cpu, valid, nats, test = found.groups()
    cell = next(c for c in source.cells if c.cell_type == "code" and "LESSON_RUN = {" in c.source)
    run = ast.literal_eval(cell.source.split("LESSON_RUN = ", 1)[1].split("\n}", 1)[0] + "\n}")
    assert run == {"updates": int(updates), "validation perplexity": float(valid),
                   "validation nats per character": float(nats), "test perplexity": float(test),
                   "training minutes": float(minutes), "training CPU minutes": float(cpu)}
    results = next(c.source for c in source.cells if c.cell_type == "markdown"
                   and c.source.startswith("On tiny Shakespeare the lesson's run"))
    quoted = set(re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", results))
    assert quoted, "the results paragraph quotes no figure: the test would prove nothing"
    assert {q for q in quoted if q not in printed} == set()


TEMPERATURE_ROW = re.compile(r"^T = ([\d.]+): '(.+?)' ([\d.]+), the (\d+) shown ([\d.]+), the "
                             r"other (\d+) ([\d.]+); exp\(entropy\) ([\d.]+) characters$", re.M)


@pytest.mark.lesson("08_char_lm")
def test_lesson_08_draws_the_temperatures_as_bars_flatter_as_it_says():
    """Did solutions/08 draw the bar charts of the next character at each temperature, is each
    distribution flatter than the one at the temperature below it (its likeliest character
    less likely, the characters not shown likelier, exp(entropy) larger), and does the
    paragraph that reads the charts quote what that run printed?"""
    source = read_notebook(ROOT / "source" / "08_char_lm" / "08_char_lm.ipynb")
    solution = read_notebook(ROOT / "solutions" / "08_char_lm" / "08_char_lm.ipynb")
    cell = next(c for c in solution.cells if c.get("id") == "temperature-bars")
    assert any("image/png" in output.get("data", {}) for output in cell.outputs), (
        "the committed solution shows no bar charts of the temperatures")
    printed = "".join(output.get("text", "") for output in cell.outputs)
    rows = TEMPERATURE_ROW.findall(printed)
    assert [float(row[0]) for row in rows] == [0.5, 1.0, 1.5], printed
    (likeliest, shown, others), = {(row[1], row[3], row[5]) for row in rows}

    def column(k):
        return [float(row[k]) for row in rows]

    top, rest, choices = column(2), column(6), column(7)
    assert top == sorted(set(top), reverse=True), f"the likeliest character: {top}"
    assert rest == sorted(set(rest)), f"the characters not shown: {rest}"
    assert choices == sorted(set(choices)), f"exp(entropy): {choices}"
    reading = flat(next(c.source for c in source.cells
                        if c.get("id") == "temperature-bars-reading"))
    assert "the higher the temperature, the flatter the bars" in reading
    assert f"the letter `{likeliest}`" in reading
    assert f"the {shown} characters shown" in reading and f"the other {others} " in reading
    quoted = set(re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", reading))
    assert quoted, "the paragraph quotes no figure: the test would prove nothing"
    assert {q for q in quoted if q not in printed} == set()


SUMMARY = re.compile(r"^(.+?): solved on (\d) of (\d) seeds, first below ([\d.]+) after \[(.*)\] "
                     r"updates; final MSE (.+)$", re.M)


@pytest.mark.lesson("07_gru")
def test_lesson_07_claims_what_its_committed_run_shows():
    """Does lesson 07's account of the adding problem say what solutions/07 printed: the GRU
    and the LSTM solve it on every seed, the SimpleRNN on none, after the quoted updates, at the
    quoted errors, in about the CPU time quoted?"""
    source = read_notebook(ROOT / "source" / "07_gru" / "07_gru.ipynb")
    solution = read_notebook(ROOT / "solutions" / "07_gru" / "07_gru.ipynb")
    printed = printed_text(solution)
    runs = {}
    for name, solved, seeds, _, firsts, finals in SUMMARY.findall(printed):
        runs[name.split(" ")[0]] = (int(solved), int(seeds),
                                    [None if f.strip() == "None" else int(f)
                                     for f in firsts.split(",")],
                                    [float(v) for v in finals.split(",")])
    assert set(runs) == {"SimpleRNN", "GRU", "LSTM"}, printed[-2000:]
    baseline = [float(v) for v in re.search(r"always answering 1 scores ([\d., ]+) on",
                                            printed).group(1).split(",")]
    text = flat(next(c.source for c in source.cells if c.cell_type == "markdown"
                     and c.source.startswith("What the run above shows")))
    assert runs["GRU"][0] == runs["GRU"][1] == runs["LSTM"][0] == runs["LSTM"][1] == 3
    assert runs["SimpleRNN"][0] == 0 and "**the GRU and the LSTM solve the adding problem" in text
    assert set(runs["GRU"][2]) == {500} and "after 500 updates on all three seeds" in text
    lstm = runs["LSTM"][2]
    assert f"after {min(lstm):,} to {max(lstm):,} updates" in text
    finals = runs["SimpleRNN"][3]
    assert ", ".join(f"{v:.3f}" for v in finals[:-1]) + f" and {finals[-1]:.3f}" in text
    assert ", ".join(f"{v:.3f}" for v in baseline[:-1]) + f" and {baseline[-1]:.3f}" in text
    gaps = [abs(f - b) for f, b in zip(finals, baseline, strict=True)]
    assert max(gaps) <= 0.005 and "within 0.005" in text
    cpu = int(re.search(r"the whole experiment took \d+ s \((\d+) s of CPU time\)",
                        printed).group(1))
    setup = flat(next(c.source for c in source.cells if c.cell_type == "markdown"
                      and c.source.startswith("**The experiment.**")))
    assert 60 <= cpu < 120 and "needs under two minutes of its time" in setup, cpu


GROUP_ROW = re.compile(r"^ *(under 15|15 to 24|25 to 34|35 or more) +[\d,]+ \| ([\d.]+) ([\d.]+) "
                       r"[+-][\d.]+ \| +([\d.]+) +([\d.]+)$", re.M)
SIX_RUNS = re.compile(r"the 6 runs took ([\d.]+) min \(([\d.]+) min of CPU time\)")
LESSON_09_RESULTS = ("In the lesson's run", "In these pictures", "On the 200 longest")


@pytest.mark.lesson("09_seq2seq_attention")
def test_lesson_09_quotes_what_its_committed_run_measured_on_the_cpu():
    """Are LESSON_RUN and the figures of lesson 09's results paragraphs what solutions/09
    printed, on the CPU, and does that run show attention's advantage growing with length?"""
    source = read_notebook(ROOT / "source" / "09_seq2seq_attention"
                           / "09_seq2seq_attention.ipynb")
    solution = read_notebook(ROOT / "solutions" / "09_seq2seq_attention"
                             / "09_seq2seq_attention.ipynb")
    printed = printed_text(solution)
    assert "training on the CPU" in printed, "the committed solution did not train on the CPU"
    rows = GROUP_ROW.findall(printed)
    assert [row[0] for row in rows] == ["under 15", "15 to 24", "25 to 34", "35 or more"], rows
    exact_with, exact_without, bleu_with, bleu_without = (
        [float(row[k]) for row in rows] for k in range(1, 5))
    minutes, cpu_minutes = SIX_RUNS.search(printed).groups()
    cell = next(c for c in source.cells if c.cell_type == "code" and "LESSON_RUN = {" in c.source)
    run = ast.literal_eval(cell.source.split("LESSON_RUN = ", 1)[1].split("\n}", 1)[0] + "\n}")
    assert run == {"exact with attention": exact_with, "exact without attention": exact_without,
                   "BLEU with attention": bleu_with, "BLEU without attention": bleu_without,
                   "training minutes": float(minutes), "training CPU minutes": float(cpu_minutes)}
    gaps = [w - o for w, o in zip(exact_with, exact_without, strict=True)]
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False)), (
        f"attention's advantage does not grow with the length of the date: {gaps}")
    results = [c.source for c in source.cells if c.cell_type == "markdown"
               and c.source.startswith(LESSON_09_RESULTS)]
    assert len(results) == len(LESSON_09_RESULTS), "a results paragraph is missing"
    quoted = set(re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", "\n".join(results)))
    assert quoted, "the results paragraphs quote no figure: the test would prove nothing"
    assert {q for q in quoted if q not in printed} == set()

COMPAT = ROOT / "benchmarks" / "results" / "compat_matrix.json"


def adding_results(printed: str) -> dict[str, tuple[int, list[int | None], list[float]]]:
    """Lesson 07's summary of the adding problem, by model (SimpleRNN, GRU, LSTM): seeds
    solved, the updates after which each seed went below 0.01, each seed's final error."""
    found = {name.split(" ")[0]: (int(solved), [None if f.strip() == "None" else int(f)
                                                for f in firsts.split(",")],
                                  [float(v) for v in finals.split(",")])
             for name, solved, _, _, firsts, finals in SUMMARY.findall(printed)}
    assert set(found) == {"SimpleRNN", "GRU", "LSTM"}, "no summary of the experiment"
    return found


def lesson_07_prose() -> str:
    nb = read_notebook(ROOT / "source" / "07_gru" / "07_gru.ipynb")
    return flat(next(c.source for c in nb.cells if c.cell_type == "markdown"
                     and c.source.startswith("What the run above shows")))


def quoted_range(pattern: str) -> tuple[float, ...]:
    """The four figures of an LSTM range sentence of lesson 07's prose (commas dropped)."""
    found = re.search(re.escape(pattern) + r" ([\d,]+) to ([\d,]+) updates and end(?:s|ed) between "
                      r"(\d+\.\d+) and (\d+\.\d+)", lesson_07_prose())
    assert found, f"lesson 07's prose no longer says {pattern!r} ... updates"
    return tuple(float(g.replace(",", "")) for g in found.groups())


@pytest.mark.lesson("07_gru")
def test_lesson_07_names_the_version_of_its_committed_run_and_its_final_errors():
    """Does lesson 07 say which PyTorch its committed run used, and do that run's LSTM errors
    end within the range it quotes?"""
    printed = printed_text(read_notebook(ROOT / "solutions" / "07_gru" / "07_gru.ipynb"))
    version = re.search(r"PyTorch (\S+), Keras", printed).group(1).split("+")[0]
    assert f"PyTorch {version} on a CPU" in lesson_07_prose()
    _, _, low, high = quoted_range("the LSTM's falls below 0.01 after")
    finals = adding_results(printed)["LSTM"][2]
    assert low <= min(finals) and max(finals) <= high, finals


@pytest.mark.lesson("07_gru")
def test_lesson_07_ranges_across_versions_hold_in_every_run_of_the_matrix():
    """Do the LSTM's ranges that lesson 07 quotes for other PyTorch versions contain what
    every environment of the compatibility matrix (benchmarks/results/compat_matrix.json)
    measured, with the GRU and the LSTM solving every seed and the SimpleRNN none?"""
    low, high, end_low, end_high = quoted_range("its error went below 0.01 after")
    matrix = json.loads(COMPAT.read_text())
    runs = {env: matrix["runs"][env].get("07_gru") for env in matrix["runs"]}
    assert {"colab", "newest"} <= {env for env, run in runs.items() if run and run["ok"]}, (
        "the prose quotes Colab's and the newest release's runs: run `make compat`")
    for env, run in runs.items():
        if not (run and run["ok"]):
            continue
        found = adding_results(run["printed"])
        solved, steps, finals = found["LSTM"]
        assert solved == 3 and low <= min(steps) and max(steps) <= high, (env, steps)
        assert end_low <= min(finals) and max(finals) <= end_high, (env, finals)
        assert found["GRU"][0] == 3 and found["SimpleRNN"][0] == 0, (env, found)


def what_to_remember(name: str) -> str:
    """The text of a lesson's 'What to remember' section, whitespace made single spaces."""
    nb = read_notebook(ROOT / "source" / name / f"{name}.ipynb")
    return flat(section_text(nb, "What to remember"))


# Figures a summary may give that no run measures: chance on four balanced classes (06), and the
# standard error of an accuracy on 1,000 test stories (06; tests/test_lesson_claims.py computes
# it).
NOT_MEASURED = {"06_ag_news": {"0.25", "0.011"}}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.lesson(n))
                                  for n in ASSIGNMENTS])
def test_what_to_remember_quotes_only_measured_figures(name):
    """Is every decimal figure of a lesson's summary one its committed solution printed, or,
    for lesson 06, one its benchmark measured (the summary is what students keep; a figure there
    must not drift from the run)?"""
    quoted = set(re.findall(r"(?<![\d.\w])\d+\.\d+(?![\d.])", what_to_remember(name)))
    printed = printed_text(read_notebook(ROOT / "solutions" / name / f"{name}.ipynb"))
    measured = MEASURED_ACCURACIES if name == "06_ag_news" else set()
    unmeasured = {q for q in quoted - measured - NOT_MEASURED.get(name, set())
                  if not re.search(rf"(?<![\d.]){re.escape(q)}(?![\d])", printed)}
    assert unmeasured == set(), f"{name}'s 'What to remember' quotes unmeasured {unmeasured}"


@pytest.mark.lesson("06_ag_news")
def test_lesson_06_remembers_the_bilstms_cost_as_the_benchmark_measured_it():
    """Is 'N times the cost per epoch' the BiLSTM's seconds per epoch over the baseline's?"""
    cost = {m["model"]: m["seconds_per_epoch_per_1000"] for m in RESULTS["models"]}
    found = re.search(r"at (\d+) times the cost per epoch", what_to_remember("06_ag_news"))
    assert found, "lesson 06's summary no longer compares the BiLSTM's cost with the baseline's"
    ratio = cost["BiLSTM, 2 layers"] / cost["Bag of words (baseline)"]
    assert int(found.group(1)) == round(ratio), f"the benchmark measured {ratio:.1f} times"


@pytest.mark.lesson("08_char_lm")
def test_lesson_08_remembers_what_its_committed_run_measured():
    """Are the updates, the validation perplexity and the CPU minutes of 08's summary those its
    committed solution printed?"""
    printed = printed_text(read_notebook(ROOT / "solutions" / "08_char_lm" / "08_char_lm.ipynb"))
    found = RESULT.search(printed)
    assert found, "the committed solution printed no training result"
    updates, _, cpu, valid, _, _ = found.groups()
    summary = what_to_remember("08_char_lm")
    for figure in (f"perplexity of {valid}", f"{int(updates):,} updates",
                   f"({cpu} minutes of CPU time)"):
        assert figure in summary, f"lesson 08's summary should say {figure!r}: {summary[:400]}"
