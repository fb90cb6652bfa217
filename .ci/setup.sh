#!/usr/bin/env bash
# Provisions a fresh Debian/Ubuntu machine for plumbline: the Debian packages the build and
# tests need, and the ONNX Runtime shared library (from the pinned PyPI wheel) in .ort/.
# Idempotent: a second run only checks. Used by the README's two commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.32.0
# Debian packages: pkg-config for -sys crates, ffmpeg to decode videos, libclang-dev for the
# camera crate's bindgen, libasound2-dev for the alert sound (ALSA, through rodio/cpal),
# python3 + pip to fetch the ONNX Runtime wheel; Xvfb, Mesa's GL and the X libraries winit
# loads, for the app's window tests; libspeechd-dev to build the spoken cues (Speech
# Dispatcher), and speech-dispatcher with espeak-ng to hear them.
APT_PACKAGES=(pkg-config python3 python3-pip unzip ffmpeg libclang-dev libasound2-dev
  xvfb xauth libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6
  libspeechd-dev speech-dispatcher espeak-ng speech-dispatcher-espeak-ng)

source .ci/apt.sh
apt_ensure setup "${APT_PACKAGES[@]}"

lib=.ort/libonnxruntime.so
stamp=.ort/VERSION
# The library's licence and third-party notices come with it (the Debian package ships them).
if [ -f "$lib" ] && [ -f .ort/LICENSE ] && [ -f .ort/ThirdPartyNotices.txt ] \
  && [ "$(cat "$stamp" 2>/dev/null)" = "$ORT_VERSION" ]; then
  echo "setup: ONNX Runtime $ORT_VERSION present in .ort/"
else
  echo "setup: fetching ONNX Runtime $ORT_VERSION (the PyPI onnxruntime wheel's libonnxruntime.so)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 \
    -d "$tmp" "onnxruntime==$ORT_VERSION"
  mkdir -p .ort
  python3 - "$tmp" <<'PY'
import glob, shutil, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/onnxruntime-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if "/capi/libonnxruntime.so" in n]
    if not names:
        sys.exit(f"setup: no libonnxruntime.so inside {wheel}")
    with z.open(sorted(names, key=len)[-1]) as src, open(".ort/libonnxruntime.so", "wb") as dst:
        shutil.copyfileobj(src, dst)
    for name in ("LICENSE", "ThirdPartyNotices.txt"):
        with z.open("onnxruntime/" + name) as src, open(".ort/" + name, "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
  echo "$ORT_VERSION" > "$stamp"
  echo "setup: installed .ort/libonnxruntime.so"
fi
