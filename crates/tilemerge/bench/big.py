"""Frames of any size (bench/big.sh): the streamed merge, the whole-frame merge and oiiotool.

Usage: big.py TILEMERGE BENCH_DIR OIIOTOOL, with SIZES and TILE in the environment.
Each tool runs once per set under GNU time, which reports its wall time and peak resident memory.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oiio_merge import oiiotool_args, placements  # noqa: E402

# Bytes a pixel takes in a whole-frame canvas: Combined RGBA half (8) and Depth Z float (4).
PIXEL_BYTES = 12
# oiiotool's whole-frame Combined, as measured at 16384 (8.45 GB for a 2.1 GB buffer).
OIIOTOOL_PER_PIXEL = 8.45e9 / 16384**2


def available_memory():
    with open("/proc/meminfo") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["MemAvailable"].split()[0]) * 1024


def timed(args):
    """(wall seconds, peak resident bytes, stdout) of a command run under GNU time."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(args[:4])} ...\n{done.stdout}\n{done.stderr}")
    wall, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return float(wall), int(peak_kb) * 1024, done.stdout


def gigabytes(n):
    return f"{n / 1e9:.2f} GB"


def main():
    tilemerge, bench_dir, oiiotool = sys.argv[1:4]
    sizes = [int(s) for s in os.environ.get("SIZES", "4096 8192 16384 32768").split()]
    tile = int(os.environ.get("TILE", "1024"))
    rows = []
    for size in sizes:
        set_dir = os.path.join(bench_dir, f"big-{size}-t{tile}")
        tiles, job = os.path.join(set_dir, "tiles"), os.path.join(set_dir, "job.json")
        if not os.path.exists(job):
            print(f"[bench] generating the {size}x{size} set in {set_dir}", file=sys.stderr, flush=True)
            timed([tilemerge, "gen-bench", set_dir, "--size", f"{size}x{size}", "--tile", str(tile), "--quiet"])
        set_bytes = sum(os.path.getsize(os.path.join(tiles, n)) for n in os.listdir(tiles))
        out = os.path.join(set_dir, "out")
        os.makedirs(out, exist_ok=True)
        merge = [tilemerge, "merge", tiles, "--job", job, "--compression", "zip", "--quiet", "--timings"]
        frame = size * size * PIXEL_BYTES
        results = {}
        streamed = os.path.join(out, "streamed.exr")
        results["tilemerge merge (streamed)"] = timed(merge + ["-o", streamed])
        whole = os.path.join(out, "whole.exr")
        # The whole frame, the tiles in flight and the output's blocks: about twice the frame.
        if 2 * frame < available_memory():
            results["tilemerge merge --in-memory"] = timed(merge + ["--in-memory", "-o", whole])
        else:
            results["tilemerge merge --in-memory"] = f"skipped: needs about {gigabytes(2 * frame)}"
        oiio_need = size * size * OIIOTOOL_PER_PIXEL
        if size > int(os.environ.get("OIIOTOOL_MAX", "8192")):
            results["oiiotool (Combined only)"] = "skipped: above OIIOTOOL_MAX"
        elif oiio_need < available_memory():
            layout = os.path.join(out, "layout.json")
            _, _, report = timed([tilemerge, "check", tiles, "--job", job, "--json", "--quiet", "--passes", "Combined"])
            with open(layout, "w") as f:
                f.write(report)
            width, height, placed = placements(layout)
            # Combined alone: the first part of Blender 5's files.
            args = oiiotool_args(width, height, 1, placed, tiles, os.path.join(out, "oiiotool.exr"), oiiotool)
            results["oiiotool (Combined only)"] = timed(args)
        else:
            results["oiiotool (Combined only)"] = f"skipped: needs about {gigabytes(oiio_need)}"
        same = None
        if os.path.exists(whole) and not isinstance(results["tilemerge merge --in-memory"], str):
            same = subprocess.run(["cmp", "-s", streamed, whole]).returncode == 0
            os.remove(whole)
        rows.append((size, tile, set_bytes, os.path.getsize(streamed), results, same))
        for name, result in results.items():
            shown = result if isinstance(result, str) else f"{result[0]:.1f} s, peak {gigabytes(result[1])}"
            print(f"[bench] {size}: {name}: {shown}", file=sys.stderr, flush=True)
        for path in (streamed, os.path.join(out, "oiiotool.exr")):
            if os.path.exists(path):
                os.remove(path)

    print(f"\nframes of any size, {os.cpu_count()} cores, {gigabytes(available_memory())} available")
    print(f"| frame | tiles | set | output | tool | time s | peak memory | x the frame |")
    print("|---|---|---|---|---|---|---|---|")
    for size, tile, set_bytes, out_bytes, results, same in rows:
        frame = size * size * PIXEL_BYTES
        count = ((size + tile - 1) // tile) ** 2
        for name, result in results.items():
            if isinstance(result, str):
                print(f"| {size}x{size} | {count} | {gigabytes(set_bytes)} | {gigabytes(out_bytes)} | {name} | {result} | | |")
            else:
                wall, peak, _ = result
                print(f"| {size}x{size} | {count} | {gigabytes(set_bytes)} | {gigabytes(out_bytes)} | {name} | "
                      f"{wall:.1f} | {gigabytes(peak)} | {peak / frame:.2f}x |")
        if same is not None:
            print(f"| {size}x{size} | | | | streamed file = whole-frame file, byte for byte: {'yes' if same else 'NO'} | | | |")
    for size, _, _, _, results, _ in rows:
        for name, result in results.items():
            if not isinstance(result, str) and name.startswith("tilemerge"):
                timings = [l for l in result[2].splitlines() if l.startswith("timings")]
                print(f"{size} {name}: {timings[0] if timings else ''}")


if __name__ == "__main__":
    main()
