#!/usr/bin/env python3
"""plumbline against MediaPipe on the same clips, whole process, wall time and peak memory.

plumbline: `plumbline analyze CLIP --no-record --quiet` (full model). MediaPipe 0.10.14: its
own pipeline, `mp.solutions.pose.Pose` in video mode (static_image_mode=False, complexity 1,
the full landmark model; segmentation off), fed every frame of the clip decoded by OpenCV.
Both processes are timed from start to exit (imports, model loading and decoding included)
and run alternately, so that load on the machine falls on both.

The clips: the bundled demo (assets/demo-practice.mp4, a person standing and walking, 640×480)
looped to 600 frames as H.264, and the same frames scaled into 1280×720 (pillarboxed), the
size webcams deliver.

    python3 -m venv .venv-fixtures
    .venv-fixtures/bin/pip install -r tests/fixtures/requirements-fixtures.txt
    cargo build --release
    .venv-fixtures/bin/python benches/side_by_side.py [--runs 3]

Prints a Markdown table: the median of the runs for each, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMES = 600
SIZES = [(640, 480), (1280, 720)]


def make_clip(out: Path, width: int, height: int) -> Path:
    """The demo looped to FRAMES frames at width×height, H.264, as a webcam recording is."""
    scaled_w = 640 * height // 480
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1",
         "-i", str(ROOT / "assets" / "demo-practice.mp4"),
         "-frames:v", str(FRAMES), "-an",
         "-vf", f"scale={scaled_w}:{height},pad={width}:{height}:{(width - scaled_w) // 2}:0",
         "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p",
         str(out)],
        check=True,
    )
    return out


def run_mediapipe(clip: Path) -> None:
    """MediaPipe's pose pipeline over every frame of `clip` (the timed child process)."""
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(str(clip))
    frames = found = 0
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1,
                                enable_segmentation=False) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            res = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            frames += 1
            found += res.pose_landmarks is not None
    print(f"mediapipe: {frames} frames, a person in {found}", file=sys.stderr)
    if frames != FRAMES:
        sys.exit(f"expected {FRAMES} frames, decoded {frames}")


def timed(cmd: list[str]) -> tuple[float, float]:
    """Runs `cmd`; returns its wall time in seconds and its peak resident memory in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed ({status}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--plumbline", type=Path, default=ROOT / "target" / "release" / "plumbline")
    ap.add_argument("--mediapipe-run", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mediapipe_run:
        run_mediapipe(args.mediapipe_run)
        return
    if not args.plumbline.is_file():
        sys.exit(f"{args.plumbline} is missing: run `cargo build --release` first")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for w, h in SIZES:
            clip = make_clip(Path(tmp) / f"clip{w}x{h}.mp4", w, h)
            ours = [str(args.plumbline), "analyze", str(clip), "--no-record", "--quiet",
                    "--model", "full", "--data-dir", str(Path(tmp) / "data")]
            theirs = [sys.executable, __file__, "--mediapipe-run", str(clip)]
            times: dict[str, list[tuple[float, float]]] = {"plumbline": [], "mediapipe": []}
            for _ in range(args.runs):
                times["plumbline"].append(timed(ours))
                times["mediapipe"].append(timed(theirs))
            med = {k: (statistics.median(t for t, _ in v), max(m for _, m in v))
                   for k, v in times.items()}
            runs = {k: ", ".join(f"{t:.2f}" for t, _ in v) for k, v in times.items()}
            print(f"{w}×{h}: plumbline {runs['plumbline']} s; mediapipe {runs['mediapipe']} s",
                  file=sys.stderr)
            rows.append((f"{w}×{h}", med["plumbline"], med["mediapipe"]))
    print(f"{FRAMES} frames, median of {args.runs} alternating runs, whole process:\n")
    print("| clip | plumbline | MediaPipe 0.10.14 | speed-up | peak memory (plumbline / MediaPipe) |")
    print("|---|---|---|---|---|")
    for name, (t_ours, m_ours), (t_mp, m_mp) in rows:
        print(f"| {name} | {t_ours:.2f} s | {t_mp:.2f} s | **{t_mp / t_ours:.2f}×** "
              f"| {m_ours:.0f} MB / {m_mp:.0f} MB |")


if __name__ == "__main__":
    main()
