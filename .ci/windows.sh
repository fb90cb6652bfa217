#!/usr/bin/env bash
# CI for Windows: builds the portable zip and the installer (packaging/windows.sh), then runs
# them under Wine with Xvfb, as a Windows user would: unpacked into a folder whose name has a
# space and an accent, started from elsewhere, with none of plumbline's environment variables.
# It checks that
#   - `pose` finds the person in the example photo with the Linux build's landmarks;
#   - `analyze` gives the demo walk the Linux build's per-frame states and the same walking
#     time, steps and cadence, and records the session in %LOCALAPPDATA%\plumbline\data;
#   - `app --screenshot` draws the window (not a blank picture);
#   - `doctor` finds the runtime, the models, the engine and FFmpeg beside the exe;
#   - the installer installs silently (/S) without administrator rights, the installed copy
#     runs, and its uninstaller removes every file it wrote and its registry entry, and keeps
#     the user's sessions (and erases them when asked with /ERASEDATA).
# Needs the Linux release build (`cargo build --release`) for the comparison, and what
# `.ci/setup.sh` installs. Wine 8 lacks bcryptprimitives.dll, which Rust's standard library
# imports for ProcessPrng and every Windows 10 and 11 has: a stand-in built here goes into the
# test prefix's system32, never into the package.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

source .ci/apt.sh
apt_ensure windows-ci wine64 xvfb xauth

mapfile -t built < <(bash packaging/windows.sh)
zip=${built[-2]}
setup=${built[-1]}
linux="$repo/target/release/plumbline"
[ -x "$linux" ] || cargo build --release --locked

work=$(mktemp -d /tmp/plumbline-windows.XXXXXX)
trap 'wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
export WINEPREFIX="$work/prefix" WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko installers on first start: plumbline needs neither.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset PLUMBLINE_DATA_DIR PLUMBLINE_MODELS_DIR ORT_DYLIB_PATH
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
PATH="/usr/lib/wine:$PATH"
"$wine" wineboot --init >/dev/null 2>&1
wineserver -w

# The ProcessPrng stand-in (RtlGenRandom is advapi32's SystemFunction036).
cat > "$work/prng.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) { return RtlGenRandom(data, (ULONG)size); }
C
printf 'LIBRARY bcryptprimitives\nEXPORTS\nProcessPrng\n' > "$work/prng.def"
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$work/prng.c" "$work/prng.def" -ladvapi32

python3 "$repo/.ci/windows_checks.py" --wine "$wine" --linux "$linux" --zip "$zip" \
  --setup "$setup" --repo "$repo" --work "$work"
