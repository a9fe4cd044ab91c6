#!/usr/bin/env bash
# Benchmark: frames of any size. Synthetic sets of 4096, 8192, 16384 and 32768 px square frames
# in 1024 px tiles (Blender 5 multi-part, ZIP; Combined RGBA half and Depth Z float), merged by
# `tilemerge merge` (streamed, the default) and `tilemerge merge --in-memory` (the whole frame,
# as before), beside OpenImageIO's oiiotool merging Combined alone, in the same run: wall time and
# peak memory (GNU time's maximum resident set size) of each. A tool whose frame would not fit in
# this machine's memory is skipped, with what it would need. The streamed and whole-frame files
# are compared byte for byte. Not part of `cargo test`. Environment:
#   SIZES="4096 8192 16384 32768"   frame sides
#   TILE=1024                      tile side
#   OIIOTOOL_MAX=8192              the largest frame oiiotool is run on: it pastes each tile into a
#                                  whole-frame canvas, and at 16384 that took over 10 minutes here
#   BENCH_DIR=...                  where the sets go (default: $CARGO_TARGET_DIR/tilemerge-bench);
#                                  the 32768 set takes 5.6 GB, its merge as much again
#   OIIO_VENV=...                  virtualenv for the PyPI OpenImageIO package (created if missing)
set -euo pipefail

CRATE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKSPACE="$(cd "$CRATE_DIR/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$WORKSPACE/target}"
BENCH_DIR="${BENCH_DIR:-$TARGET_DIR/tilemerge-bench}"
OIIO_VENV="${OIIO_VENV:-$BENCH_DIR/venv}"

say() { printf '\033[1;36m[bench]\033[0m %s\n' "$*" >&2; }

say "building tilemerge (release, dependencies at opt-level 3)"
cargo build --release -p tilemerge --manifest-path "$CRATE_DIR/Cargo.toml" \
  --config 'profile.release.package."*".opt-level=3' >&2
if [ ! -x "$OIIO_VENV/bin/oiiotool" ]; then
  say "installing OpenImageIO from PyPI into $OIIO_VENV"
  python3 -m venv "$OIIO_VENV"
  "$OIIO_VENV/bin/pip" install --quiet OpenImageIO numpy
fi
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) measures the peak memory; install it (apt install time)" >&2; exit 1; }

SIZES="${SIZES:-4096 8192 16384 32768}" TILE="${TILE:-1024}" OIIOTOOL_MAX="${OIIOTOOL_MAX:-8192}" \
  python3 "$CRATE_DIR/bench/big.py" "$TARGET_DIR/release/tilemerge" "$BENCH_DIR" "$OIIO_VENV/bin/oiiotool"
