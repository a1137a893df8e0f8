# Anjian developer and CI entry points.  Needs only python3.11 (with pip/venv) and make:
# uv is used when found on PATH, otherwise it is bootstrapped into .tools/ on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv picks (or, if missing, downloads) this interpreter for .venv.
export UV_PYTHON ?= 3.11
UV ?= $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
BIN := .venv/bin
, := ,

.PHONY: help venv run test lint format openapi clients bench bench-sync migrate image image-pin mutation

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

# Bootstrap uv when it is not installed: a private venv under .tools/, or, where the stdlib
# venv module is unavailable (Debian without python3-venv), a plain pip --target install.
$(CURDIR)/.tools/bin/uv:
	@echo "uv not found on PATH: installing it into .tools/"
	@if $(PYTHON) -m venv .tools >/dev/null 2>&1 && .tools/bin/python -m pip --version >/dev/null 2>&1; then \
	    .tools/bin/python -m pip install --quiet --disable-pip-version-check uv; \
	else \
	    rm -rf .tools && $(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools/lib uv \
	    && mkdir -p .tools/bin && ln -sf ../lib/bin/uv .tools/bin/uv; \
	fi
	@test -x $@

venv: $(UV) ## create/refresh .venv from uv.lock (dev group included)
	$(UV) sync --frozen

run: venv ## run the API (embedded PostgreSQL unless DATABASE_URL is set)
	$(BIN)/python -m scripts.dev

test: venv ## lint, then the test suite with coverage
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -n 2 --cov=app --cov-report=term:skip-covered

# The guards that `make mutation` mutates (mutmut names: module.x_function__mutmut_N); the
# ones that need a database are listed in README "Mutation testing".
MUTANTS ?= app.enterprises.uscc.* app.core.cursors.* app.core.concurrency.* \
	app.core.timebounds.* app.auth.scope.* app.auth.cache.* app.auth.principal.* \
	app.hazards.service.common.x_authorize__* app.hazards.service.common.x_check_transition__*
MUTATION_JOBS ?= 1

mutation: venv ## mutation testing of the guards (mutmut; slow, resumable: README)
	ANJIAN_TEST_TEMPLATE_DB=1 nice -n 10 $(BIN)/mutmut run --max-children $(MUTATION_JOBS) \
	    $(foreach m,$(MUTANTS),'$(m)')
	$(BIN)/python -m scripts.mutation_report --min 90 $(foreach m,$(MUTANTS),'$(m)')

lint: venv ## ruff, formatting, mypy, import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

format: venv ## apply ruff formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

openapi: venv ## regenerate openapi.json
	$(BIN)/python -m scripts.export_openapi

clients: venv ## generate clients from the served document (4 generators), build, use; Spectral
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq default-jre-headless) \
	    || { echo "openapi-generator needs Java (Debian package default-jre-headless)"; exit 1; }
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm) \
	    || { echo "the TypeScript generator, tsc and Spectral need Node.js and npm"; exit 1; }
	UV=$(UV) $(BIN)/python -m scripts.clients $(ARGS)

bench: venv ## seed 1M hazards, load the service with wrk, compare with raw asyncpg (ARGS=…)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
	    || { echo "install wrk (Debian package 'wrk') to run the benchmark"; exit 1; }
	$(BIN)/python -m bench.run $(ARGS)

bench-sync: venv ## delta-sync lag: 16 writers at full speed, followers polling every second (≤ 60 s)
	$(BIN)/python -m bench.run --only sync $(ARGS)

migrate: venv ## alembic upgrade head (DATABASE_URL must be set)
	$(BIN)/alembic upgrade head

# The container image (docs/deployment.md). BuildKit is required; the build reaches only the base
# image's registry and PACKAGE_INDEX. COMPANY_CA=file.pem adds a CA for the downloads.
DOCKER ?= docker
IMAGE ?= anjian
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)
PACKAGE_INDEX ?= https://pypi.org/simple
COMPANY_CA ?=
BASE_TAG ?= python:3.11-slim-bookworm

image: ## build the image anjian:<version> (PACKAGE_INDEX=mirror, COMPANY_CA=ca.pem)
	DOCKER_BUILDKIT=1 $(DOCKER) build -t $(IMAGE):$(VERSION) -t $(IMAGE):latest \
	    --build-arg VERSION=$(VERSION) \
	    --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) \
	    --build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) \
	    --build-arg PACKAGE_INDEX=$(PACKAGE_INDEX) \
	    $(if $(COMPANY_CA),--secret id=company_ca$(,)src=$(COMPANY_CA)) .
	@$(DOCKER) image inspect $(IMAGE):$(VERSION) --format 'built $(IMAGE):$(VERSION): {{.Size}} bytes'

image-pin: ## pin the Dockerfile's base image to the digest BASE_TAG has now (then commit)
	$(DOCKER) pull $(BASE_TAG)
	digest=$$($(DOCKER) image inspect $(BASE_TAG) --format '{{index .RepoDigests 0}}' | cut -d@ -f2) \
	    && sed -i "s|^ARG PYTHON_IMAGE=.*|ARG PYTHON_IMAGE=$(BASE_TAG)@$$digest|" Dockerfile \
	    && grep -n '^ARG PYTHON_IMAGE=' Dockerfile
