#!/usr/bin/env bash
# The Debian package as a user gets it: built (packaging/deb.sh), its desktop entry and
# AppStream metainfo validated, installed with `dpkg -i`, the installed program run with none
# of plumbline's environment variables and away from the checkout (`pose` on the installed
# example photo, the app's screenshot mode under Xvfb, `doctor`), then purged, checking that
# nothing it installed is left behind. Run by .ci/run after the tests; needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
tools=(dpkg-dev desktop-file-utils appstream)
missing=()
for p in "${tools[@]}"; do
  # "install ok installed": `dpkg -s` also succeeds for a removed package whose configuration
  # files remain.
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "package: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v cargo-deb >/dev/null; then
  echo "package: installing cargo-deb"
  cargo install --quiet --locked cargo-deb@3.8.0
fi

desktop-file-validate packaging/*.desktop
appstreamcli validate --no-net packaging/*.metainfo.xml

if dpkg -s plumbline >/dev/null 2>&1; then
  echo "package: plumbline is installed on this machine already; not touching it" >&2
  exit 1
fi
deb="$checkout/$(bash packaging/deb.sh | tail -n 1 | sed "s|^$checkout/||")"
echo "package: built $deb ($(du -h "$deb" | cut -f1))"

$sudo dpkg -i "$deb" >/dev/null
# Removed however the checks end; the last step checks the removal itself.
trap '$sudo dpkg --purge plumbline >/dev/null 2>&1 || true' EXIT
mapfile -t installed < <(dpkg -L plumbline)

home=$(mktemp -d)
cd "$home"
# A user's shell: no ORT_DYLIB_PATH, no PLUMBLINE_* variables, only the system's PATH.
as_user() { env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
[ "$(as_user sh -c 'command -v plumbline')" = /usr/bin/plumbline ]

as_user plumbline pose /usr/share/plumbline/example-astronaut.png > pose.jsonl
grep -q '"landmarks"' pose.jsonl || { echo "package: no pose in the example photo" >&2; exit 1; }
echo "package: plumbline pose found the person in the installed example photo"

as_user timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" \
  plumbline app --screenshot "$home/shot.png" --frames 30 --window-size 1280x800
head -c 8 shot.png | od -An -tx1 | grep -q "89 50 4e 47" \
  || { echo "package: the app wrote no screenshot" >&2; exit 1; }
echo "package: the installed app played its demo under Xvfb and saved $(du -h shot.png | cut -f1) screenshot"

status=0
as_user xvfb-run -a plumbline doctor --json > doctor.json 2> doctor.err || status=$?
python3 - doctor.json "$status" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
checks = {c["name"]: c for c in report["checks"]}
for c in report["checks"]:
    print(f"package: doctor: {c['status']:<8} {c['name']:<13} {c['detail']}")
# What the package ships must be found where it installed it, and work.
want = {
    "plumbline": "/usr/bin/plumbline",
    "onnx runtime": "/usr/lib/plumbline/libonnxruntime.so",
    "models": "/usr/share/plumbline/models",
    "pose engine": "/usr/share/plumbline/example-astronaut.png",
    "ffmpeg": "/usr/share/plumbline/demo-practice.mp4",
}
bad = [n for n, path in want.items()
       if checks[n]["status"] != "ok" or path not in checks[n]["detail"]]
bad += [n for n in ("data folder", "display") if checks[n]["status"] != "ok"]
code = int(sys.argv[2])
if code != (1 if report["problems"] else 0):
    bad.append(f"exit code {code} with {report['problems']} problems")
if bad:
    sys.exit(f"package: doctor: not as installed: {bad}")
PY
zcat /usr/share/man/man1/plumbline-doctor.1.gz | grep -q "doctor"
[ -s /usr/share/bash-completion/completions/plumbline ]
[ -s /usr/share/applications/io.github.plumbline.Plumbline.desktop ]

cd "$checkout"
rm -rf "$home"
$sudo dpkg --purge plumbline >/dev/null
trap - EXIT
left=()
for f in "${installed[@]}"; do
  # Folders the package shares with others (/usr, /usr/share/man/man1, …) stay.
  if [ -e "$f" ] && [ ! -d "$f" ]; then left+=("$f"); fi
done
for d in /usr/share/plumbline /usr/lib/plumbline /usr/share/doc/plumbline; do
  [ -e "$d" ] && left+=("$d")
done
if [ ${#left[@]} -gt 0 ]; then
  echo "package: left behind after purge: ${left[*]}" >&2
  exit 1
fi
echo "package: installed, ran and purged cleanly (${#installed[@]} paths, none left)"
