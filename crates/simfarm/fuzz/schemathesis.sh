#!/usr/bin/env bash
# Fuzzes simfarm's REST API with schemathesis against Flamenco's real OpenAPI file.
#
# Usage: crates/simfarm/fuzz/schemathesis.sh [extra schemathesis args...]
# Environment: MAX_EXAMPLES (default 25 per operation), MAX_TIME (default 180 s),
#              FLAMENCO_OPENAPI (default ../shared/flamenco/flamenco-openapi.yaml beside the checkout),
#              CARGO_TARGET_DIR (where the simfarm binary is built).
# Idempotent: installs schemathesis with pip only when missing; starts its own simfarm on a free
# port of 127.0.0.1 and stops it on exit. Exits non-zero when schemathesis finds failures.
#
# Known, accepted failures are in baseline.json beside this script: each is a place where the real
# Manager itself departs from its OpenAPI file, and simfarm follows the Manager (see the list in the
# file's entries: `{message}`-only 400s from the request validator, 400 for ids that are not UUIDs,
# 404/400 on operations that declare only 200, the JobTasksSummary `jobs` erratum, and, measured on
# Manager 3.9: 404 `{"message":"method not allowed"}` instead of 405 for undeclared methods, 500
# "error creating worker tag" for a duplicate tag name). Only failures not in the baseline fail
# the run. After a deliberate change, refresh it with: schemathesis.sh --baseline-update
#
# Left out: the Worker API, Shaman, and the setup assistant's configuration checks, which simfarm
# does not implement (its workers are simulated inside the process; it is never on a first run).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
spec=${FLAMENCO_OPENAPI:-$repo/../shared/flamenco/flamenco-openapi.yaml}
target=${CARGO_TARGET_DIR:-$repo/target}

if ! python3 -c 'import schemathesis' 2>/dev/null; then
    python3 -m pip install --quiet 'schemathesis>=4.3,<5'
fi

(cd "$repo" && cargo build --quiet -p simfarm)

log=$(mktemp -d)
"$target/debug/simfarm" --listen 127.0.0.1:0 --workers 2 --task-seconds 0.3 --failure-rate 0 --seed 7 --demo \
    --render-root "$log/renders" >"$log/stdout" 2>"$log/stderr" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$log"' EXIT

for _ in $(seq 100); do
    grep -q '^simfarm: listening on ' "$log/stdout" && break
    sleep 0.1
done
url=$(sed -n 's/^simfarm: listening on //p' "$log/stdout")
if [ -z "$url" ]; then
    echo "simfarm did not start:" >&2
    cat "$log/stderr" >&2
    exit 1
fi

status=0
# Run from the scratch directory: schemathesis keeps its example database in the working directory.
cd "$log"
python3 -m schemathesis.cli run "$spec" \
    --url "$url" \
    --exclude-path-regex '^/api/v3/(worker/|shaman/|configuration/(check|setup-assistant))' \
    --max-examples "${MAX_EXAMPLES:-25}" \
    --max-time "${MAX_TIME:-180}" \
    --seed 1 \
    --baseline "$here/baseline.json" \
    "$@" || status=$?

if ! kill -0 "$pid" 2>/dev/null; then
    echo "simfarm died during the fuzzing:" >&2
    tail -20 "$log/stderr" >&2
    exit 1
fi
exit "$status"
