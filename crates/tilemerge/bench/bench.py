"""Times `tilemerge merge` against OpenImageIO doing the same crop-and-paste merge, in one run.

Usage: bench.py TILEMERGE SET_DIR OIIOTOOL PYTHON RUNS
SET_DIR holds tiles/, job.json and full.exr (from `tilemerge gen-bench --full`). Runs alternate
between the tools so that load from other processes spreads over all of them; the medians are
compared. Every output is checked against full.exr afterwards (outside the timing).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(args):
    start = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(args[:3])} ...\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def main():
    tilemerge, set_dir, oiiotool, python, runs = sys.argv[1:6]
    runs = int(runs)
    tiles, job, full = (os.path.join(set_dir, n) for n in ("tiles", "job.json", "full.exr"))
    out = os.path.join(set_dir, "out")
    os.makedirs(out, exist_ok=True)
    layout = os.path.join(out, "layout.json")
    # The geometry both tools crop with, and a seam check of the set (not timed).
    _, report = timed([tilemerge, "check", tiles, "--job", job, "--json", "--quiet"])
    with open(layout, "w") as f:
        f.write(report)
    seams = {p["pass"]: p["max_abs"] for p in json.loads(report)["seams"]["passes"]}
    oiio_out = os.path.join(out, "oiiotool.exr")
    _, args = timed([python, os.path.join(HERE, "oiio_merge.py"), "oiiotool-args", layout, tiles, oiio_out, oiiotool])
    merge = [tilemerge, "merge", tiles, "--job", job, "--compression", "zip", "--quiet", "--timings"]
    # The second row is the merge as it was before libdeflate: miniz_oxide at exr's level 4.
    commands = {
        "tilemerge merge": merge + ["-o", os.path.join(out, "tilemerge.exr")],
        "  --deflate miniz": merge + ["-o", os.path.join(out, "tilemerge-miniz.exr"), "--deflate", "miniz", "--zip-level", "4"],
        "oiiotool": json.loads(args),
        "OIIO Python API": [python, os.path.join(HERE, "oiio_merge.py"), "python", layout, tiles, os.path.join(out, "oiio-python.exr")],
    }
    times = {name: [] for name in commands}
    phases = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            elapsed, stdout = timed(command)
            times[name].append(elapsed)
            phases[name] += [line for line in stdout.splitlines() if line.startswith("timings")]

    # Every output must equal the full frame, or the comparison means nothing.
    outputs = [("tilemerge merge", "tilemerge.exr"), ("  --deflate miniz", "tilemerge-miniz.exr"),
               ("oiiotool", "oiiotool.exr"), ("OIIO Python API", "oiio-python.exr")]
    for name, path in outputs:
        _, verdict = timed([python, os.path.join(HERE, "compare.py"), os.path.join(out, path), full])
        size = os.path.getsize(os.path.join(out, path)) / 1e6
        print(f"{name:<16} output vs full.exr: {verdict.strip()}, {size:.1f} MB")
    print(f"seams of the set (max abs per pass): {seams}")
    print()
    info = json.loads(report)["layout"]
    grid = info["grid"]
    print(f"{info['expected_tiles']} tiles of {grid['tile']['width']}x{grid['tile']['height']} over "
          f"{grid['image']['width']}x{grid['image']['height']}, {runs} runs each, {os.cpu_count()} cores")
    base = statistics.median(times["tilemerge merge"])
    print(f"{'tool':<17} {'median ms':>9} {'min ms':>7} {'time / tilemerge':>17} {'output MB':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        path = os.path.join(out, dict(outputs)[name])
        print(f"{name:<17} {median * 1000:9.0f} {min(values) * 1000:7.0f} {median / base:16.2f}x "
              f"{os.path.getsize(path) / 1e6:10.1f}")
    oiiotool = statistics.median(times["oiiotool"])
    python_api = statistics.median(times["OIIO Python API"])
    print()
    for name in ("tilemerge merge", "  --deflate miniz"):
        median = statistics.median(times[name])
        print(f"{name.strip()}: {median * 1000:.0f} ms = {median / oiiotool:.2f}x oiiotool ({oiiotool * 1000:.0f} ms)"
              f" = {median / python_api:.2f}x the OIIO Python API ({python_api * 1000:.0f} ms)")
    print(f"goal (issue 16): tilemerge merge at most 0.35x oiiotool: "
          f"{'met' if base / oiiotool <= 0.35 else 'not met'} ({base / oiiotool:.2f}x)")
    for name, lines in phases.items():
        if lines:
            print(f"\nwhere `{name.strip()}` spends its time, medians of {len(lines)} runs (ms):")
            print("  " + ", ".join(f"{phase} {value:.0f}" for phase, value in phase_medians(lines)))


def phase_medians(lines):
    """Medians of the `name value` pairs of `--timings` lines, in their order on the line."""
    values = {}
    for line in lines:
        for phase, value in re.findall(r"([a-z][a-z ]*?) ([0-9]+\.[0-9])", line.split(":", 1)[1]):
            values.setdefault(phase.strip(), []).append(float(value))
    return [(phase, statistics.median(v)) for phase, v in values.items()]


if __name__ == "__main__":
    main()
