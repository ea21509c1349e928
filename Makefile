# make demo: the main job on the bundled example; make test: every test.
# Both create .venv when it is missing and install the project with its test dependencies.
# make lint: ruff and mypy with zero findings; make test runs it first, so CI fails on a finding.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo lint test fuzz bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/thidua demo

lint: $(STAMP)
	$(BIN)/ruff check thidua tests benchmarks
	$(BIN)/mypy thidua

test: lint
	$(BIN)/python -m pytest

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -s \
		--hypothesis-show-statistics

# make bench: every benchmark of issue 16 (benchmarks/bench.py), one table; RUNS=3 by default
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --runs $(or $(RUNS),3)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
