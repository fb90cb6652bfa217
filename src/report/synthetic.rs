//! Synthetic sessions with known levels, cues, times and walking, for the summary and advice
//! tests: each frame recorded as the judge would have.

use crate::geometry::MetricId;
use crate::geometry::advice::{Cue, words};
use crate::geometry::metrics::Metrics;
use crate::geometry::state::{MetricLevels, PostureState};
use crate::geometry::view::{Facing, View};
use crate::report::advice::Reference;
use crate::report::input::{ReportInput, SessionInfo};
use crate::report::summary::{Summary, SummaryBuilder};
use crate::session::Sample;

/// Frames per second of a synthetic session.
pub const FPS: f64 = 10.0;

/// A stretch of a synthetic session: how long, each judged metric's level (the rest not
/// judged), and the walking cadence.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub secs: f64,
    pub levels: &'static [(MetricId, PostureState)],
    pub cadence_spm: Option<f32>,
}

/// `secs` standing with `levels`.
pub const fn standing(secs: f64, levels: &'static [(MetricId, PostureState)]) -> Part {
    Part {
        secs,
        levels,
        cadence_spm: None,
    }
}

/// `secs` walking at `cadence_spm` with `levels`.
pub const fn walking(
    secs: f64,
    cadence_spm: f32,
    levels: &'static [(MetricId, PostureState)],
) -> Part {
    Part {
        secs,
        levels,
        cadence_spm: Some(cadence_spm),
    }
}

/// A value of `id` at `level`: inside, within or past its default band.
fn value_at(id: MetricId, level: PostureState) -> f32 {
    let band = id
        .spec()
        .band
        .map_or((1.0, 2.0), |b| (b.drifting, b.misaligned));
    match level {
        PostureState::Misaligned => band.1 * 1.5,
        PostureState::Drifting => (band.0 + band.1) / 2.0,
        _ => band.0 / 2.0,
    }
}

/// The session of `parts` in order at [`FPS`], seen from the side by a person facing the
/// picture's right. Each frame's state is its worst level (no dwell) and its cue, when a
/// metric is off, is about the worst one first by cue rank, in the words the judge gives.
pub fn session(parts: &[Part]) -> Vec<Sample> {
    let mut out = Vec::new();
    for part in parts {
        let frames = (part.secs * FPS).round() as u64;
        for _ in 0..frames {
            let frame = out.len() as u64;
            let mut levels = MetricLevels::default();
            let mut metrics = Metrics::new(Some(View::Side));
            for &(id, level) in part.levels {
                levels.set(id, level);
                metrics.set(id, Some(value_at(id, level)));
            }
            let state = levels.worst();
            let cue = part
                .levels
                .iter()
                .filter(|(_, l)| *l == state && state >= PostureState::Drifting)
                .min_by_key(|(id, _)| id.spec().cue_rank)
                .map(|&(metric, level)| Cue {
                    metric,
                    text: words(metric, value_at(metric, level), Some(Facing::Right)),
                });
            out.push(Sample {
                frame,
                t_ms: frame as f64 * 1000.0 / FPS,
                person: true,
                metrics: Some(metrics),
                state,
                cadence_spm: part.cadence_spm,
                levels: Some(levels),
                cue,
            });
        }
    }
    out
}

/// `samples` as a session stored before levels and cues were kept.
pub fn without_levels(mut samples: Vec<Sample>) -> Vec<Sample> {
    for s in &mut samples {
        s.levels = None;
        s.cue = None;
    }
    samples
}

/// The summary of `samples` from `clip.mp4` with the full model, no preset or goal.
pub fn summary_of(samples: &[Sample]) -> Summary {
    let mut b = SummaryBuilder::default();
    for s in samples {
        b.push(s);
    }
    b.finish("clip.mp4", "full", None)
}

/// The report input of session 7 of `samples` (started "2026-11-25 17:40 UTC", `clip.mp4`,
/// complete, no notes, keyframes or earlier sessions, values absolute); change what a test
/// needs with struct update syntax.
pub fn input<'a>(samples: &'a [Sample], summary: &'a Summary) -> ReportInput<'a> {
    ReportInput {
        session: SessionInfo {
            id: 7,
            started: "2026-11-25 17:40 UTC".into(),
            source: "clip.mp4".into(),
            model: "full".into(),
            status: "complete".into(),
            notes: String::new(),
        },
        samples,
        summary,
        keyframes: &[],
        history: &[],
        earlier_sessions: 0,
        label: None,
        reference: Reference::Absolute,
        judged_by: Default::default(),
    }
}
