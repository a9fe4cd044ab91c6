"""Times `tilemerge merge` against OpenImageIO doing the same crop-and-paste merge, in one run.

Usage: bench.py TILEMERGE SET_DIR OIIOTOOL PYTHON RUNS
SET_DIR holds tiles/, job.json and full.exr (from `tilemerge gen-bench --full`). Runs alternate
between the tools so that load from other processes spreads over all of them; the medians are
compared. Every output is checked against full.exr afterwards (outside the timing).
"""
import json
import os
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
    commands = {
        "tilemerge merge": merge + ["-o", os.path.join(out, "tilemerge.exr")],
        "  --zip-level 1": merge + ["-o", os.path.join(out, "tilemerge-fast.exr"), "--zip-level", "1"],
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
    outputs = [("tilemerge merge", "tilemerge.exr"), ("  --zip-level 1", "tilemerge-fast.exr"),
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
    print(f"{'tool':<16} {'median s':>9} {'min s':>7} {'time / tilemerge':>17}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<16} {median:9.3f} {min(values):7.3f} {median / base:16.2f}x")
    oiiotool = statistics.median(times["oiiotool"])
    print(f"\ntilemerge merge is {oiiotool / base:.1f}x as fast as oiiotool on the same merge")
    for name, lines in phases.items():
        if lines:
            print(f"\nwhere `{name.strip()}` spends its time (per run):")
            for line in lines:
                print("  " + line)


if __name__ == "__main__":
    main()
