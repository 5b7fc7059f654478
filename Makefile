# The two commands users run (see README.md). Everything else is CMake.
#   make bench   quick preset over every adapter, plots, conformance: results/latest
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
	@rc=0; $(BUILD)/heapbench conform --out results/latest/conformance >/dev/null || rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "conformance: rule failures found (see docs/conformance.md, Findings)"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi
	@cat results/latest/report.md
	@echo; echo "## Conformance"; echo
	@cat results/latest/conformance/conformance.md
	@echo; echo "report: results/latest/report.md   plots: results/latest/plots/"

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200

clean:
	rm -rf $(BUILD)
