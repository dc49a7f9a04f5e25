# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt requirements-nodeps.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format bench venv clean package

venv: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt requirements-nodeps.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# Chalice 1.34 accepts pip below 26.3 only.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: venv
	$(BIN)/python -m localdev run

# tests/infra packages the dev and prod stages with `chalice package --merge-template`
# and runs cfn-lint on each result, in parallel with the other test files.
test: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: venv
	$(BIN)/python -m bench $(BENCH)

lint: venv
	$(BIN)/ruff check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `make package STAGE=prod`: the CloudFormation (SAM) template and deployment zip in
# build/$(STAGE)/, checked by cfn-lint. Calls no AWS API, so needs no credentials; the
# region only picks the partition's service names. Deploying: README.md, "Deploy to AWS".
STAGE ?= dev
PACKAGE_REGION ?= $(or $(AWS_REGION),$(AWS_DEFAULT_REGION),us-east-1)

package: venv
	@test -f infra/$(STAGE).json || { echo "STAGE must be dev or prod (no infra/$(STAGE).json)"; exit 2; }
	rm -rf build/$(STAGE)
	AWS_DEFAULT_REGION=$(PACKAGE_REGION) $(BIN)/chalice package --stage $(STAGE) \
		--merge-template infra/$(STAGE).json build/$(STAGE)
	$(BIN)/cfn-lint build/$(STAGE)/sam.json
	@echo "build/$(STAGE)/sam.json and deployment.zip are ready."

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .localdev
