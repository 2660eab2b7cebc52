# The two commands: `make run` starts the suite, `make test` runs every test.
# Both install what they need first (a virtualenv, Python packages, and
# Mongrel2, Redis and Chromium through apt when missing and running as root).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast check lint bench bench-longpoll clean site

# Test processes at once (pytest-xdist): most end-to-end tests wait on servers, so twice the cores.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
PYTEST := $(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal

run: system-packages-run $(VENV)/.installed
	@$(PY) -m conf.bringup run

test: system-packages-test $(VENV)/.installed check
	@$(PYTEST) --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# The inner loop: the unit and in-process tests only (no Mongrel2, Redis or Chromium), no coverage.
test-fast: $(VENV)/.installed
	@$(PYTEST) -q -m "not integration and not browser" $(PYTEST_ARGS)

# A new site of your own, made from conf/site_template/ and registered: `make site NAME=recipes`.
site: $(VENV)/.installed
	@test -n "$(NAME)" || { echo "Name it: make site NAME=recipes"; exit 2; }
	@$(PY) -m conf.new_site "$(NAME)"

# What `make test` checks before the tests: formatting, lint, types (config in pyproject.toml).
check: $(VENV)/.installed
	@echo "Checking format (ruff format), lint (ruff check) and types (mypy)"
	@$(VENV)/bin/ruff format --check --quiet . || { echo "Run: $(VENV)/bin/ruff format ."; exit 1; }
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/mypy

lint: check

# The benchmarks, each a module of the bench package; BENCH_ARGS (say `--duration 1 --warmup 0`) go to each
# wrk-driven one, LONGPOLL_ARGS (say `--waiters 1000 --rooms ''`) to bench.longpoll.
bench: system-packages-bench $(VENV)/.installed
	$(PY) -m bench.hello $(BENCH_ARGS)
	$(PY) -m bench.store $(BENCH_ARGS)
	$(PY) -m bench.readify $(BENCH_ARGS)
	$(PY) -m bench.service $(BENCH_ARGS)
	$(PY) -m bench.longpoll $(LONGPOLL_ARGS)
	$(PY) -m bench.bookmarks

# Long-poll at scale alone (bench/longpoll.py: 1,000 to 50,000 waiting chat clients, and an aiohttp peer).
bench-longpoll: system-packages-bench $(VENV)/.installed
	$(PY) -m bench.longpoll $(LONGPOLL_ARGS)

system-packages-%:
	@sh conf/install-system-packages.sh $*

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV)"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

clean:
	rm -rf run var/db
