"""The OpenImageIO baselines for bench/run.sh: the same crop-and-paste merge as `tilemerge merge`.

Reads the tile geometry from `tilemerge check --json` (so both tools crop the same rectangles),
then either runs oiiotool or merges in one Python process with ImageBufAlgo.
Usage: oiio_merge.py oiiotool-args|python LAYOUT_JSON TILES_DIR OUT.exr [OIIOTOOL]
  oiiotool-args prints the oiiotool command as JSON (so the timing leaves Python out);
  python merges in this process.
"""
import json
import os
import sys


def placements(layout_path):
    report = json.load(open(layout_path))
    files = {json.dumps(tile, sort_keys=True): name for tile, name in report["layout"]["found"]}
    grid = report["layout"]["grid"]["image"]
    out = []
    for tile in report["coverage"]["tiles"]:
        placed = tile["state"].get("Placed") if isinstance(tile["state"], dict) else None
        if placed is None:
            sys.exit(f"tile {tile['tile']} is not placed: the baseline needs a complete set")
        p, r = placed["placed"], placed["rendered"]
        crop = (p["width"], p["height"], p["x"] - r["x"], p["y"] - r["y"])
        out.append((files[json.dumps(tile["tile"], sort_keys=True)], crop, (p["x"], p["y"])))
    return grid["width"], grid["height"], out


def oiiotool_args(width, height, subimages, tiles, tiles_dir, output, oiiotool):
    # oiiotool's --paste works on one subimage, so each part is merged on its own and the parts
    # are appended at the end. Its --paste takes the foreground first, hence the --swap.
    args = [oiiotool]
    first = os.path.join(tiles_dir, tiles[0][0])
    for s in range(subimages):
        # A full-frame canvas with this part's channels and type: the first tile, padded.
        args += ["-i", first, "--subimage", str(s), "--crop", f"{width}x{height}+0+0"]
        for name, (w, h, x, y), (px, py) in tiles:
            args += ["-i", os.path.join(tiles_dir, name), "--subimage", str(s)]
            args += ["--cut", f"{w}x{h}+{x}+{y}", "--swap", "--paste", f"+{px}+{py}"]
    if subimages > 1:
        args += ["--siappendall"]
    args += ["-a", "--fullsize", f"{width}x{height}+0+0", "--compression", "zip", "-o", output]
    return args


def subimage_count(path):
    import OpenImageIO as oiio
    inp = oiio.ImageInput.open(path)
    count = 0
    while inp.seek_subimage(count, 0):
        count += 1
    inp.close()
    return count


def python_merge(width, height, tiles, tiles_dir, output):
    import OpenImageIO as oiio
    from OpenImageIO import ImageBuf, ImageBufAlgo, ImageSpec, ROI

    inp = oiio.ImageInput.open(os.path.join(tiles_dir, tiles[0][0]))
    specs = []
    while inp.seek_subimage(len(specs), 0):
        spec = ImageSpec(inp.spec())
        spec.width, spec.height, spec.full_width, spec.full_height = width, height, width, height
        specs.append(spec)
    inp.close()
    canvases = [ImageBuf(spec) for spec in specs]
    for name, (w, h, x, y), (px, py) in tiles:
        path = os.path.join(tiles_dir, name)
        for index, canvas in enumerate(canvases):
            tile = ImageBuf(path, index, 0)
            channels = specs[index].nchannels
            # OpenImageIO 3 places the source's (0, 0) at the given spot and copies only `roi`;
            # the ROI must name the channels, or paste walks the default 10000 of them.
            roi = ROI(x, x + w, y, y + h, 0, 1, 0, channels)
            ImageBufAlgo.paste(canvas, px - x, py - y, 0, 0, tile, roi)
    out = oiio.ImageOutput.create(output)
    for spec in specs:
        spec.attribute("compression", "zip")
    out.open(output, specs)
    for index, canvas in enumerate(canvases):
        if index:
            out.open(output, specs[index], "AppendSubimage")
        canvas.write(out)
    out.close()


def main():
    mode, layout, tiles_dir, output = sys.argv[1:5]
    width, height, tiles = placements(layout)
    if mode == "oiiotool-args":
        oiiotool = sys.argv[5] if len(sys.argv) > 5 else "oiiotool"
        subimages = subimage_count(os.path.join(tiles_dir, tiles[0][0]))
        print(json.dumps(oiiotool_args(width, height, subimages, tiles, tiles_dir, output, oiiotool)))
    else:
        python_merge(width, height, tiles, tiles_dir, output)


if __name__ == "__main__":
    main()
