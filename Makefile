# One job per target. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
SAM := $(TOOLS)/bin/sam
# sam build of a python3.12 function needs a python3.12 on PATH (pyenv has one here).
PY312_BIN := $(shell dirname "$$(command -v python3.12 2>/dev/null || ls -d $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)" 2>/dev/null)
export PATH := $(abspath $(TOOLS)/bin):$(PY312_BIN):$(PATH)
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: install tools demo test test-built test-unit lint validate build eval eval-cleaning fit-cleaner eval-entities eval-places eval-duplicates bench reliability local deploy readme clean

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[nlp,dev]"
	touch $@

tools: $(TOOLS)/.installed
$(TOOLS)/.installed: requirements-tools.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	touch $@

demo: install
	$(PY) scripts/demo.py

test: install tools
	$(PY) -m ruff check src functions tests scripts
	$(PY) -m pytest

# The end-to-end tests again on the built artifacts (each function in a python3.12 worker on .aws-sam/build),
# the built-worker and layer tests; run after `make build` (a missing or stale build fails here).
test-built: install tools
	NEWSPROC_REQUIRE_BUILT=1 $(PY) -m pytest -m build

test-unit: install
	$(PY) -m pytest -m unit

lint: install
	$(PY) -m ruff check src functions tests scripts
	$(PY) -m ruff format --check src functions tests scripts

validate: tools
	$(SAM) validate --lint
	$(TOOLS)/bin/cfn-lint template.yaml

build: install tools
	@test -n "$(PY312_BIN)" || { echo "sam build needs python3.12 on PATH"; exit 1; }
	$(SAM) build
	$(PY) scripts/build_sizes.py .aws-sam/build

eval: eval-cleaning eval-entities eval-places eval-duplicates

eval-cleaning: install
	$(PY) scripts/eval_cleaning.py

# Refit the cleaner's line models (src/newsproc/pipeline/clean/model.json) from ../shared/eval; deterministic.
fit-cleaner: install
	$(PY) scripts/fit_cleaner.py

eval-entities: install
	$(PY) scripts/eval_entities.py

# Link precision on the hand-checked place set (scripts/data/places_gold.jsonl) and the places stage's time per
# document on the 350 dev articles (docs/places.md).
eval-places: install
	$(PY) scripts/eval_places.py --timing

# Near-duplicate detection on a test set built from the dev articles at run time (deterministic): precision,
# recall, time per document; --sweep adds the n-gram, banding and threshold choices (docs/duplicates.md).
eval-duplicates: install
	$(PY) scripts/eval_duplicates.py --sweep

bench: install tools
	$(PY) -m scripts.bench

reliability: install
	$(PY) -m scripts.reliability

# `make local PORT=5001 API_PORT=3001` picks the ports (moto server, HTTP API).
PORT ?= 5000
API_PORT ?= 3000
local: install
	$(PY) -m newsproc.cli local --port $(PORT) --api-port $(API_PORT)

# `sam deploy --guided` the first time (it asks for the stack name, region and parameters and saves them
# to samconfig.toml), plain `sam deploy` afterwards. The tools live in .tools/bin (`make tools`).
DEPLOY_MARK := .aws-sam/deploy-configured
deploy: build
	@if [ -f $(DEPLOY_MARK) ]; then $(SAM) deploy; else $(SAM) deploy --guided && touch $(DEPLOY_MARK); fi

# Rewrites the demo output block of README.md with what `make demo` prints now.
readme: install
	$(PY) scripts/demo.py --readme

clean:
	rm -rf .aws-sam .pytest_cache .eval-output .demo-output
