# Recurrent neural networks from scratch: instructor commands.
# `make demo`, `make test` and `make grade` first see to the system packages they need
# (scripts/setup_system.py: bubblewrap; with POSTGRES=1 a PostgreSQL server for the test that
# grades into it), installing them on Debian/Ubuntu as root or with sudo, else stopping with
# what to install; then each sets up .venv on its own when it is missing or stale.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The interpreter that runs the set-up script and creates .venv (python3 only so that the
# script can say that Python 3.11 is missing).
HOST_PYTHON := $(shell command -v $(PYTHON) || command -v python3)
SETUP := $(HOST_PYTHON) scripts/setup_system.py

.PHONY: demo grade grade-assignments test release solutions clean-demo publish system compat \
	hub hub-clean
# The system set-up runs before .venv is made, never beside it.
.NOTPARALLEL:

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

system:
	@test -n "$(HOST_PYTHON)" || { echo "make $(or $(MAKECMDGOALS),demo): needs Python 3.11" \
		"(python3.11 or python3 on PATH, or PYTHON=/path/to/python3.11)" >&2; exit 1; }
	@$(SETUP) --for "make $(firstword $(MAKECMDGOALS))" $(if $(POSTGRES),--postgres)
	@$(if $(filter test,$(MAKECMDGOALS)),$(HOST_PYTHON) scripts/hub_system.py --for "make test" \
		--browser --optional)

# The lessons' shared helpers copied into source/ (rnncourse.course.shared_cells), the diagrams
# redrawn into docs/diagrams/ and refreshed in source/ (rnncourse.course.diagrams), the student
# notebooks, and the demo's students saved with the package (rnncourse.course.demo_class).
release: $(STAMP)
	$(PY) -m rnncourse.course.shared_cells
	$(PY) -m rnncourse.course.diagrams
	$(PY) -m rnncourse.course.build release
	$(PY) -m testing.demo_class tests/variants

solutions: $(STAMP)
	$(PY) -m rnncourse.course.build solutions

# Builds nothing: grades a demo class against the committed release/ with the grader below.
demo: system $(STAMP)
	$(PY) -m rnncourse.course.demo

# Grade the collected class (submitted/) of some assignments, in parallel, in this course folder:
#   make grade ASSIGNMENTS="01_simple_rnn 02_cell_layer_split" [WORKERS=N]
#        [SCHEDULER=tcp://HOST:8786] [DB=postgresql://USER:PASSWORD@HOST/DB] [FORCE=1]
grade: grade-assignments system $(STAMP)
	$(PY) -m rnncourse.grade $(ASSIGNMENTS) $(if $(WORKERS),--workers $(WORKERS)) \
		$(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(DB),--db "$(DB)") $(if $(FORCE),--force)

grade-assignments:
	@test -n "$(ASSIGNMENTS)" || { echo "make grade: give ASSIGNMENTS, the assignments to" \
		"grade, e.g. make grade ASSIGNMENTS=\"01_simple_rnn 02_cell_layer_split\"" >&2; exit 2; }

# The whole suite (what CI runs, as `make test POSTGRES=1`); `$(PY) -m pytest -m unit` is the
# fast tier. Without POSTGRES=1 (or RNNCOURSE_TEST_POSTGRES_URL) the PostgreSQL test is skipped.
test: system $(STAMP)
	$(if $(POSTGRES),RNNCOURSE_TEST_POSTGRES_URL="$$($(SETUP) --postgres-url)") $(PY) -m pytest

# Every lesson, solved, run as a student runs it, in Colab's versions, the newest releases and
# the lessons' pins as PyPI serves them (benchmarks/compat_matrix.py; gigabytes to download the
# first time, kept in ~/.cache/rnncourse-compat; not part of `make test`):
#   make compat [ENVS="colab newest"] [LESSONS="07_gru 08_char_lm"] [REBUILD=1]
compat: $(STAMP)
	nice $(PY) -m benchmarks.compat_matrix $(foreach e,$(ENVS),--env $(e)) \
		$(if $(REBUILD),--rebuild) $(LESSONS)
# The course on a real JupyterHub on this machine, as root (scripts/hub.py says what it
# creates): prints its address and accounts; Ctrl-C stops it. PORT=N picks its port (and the
# next two); HUB_PYTHON=... the system Python 3.11 the servers' environment is built from.
hub: system
	@$(HOST_PYTHON) scripts/hub_system.py --for "make hub"
	@$(HOST_PYTHON) scripts/hub.py start $(if $(PORT),--port $(PORT))

# Removes what `make hub` created: its accounts and their homes, the exchange, its folders.
hub-clean:
	@$(HOST_PYTHON) scripts/hub.py clean

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
	$(PY) -m rnncourse.course.publish "$(DEST)" --repo-url "$(URL)" --branch "$(or $(BRANCH),main)" \
		$(if $(FORCE),--force)
