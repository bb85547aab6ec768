# Two commands do all the set-up (README): `make reproduce` and `make test`.
# Both create .venv (Python 3.11), install torch==2.13.0 first (the CPU wheel), then the package.

PYTHON ?= python3.11
VENV ?= .venv
PROFILE ?= default
CORES ?= all
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
APT_PACKAGES := libusb-1.0-0 sweethome3d-furniture
PROFILE_ARGS := $(if $(filter default,$(PROFILE)),,--configfile config/$(PROFILE).yaml)

.PHONY: install system-deps reproduce test test-all lint dvc-yaml sync-times clean-tiny

install: system-deps $(VENV)/.installed

# Debian packages: installed when root, otherwise named in a clear message.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get install$$missing   (then re-run make)"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

reproduce: install
	snakemake --cores $(CORES) $(PROFILE_ARGS)

test: install
	pytest

test-all: install
	pytest -m "slow or not slow"

lint: install
	ruff check src tests benchmarks
	ruff format --check src tests benchmarks
	snakefmt --check Snakefile workflow/rules
	snakemake --lint

# dvc.yaml is generated from the Snakefile; tests fail when it drifts.
dvc-yaml: install
	spatialmosaic dvc generate --out dvc.yaml

# After `dvc pull` / `dvc checkout` restored files with new modification times, mark the
# restored outputs as up to date so a plain `snakemake` does not rebuild everything.
sync-times: install
	snakemake --cores 1 --touch $(PROFILE_ARGS)
