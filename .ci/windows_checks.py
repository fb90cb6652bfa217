#!/usr/bin/env python3
"""The Windows build under Wine, checked against the Linux build (called by .ci/windows.sh,
which makes the Wine prefix and the packages). Each check prints one line; the first failure
stops the run with exit 1 and what was seen."""

import argparse
import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

# A folder name with a space and an accent, as Windows users' folders often have.
UNPACK_DIR = "Programme Tést"


def fail(what: str) -> None:
    print(f"windows-ci: FAILED: {what}", file=sys.stderr)
    sys.exit(1)


def ok(what: str) -> None:
    print(f"windows-ci: ok: {what}", flush=True)


class Wine:
    def __init__(self, wine: str, work: Path):
        self.wine = wine
        self.prefix = Path(os.environ["WINEPREFIX"])
        self.drive_c = self.prefix / "drive_c"
        # Started away from the checkout and from the program's folder.
        self.cwd = work / "elsewhere"
        self.cwd.mkdir(exist_ok=True)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("PLUMBLINE_") and k != "ORT_DYLIB_PATH"}

    def win(self, path: Path) -> str:
        """The Windows name of a path under drive_c."""
        return "C:\\" + str(path.relative_to(self.drive_c)).replace("/", "\\")

    def run(self, exe: Path, *args: str, xvfb: bool = False, timeout: int = 600):
        cmd = [self.wine, self.win(exe), *args]
        if xvfb:
            cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *cmd]
        return subprocess.run(cmd, cwd=self.cwd, env=self.env, capture_output=True,
                              timeout=timeout)

    def reg_query(self, key: str) -> int:
        """`reg query KEY`'s exit code: 0 when the key exists."""
        return subprocess.run([self.wine, "reg", "query", key], env=self.env,
                              capture_output=True).returncode

    def wait(self) -> None:
        """Until every program in the prefix has ended."""
        subprocess.run(["wineserver", "-w"], env=self.env, check=True)

    def local_appdata(self) -> Path:
        users = self.drive_c / "users"
        for user in users.iterdir():
            local = user / "AppData" / "Local"
            if local.is_dir() and user.name != "Public":
                return local
        fail(f"no AppData\\Local under {users}")


def must(result, what: str):
    if result.returncode != 0:
        fail(f"{what} exited {result.returncode}\n--- stdout\n"
             f"{result.stdout.decode(errors='replace')[-3000:]}\n--- stderr\n"
             f"{result.stderr.decode(errors='replace')[-3000:]}")
    return result


def png_colours(path: Path) -> int:
    """Distinct colours in an 8-bit RGB or RGBA PNG (no external libraries)."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, width, height, kind = 8, b"", 0, 0, 0
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", body[:10])
            if depth != 8 or kind not in (2, 6):
                fail(f"{path}: a PNG of depth {depth}, colour type {kind}")
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 3 if kind == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    colours, previous = set(), bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind_of_filter, row = line[0], bytearray(line[1:])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind_of_filter == 1:
                row[i] = (row[i] + left) & 255
            elif kind_of_filter == 2:
                row[i] = (row[i] + up) & 255
            elif kind_of_filter == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind_of_filter == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc
                                    else corner)) & 255
        for x in range(0, stride, channels * 7):
            colours.add(bytes(row[x:x + 3]))
        previous = row
    return len(colours)


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("wine", "linux", "zip", "setup", "repo", "work"):
        parser.add_argument(f"--{name}", required=True)
    a = parser.parse_args()
    repo, work = Path(a.repo), Path(a.work)
    wine = Wine(a.wine, work)

    # --- The portable zip, unpacked into a folder with a space and an accent ---------------
    unpack = wine.drive_c / UNPACK_DIR
    with zipfile.ZipFile(a.zip) as z:
        z.extractall(unpack)
    (folder,) = list(unpack.iterdir())
    exe = folder / "plumbline.exe"
    for item in ("plumblinew.exe", "ffmpeg.exe", "onnxruntime/onnxruntime.dll",
                 "onnxruntime/VERSION", "models/MODELS.sha256", "models/pose_landmark_full.onnx",
                 "demo-practice.mp4", "example-astronaut.png", "README.txt",
                 "licences/LICENCES.txt", "licences/FFmpeg-GPL-3.0.txt"):
        if not (folder / item).is_file():
            fail(f"the zip has no {item}")
    ok(f"the zip unpacks into C:\\{UNPACK_DIR}\\{folder.name} with everything listed")

    # --- pose on the example photo: the Linux build's landmarks ---------------------------
    photo = folder / "example-astronaut.png"
    windows = json.loads(must(wine.run(exe, "pose", wine.win(photo)), "pose").stdout)
    linux = json.loads(must(subprocess.run([a.linux, "pose", str(repo / "assets/example-astronaut.png")],
                                           capture_output=True), "the Linux pose").stdout)
    if not windows.get("person"):
        fail(f"pose found nobody: {windows}")
    worst = max(abs(w - l) for wl, ll in zip(windows["landmarks"], linux["landmarks"])
                for w, l in zip(wl, ll))
    if len(windows["landmarks"]) != 33 or worst > 2e-6:
        fail(f"pose differs from Linux by {worst} (landmarks {len(windows['landmarks'])})")
    ok(f"pose finds the person, 33 landmarks within {worst:.0e} of the Linux build's")

    # --- analyze on the demo walk: the Linux build's states and walking -------------------
    out = wine.drive_c / "out"
    out.mkdir()
    demo = folder / "demo-practice.mp4"
    must(wine.run(exe, "analyze", wine.win(demo), "--quiet", "--csv", wine.win(out / "w.csv"),
                  "--json", wine.win(out / "w.json")), "analyze")
    linux_data = work / "linux-data"
    linux_data.mkdir()
    must(subprocess.run([a.linux, "analyze", str(repo / "assets/demo-practice.mp4"), "--quiet",
                         "--no-record", "--csv", str(work / "l.csv"), "--json",
                         str(work / "l.json")], capture_output=True,
                        env=dict(os.environ, PLUMBLINE_DATA_DIR=str(linux_data))),
         "the Linux analyze")

    def states(path: Path):
        with open(path, newline="") as f:
            return [(r["frame"], r["state"]) for r in csv.DictReader(f)]

    ws, ls = states(out / "w.csv"), states(work / "l.csv")
    if ws != ls:
        diff = [(w, l) for w, l in zip(ws, ls) if w != l][:5]
        fail(f"per-frame states differ ({len(ws)} vs {len(ls)} frames; first: {diff})")
    wj, lj = json.loads((out / "w.json").read_text()), json.loads((work / "l.json").read_text())
    for key in ("walking_s", "steps", "steps_counted", "steps_timed"):
        if wj["motion"][key] != lj["motion"][key]:
            fail(f"motion.{key}: {wj['motion'][key]} on Windows, {lj['motion'][key]} on Linux")
    cadence = (wj["motion"]["cadence_spm"], lj["motion"]["cadence_spm"])
    if abs(cadence[0] - cadence[1]) > 0.1:
        fail(f"cadence {cadence[0]} on Windows, {cadence[1]} on Linux")
    if wj["time_in_state"] != lj["time_in_state"]:
        fail(f"time in state: {wj['time_in_state']} vs {lj['time_in_state']}")
    ok(f"analyze gives the demo's {len(ws)} frames the Linux states, "
       f"{wj['motion']['steps_counted']} steps at {cadence[0]:.1f} steps/min")
    # Windows' null device is written in place, as /dev/null is on Linux; `-` is stdout.
    nul = must(wine.run(exe, "analyze", wine.win(photo), "--quiet", "--no-record", "--csv", "NUL",
                        "--json", "-"), "analyze --csv NUL --json -")
    if not json.loads(nul.stdout).get("frames") or any(wine.cwd.iterdir()):
        fail(f"--csv NUL: {nul.stdout[:200]!r}, left {sorted(wine.cwd.iterdir())}")
    ok("analyze writes into NUL in place and its summary to standard output")
    sessions = json.loads(must(wine.run(exe, "sessions", "--json"), "sessions").stdout)
    data = wine.local_appdata() / "plumbline" / "data"
    if len(sessions) != 1 or not (data / "plumbline.sqlite").is_file():
        fail(f"the session is not in {data}: {sessions}")
    ok(f"the analysis is recorded in %LOCALAPPDATA%\\plumbline\\data")

    # --- the window --------------------------------------------------------------------------
    shot = out / "window.png"
    must(wine.run(exe, "app", "--source", wine.win(photo), "--window-size", "1280x800",
                  "--screenshot", wine.win(shot), "--frames", "5", xvfb=True), "app --screenshot")
    colours = png_colours(shot)
    if colours < 50:
        fail(f"the screenshot has {colours} colours: a blank window")
    ok(f"app --screenshot draws the window ({colours} colours sampled)")

    # --- doctor ------------------------------------------------------------------------------
    doctor = wine.run(exe, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    for name in ("onnx runtime", "models", "pose engine", "ffmpeg"):
        if checks.get(name, {}).get("status") != "ok":
            fail(f"doctor's {name}: {checks.get(name)}")
    if str(folder.name) not in checks["ffmpeg"]["detail"]:
        fail(f"doctor ran another ffmpeg: {checks['ffmpeg']['detail']}")
    ok("doctor finds the runtime, the models, the engine and the ffmpeg beside it")

    # --- the installer -----------------------------------------------------------------------
    setup = wine.drive_c / "setup.exe"
    shutil.copy(a.setup, setup)
    must(wine.run(setup, "/S"), "the silent install")
    installed = wine.local_appdata() / "Programs" / "plumbline"
    files = sorted(p.relative_to(installed) for p in installed.rglob("*") if p.is_file())
    expected = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    if [f for f in files if str(f) != "uninstall.exe"] != expected:
        fail(f"installed {len(files)} files, the zip has {len(expected)}")
    start_menu = list(wine.drive_c.glob("users/*/AppData/Roaming/Microsoft/Windows/Start Menu/"
                                        "Programs/plumbline.lnk"))
    if not start_menu:
        fail("no Start menu entry")
    installed_pose = json.loads(must(wine.run(installed / "plumbline.exe", "pose",
                                              wine.win(installed / "example-astronaut.png")),
                                     "the installed pose").stdout)
    if installed_pose["landmarks"] != windows["landmarks"]:
        fail("the installed copy finds other landmarks")
    ok(f"the installer puts {len(files)} files in %LOCALAPPDATA%\\Programs\\plumbline, "
       "a Start menu entry, and the installed copy runs")
    uninstall = installed / "uninstall.exe"
    key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\plumbline"
    if wine.reg_query(key) != 0:
        fail("no entry under Installed apps")
    # NSIS' uninstaller copies itself to a temporary folder and returns at once; wait for
    # every Wine process to end.
    must(wine.run(uninstall, "/S"), "the silent uninstall")
    wine.wait()
    left = sorted(str(p) for p in installed.rglob("*")) if installed.exists() else []
    if left or installed.exists() or start_menu[0].exists() or wine.reg_query(key) == 0:
        fail(f"the uninstaller left {left or installed}, the Start menu entry "
             f"{start_menu[0].exists()}, the registry entry {wine.reg_query(key) == 0}")
    if not (data / "plumbline.sqlite").is_file():
        fail("the uninstaller removed the user's sessions unasked")
    ok("the uninstaller removes every installed file, the Start menu entry and its registry "
       "entry, and keeps the sessions")
    # Asked to, it erases them as `plumbline data erase` does.
    must(wine.run(setup, "/S"), "the second install")
    must(wine.run(uninstall, "/S", "/ERASEDATA"), "the erasing uninstall")
    wine.wait()
    if (data / "plumbline.sqlite").exists() or installed.exists():
        fail(f"/ERASEDATA left {sorted(p.name for p in data.iterdir())}")
    ok("the uninstaller with /ERASEDATA erases the sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
