"""Prints whether two EXRs hold the same channels with the same sample bits (read by OpenImageIO,
independently of tilemerge). Usage: compare.py A.exr B.exr"""
import sys

import numpy as np
import OpenImageIO as oiio


def channels(path):
    found = {}
    image = oiio.ImageInput.open(path)
    if image is None:
        sys.exit(f"cannot open {path}: {oiio.geterror()}")
    index = 0
    while image.seek_subimage(index, 0):
        spec = image.spec()
        for c, name in enumerate(spec.channelnames):
            pixels = image.read_image(index, 0, c, c + 1, spec.channelformat(c))
            found[name] = np.array(pixels).copy()
        index += 1
    image.close()
    return found


a, b = channels(sys.argv[1]), channels(sys.argv[2])
if sorted(a) != sorted(b):
    print(f"DIFFERENT channels: {sorted(a)} vs {sorted(b)}")
    sys.exit(0)
differing = [n for n in a if a[n].dtype != b[n].dtype or not np.array_equal(a[n].view(np.uint8), b[n].view(np.uint8))]
print(f"{'bit-identical' if not differing else 'DIFFERENT in ' + ', '.join(differing)} ({len(a)} channels)")
