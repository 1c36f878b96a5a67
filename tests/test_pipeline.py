"""Does nbgrader grade every lesson right? Each assignment's known submissions, graded for real."""

from __future__ import annotations

import pytest

from rnncourse.course.demo import CHOSEN
from rnncourse.engine.course_folder import CONFIG, notebook_path
from rnncourse.engine.notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    SOLUTION_BEGIN,
    SOLUTION_END,
    grade_id,
    is_test_cell,
    read_notebook,
    strip_markers,
)
from testing import REPO
from testing.integrity import SHADOWS_INTACT
from testing.plain_grader import PlainCourse

from .helpers import (
    ASSIGNMENTS,
    LESSONS,
    cell_view,
    failed_ids,
    failure_messages,
    graded_cheats,
    hidden_lines,
)

MUTANTS = [(a, m.name) for a in ASSIGNMENTS for m in LESSONS[a].mutants]
ALTERNATIVES = [(a, v.name) for a in ASSIGNMENTS
                for v in LESSONS[a].alternatives + LESSONS[a].fair]
CHEATS = [(a, v.name) for a in ASSIGNMENTS for v in graded_cheats(a)]
DISGUISED = [(a, v.name) for a in ASSIGNMENTS for v in LESSONS[a].disguised]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_release_is_what_nbgrader_generates(graded, name):
    """Is release/ exactly what `nbgrader generate_assignment` makes of source/ now?"""
    committed = read_notebook(notebook_path("release", name, REPO))
    assert cell_view(committed) == cell_view(graded[name].release), (
        f"release/{name} is stale: run `make release` and commit it")
    assert all(not c.get("outputs") for c in committed.cells), "release notebooks keep no outputs"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_shows_no_solution_or_hidden_test(name):
    """Does the student version leave out every solution and hidden test?"""
    release = read_notebook(notebook_path("release", name, REPO))
    text = "\n".join(cell.source for cell in release.cells)
    for marker in (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END):
        assert marker not in text
    leaked = {line for line in hidden_lines(LESSONS[name].source) if line in text}
    assert not leaked, f"release/{name} shows instructor-only lines: {sorted(leaked)[:3]}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solutions_are_in_sync_and_executed(name):
    """Does solutions/ hold the source's cells, run, with outputs and no errors?"""
    solution = read_notebook(notebook_path("solutions", name, REPO))
    source = LESSONS[name].source
    strip = [(t, strip_markers(s), m) for t, s, m in cell_view(source)]
    ours = [(t, strip_markers(s), m) for t, s, m in cell_view(solution)]
    assert [(t, s) for t, s, _ in ours] == [(t, s) for t, s, _ in strip], (
        f"solutions/{name} is stale: run `make solutions` and commit it")
    outputs = [o for c in solution.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs, f"solutions/{name} was not executed"
    bad = [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not bad, f"solutions/{name} has errors or stderr output: {bad[:1]}"
    timed = [c for c in solution.cells if "execution" in c.metadata]
    assert not timed, f"solutions/{name} keeps execution timestamps: every rebuild would differ"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_points_add_up_to_a_round_total(name):
    """Is each lesson worth a multiple of 10 points, every test cell worth something?"""
    pts = LESSONS[name].points
    assert pts and all(p > 0 for p in pts.values())
    assert sum(pts.values()) % 10 == 0, f"{name} is worth {sum(pts.values())} points"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_perfect_student_gets_full_marks(graded, name):
    """Does the instructor's solution, typed into the release notebook, get every point?"""
    assert failed_ids(graded[name], "perfect") == set()
    scores = graded[name].scores["perfect"]
    assert sum(c.score for c in scores.values()) == sum(LESSONS[name].points.values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_submission_scores_zero(graded, name):
    """Does the untouched release notebook score 0?"""
    scores = graded[name].scores["blank"]
    assert scores is not None and sum(c.score for c in scores.values()) == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_submission_raising_everywhere_scores_zero(graded, name):
    """Does a notebook whose every answer raises score 0, without stopping the class?"""
    scores = graded[name].scores["raises_everywhere"]
    assert scores is not None and sum(c.score for c in scores.values()) == 0


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_corrupt_notebook_is_reported_and_the_rest_is_graded(graded, name):
    """Is a cut-off .ipynb named with its problem, while every other student is graded?"""
    problem = graded[name].problems.get("corrupt_upload", "")
    assert "submitted/corrupt_upload" in problem and "not valid JSON" in problem, problem
    others = {s: v for s, v in graded[name].scores.items() if s != "corrupt_upload"}
    assert others and all(v is not None for v in others.values())
    assert set(graded[name].problems) == {"corrupt_upload"}


@pytest.mark.parametrize("name,mutant", MUTANTS)
def test_mutant_fails_exactly_its_grade_ids(graded, name, mutant):
    """Does each known bug lose exactly the points of the checks that should catch it?"""
    variant = next(m for m in LESSONS[name].mutants if m.name == mutant)
    assert failed_ids(graded[name], f"mutant_{mutant}") == variant.fails
    if variant.hint:
        shown = failure_messages(graded[name].autograded(f"mutant_{mutant}"), variant.fails)
        assert variant.hint in shown, (
            f"the failing check should name the mistake ({variant.hint!r}); it says {shown!r}")


@pytest.mark.parametrize("name,alternative", ALTERNATIVES)
def test_correct_alternative_gets_full_marks(graded, name, alternative):
    """Does a correct submission written differently keep every point?"""
    assert failed_ids(graded[name], f"alt_{alternative}") == set()


@pytest.mark.parametrize("name,cheat", CHEATS)
def test_cheat_gets_exactly_the_honest_score(graded, name, cheat):
    """Does tampering with the checks (helpers, comparisons, assertions, IPython) earn nothing?"""
    expected = next(v for v in LESSONS[name].cheats if v.name == cheat).fails
    assert failed_ids(graded[name], f"cheat_{cheat}") == expected


@pytest.mark.parametrize("name,disguise", DISGUISED)
def test_a_disguised_framework_layer_is_flagged_with_the_probe_that_ran_it(graded, name,
                                                                          disguise):
    """Is a forbidden layer reached through a name no text scan reads (a built-up name,
    vars(), a fused kernel) reported, with the check and the probe that ran it, and nothing
    else of the submission taken for it?"""
    variant = next(v for v in LESSONS[name].disguised if v.name == disguise)
    flags = graded[name].autograded(f"disguised_{disguise}").metadata["rnncourse"]["review"]
    ran = [f for f in flags if f.get("line") is None]
    assert ran and len(ran) == len(flags), f"only the watch should see it: {flags}"
    for check, layer in variant.ran:
        assert any(f["cell"] == check and f["what"].startswith("probe ")
                   and f"of check {check} ran " in f["what"]
                   and layer in f["what"].rpartition("themselves: ")[2].rstrip(".").split(", ")
                   for f in ran), f"no flag says a probe of {check} ran {layer}: {ran}"


@pytest.mark.lesson("01_simple_rnn")
def test_a_course_can_make_a_disguised_layer_cost_the_checks_points(tmp_path):
    """With `write_yourself_costs_points` naming the lesson, does a check whose probe ran the
    forbidden layer fail, with a message saying why, while a correct submission keeps every
    point?"""
    name = "01_simple_rnn"
    variant = LESSONS[name].disguised[0]
    course = PlainCourse.scratch(tmp_path / name, [name], REPO)
    with open(course.path / CONFIG, "a") as config:
        config.write(f"\nc.JudgedExecute.write_yourself_costs_points = [{name!r}]\n")
    release = course.generate(name)
    student = f"disguised_{variant.name}"
    for who, nb in LESSONS[name].students(release, ["perfect", student]).items():
        course.submit(name, who, nb)
    assert course.autograde(name) == {}
    failed = {who: {gid for gid, cell in scores.items() if not cell.passed}
              for who, scores in course.scores(name).items()}
    assert failed == {"perfect": set(), student: {check for check, _ in variant.ran}}
    shown = failure_messages(read_notebook(notebook_path("autograded", name, course.path,
                                                         student)), failed[student])
    assert "FrameworkLayerUsed" in shown and "yourself" in shown, shown


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_checks_leave_the_students_names_alone(graded, name):
    """Are the names a student bound like the tests' own still theirs after every check ran?"""
    nb = graded[name].autograded("alt_shadows_course_names")
    printed = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
    assert SHADOWS_INTACT in printed, printed or nb.cells[-1].get("outputs")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_enough_mutants_and_alternatives(name):
    """Are there at least 8 mutants and 2 correct alternatives, naming real grade ids?"""
    les = LESSONS[name]
    assert len(les.mutants) >= 8 and len(les.alternatives) >= 2
    ids = set(les.points)
    for m in les.mutants:
        assert m.fails <= ids, f"{m.name} lists unknown grade ids {m.fails - ids}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_demo_shows_two_different_bugs_and_a_right_alternative(name):
    """Does the variants file's DEMO pick two mutants failing different checks, and an alt?"""
    chosen = LESSONS[name].demo(CHOSEN)
    bugs = [LESSONS[name].variants[chosen[row]] for row in ("typical_bug_1", "typical_bug_2")]
    assert all(chosen[row].startswith("mutant_") for row in ("typical_bug_1", "typical_bug_2"))
    assert bugs[0].fails != bugs[1].fails, "the two bugs should cost different checks"
    assert chosen["different_but_right"].startswith("alt_")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_check_is_alone_in_catching_some_mutant(name):
    """Is every graded cell needed: does some mutant fail it and nothing else?"""
    les = LESSONS[name]
    alone = {next(iter(m.fails)) for m in les.mutants if len(m.fails) == 1}
    assert set(les.points) <= alone, f"no mutant is caught only by {set(les.points) - alone}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_test_cell_says_what_it_checks(name):
    """Does every graded cell open with a one-line docstring, and hide a part from students?"""
    for cell in LESSONS[name].source.cells:
        if is_test_cell(cell):
            first = cell.source.lstrip().splitlines()[0]
            assert first.startswith('"""') and first.endswith('"""'), grade_id(cell)
            assert HIDDEN_BEGIN in cell.source, f"{grade_id(cell)} has no hidden part"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_graded_notebooks_flag_every_cheat_for_review_and_no_correct_one(graded, name):
    """Does grading list every cheat's own code for the instructor, and no correct one's?"""
    def flags(student):
        return graded[name].autograded(student).metadata.get("rnncourse", {}).get("review")

    honest = ["perfect", *(f"alt_{v.name}" for v in LESSONS[name].alternatives
                           + LESSONS[name].fair)]
    assert {s: flags(s) for s in honest if flags(s) != []} == {}
    assert [c.name for c in graded_cheats(name) if not flags(f"cheat_{c.name}")] == []
