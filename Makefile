# Two commands set up a fresh machine: `make demo` (the main job) and `make test`.
# Both create .venv and install what they need; a stamp file makes reruns instant.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q
CONFIG ?= configs/fm_gridquery.py

.PHONY: demo test test-fast lint bench clean

$(VENV)/.stamp-base: setup.py
	$(PYTHON) -m venv $(VENV)
	# torch from the local cache with pip (uv/poetry would download GBs of CUDA wheels)
	$(PIP) torch==2.14.1 torchvision==0.29.1
	# kwant 1.5.0's pre-generated C does not build against numpy 2: regenerate it with Cython
	$(PIP) cython tinyarray numpy scipy
	$(PIP) --no-build-isolation kwant==1.5.0 --config-settings="--build-option=--cython"
	$(PIP) -e .
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-base
	$(PIP) -e ".[dev]"
	touch $@

# the demo replaces its own previous run (--overwrite); other runs' work dirs are protected
demo: $(VENV)/.stamp-base
	$(PY) tools/train.py $(CONFIG) --overwrite
	@echo "results: work_dirs/$(basename $(notdir $(CONFIG)))/ (samples_ema_iter_*.png, loss_curves.png, metrics.json, checkpoints)"

lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check greenreg tools tests bench configs
	$(VENV)/bin/ruff format --check greenreg tools tests bench configs

# one test process with one thread: parallel workers oversubscribe 2 cores many times over
test: lint
	OMP_NUM_THREADS=1 $(VENV)/bin/pytest -q tests

# the same without the tests marked slow (subprocess kills, torchrun, config fuzzing)
test-fast: lint
	OMP_NUM_THREADS=1 $(VENV)/bin/pytest -q -m "not slow" tests

bench: $(VENV)/.stamp-dev
	$(PY) bench/overhead.py
	$(PY) bench/amp_speed.py
	$(PY) bench/ablate_conditioners.py

clean:
	rm -rf $(VENV) work_dirs
