# The two set-up commands of the README: `make run` and `make test`.
# Both create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck imports pytest bench screenshots clean \
        package package-test deb deb-test icons

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python >= 3.11 is required (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Starts the workstation in demo mode: a seeded local archive served by the
# embedded SCP on a free port, selected as "Local archive (demo)": press Run.
run: $(STAMP)
	$(BIN)/rpiq gui --demo

test: $(STAMP) lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks packaging docs
	$(BIN)/ruff format --check src tests benchmarks packaging docs

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/python benchmarks/query_latency.py

# The README screenshot: demo mode, one query, offscreen (docs/screenshots/).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(BIN)/python docs/screenshots/make_screenshots.py

# ---------------------------------------------------------------- packaging
# packaging/README.md explains each target. DIST and PKG_WORK may point
# outside the tree (e.g. DIST=/tmp/d); the tests find the bundle via RPIQ_DIST.
DIST ?= dist
PKG_WORK ?= build/pyinstaller
PKG_STAMP := $(VENV)/.installed-package
BUNDLE := $(DIST)/rpiq
PKG_ENV := QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} RPIQ_DIST=$(abspath $(DIST))

$(PKG_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	@touch $(PKG_STAMP)

# dist/rpiq/: the onedir bundle (rpiq + rpiq-gui), from packaging/pyinstaller/rpiq.spec.
package: $(PKG_STAMP)
	rm -rf $(BUNDLE)
	QT_QPA_PLATFORM=offscreen $(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
	  --distpath $(DIST) --workpath $(PKG_WORK) packaging/pyinstaller/rpiq.spec
	@du -sm $(BUNDLE) | awk '{print "bundle: " $$1 " MB in $(BUNDLE)"}'

# Runs the bundle as a user would, with no Python: fails if it is missing.
# -rP prints the measured start-up time and size.
package-test: $(STAMP)
	$(PKG_ENV) RPIQ_REQUIRE_PACKAGE=1 $(BIN)/python -m pytest -q -rP -p no:cacheprovider \
	  tests/packaging/test_bundle.py tests/packaging/test_resources.py

# dist/rpiq_<version>_amd64.deb from the bundle (built first if missing).
deb: $(STAMP)
	@test -x $(BUNDLE)/rpiq || $(MAKE) package
	$(BIN)/python packaging/debian/build_deb.py --bundle $(BUNDLE) --out $(DIST)

# Installs the .deb (dpkg -i when root in CI, else dpkg -x into a temp root),
# runs rpiq --version and the GUI self-test, then removes it.
deb-test: $(STAMP)
	$(PKG_ENV) RPIQ_REQUIRE_PACKAGE=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/packaging/test_deb.py

# resources/icons/: PNG sizes, .ico and .icns regenerated from rpiq.svg.
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_icons.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
