# The targets behind scripts/dev (the README's commands: bash scripts/dev demo, bash scripts/dev test).
# Each installs missing Debian packages first (deps), then builds.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps configure build test demo debug clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# `npm install`, not `npm ci`: the registry reachable here only carries DuckDB's linux-x64
# binary, so the lockfile cannot list the other platforms and `npm ci` calls it out of sync.
# `npm install` still installs exactly the locked versions and leaves the lockfile unchanged.
node_modules: package.json package-lock.json | deps
	@npm install --no-audit --no-fund --loglevel=error && touch node_modules

test: build node_modules
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: build
	@scripts/demo $(BUILD_DIR)/shipchips

debug:
	@$(MAKE) BUILD_DIR=build-debug BUILD_TYPE=Debug build

clean:
	rm -rf $(BUILD_DIR) build-debug
