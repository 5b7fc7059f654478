# png_region.py PNG X Y W H — exit 0 when the region of the PNG is drawn
# (at least 2 % of its pixels not near-white and 3+ distinct colours), else 1.
# A minimal PNG reader (8-bit RGB/RGBA, non-interlaced, as Chromium writes).
import struct, sys, zlib
def read(path):
    d = open(path, 'rb').read()
    assert d[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    i, idat = 8, b''
    while i < len(d):
        n, t = struct.unpack('>I4s', d[i:i + 8]); body = d[i + 8:i + 8 + n]; i += 12 + n
        if t == b'IHDR': w, h, depth, ctype, _, _, lace = struct.unpack('>IIBBBBB', body)
        elif t == b'IDAT': idat += body
    assert depth == 8 and ctype in (2, 6) and lace == 0, 'unsupported PNG'
    bpp = 3 if ctype == 2 else 4; raw = zlib.decompress(idat); stride = w * bpp
    rows, prev, o = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[o], bytearray(raw[o + 1:o + 1 + stride]); o += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, bpp, rows
w, h, bpp, rows = read(sys.argv[1])
X, Y, W, H = (int(v) for v in sys.argv[2:6])
ink, colours, total = 0, set(), 0
for y in range(max(0, Y), min(h, Y + H), 2):
    for x in range(max(0, X), min(w, X + W), 2):
        px = tuple(rows[y][x * bpp:x * bpp + 3]); total += 1; colours.add(px)
        ink += min(px) < 200
print(f'region {X},{Y} {W}x{H} of {w}x{h}: {ink}/{total} inked, {len(colours)} colours')
sys.exit(0 if total and ink / total >= 0.02 and len(colours) >= 3 else 1)
