# Recurrent neural networks from scratch: instructor commands.
# `make demo` and `make test` each set up .venv on their own when it is missing or stale.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test release solutions clean-demo publish

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

release: $(STAMP)
	$(PY) -m rnncourse.build release

solutions: $(STAMP)
	$(PY) -m rnncourse.build solutions

demo: release solutions
	$(PY) -m rnncourse.demo

test: $(STAMP)
	$(PY) -m pytest

clean-demo:
	rm -rf submitted autograded/*/ feedback gradebook.db grades.csv

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
