//! `plumbline pose`: landmarks for images as JSON Lines, one object per image.

use std::io::{BufWriter, Write};
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;

use super::args::{PoseArgs, engine_config as engine_args};
use super::outcome::Outcome;
use super::say::say;
use crate::geometry::metrics::{self, Metrics, MetricsConfig};
use crate::pose::roi::ImageSize;
use crate::pose::{EngineConfig, Pose, PoseEstimator};
use crate::source::images::read_image;

/// One output line. Field names and conventions follow MediaPipe's Python solution so the
/// output can be compared with it directly.
#[derive(Debug, Serialize)]
struct PoseLine<'a> {
    image: &'a str,
    width: u32,
    height: u32,
    person: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    /// `[x, y, z, visibility, presence]` per landmark, x and y normalised to the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    landmarks: Option<Vec<[f64; 5]>>,
    /// `[x, y, z]` per landmark in metres, origin between the hips.
    #[serde(skip_serializing_if = "Option::is_none")]
    world_landmarks: Option<Vec<[f64; 3]>>,
    /// Posture metrics (see the README for names, signs and units).
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<Metrics>,
}

/// Six decimals: a micro-pixel on any camera, and lines people can read.
fn r6(v: f32) -> f64 {
    (v as f64 * 1e6).round() / 1e6
}

impl<'a> PoseLine<'a> {
    fn new(
        image: &'a str,
        width: u32,
        height: u32,
        pose: Option<&Pose>,
        metrics_config: &MetricsConfig,
    ) -> Self {
        Self {
            image,
            width,
            height,
            person: pose.is_some(),
            score: pose.map(|p| r6(p.score)),
            landmarks: pose.map(|p| {
                p.landmarks
                    .iter()
                    .map(|l| [r6(l.x), r6(l.y), r6(l.z), r6(l.visibility), r6(l.presence)])
                    .collect()
            }),
            world_landmarks: pose.map(|p| {
                p.world
                    .iter()
                    .map(|w| [r6(w.x), r6(w.y), r6(w.z)])
                    .collect()
            }),
            metrics: pose.map(|p| metrics::compute(p, ImageSize { width, height }, metrics_config)),
        }
    }
}

fn engine_config(args: &PoseArgs) -> EngineConfig {
    let mut config = engine_args(&args.engine, args.sequence);
    if args.no_smoothing {
        config.smoothing = false;
    }
    if args.no_brighten {
        config.brighten_dark = false;
    }
    config
}

pub fn run(args: &PoseArgs) -> anyhow::Result<Outcome> {
    let metrics_config = MetricsConfig {
        min_visibility: args.min_visibility,
    };
    let mut estimator =
        PoseEstimator::new(&engine_config(args)).context("cannot start the pose engine")?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0;
    for (i, path) in args.images.iter().enumerate() {
        let image = match read_image(path) {
            Ok(img) => img,
            Err(reason) => {
                say(format_args!(
                    "cannot read the image ({reason}): {}",
                    path.display()
                ));
                failed += 1;
                continue;
            }
        };
        let t = Duration::from_secs_f64(i as f64 / args.fps);
        let pose = estimator
            .estimate(&image, t)
            .with_context(|| format!("pose estimation failed on {}", path.display()))?;
        let name = path.to_string_lossy();
        let line = PoseLine::new(
            &name,
            image.width(),
            image.height(),
            pose.as_ref(),
            &metrics_config,
        );
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
        if args.sequence {
            out.flush()?;
        }
    }
    out.flush()?;
    Ok(if failed == 0 {
        Outcome::Success
    } else {
        Outcome::SomeFailed(failed)
    })
}
