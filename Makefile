# The two commands users run (see README.md). Everything else is CMake.
#   make bench   quick preset over every adapter, plots, conformance, report.html/.tex:
#                results/latest; it ends with five lines (report path, geometric means, conformance)
#   make test    build with -Werror and run every test (ctest; a test that fails is
#                run once more, and both outputs stay in the log)
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
	$(BUILD)/heapbench plot results/latest --format png,svg,pdf,tex >results/latest/plot.log
	@rc=0; $(BUILD)/heapbench conform --out results/latest/conformance >/dev/null || rc=$$?; \
	  if [ $$rc -ne 0 ] && [ $$rc -ne 1 ]; then exit $$rc; fi
	@$(BUILD)/heapbench report results/latest --format html --out results/latest/report.html
	@$(BUILD)/heapbench report results/latest --format latex --out results/latest/report.tex
	@$(BUILD)/heapbench report results/latest --format csv --out results/latest/report.csv
	@echo; $(BUILD)/heapbench report results/latest --format summary

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200 --repeat until-pass:2

clean:
	rm -rf $(BUILD)
