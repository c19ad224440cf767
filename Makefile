# The two commands of README.md: `make run` and `make test`.
# Everything else here is a convenience around CMake presets.
PRESET ?= ci
BUILD  := build/$(PRESET)
JOBS   ?= $(shell nproc)

.PHONY: all deps test-deps build test run bench fuzz asan cross cross-test format tidy clean

all: build

deps:
	@bash scripts/install-deps.sh

# The browser tests also need Debian's chromium and playwright-core (npm).
test-deps: deps
	@bash scripts/install-browser-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Unit tests, integration tests (browser included) and the fuzz-corpus
# replays, all under CTest.
test: test-deps build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

run: build
	@bash scripts/run.sh $(BUILD)

bench: build
	@bash scripts/bench.sh $(BUILD)

# Real fuzzing (clang + libFuzzer). FUZZ_SECONDS per target.
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS)
	@bash scripts/fuzz.sh build/fuzz $(or $(FUZZ_SECONDS),60)

asan:
	@$(MAKE) test PRESET=asan

# 32-bit ARM (Debian armhf sysroot), tests under qemu-arm: docs/toolchain.md.
cross:
	@bash scripts/armhf-sysroot.sh
	@cmake --preset armhf >/dev/null
	@cmake --build --preset armhf

cross-test: cross
	@ctest --preset armhf

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i

tidy: build
	@git ls-files 'src/*.cpp' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	@rm -rf build
