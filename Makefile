# LB Playground. `make serve` and `make test` are the README's two commands; each installs what is
# missing first (.ci/setup: registries only, idempotent, seconds when everything is there).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(HOME)/.cargo/bin:$(PATH)
WASM := --target wasm32-unknown-unknown
PORT ?= 8080

.PHONY: serve test setup setup-test lint test-native test-browser smoke build

## Install what is missing, then build and serve the playground on http://127.0.0.1:$(PORT)/
serve: setup
	cargo fetch
	TRUNK_OFFLINE=true trunk serve --port $(PORT)

## Install what is missing, then run every check: formatting, clippy (native and wasm32),
## native tests, browser tests in headless Chromium, and the release-build smoke test.
test: setup-test lint test-native test-browser smoke

setup:
	@bash .ci/setup

setup-test:
	@bash .ci/setup --test

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets $(WASM) -- -D warnings

test-native:
	cargo test

test-browser:
	cargo test $(WASM)

## The optimised bundle in dist/.
build: setup
	cargo fetch
	TRUNK_OFFLINE=true trunk build --release

smoke: build
	bash .ci/smoke
