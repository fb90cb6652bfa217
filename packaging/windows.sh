#!/usr/bin/env bash
# Builds plumbline for 64-bit Windows, cross-compiled on Debian/Ubuntu, into target/windows/:
#   plumbline-<version>-windows-x64.zip        a portable folder: unpack anywhere and run
#   plumbline-<version>-windows-x64-setup.exe  a per-user installer (NSIS), no administrator
# The folder holds plumbline.exe (the command line, and the app from a terminal), plumblinew.exe
# (the app without a console window, for the Start menu), FFmpeg's ffmpeg.exe, ONNX Runtime's
# onnxruntime.dll in onnxruntime\ with its licence, the models with MODELS.sha256, the demo,
# the example photo, the licences and a README for Windows users. plumbline finds each beside
# itself (src/install.rs); nothing needs an environment variable.
#
# Run after `bash .ci/setup.sh`. Installs what it lacks: the Rust target
# x86_64-pc-windows-gnu, Debian's mingw-w64 (the linker and windres) and nsis (makensis), and
# fetches the pinned win_amd64 wheels of onnxruntime (onnxruntime.dll) and imageio-ffmpeg
# (ffmpeg.exe) into .ort/windows/. Prints the two files' paths.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.32.0
IMAGEIO_FFMPEG_VERSION=0.8.1
TARGET=x86_64-pc-windows-gnu
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
name="plumbline-$version-windows-x64"
out=target/windows
cache=.ort/windows

# --- What the build needs ---------------------------------------------------------------
source .ci/apt.sh
apt_ensure windows mingw-w64 nsis python3-pip
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"

stamp="$cache/VERSIONS"
want="onnxruntime $ORT_VERSION, imageio-ffmpeg $IMAGEIO_FFMPEG_VERSION"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -f "$cache/onnxruntime.dll" ] \
  || [ ! -f "$cache/ffmpeg.exe" ]; then
  echo "windows: fetching the win_amd64 wheels ($want)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
    --platform win_amd64 -d "$tmp" "onnxruntime==$ORT_VERSION" \
    "imageio-ffmpeg==$IMAGEIO_FFMPEG_VERSION"
  mkdir -p "$cache"
  python3 - "$tmp" "$cache" <<'PY'
import glob, shutil, sys, zipfile
tmp, cache = sys.argv[1], sys.argv[2]
def take(wheel_glob, wanted):
    wheel = glob.glob(f"{tmp}/{wheel_glob}")[0]
    with zipfile.ZipFile(wheel) as z:
        for match, target in wanted:
            names = [n for n in z.namelist() if match(n)]
            if not names:
                sys.exit(f"windows: nothing like {target} inside {wheel}")
            with z.open(names[0]) as src, open(f"{cache}/{target}", "wb") as dst:
                shutil.copyfileobj(src, dst)
take("onnxruntime-*.whl", [
    (lambda n: n == "onnxruntime/capi/onnxruntime.dll", "onnxruntime.dll"),
    (lambda n: n == "onnxruntime/LICENSE", "onnxruntime-LICENSE.txt"),
    (lambda n: n == "onnxruntime/ThirdPartyNotices.txt", "onnxruntime-ThirdPartyNotices.txt"),
])
take("imageio_ffmpeg-*.whl", [
    (lambda n: n.startswith("imageio_ffmpeg/binaries/ffmpeg-win") and n.endswith(".exe"),
     "ffmpeg.exe"),
])
PY
  echo "$ORT_VERSION" > "$cache/VERSION"
  echo "$want" > "$stamp"
fi

# --- The build ----------------------------------------------------------------------------
cargo build --release --locked --target "$TARGET" --features windows-launcher --bins
bin="target/$TARGET/release"

rm -rf "${out:?}/$name" "$out/$name.zip" "$out/$name-setup.exe"
stage="$out/$name"
mkdir -p "$stage/models" "$stage/onnxruntime" "$stage/licences" "$stage/docs"
# Line tables are for backtraces here; the shipped programs go without them.
x86_64-w64-mingw32-strip -o "$stage/plumbline.exe" "$bin/plumbline.exe"
x86_64-w64-mingw32-strip -o "$stage/plumblinew.exe" "$bin/plumblinew.exe"
cp "$cache/ffmpeg.exe" "$stage/"
cp "$cache/onnxruntime.dll" "$cache/VERSION" "$stage/onnxruntime/"
cp models/pose_detection.onnx models/pose_landmark_lite.onnx models/pose_landmark_full.onnx \
  models/MODELS.sha256 "$stage/models/"
cp assets/demo-practice.mp4 assets/example-astronaut.png "$stage/"
cp packaging/windows/plumbline.ico "$stage/"

# Licences, in Windows' line endings so Notepad shows them as written.
crlf() { sed 's/\r*$/\r/' "$1" > "$2"; }
crlf packaging/windows/README.txt "$stage/README.txt"
crlf README.md "$stage/docs/README.md"
crlf packaging/windows/LICENCES.txt "$stage/licences/LICENCES.txt"
crlf models/LICENSE-APACHE-2.0 "$stage/licences/Apache-2.0.txt"
crlf models/README.md "$stage/licences/MODELS.md"
crlf "$cache/onnxruntime-LICENSE.txt" "$stage/licences/onnxruntime-LICENSE.txt"
crlf "$cache/onnxruntime-ThirdPartyNotices.txt" \
  "$stage/licences/onnxruntime-ThirdPartyNotices.txt"
crlf packaging/windows/FFmpeg.txt "$stage/licences/FFmpeg.txt"
crlf /usr/share/common-licenses/GPL-3 "$stage/licences/FFmpeg-GPL-3.0.txt"

# The portable zip: one top-level folder, files in a fixed order with fixed times, so two
# builds of one commit give the same archive.
python3 - "$out" "$name" <<'PY'
import os, sys, zipfile
out, name = sys.argv[1], sys.argv[2]
paths = []
for root, dirs, files in os.walk(os.path.join(out, name)):
    dirs.sort()
    paths += sorted(os.path.join(root, f) for f in files)
with zipfile.ZipFile(os.path.join(out, name + ".zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for path in paths:
        info = zipfile.ZipInfo(os.path.relpath(path, out).replace(os.sep, "/"), (2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(path, "rb") as f:
            z.writestr(info, f.read())
PY

# The installer: every file of the folder, listed for the uninstaller too.
python3 - "$stage" "$out/files.nsh" <<'PY'
import os, sys
stage, listing = sys.argv[1], sys.argv[2]
install, remove, folders = [], [], []
for root, dirs, files in os.walk(stage):
    dirs.sort()
    rel = os.path.relpath(root, stage)
    win = "" if rel == "." else "\\" + rel.replace(os.sep, "\\")
    if rel != ".":
        folders.append(win)
    install.append(f'SetOutPath "$INSTDIR{win}"')
    for f in sorted(files):
        install.append(f'File "{os.path.abspath(os.path.join(root, f))}"')
        remove.append(f'Delete "$INSTDIR{win}\\{f}"')
with open(listing, "w") as out:
    out.write("!macro InstallFiles\n" + "\n".join(install) + "\n!macroend\n")
    out.write("!macro RemoveFiles\n" + "\n".join(remove) + "\n")
    for win in sorted(folders, key=len, reverse=True):
        out.write(f'RMDir "$INSTDIR{win}"\n')
    out.write("!macroend\n")
PY
size_kb=$(du -sk "$stage" | cut -f1)
makensis -V2 -INPUTCHARSET UTF8 \
  -DVERSION="$version" -DFILES="$(realpath "$out/files.nsh")" \
  -DICON="$(realpath packaging/windows/plumbline.ico)" -DSIZE_KB="$size_kb" \
  -DOUTFILE="$(realpath "$out")/$name-setup.exe" packaging/windows/installer.nsi
rm "$out/files.nsh"

echo "$out/$name.zip"
echo "$out/$name-setup.exe"
