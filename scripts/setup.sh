#!/usr/bin/env bash
# Installs what building and testing Farmdeck needs, skipping whatever is already present.
# Sourced by scripts/demo and scripts/test; running it alone is fine too.
# Why each pin: ../shared/TOOLCHAIN.md (Trunk 0.22 needs a newer rustc, Debian's binaryen breaks the
# output, test tools cannot download browsers here).
set -euo pipefail

FARMDECK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
TOOLS_DIR="$FARMDECK_ROOT/.tools"

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*" >&2; }
fail() {
  printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2
  exit 1
}

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$FARMDECK_ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then return; fi
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || fail "rustup could not add wasm32-unknown-unknown"
}

ensure_rust_components() {
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding rustup component $component"
      rustup component add "$component" || fail "rustup could not add $component"
    fi
  done
}

ensure_trunk() {
  if command -v trunk >/dev/null && trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then return; fi
  say "installing trunk $TRUNK_VERSION (about 6 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked || fail "cargo install trunk $TRUNK_VERSION failed"
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  [ -n "$want" ] || fail "cannot read the wasm-bindgen version from Cargo.lock"
  if command -v wasm-bindgen >/dev/null && wasm-bindgen --version 2>/dev/null | grep -q " $want"; then return; fi
  say "installing wasm-bindgen-cli $want (matches Cargo.lock)"
  # Without --locked: with it, cargo asks for a webpki-roots version the registry does not have.
  cargo install wasm-bindgen-cli --version "$want" || fail "cargo install wasm-bindgen-cli $want failed"
}

ensure_binaryen() {
  local bin="$TOOLS_DIR/node_modules/.bin/wasm-opt"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then return; fi
  command -v npm >/dev/null || fail "npm is missing: install Node.js 20 to get binaryen's wasm-opt"
  say "installing wasm-opt from the npm package binaryen@$BINARYEN_VERSION into .tools/"
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION") ||
    fail "npm install binaryen@$BINARYEN_VERSION failed"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  command -v apt-get >/dev/null || fail "Chromium is missing and there is no apt-get to install it"
  say "installing chromium and chromium-driver from Debian"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null ||
    fail "apt-get install chromium chromium-driver failed"
}

ensure_nginx() {
  if [ -x /usr/sbin/nginx ] && [ -f /etc/nginx/mime.types ]; then return; fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing nginx (the hosting tests put it in front of simfarm)"
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light >/dev/null ||
    fail "apt-get install nginx-light failed"
}

ensure_caddy() {
  if [ -x /usr/bin/caddy ]; then return; fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing caddy (the hosting tests serve the dashboard with it)"
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq caddy >/dev/null ||
    fail "apt-get install caddy failed"
}

# The app's toolchain: enough to build and serve the dashboard.
setup_app_toolchain() {
  ensure_wasm_target
  ensure_binaryen
  ensure_wasm_bindgen
  ensure_trunk
  export PATH="$TOOLS_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"
}

# Everything the test suite needs on top of the app's toolchain.
setup_test_toolchain() {
  ensure_rust_components
  setup_app_toolchain
  ensure_chromium
  ensure_nginx
  ensure_caddy
  export CHROMEDRIVER=/usr/bin/chromedriver
  export CHROMIUM=/usr/bin/chromium
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  setup_test_toolchain
  say "toolchain ready"
fi
