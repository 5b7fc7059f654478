# The two commands users run (see README.md). Everything else is CMake.
#   make bench   quick preset over every adapter: report + plots in results/latest
#   make test    build with -Werror and run every test (ctest)
BUILD  ?= build
JOBS   ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: bench test build deps clean

deps:
	@scripts/deps

build: deps
	@cmake -S . -B $(BUILD) -DHB_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

bench: build
	$(BUILD)/heapbench run --preset quick
	$(BUILD)/heapbench plot results/latest
	@cat results/latest/report.md
	@echo "plots: results/latest/plots/"

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200

clean:
	rm -rf $(BUILD)
