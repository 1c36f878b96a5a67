# Recurrent neural networks from scratch: instructor commands.
# `make demo` and `make test` each set up .venv on their own when it is missing or stale.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo grade test release solutions clean-demo publish

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

release: $(STAMP)
	$(PY) -m rnncourse.build release

solutions: $(STAMP)
	$(PY) -m rnncourse.build solutions

# Builds nothing: grades a demo class against the committed release/ with the grader below.
demo: $(STAMP)
	$(PY) -m rnncourse.demo

# Grade the collected class (submitted/) of some assignments, in parallel, in this course folder:
#   make grade ASSIGNMENTS="01_simple_rnn 02_cell_layer_split" [WORKERS=N]
#        [SCHEDULER=tcp://HOST:8786] [DB=postgresql://USER:PASSWORD@HOST/DB] [FORCE=1]
grade: $(STAMP)
	@test -n "$(ASSIGNMENTS)" || { echo "make grade: give ASSIGNMENTS, the assignments to" \
		"grade, e.g. make grade ASSIGNMENTS=\"01_simple_rnn 02_cell_layer_split\"" >&2; exit 2; }
	$(PY) -m rnncourse.grade $(ASSIGNMENTS) $(if $(WORKERS),--workers $(WORKERS)) \
		$(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(DB),--db "$(DB)") $(if $(FORCE),--force)

test: $(STAMP)
	$(PY) -m pytest

clean-demo:
	rm -rf submitted autograded/*/ feedback gradebook.db grades.csv .grading reports

# The students' copy for the public repository:
#   make publish DEST=../rnn-course-students URL=https://github.com/OWNER/REPO [BRANCH=main]
# FORCE=1 replaces an earlier students' copy in DEST.
publish: $(STAMP)
	@test -n "$(DEST)" || { echo "make publish: give DEST, the folder outside this repository" \
		"to write the students' copy to, e.g. make publish DEST=../rnn-course-students" \
		"URL=https://github.com/OWNER/REPO" >&2; exit 2; }
	@test -n "$(URL)" || { echo "make publish: give URL, the public GitHub repository the" \
		"copy is pushed to (its Colab badges point there), e.g. make publish DEST=$(DEST)" \
		"URL=https://github.com/OWNER/REPO" >&2; exit 2; }
	$(PY) -m rnncourse.publish "$(DEST)" --repo-url "$(URL)" --branch "$(or $(BRANCH),main)" \
		$(if $(FORCE),--force)
