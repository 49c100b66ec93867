#!/usr/bin/env bash
# Installs the Rust pieces the build needs, skipping what is already there:
# the wasm32 target and wasm-bindgen-cli at exactly Cargo.lock's version.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$want" ]; then
  echo "setup-rust: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "setup-rust: installing wasm-bindgen-cli $want (found: ${have:-none})"
  # Not --locked: the registry mirror here can lack a locked dependency
  # version (docs/browser-facts.md, "Toolchain").
  cargo install wasm-bindgen-cli --version "$want" --force
fi
