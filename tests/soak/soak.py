#!/usr/bin/env python3
"""A practice recorded for a long time in the real app, measured as it runs.

The app (a real window under Xvfb) plays a paced 30 fps video of the bundled demo, looped for
--minutes, and records it as a session, as a person practising in front of the camera would.
Meanwhile this script samples the app's resident memory and the database's size; at the end it
builds the session's reports. It prints, and writes to OUT/soak.json and OUT/soak.md:

- resident memory over time, and how far it moved from the first minute to the last;
- the database's growth, as MB per hour of 30 fps practice;
- the time `plumbline report` takes to build the session's PDF and HTML.

It exits 1 when memory moved more than --max-growth-mb (3) or the database grows faster than
--max-db-mb-per-hour (20). The README's soak figures come from `--minutes 60`; CI runs
`--minutes 5`. Needs what `.ci/setup.sh` installs (FFmpeg, Xvfb) and a release build.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FPS = 30
FRAMES_PER_HOUR = FPS * 3600


def make_source(out: Path, minutes: float) -> Path:
    """The demo at a true 30 fps (motion-interpolated from its 15 fps, so no two frames are
    the same picture), looped for `minutes`."""
    once = out / "demo-30fps.mp4"
    if not once.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(REPO / "assets/demo-practice.mp4"),
             "-vf", f"minterpolate=fps={FPS}", "-c:v", "libx264", "-preset", "veryfast",
             "-pix_fmt", "yuv420p", str(once)],
            check=True)
    looped = out / f"soak-{minutes:g}min.mp4"
    if not looped.exists():
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(once),
             "-t", str(minutes * 60), "-c", "copy", str(looped)],
            check=True)
    return looped


def find_app(parent_pid: int, binary: Path):
    """The plumbline process under xvfb-run (its descendant running our binary)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0] == str(binary).encode() and b"app" in cmd:
            return int(entry.name)
    return None


def rss_kb(pid: int):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def database_bytes(data: Path) -> int:
    return sum(p.stat().st_size for p in data.glob("plumbline.sqlite*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--out", type=Path, default=REPO / "target/soak")
    ap.add_argument("--binary", type=Path, default=REPO / "target/release/plumbline")
    ap.add_argument("--model", default="full")
    ap.add_argument("--every", type=float, default=5.0, help="seconds between samples")
    ap.add_argument("--max-growth-mb", type=float, default=3.0)
    ap.add_argument("--max-db-mb-per-hour", type=float, default=20.0)
    args = ap.parse_args()

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    shutil.rmtree(data, ignore_errors=True)
    source = make_source(out, args.minutes)
    binary = args.binary.resolve()

    env = dict(os.environ, PLUMBLINE_DATA_DIR=str(data))
    started = time.monotonic()
    app = subprocess.Popen(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(binary), "app",
         "--model", args.model, "--source", str(source), "--record",
         "--window-size", "1280x800", "--screenshot", str(out / "last.png"),
         "--frames", str(10**9)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(out / "app.log", "w"))
    pid = None
    samples = []  # (seconds since start, rss MB, database MB)
    while app.poll() is None:
        time.sleep(args.every)
        pid = pid or find_app(app.pid, binary)
        if pid is None:
            continue
        rss = rss_kb(pid)
        if rss is not None:
            t = time.monotonic() - started
            samples.append((round(t, 1), rss / 1024, database_bytes(data) / 1e6))
            print(f"{t / 60:6.1f} min  rss {rss / 1024:7.1f} MB  db {samples[-1][2]:6.1f} MB",
                  flush=True)
    wall_s = time.monotonic() - started
    if app.returncode != 0:
        print(f"the app exited {app.returncode}; see {out / 'app.log'}", file=sys.stderr)
        return 2

    listed = json.loads(subprocess.run(
        [str(binary), "sessions", "--json"], env=env, check=True,
        capture_output=True).stdout)
    session = listed[0]
    frames = session["samples"]
    db_mb = database_bytes(data) / 1e6
    per_hour = db_mb / (frames / FRAMES_PER_HOUR)

    timings = {}
    for fmt in ("pdf", "html"):
        t0 = time.monotonic()
        subprocess.run([str(binary), "report", str(session["id"]), "--format", fmt,
                        "-o", str(out / f"report.{fmt}")], env=env, check=True,
                       capture_output=True)
        timings[fmt] = round(time.monotonic() - t0, 2)

    # Memory from the first minute to the last: the median of each minute's samples.
    def minute(lo, hi):
        vals = [m for (t, m, _) in samples if lo <= t < hi]
        return statistics.median(vals) if vals else None
    first = minute(60, 120) or minute(0, 60)
    last = minute(wall_s - 60, wall_s + 1)
    after_first = [m for (t, m, _) in samples if t >= 60] or [m for (_, m, _) in samples]
    growth = last - first
    result = {
        "minutes_planned": args.minutes,
        "wall_minutes": round(wall_s / 60, 1),
        "session": session["id"],
        "frames_recorded": frames,
        "recorded_minutes": round(session["duration_s"] / 60, 1),
        "status": session["status"],
        "rss_first_minute_mb": round(first, 1),
        "rss_last_minute_mb": round(last, 1),
        "rss_growth_mb": round(growth, 1),
        "rss_range_after_first_minute_mb": [round(min(after_first), 1),
                                            round(max(after_first), 1)],
        "database_mb": round(db_mb, 2),
        "database_mb_per_hour_at_30fps": round(per_hour, 1),
        "database_bytes_per_frame": round(db_mb * 1e6 / frames, 1),
        "report_seconds": timings,
        "samples": samples,
    }
    (out / "soak.json").write_text(json.dumps(result, indent=1))
    lines = [
        f"soak: {result['recorded_minutes']} min recorded ({frames} frames, {session['status']}) "
        f"in {result['wall_minutes']} min",
        f"resident memory: {first:.1f} MB in the first minute, {last:.1f} MB in the last "
        f"({growth:+.1f} MB; {min(after_first):.1f}–{max(after_first):.1f} MB after the first "
        f"minute)",
        f"database: {db_mb:.1f} MB, {result['database_bytes_per_frame']} bytes a frame, "
        f"{per_hour:.1f} MB per hour of 30 fps practice",
        f"report of the session: PDF {timings['pdf']} s, HTML {timings['html']} s",
    ]
    (out / "soak.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    failed = []
    if abs(growth) > args.max_growth_mb:
        failed.append(f"memory moved {growth:+.1f} MB (at most {args.max_growth_mb})")
    if per_hour > args.max_db_mb_per_hour:
        failed.append(f"the database grows {per_hour:.1f} MB an hour "
                      f"(at most {args.max_db_mb_per_hour})")
    if session["status"] != "complete":
        failed.append(f"the session ended {session['status']}")
    for f in failed:
        print(f"soak: FAILED: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
