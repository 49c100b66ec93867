# CORS Lens: one entry point for building, demonstrating and testing.
# `make demo` and `make test` install what is missing, then build.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo

WASM_TARGET := target/wasm32-unknown-unknown/release/cors_lens.wasm
PKG := www/pkg

.PHONY: test-ext fuzz-smoke demo test build setup setup-rust setup-browsers setup-node setup-servers lint unit e2e fixes bench clean

## demo: build, then show the extension working on the bundled lab
demo: setup build
	node tests/demo.mjs

## test: every test (what CI runs)
test: setup setup-servers build lint unit e2e fixes fuzz-smoke

## setup: install the toolchain pieces that are missing (skips what is there)
setup: setup-rust setup-browsers setup-node

setup-rust:
	./scripts/setup-rust.sh

setup-browsers:
	./scripts/setup-browsers.sh

## setup-servers: Debian's nginx and apache2 (and caddy), for the fix tests
setup-servers:
	./scripts/setup-servers.sh

setup-node:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi

## build: the wasm package where the manifest expects it; the repository root is then a loadable extension
build: setup-rust setup-node
	cargo build --release --target wasm32-unknown-unknown -p cors-lens
	wasm-bindgen --target web --no-typescript --out-dir $(PKG) --out-name cors_lens $(WASM_TARGET)
	node scripts/glue-reinstantiate.mjs $(PKG)/cors_lens.js
	npx --no-install wasm-opt -Oz $(PKG)/cors_lens_bg.wasm -o $(PKG)/cors_lens_bg.wasm
	@printf 'wasm: %s bytes, %s gzipped\n' $$(stat -c %s $(PKG)/cors_lens_bg.wasm) $$(gzip -9c $(PKG)/cors_lens_bg.wasm | wc -c)

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	node scripts/lint-manifest.mjs

## unit: the core natively, and the wasm binding under Node
unit:
	cargo test --workspace
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown -p cors-lens

## test-ext: a copy of the extension built with the `test-panic` feature, in
## target/test-ext (tests/e2e/panic.test.mjs loads it); never shipped
TEST_EXT := target/test-ext
test-ext: build
	cargo build --release --target wasm32-unknown-unknown -p cors-lens --features test-panic --target-dir target/test-panic
	rm -rf $(TEST_EXT) && mkdir -p $(TEST_EXT)/www
	cp -r manifest.json _locales icons extension $(TEST_EXT)/
	cp www/panel.html www/panel.css $(TEST_EXT)/www/
	wasm-bindgen --target web --no-typescript --out-dir $(TEST_EXT)/www/pkg --out-name cors_lens target/test-panic/wasm32-unknown-unknown/release/cors_lens.wasm
	node scripts/glue-reinstantiate.mjs $(TEST_EXT)/www/pkg/cors_lens.js

## fuzz-smoke: each fuzz target for FUZZ_SECONDS (docs/fuzzing.md)
FUZZ_SECONDS ?= 45
FUZZ_TARGETS := ingest verdict
fuzz-smoke: setup-rust
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p target/fuzz-corpus/$$t; \
	  (cd fuzz && cargo +nightly fuzz run -O $$t ../target/fuzz-corpus/$$t regressions/$$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048); \
	done

## e2e: the built extension in real Chromium, against Chromium's own verdicts
e2e: test-ext
	node --test --test-concurrency=1 tests/e2e/

## fixes: every generated fix snippet applied to real nginx, Apache and Express servers
fixes:
	node --test --test-concurrency=1 tests/fixes/

## bench: figures for the engine's speed, the package size and the panel at 2 000 findings (never asserted)
bench: setup-rust build
	cargo run --release -q -p cors-lens-core --example bench
	node scripts/bench-wasm.mjs
	node scripts/bench-panel.mjs

clean:
	cargo clean
	rm -rf $(PKG) target/demo
