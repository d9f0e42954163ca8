# LB Playground. `make serve` and `make test` are the README's two commands; each installs what is
# missing first (.ci/setup: registries only, idempotent, seconds when everything is there).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(HOME)/.cargo/bin:$(PATH)
WASM := --target wasm32-unknown-unknown
PORT ?= 8080

.PHONY: serve test setup setup-test setup-lighthouse lint test-native test-browser smoke build lighthouse

## Install what is missing, then build and serve the playground on http://127.0.0.1:$(PORT)/
serve: setup
	cargo fetch
	TRUNK_OFFLINE=true trunk serve --port $(PORT) --dist target/dist-dev

## Install what is missing, then run every check: formatting, clippy (native and wasm32),
## native tests, browser tests in headless Chromium, the release-build smoke test and the
## benchmark smoke run (make bench-smoke).
test: setup-test lint test-native test-browser smoke bench-smoke

setup:
	@bash .ci/setup

setup-test:
	@bash .ci/setup --test

setup-lighthouse:
	@bash .ci/setup --lighthouse

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets $(WASM) -- -D warnings

test-native:
	cargo test

# wasm-pack runs `cargo test --target wasm32-unknown-unknown` with wasm-bindgen-test-runner in
# headless Chromium, using the chromedriver and the pinned wasm-bindgen on PATH; --mode no-install:
# it never downloads a helper of its own. The runner's default 20 s budget is for the whole run;
# the browser tests together take longer.
test-browser:
	WASM_BINDGEN_TEST_TIMEOUT=180 wasm-pack test --headless --chrome --mode no-install

## The optimised bundle in dist/.
build: setup
	cargo fetch
	TRUNK_OFFLINE=true trunk build --release

smoke: build
	bash .ci/smoke

.PHONY: shots

## Screenshots of every preset at the moment its text points to (projector theme, present
## layout, 1280 x 720) in target/shots/, for people to look at.
shots: setup-test build
	bash .ci/shots

.PHONY: bench bench-smoke

## Benchmark: core throughput natively and as wasm in headless Chromium, pick cost per algorithm,
## memory over 10 simulated minutes, and the release page (bundle sizes, first frame, frame times).
## Prints tables and writes target/bench/bench.json. It prints figures; it never fails on a time.
bench: setup-test build
	bash benches/run

## The benchmark in seconds with tiny workloads (figures meaningless): keeps it working in CI.
bench-smoke: setup-test build
	BENCH_SMOKE=1 bash benches/run

## Lighthouse 12.8.2 (npm, into .tools/lighthouse) on the release bundle served on loopback, in
## Debian's Chromium, mobile and desktop: prints the performance, accessibility and best-practices
## scores and the failing audits, and keeps the reports in target/lighthouse/. Not part of `make
## test`: it prints figures; it never fails on a score.
lighthouse: setup-lighthouse build
	bash .ci/lighthouse

.PHONY: fuzz

## The long fuzz run: 100,000 cases of each kind (damaged files, damaged bytes, damaged share
## links, mutated valid scenarios run twice), in release; prints the slowest case and peak memory.
## `make test` runs the same targets with proptest's default 256 cases.
fuzz:
	PROPTEST_CASES=$${PROPTEST_CASES:-100000} cargo test --release --test fuzz -- --test-threads 1 --nocapture
