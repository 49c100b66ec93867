# CORS Lens: one entry point for building, demonstrating and testing.
# `make demo` and `make test` install what is missing, then build.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo

WASM_TARGET := target/wasm32-unknown-unknown/release/cors_lens.wasm
PKG := www/pkg

# Panic locations in the .wasm name dependency sources by path: the cargo
# registry's is remapped (wasm builds only) so that the .wasm does not
# depend on who builds it (docs/amo-build.md).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS ?= --remap-path-prefix=$(or $(CARGO_HOME),$(HOME)/.cargo)=/cargo

.PHONY: test-ext fuzz-smoke demo test build setup setup-rust setup-browsers setup-node setup-servers lint unit e2e fixes bench clean

## demo: build, then show the extension working on the bundled lab
demo: setup build
	node tests/demo.mjs

## test: every test (what CI runs)
test: setup setup-servers build lint package-lint unit e2e fixes fuzz-smoke

## setup: install the toolchain pieces that are missing (skips what is there)
setup: setup-rust setup-browsers setup-node setup-shells

setup-rust:
	./scripts/setup-rust.sh

## setup-browsers: Debian's Chromium, ChromeDriver and Firefox ESR, and openssl
## (tests/e2e/lna.test.mjs makes its https certificate with it); Firefox ESR's
## French langpack and unzip (crate/core/tests/firefox_console.rs reads the
## console messages Firefox ships from it: the package's doc directory says
## it is installed)
## (scripts/setup-debian.sh installs each PACKAGE:PROGRAM whose program is missing)
setup-browsers:
	./scripts/setup-debian.sh browsers chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver firefox-esr:/usr/bin/firefox-esr openssl:/usr/bin/openssl firefox-esr-l10n-fr:/usr/share/doc/firefox-esr-l10n-fr unzip:/usr/bin/unzip

## setup-shells: Debian's zsh (and dash), for the curl script test
## (crate/core/tests/curl_zsh.rs pastes the "Copy as curl" script into them)
.PHONY: setup-shells
setup-shells:
	./scripts/setup-debian.sh shells zsh:/usr/bin/zsh dash:/usr/bin/dash

## setup-servers: Debian's nginx and apache2 (and caddy), for the fix tests
setup-servers:
	./scripts/setup-servers.sh

setup-node:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi

## build: the wasm packages where the manifest expects them; the repository
## root is then a loadable extension. Two builds of crate/wasm: the worker's
## package (feature `engine` only: www/pkg/cors_lens_engine*, loaded on every
## wake of the worker) and the panel's (default features: www/pkg/cors_lens*).
## The engine builds in its own target directory: a cdylib built with other
## features in the same one would overwrite the other's file.
ENGINE_WASM := target/engine/wasm32-unknown-unknown/release/cors_lens.wasm
WASM_OPT := npx --no-install wasm-opt -Oz
## The whole engine at opt-level "z": its dependencies (url, serde_json,
## wasm-bindgen, js-sys) and the workspace's own crates, and wasm-opt run to
## convergence. At "s" the merged engine (grouping, typed records, the
## notices' evidence, local-network reasons) came to 114.9 KB gzipped; at "z"
## with --converge 102.5 KB, for a core slower per event in wasm
## (docs/performance.md). Only these wasm builds: the native bench and tests
## keep opt-level 3 throughout. Since then: 91.1 KB (docs/performance.md,
## "Size of the worker's package").
ENGINE_OPT := --config 'profile.release.package."*".opt-level="z"' \
  --config 'profile.release.package.cors-lens.opt-level="z"' \
  --config 'profile.release.package.cors-lens-core.opt-level="z"'
## --low-memory-unused: wasm-opt may fold constant offsets into loads and
## stores, as Rust's wasm32 layout never uses the lowest 1 KB of memory (the
## stack sits below 1 MB and grows down; static data and the heap lie above
## it): 0.5 KB gzipped less (docs/performance.md, "Size").
ENGINE_WASM_OPT := $(WASM_OPT) --converge --low-memory-unused

build: setup-rust setup-node
	cargo build --release --target wasm32-unknown-unknown -p cors-lens --no-default-features --features engine --target-dir target/engine $(ENGINE_OPT)
	wasm-bindgen --target web --out-dir $(PKG) --out-name cors_lens_engine $(ENGINE_WASM)
	node scripts/glue-reinstantiate.mjs $(PKG)/cors_lens_engine.js
	$(ENGINE_WASM_OPT) $(PKG)/cors_lens_engine_bg.wasm -o $(PKG)/cors_lens_engine_bg.wasm
	cargo build --release --target wasm32-unknown-unknown -p cors-lens
	wasm-bindgen --target web --out-dir $(PKG) --out-name cors_lens $(WASM_TARGET)
	$(WASM_OPT) $(PKG)/cors_lens_bg.wasm -o $(PKG)/cors_lens_bg.wasm
	@printf 'wasm: worker %s bytes, %s gzipped; panel %s bytes, %s gzipped\n' \
	  $$(stat -c %s $(PKG)/cors_lens_engine_bg.wasm) $$(gzip -9c $(PKG)/cors_lens_engine_bg.wasm | wc -c) \
	  $$(stat -c %s $(PKG)/cors_lens_bg.wasm) $$(gzip -9c $(PKG)/cors_lens_bg.wasm | wc -c)

## lint: formatting, clippy, the manifest lint, the layering and file-size
## rules, and the type check of the JavaScript (tsconfig.json: the extension;
## tests/tsconfig.json: the unit tests and scripts). The type check reads the
## .d.ts files wasm-bindgen writes, hence `build` first.
lint: build
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	node scripts/lint-manifest.mjs
	cargo test -q -p cors-lens-core --test layering
	npx --no-install tsc -p tsconfig.json
	npx --no-install tsc -p tests/tsconfig.json

## unit: the core natively, the wasm binding under Node, and the worker's pure modules and the manifest lint (tests/unit/)
unit:
	cargo test --workspace
	node --test tests/unit/
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown -p cors-lens

## test-ext: a copy of the extension built with the `test-panic` feature, in
## target/test-ext (tests/e2e/panic.test.mjs loads it); never shipped
TEST_EXT := target/test-ext
test-ext: build
	cargo build --release --target wasm32-unknown-unknown -p cors-lens --no-default-features --features test-panic --target-dir target/test-panic $(ENGINE_OPT)
	rm -rf $(TEST_EXT) && mkdir -p $(TEST_EXT)/www/pkg
	cp -r manifest.json _locales icons extension $(TEST_EXT)/
	cp www/*.html www/*.css www/*.js $(TEST_EXT)/www/
	cp $(PKG)/cors_lens.js $(PKG)/cors_lens_bg.wasm $(TEST_EXT)/www/pkg/
	wasm-bindgen --target web --no-typescript --out-dir $(TEST_EXT)/www/pkg --out-name cors_lens_engine target/test-panic/wasm32-unknown-unknown/release/cors_lens.wasm
	node scripts/glue-reinstantiate.mjs $(TEST_EXT)/www/pkg/cors_lens_engine.js

## package: the store zips and AMO's source archive in dist/ (docs/store.md),
## then rebuilt from a scrambled copy to prove them byte-for-byte reproducible
.PHONY: package package-lint
package: build
	node scripts/package.mjs
	node scripts/package.mjs --verify

## package-lint: Mozilla's web-ext lint on the Firefox zip (only the warnings
## docs/store.md justifies) and the manifest lint on the Chrome zip's manifest
package-lint: package
	node scripts/package-lint.mjs

## fuzz-smoke: each fuzz target for FUZZ_SECONDS (docs/fuzzing.md); three
## targets at 30 s keep the 90 s the two targets at 45 s took
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := ingest verdict plan
fuzz-smoke: setup-rust
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p target/fuzz-corpus/$$t; \
	  (cd fuzz && cargo +nightly fuzz run -O $$t ../target/fuzz-corpus/$$t regressions/$$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048); \
	done

## e2e: the built extension in real Chromium, against Chromium's own verdicts
e2e: test-ext package cli
	node --test --test-concurrency=1 tests/e2e/

## fixes: every generated fix snippet applied to real nginx, Apache and Express servers
fixes:
	node --test --test-concurrency=1 tests/fixes/

## bench: figures for the engine's speed (native, in wasm, across the
## boundary), the package sizes, the worker's memory, the panel at 2 000
## findings, page loads with the extension and the CLI on a 100 MB HAR
## (scripts/bench-har.mjs), each printed beside
## its budget (never asserted; docs/performance.md). The bench build of the
## engine (feature `bench`: the compared ways in and out, the core alone in
## wasm) goes to target/bench/pkg and is never shipped.
BENCH_WASM := target/bench-build/wasm32-unknown-unknown/release/cors_lens.wasm
bench: setup-rust build
	cargo build --release --target wasm32-unknown-unknown -p cors-lens --no-default-features --features bench --target-dir target/bench-build $(ENGINE_OPT)
	wasm-bindgen --target web --no-typescript --out-dir target/bench/pkg --out-name cors_lens_engine $(BENCH_WASM)
	$(WASM_OPT) target/bench/pkg/cors_lens_engine_bg.wasm -o target/bench/pkg/cors_lens_engine_bg.wasm
	cargo run --release -q -p cors-lens-core --example bench
	node scripts/bench-wasm.mjs
	node scripts/bench-load.mjs
	node scripts/bench-panel.mjs
	cargo build --release -q -p cors-lens-cli
	node scripts/bench-har.mjs

## cli: the command-line tool, `target/release/cors-lens check FILE.har…`
## (or `cargo install --path crate/cli`)
.PHONY: cli
cli: setup-rust
	cargo build --release -p cors-lens-cli
	@echo 'built target/release/cors-lens; try: target/release/cors-lens check tests/fixtures/har/demo.har'

clean:
	cargo clean
	rm -rf $(PKG) target/demo dist
