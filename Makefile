# The two commands: `make book` (set-up included) and `make test`.
# Everything runs from the project's own virtual environment in .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed


.PHONY: tex pdf lab hooks hub hub-setup preview
.PHONY: help setup book translations build test check lint typecheck unit notebooks strip-check book-strict status sample bench lock update clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the pinned requirements

book: setup  ## regenerate the whole book (French, English, Spanish) into _build/html
	$(BIN)/draftbook build

translations: setup  ## after editing French text: update the en/es catalogues in book/locales
	$(BIN)/draftbook translate update

build: book

TEX_PACKAGES := texlive-latex-extra texlive-xetex latexmk texlive-fonts-recommended fonts-freefont-otf poppler-utils

tex:  ## install Debian's TeX packages for the PDF (about 360 MB; needs root)
	@command -v latexmk >/dev/null && command -v pdftotext >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); }

pdf: setup tex  ## the whole book as _build/book.pdf (and the web book)
	$(BIN)/draftbook build --pdf

status: setup  ## show the rounds and what a build would re-run
	$(BIN)/draftbook status

test: setup hub-setup lint typecheck unit notebooks strip-check book-strict  ## every check CI runs

check: setup  ## the inner loop, under a minute: ruff, mypy and the fast tests (no builds, no browser)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not slow" --ignore=tests/browser -n auto -p no:cacheprovider

lint: setup  ## ruff: lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy --strict on the package
	$(BIN)/mypy

unit: setup  ## pytest: unit and end-to-end tests (PYTEST_ARGS='-m "not slow"' for the fast ones)
	$(BIN)/pytest $(PYTEST_ARGS)

notebooks: setup  ## nbval: every notebook runs from top to bottom, on the tests' workbook (they only read it)
	DRAFTBOOK_ROOT="$(CURDIR)/tests/fixtures/workbook" $(BIN)/pytest --nbval-lax notebooks/ -p no:cacheprovider

strip-check: setup  ## notebooks are committed without outputs
	$(BIN)/nbstripout --verify notebooks/*.ipynb

book-strict: setup  ## the book builds with warnings as errors
	$(BIN)/draftbook build --strict

lab: setup hooks  ## JupyterLab with real-time collaboration on this workbook
	$(BIN)/draftbook lab

preview: setup  ## live preview of the book while you write (BOOK_LANG=en for another language)
	$(BIN)/draftbook preview $(if $(BOOK_LANG),--lang $(BOOK_LANG))

HUB_ADDRESS ?= 127.0.0.1:8000
HUB_ADMIN ?=
HUB_PROXY := deploy/jupyterhub/node_modules/.bin/configurable-http-proxy

$(HUB_PROXY): deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the hub's proxy: apt-get install nodejs npm"; exit 1; }
	npm ci --prefix deploy/jupyterhub --no-audit --no-fund --loglevel=error
	@touch $(HUB_PROXY)

hub-setup: setup $(HUB_PROXY)  ## install the hub's proxy (configurable-http-proxy, pinned, from npm)

hub: hub-setup hooks  ## the team's JupyterHub: make hub HUB_ADDRESS=0.0.0.0:8000 HUB_ADMIN=yourname
	$(BIN)/draftbook hub serve --ip $(firstword $(subst :, ,$(HUB_ADDRESS))) --port $(lastword $(subst :, ,$(HUB_ADDRESS))) \
	    $(if $(HUB_ADMIN),--admin $(HUB_ADMIN))

hooks: setup  ## git hooks (nbstripout, ruff, large files) and nbdime for notebook diffs
	$(BIN)/pre-commit install
	$(BIN)/nbdime config-git --enable

bench: setup  ## run the benchmarks (results: benchmarks/README.md)
	$(BIN)/python benchmarks/ingest.py --rows 100000 --runs 5
	$(BIN)/python benchmarks/analysis.py --runs 3
	$(BIN)/python benchmarks/preview.py --runs 5
	$(BIN)/python benchmarks/loop.py --runs 3 --scaling 1000 10000 100000
	for rows in 1000 10000; do $(BIN)/python benchmarks/ingest.py --rows $$rows --runs 5; done

sample: setup  ## regenerate the sample exports (private) and ingest them into the sample rounds
	$(BIN)/python -m draftbook.ingest.sample

lock: setup  ## re-pin requirements.txt by resolving requirements.in (pip-tools; existing pins kept unless they must move)
	grep -v '^#' requirements.txt > requirements.lock
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
	    --output-file requirements.lock requirements.in
	{ head -n 2 requirements.txt; cat requirements.lock; } > requirements.new
	mv requirements.new requirements.txt && rm requirements.lock

update: setup  ## a workbook made with `draftbook new`: merge in the tooling's new version (keeps your text, calls and rounds)
	@test -f .copier-answers.yml || { echo "This workbook was not made with draftbook new: there is nothing to update from."; exit 1; }
	$(BIN)/copier update --defaults --skip-answered --conflict inline

clean:  ## remove build output (keeps .venv)
	rm -rf _build
