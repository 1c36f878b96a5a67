# Recurrent neural networks from scratch: instructor commands.
# `make demo` and `make test` each set up .venv on their own when it is missing or stale.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test release solutions clean-demo

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
