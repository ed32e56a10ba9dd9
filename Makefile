# Thin wrapper over CMake. `make run` and `make test` are the two commands
# in the README; everything else is for developers.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc)
LIMES_DB   ?= ./limes.db

.PHONY: all run test build bench fuzz format clean

all: build

build:
	@scripts/deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/limes serve --db $(LIMES_DB)

test:
	@scripts/deps --test
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLIMES_SANITIZE=ON -DBUILD_TESTING=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench:
	@scripts/deps --bench
	bench/run

fuzz:
	@scripts/deps --test --fuzz
	@CC=clang cmake -S . -B build-fuzz -DLIMES_FUZZ=ON -DLIMES_WERROR=OFF -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@echo "run e.g.: build-fuzz/fuzz_api -max_total_time=60 fuzz/corpus/api"

format:
	@find src tests bench fuzz -name '*.[ch]' | xargs clang-format -i

clean:
		rm -rf $(BUILD) $(TEST_BUILD) build-fuzz build-bench
