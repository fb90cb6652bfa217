#!/usr/bin/env bash
# Makes packaging/windows/plumbline.ico, the Windows executable's and Start menu's icon, from
# the desktop icon (packaging/io.github.plumbline.Plumbline.png, 256×256): PNG images of 16 to
# 256 pixels in one ICO file, as Windows Vista and later read it. Needs FFmpeg and Python 3.
# The .ico is committed; run this again when the icon changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=packaging/io.github.plumbline.Plumbline.png
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 24 32 48 64 128; do
  ffmpeg -v error -y -i "$src" -vf "scale=$size:$size:flags=lanczos" -pix_fmt rgba \
    "$tmp/$size.png"
done
cp "$src" "$tmp/256.png"
python3 - "$tmp" packaging/windows/plumbline.ico <<'PY'
import struct, sys
folder, out = sys.argv[1], sys.argv[2]
sizes = [16, 24, 32, 48, 64, 128, 256]
images = [open(f"{folder}/{s}.png", "rb").read() for s in sizes]
# ICONDIR, then one ICONDIRENTRY per image (a size of 256 is written as 0), then the images.
header = struct.pack("<HHH", 0, 1, len(images))
offset = len(header) + 16 * len(images)
entries = b""
for size, data in zip(sizes, images):
    side = size % 256
    entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
with open(out, "wb") as f:
    f.write(header + entries + b"".join(images))
PY
echo "wrote packaging/windows/plumbline.ico"
