# The targets behind scripts/dev (the README's commands: bash scripts/dev demo, bash scripts/dev test).
# Each installs missing Debian packages first (deps), then builds.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps configure build test demo debug sanitize-configure sanitize fuzz clean

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

# Sanitizer and fuzz tier: one clang++ build folder serves both (the whole project compiles
# once, with ASan + UBSan, and the library also with libFuzzer's coverage instrumentation).
# `make sanitize` runs the unit tests under ASan + UBSan; `make fuzz` runs every fuzz target
# for SHIPCHIPS_FUZZ_SECONDS (30 s) over its seed corpus (ctest label slow). Builds and runs
# are niced: they take the machine's cores for a while. Figures: tests/fuzz/README.md.
SANITIZE_DIR ?= build-sanitize

# clang (libFuzzer, the sanitizer runtimes) and llvm-symbolizer (readable reports) only here:
# the default build and `make test` do not need them.
sanitize-configure: deps
	@scripts/install-deps clang llvm libclang-rt-14-dev
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DSHIPCHIPS_SANITIZE=ON -DSHIPCHIPS_BUILD_FUZZ=ON \
	  -DSHIPCHIPS_BUILD_BENCH=OFF >/dev/null

sanitize: sanitize-configure
	@nice cmake --build $(SANITIZE_DIR) -j $(JOBS) --target unit_tests
	@cd $(SANITIZE_DIR) && nice ctest --output-on-failure -j $(JOBS) -L unit $(CTEST_ARGS)

fuzz: sanitize-configure
	@nice cmake --build $(SANITIZE_DIR) -j $(JOBS) --target fuzz_targets
	@cd $(SANITIZE_DIR) && nice ctest --output-on-failure -L slow -R '^fuzz\.' $(CTEST_ARGS)

clean:
	rm -rf $(BUILD_DIR) build-debug $(SANITIZE_DIR)
