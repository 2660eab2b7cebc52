# The two commands: `make run` starts the suite, `make test` runs every test.
# Both install what they need first (a virtualenv, Python packages, and
# Mongrel2, Redis and Chromium through apt when missing and running as root).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench clean

run: system-packages-run $(VENV)/.installed
	@$(PY) -m conf.bringup run

test: system-packages-test $(VENV)/.installed
	@$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench: system-packages-bench $(VENV)/.installed
	$(PY) bench/hello.py

system-packages-%:
	@sh conf/install-system-packages.sh $*

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV)"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

clean:
	rm -rf run var/db
