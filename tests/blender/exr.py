"""A small OpenEXR reader for the denoise check: single-part scanline files, as Blender 4.x and
tilemerge write them (NONE, ZIPS or ZIP compression, half or float channels).

bpy cannot hand out one pass of a multilayer EXR, and Blender's Python has no OpenImageIO: the
check reads the files itself so that it compares the very floats stored in them.
"""

import struct
import zlib

import numpy as np

_LINES_PER_CHUNK = {0: 1, 2: 1, 3: 16}  # NONE, ZIPS, ZIP
_COMPRESSION_NAMES = ["NONE", "RLE", "ZIPS", "ZIP", "PIZ", "PXR24", "B44", "B44A", "DWAA", "DWAB"]
_PIXEL_TYPES = {0: (np.dtype("<u4"), 4), 1: (np.dtype("<f2"), 2), 2: (np.dtype("<f4"), 4)}


class ExrError(Exception):
    pass


def _read_header(data):
    if data[:4] != b"\x76\x2f\x31\x01":
        raise ExrError("not an OpenEXR file")
    version = struct.unpack_from("<I", data, 4)[0]
    if version & 0x1200:  # tiled or multi-part
        raise ExrError("only single-part scanline EXR files can be read here (this one is tiled or multi-part)")
    pos = 8
    header = {}
    while data[pos] != 0:
        end = data.index(b"\0", pos)
        name = data[pos:end].decode()
        pos = end + 1
        end = data.index(b"\0", pos)
        kind = data[pos:end].decode()
        pos = end + 1
        size = struct.unpack_from("<i", data, pos)[0]
        pos += 4
        header[name] = (kind, data[pos:pos + size])
        pos += size
    return header, pos + 1


def _channels(raw):
    channels = []
    pos = 0
    while raw[pos] != 0:
        end = raw.index(b"\0", pos)
        name = raw[pos:end].decode()
        pixel_type, _linear, _x, _y = struct.unpack_from("<iB3xii", raw, end + 1)
        if pixel_type not in _PIXEL_TYPES:
            raise ExrError(f"channel {name} has an unknown pixel type {pixel_type}")
        channels.append((name, pixel_type))
        pos = end + 1 + 16
    return channels


def _unzip(chunk, expected):
    raw = bytearray(zlib.decompress(chunk))
    if len(raw) != expected:
        raise ExrError(f"a ZIP chunk holds {len(raw)} bytes, not {expected}")
    # OpenEXR's ZIP filter: byte deltas, then the two halves of the data interleaved.
    deltas = np.frombuffer(bytes(raw), dtype=np.uint8).astype(np.int64)
    deltas[1:] -= 128
    restored = (np.cumsum(deltas) % 256).astype(np.uint8)
    half = (expected + 1) // 2
    out = np.empty(expected, dtype=np.uint8)
    out[0::2] = restored[:half]
    out[1::2] = restored[half:]
    return out.tobytes()


def read_exr(path):
    """Every channel of the file as float32 arrays (height, width), top row first, by name."""
    with open(path, "rb") as f:
        data = f.read()
    header, pos = _read_header(data)
    compression = header["compression"][1][0]
    if compression not in _LINES_PER_CHUNK:
        raise ExrError(f"{path}: {_COMPRESSION_NAMES[compression]} compression is not supported here (NONE, ZIPS, ZIP are)")
    x0, y0, x1, y1 = struct.unpack("<iiii", header["dataWindow"][1])
    width, height = x1 - x0 + 1, y1 - y0 + 1
    channels = sorted(_channels(header["channels"][1]))
    lines = _LINES_PER_CHUNK[compression]
    chunks = (height + lines - 1) // lines
    offsets = struct.unpack_from(f"<{chunks}Q", data, pos)
    planes = {name: np.empty((height, width), dtype=np.float32) for name, _ in channels}
    for offset in offsets:
        y, size = struct.unpack_from("<ii", data, offset)
        first = y - y0
        rows = min(lines, height - first)
        expected = sum(_PIXEL_TYPES[t][1] for _, t in channels) * width * rows
        chunk = data[offset + 8: offset + 8 + size]
        block = chunk if size == expected else _unzip(chunk, expected)
        at = 0
        for row in range(first, first + rows):
            for name, pixel_type in channels:
                dtype, nbytes = _PIXEL_TYPES[pixel_type]
                values = np.frombuffer(block, dtype=dtype, count=width, offset=at)
                planes[name][row] = values.astype(np.float32)
                at += nbytes * width
    return planes
