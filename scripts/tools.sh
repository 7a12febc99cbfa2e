#!/usr/bin/env bash
# Installs what `make run` (build) or `make test` (test) needs, skipping
# whatever is already there. Every step says what it does; a prerequisite
# that cannot be installed stops with one line saying what to do.
#
# Usage: scripts/tools.sh build|test
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

TRUNK_VERSION=0.21.14
# binaryen (wasm-opt) and lightningcss, from npm: what trunk runs besides itself.
BUILD_TOOLS_DIR=scripts/build-tools
E2E_DIR=tests/e2e
FHIR_DIR=tests/fhir

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 not found: $2"
}

# The wasm-bindgen CLI must match the library version cargo resolved.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# `npm ci` from the committed lock file, only when the lock changed since the
# last install.
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.installed-lock
  if [ -f "$stamp" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
    say "npm packages in $dir: up to date"
  else
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

build_tools() {
  need_cmd cargo "install Rust with rustup (https://rustup.rs), then run make again"
  need_cmd rustup "install Rust with rustup (https://rustup.rs), then run make again"
  need_cmd npm "install Node.js 20 or newer with npm (e.g. apt-get install nodejs npm), then run make again"

  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "wasm32 target: installed"
  else
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
    say "trunk $TRUNK_VERSION: installed"
  else
    say "installing trunk $TRUNK_VERSION (about 17 minutes on 2 cores, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi

  local wbv
  wbv=$(wasm_bindgen_version)
  [ -n "$wbv" ] || fail "no wasm-bindgen in Cargo.lock: run cargo generate-lockfile"
  grep -q "wasm_bindgen = \"$wbv\"" Trunk.toml ||
    fail "Trunk.toml [tools] wasm_bindgen must be \"$wbv\" (the version in Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $wbv" ] &&
     command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
    say "wasm-bindgen-cli $wbv: installed"
  else
    say "installing wasm-bindgen-cli $wbv (about 7 minutes, once)"
    # Not --locked: the registry lacks one of its locked dependencies.
    cargo install wasm-bindgen-cli --version "$wbv" --force
  fi

  npm_ci "$BUILD_TOOLS_DIR"
  "$BUILD_TOOLS_DIR/node_modules/.bin/wasm-opt" --version | grep -q 'version 132' ||
    fail "wasm-opt in $BUILD_TOOLS_DIR is not binaryen 132: delete its node_modules and run make again"
  (cd "$BUILD_TOOLS_DIR" && node -e "require('lightningcss')") ||
    fail "lightningcss in $BUILD_TOOLS_DIR does not load (no build for this platform?): delete its node_modules and run make again"
}

test_tools() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    say "chromium and chromedriver: installed"
  else
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null 2>&1 || fail "chromium and chromedriver are missing: install the Debian packages chromium and chromium-driver as root"
      sudo=sudo
    fi
    say "installing chromium and chromium-driver from Debian"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  npm_ci "$E2E_DIR"
  fhir_tools
}

# The FHIR engine the bridge's tests and `make run-fhir` run against.
fhir_tools() {
  need_cmd npm "install Node.js 20 or newer with npm (e.g. apt-get install nodejs npm), then run make again"
  npm_ci "$FHIR_DIR"
}

case "${1:-}" in
  build) build_tools ;;
  test) build_tools; test_tools ;;
  fhir) fhir_tools ;;
  *) fail "usage: scripts/tools.sh build|test|fhir" ;;
esac
