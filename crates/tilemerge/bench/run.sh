#!/usr/bin/env bash
# Benchmark: `tilemerge merge` against OpenImageIO's oiiotool (and OpenImageIO's Python API in
# one process) doing the same crop-and-paste merge of a generated 3840x2160 tile set: 256 px
# tiles (135), Blender 5 multi-part layout, ZIP, Combined (RGBA half) + Depth (Z float).
# Then the inspector's difference of two such merges (a second set with other noise) beside the
# merge itself: `tilemerge bench-compare` (goal: the difference under 0.5x the merge).
# Not part of `cargo test`. Environment:
#   RUNS=5            timed runs per tool
#   ONLY=compare      only the difference benchmark (no OpenImageIO)
#   BENCH_DIR=...     where the tile set and outputs go (default: $CARGO_TARGET_DIR/tilemerge-bench)
#   OIIO_VENV=...     virtualenv for the PyPI OpenImageIO package (created if missing)
set -euo pipefail

CRATE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKSPACE="$(cd "$CRATE_DIR/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$WORKSPACE/target}"
BENCH_DIR="${BENCH_DIR:-$TARGET_DIR/tilemerge-bench}"
OIIO_VENV="${OIIO_VENV:-$BENCH_DIR/venv}"
RUNS="${RUNS:-5}"
ONLY="${ONLY:-}"

say() { printf '\033[1;36m[bench]\033[0m %s\n' "$*" >&2; }

# The workspace's release profile optimises dependencies for size (for the wasm app); the
# native tool is measured with its dependencies (exr, miniz_oxide, zune-inflate) at -O3.
say "building tilemerge (release, dependencies at opt-level 3)"
cargo build --release -p tilemerge --manifest-path "$CRATE_DIR/Cargo.toml" \
  --config 'profile.release.package."*".opt-level=3' >&2
TILEMERGE="$TARGET_DIR/release/tilemerge"

if [ "$ONLY" != compare ] && [ ! -x "$OIIO_VENV/bin/oiiotool" ]; then
  say "installing OpenImageIO from PyPI into $OIIO_VENV"
  python3 -m venv "$OIIO_VENV"
  "$OIIO_VENV/bin/pip" install --quiet OpenImageIO numpy
fi
[ "$ONLY" = compare ] || [ -x "$OIIO_VENV/bin/oiiotool" ] || { echo "the OpenImageIO package did not provide oiiotool" >&2; exit 1; }

SET="$BENCH_DIR/set-3840x2160-t256"
if [ ! -f "$SET/full.exr" ]; then
  say "generating the tile set in $SET"
  "$TILEMERGE" gen-bench "$SET" --size 3840x2160 --tile 256 --layout multipart --compression zip --full --quiet >&2
fi

if [ "$ONLY" != compare ]; then
  say "timing ($RUNS runs each, alternating)"
  "$OIIO_VENV/bin/python" "$CRATE_DIR/bench/bench.py" "$TILEMERGE" "$SET" \
    "$OIIO_VENV/bin/oiiotool" "$OIIO_VENV/bin/python" "$RUNS"
fi

OTHER="$BENCH_DIR/set-3840x2160-t256-seed2"
if [ ! -f "$OTHER/job.json" ]; then
  say "generating the second tile set (other noise) in $OTHER"
  "$TILEMERGE" gen-bench "$OTHER" --size 3840x2160 --tile 256 --layout multipart --compression zip --seed 2 --quiet >&2
fi
say "difference of two merges beside the merge ($RUNS runs, medians)"
"$TILEMERGE" bench-compare "$SET" "$OTHER" --runs "$RUNS"
