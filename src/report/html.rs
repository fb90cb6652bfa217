//! The HTML report: one self-contained page (inline SVG charts, embedded keyframes, no network)
//! that a person would rather look at than read. Pure: data in, a string out.

use std::fmt::Write as _;

use base64::Engine as _;
use plotters::prelude::*;

use super::summary::Summary;
use crate::geometry::MetricId;
use crate::geometry::state::PostureState;
use crate::pose::landmarks::SKELETON;
use crate::pose::{Landmark, LandmarkId, NUM_LANDMARKS};
use crate::session::Sample;

/// The session as the report describes it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: i64,
    /// Start, already formatted for people ("2026-11-25 17:40 UTC").
    pub started: String,
    pub source: String,
    pub model: String,
    pub status: String,
    pub notes: String,
}

/// A stored frame: a JPEG and the landmarks on it.
#[derive(Debug, Clone)]
pub struct Keyframe {
    pub t_ms: f64,
    /// "worst" or "typical".
    pub kind: String,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub landmarks: Option<[Landmark; NUM_LANDMARKS]>,
}

/// An earlier session, for the trend.
#[derive(Debug, Clone)]
pub struct HistoryPoint {
    pub id: i64,
    pub started: String,
    pub aligned_fraction: f64,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub session: SessionInfo,
    pub samples: &'a [Sample],
    pub summary: &'a Summary,
    pub keyframes: &'a [Keyframe],
    /// Earlier sessions, oldest first (this one excluded).
    pub history: &'a [HistoryPoint],
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn state_colour(s: PostureState) -> RGBColor {
    match s {
        PostureState::Aligned => RGBColor(46, 160, 67),
        PostureState::Drifting => RGBColor(230, 160, 20),
        PostureState::Misaligned => RGBColor(210, 50, 50),
        PostureState::Unknown => RGBColor(190, 190, 190),
    }
}

fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// The longest run of consecutive samples in `state`, in seconds.
pub fn longest_run_s(samples: &[Sample], state: PostureState) -> f64 {
    let (mut best, mut start): (f64, Option<f64>) = (0.0, None);
    for s in samples {
        if s.state == state {
            let st = *start.get_or_insert(s.t_ms);
            best = best.max((s.t_ms - st) / 1000.0);
        } else {
            start = None;
        }
    }
    best
}

/// Points a chart line needs at most: more than the pixels across, fewer than an hour of frames.
const MAX_LINE_POINTS: usize = 1500;

/// The lean over time, averaged into at most [`MAX_LINE_POINTS`] buckets.
fn lean_line(samples: &[Sample]) -> Vec<(f64, f64)> {
    let points: Vec<(f64, f64)> = samples
        .iter()
        .filter_map(|s| {
            s.metrics
                .and_then(|m| m.get(MetricId::TrunkLeanFrontal))
                .map(|l| (s.t_ms / 1000.0, l as f64))
        })
        .collect();
    let per = points.len().div_ceil(MAX_LINE_POINTS).max(1);
    points
        .chunks(per)
        .map(|c| {
            let n = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / n,
                c.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
        .collect()
}

/// Runs of one state: (start s, end s, state).
fn state_runs(samples: &[Sample]) -> Vec<(f64, f64, PostureState)> {
    let mut runs: Vec<(f64, f64, PostureState)> = Vec::new();
    for w in samples.windows(2) {
        let (a, b, st) = (w[0].t_ms / 1000.0, w[1].t_ms / 1000.0, w[0].state);
        match runs.last_mut() {
            Some(last) if last.2 == st => last.1 = b,
            _ => runs.push((a, b, st)),
        }
    }
    runs
}

fn timeline_svg(samples: &[Sample]) -> String {
    let mut svg = String::new();
    let end_s = samples.last().map_or(1.0, |s| (s.t_ms / 1000.0).max(1.0));
    let leans = lean_line(samples);
    let max_abs = leans
        .iter()
        .map(|(_, l)| l.abs())
        .fold(10.0, f64::max)
        .ceil();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 260)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(45)
            .build_cartesian_2d(0.0..end_s, -max_abs..max_abs);
        if let Ok(mut chart) = chart {
            let _ = chart
                .configure_mesh()
                .x_desc("time (s)")
                .y_desc("frontal lean (°)")
                .light_line_style(WHITE.mix(0.0))
                .draw();
            // The state as a coloured band along the bottom, one rectangle per run.
            let band = max_abs * 0.08;
            let _ = chart.draw_series(state_runs(samples).into_iter().map(|(a, b, st)| {
                Rectangle::new(
                    [(a, -max_abs), (b, -max_abs + band)],
                    state_colour(st).filled(),
                )
            }));
            let _ = chart.draw_series(LineSeries::new(
                leans,
                RGBColor(30, 80, 200).stroke_width(2),
            ));
            let _ = chart.draw_series(LineSeries::new([(0.0, 0.0), (end_s, 0.0)], BLACK.mix(0.4)));
        }
        let _ = root.present();
    }
    svg
}

fn histogram_svg(values: &[f64], label: &str) -> String {
    let mut svg = String::new();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    const BINS: usize = 24;
    let width = (hi - lo) / BINS as f64;
    let mut counts = [0u32; BINS];
    for &v in values {
        counts[(((v - lo) / width) as usize).min(BINS - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1);
    {
        let root = SVGBackend::with_string(&mut svg, (420, 200)).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(35)
            .build_cartesian_2d(lo..hi, 0u32..top)
        {
            let _ = chart
                .configure_mesh()
                .x_desc(label)
                .y_desc("frames")
                .light_line_style(WHITE.mix(0.0))
                .draw();
            let _ = chart.draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new(
                    [(x0, 0), (x0 + width, c)],
                    RGBColor(30, 80, 200).mix(0.7).filled(),
                )
            }));
        }
        let _ = root.present();
    }
    svg
}

fn trend_svg(history: &[HistoryPoint], current: f64) -> String {
    let mut svg = String::new();
    let points: Vec<(f64, f64)> = history
        .iter()
        .map(|h| h.aligned_fraction * 100.0)
        .chain(std::iter::once(current * 100.0))
        .enumerate()
        .map(|(i, v)| (i as f64, v))
        .collect();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 200)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let n = points.len().max(2) as f64 - 1.0;
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(45)
            .build_cartesian_2d(-0.2..n + 0.2, 0.0..100.0)
        {
            let _ = chart
                .configure_mesh()
                .x_desc("session (oldest → this one)")
                .y_desc("time aligned (%)")
                .draw();
            let _ = chart.draw_series(LineSeries::new(
                points.clone(),
                RGBColor(46, 160, 67).stroke_width(2),
            ));
            let _ = chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 4, RGBColor(46, 160, 67).filled())),
            );
        }
        let _ = root.present();
    }
    svg
}

/// A keyframe with the skeleton and the plumb line drawn over it (SVG over the JPEG).
fn keyframe_html(k: &Keyframe, caption: &str) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(&k.jpeg);
    let (w, h) = (k.width.max(1) as f32, k.height.max(1) as f32);
    let mut overlay = String::new();
    if let Some(l) = &k.landmarks {
        let p = |id: LandmarkId| {
            (
                l[id.index()].x * w,
                l[id.index()].y * h,
                l[id.index()].visibility,
            )
        };
        for (a, b) in SKELETON {
            let (pa, pb) = (p(a), p(b));
            if pa.2 > 0.5 && pb.2 > 0.5 {
                let _ = write!(
                    overlay,
                    r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" class="bone"/>"#,
                    pa.0, pa.1, pb.0, pb.1
                );
            }
        }
        // The plumb line through the hip midpoint (frontal) — the reference the trunk should stack on.
        let (lh, rh) = (p(LandmarkId::LeftHip), p(LandmarkId::RightHip));
        let x = (lh.0 + rh.0) / 2.0;
        let _ = write!(
            overlay,
            r#"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{h:.1}" class="plumb"/>"#
        );
    }
    format!(
        r#"<figure class="keyframe"><div class="frame"><img alt="frame at {t:.1} s" src="data:image/jpeg;base64,{data}"><svg viewBox="0 0 {w} {h}" preserveAspectRatio="none">{overlay}</svg></div><figcaption>{caption}</figcaption></figure>"#,
        t = k.t_ms / 1000.0,
    )
}

fn number(v: Option<f64>, unit: &str, digits: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or("—".to_string(), |v| format!("{v:.digits$}{unit}"))
}

/// Renders the whole report.
pub fn render(input: &ReportInput<'_>) -> String {
    let s = input.summary;
    let info = &input.session;
    let stat = |name: &str| s.metrics.get(name);
    let mut html = String::new();
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>plumbline session {id}</title><style>{css}</style></head><body>"#,
        id = info.id,
        css = STYLE
    );
    let _ = write!(
        html,
        r#"<header><h1>Posture session {id}</h1><p class="meta">{started} · {duration} · {source} · model {model} · {status}</p>{notes}</header>"#,
        id = info.id,
        started = escape(&info.started),
        duration = format_duration(s.duration_s),
        source = escape(&info.source),
        model = escape(&info.model),
        status = escape(&info.status),
        notes = if info.notes.is_empty() {
            String::new()
        } else {
            format!(r#"<p class="notes">{}</p>"#, escape(&info.notes))
        },
    );

    // Headline numbers.
    let aligned = s.time_in_state.aligned_fraction * 100.0;
    let tiles = [
        ("Time aligned", format!("{aligned:.0}%")),
        (
            "Trunk lean, mean / p95",
            format!(
                "{} / {}",
                number(stat("trunk_lean_frontal_deg").map(|m| m.mean), "°", 1),
                number(stat("trunk_lean_frontal_deg").map(|m| m.p95_abs), "°", 1)
            ),
        ),
        (
            "Shoulders over hips, mean / p95",
            format!(
                "{} / {}",
                number(
                    stat("shoulder_hip_offset").map(|m| m.mean * 100.0),
                    "% torso",
                    0
                ),
                number(
                    stat("shoulder_hip_offset").map(|m| m.p95_abs * 100.0),
                    "%",
                    0
                )
            ),
        ),
        (
            "Longest misaligned stretch",
            format_duration(longest_run_s(input.samples, PostureState::Misaligned)),
        ),
        ("Sudden movements", s.motion.sudden_movements.to_string()),
        ("Reminders to move", s.motion.move_reminders.to_string()),
        ("Posture alerts", s.posture_alerts.to_string()),
        (
            "Walking cadence",
            number(s.motion.cadence_spm, " steps/min", 0),
        ),
    ];
    html.push_str(r#"<section id="headline"><h2>At a glance</h2><div class="tiles">"#);
    for (label, value) in tiles {
        let _ = write!(
            html,
            r#"<div class="tile"><div class="value">{}</div><div class="label">{}</div></div>"#,
            escape(&value),
            escape(label)
        );
    }
    html.push_str("</div>");
    let _ = write!(html, r#"<div class="statebar">"#);
    for st in [
        PostureState::Aligned,
        PostureState::Drifting,
        PostureState::Misaligned,
        PostureState::Unknown,
    ] {
        let f = s.time_in_state_fraction(st) * 100.0;
        if f > 0.0 {
            let _ = write!(
                html,
                r#"<span style="width:{f:.2}%;background:{c}" title="{n} {f:.0}%"></span>"#,
                c = css(state_colour(st)),
                n = st.name()
            );
        }
    }
    html.push_str("</div></section>");

    let _ = write!(
        html,
        r#"<section id="timeline"><h2>Timeline</h2><p>Frontal trunk lean over the session; the band below shows the posture state (green aligned, amber drifting, red misaligned, grey unknown).</p>{}</section>"#,
        timeline_svg(input.samples)
    );

    html.push_str(r#"<section id="distributions"><h2>Distributions</h2><div class="grid">"#);
    for id in MetricId::judged() {
        let scale = f64::from(id.unit().display_scale());
        let values: Vec<f64> = input
            .samples
            .iter()
            .filter_map(|s| s.metrics.as_ref().and_then(|m| m.get(id)))
            .map(|v| f64::from(v) * scale)
            .collect();
        let label = format!("{} ({})", id.label(), id.unit().short_suffix().trim());
        if !values.is_empty() {
            let _ = write!(html, r#"<div>{}</div>"#, histogram_svg(&values, &label));
        }
    }
    html.push_str("</div></section>");

    html.push_str(r#"<section id="moments"><h2>Worst moments</h2>"#);
    if input.keyframes.is_empty() {
        html.push_str("<p>No frames were kept for this session.</p>");
    }
    for k in input.keyframes {
        let what = if k.kind == "worst" {
            "Largest lean"
        } else {
            "A typical moment"
        };
        html.push_str(&keyframe_html(
            k,
            &format!("{what} at {:.1} s", k.t_ms / 1000.0),
        ));
    }
    html.push_str("</section>");

    let _ = write!(
        html,
        r#"<section id="trend"><h2>Compared with earlier sessions</h2>{}</section>"#,
        if input.history.is_empty() {
            "<p>This is the first session: the trend starts here.</p>".to_string()
        } else {
            trend_svg(input.history, s.time_in_state.aligned_fraction)
        }
    );
    html.push_str(r#"<footer>Made by plumbline on this computer; nothing in it was sent anywhere.</footer></body></html>"#);
    html
}

fn format_duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match (s / 3600, (s / 60) % 60, s % 60) {
        (0, 0, sec) => format!("{sec} s"),
        (0, m, sec) => format!("{m} min {sec} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:.2em}.meta{color:#666}.notes{background:#f6f6f0;padding:.6em;border-radius:6px}\
.tiles{display:flex;flex-wrap:wrap;gap:.8em}.tile{flex:1 1 150px;background:#f3f6fb;border-radius:8px;padding:.8em}\
.value{font-size:1.6em;font-weight:600}.label{color:#555;font-size:.9em}\
.statebar{display:flex;height:14px;border-radius:7px;overflow:hidden;margin-top:1em}.statebar span{display:block}\
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:.5em}\
.keyframe{display:inline-block;margin:0 1em 1em 0;max-width:440px}.frame{position:relative}\
.frame img{width:100%;display:block}.frame svg{position:absolute;inset:0;width:100%;height:100%}\
.bone{stroke:#19e0ff;stroke-width:3}.plumb{stroke:#ff3b3b;stroke-width:2;stroke-dasharray:8 6}\
footer{color:#888;font-size:.85em;margin-top:2em}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::metrics::Metrics;
    use crate::report::summary::SummaryBuilder;

    fn samples() -> Vec<Sample> {
        (0..300u64)
            .map(|i| {
                let lean = 12.0 * (i as f32 / 40.0).sin();
                let state = match lean.abs() {
                    l if l < 5.0 => PostureState::Aligned,
                    l if l < 10.0 => PostureState::Drifting,
                    _ => PostureState::Misaligned,
                };
                Sample {
                    frame: i,
                    t_ms: i as f64 * 100.0,
                    person: true,
                    metrics: Some(
                        Metrics::default()
                            .with(MetricId::TrunkLeanFrontal, lean)
                            .with(MetricId::ShoulderHipOffset, lean / 100.0),
                    ),
                    state,
                }
            })
            .collect()
    }

    #[test]
    fn an_hour_of_frames_draws_as_a_few_thousand_shapes() {
        let hour: Vec<Sample> = (0..108_000u64)
            .map(|i| {
                let mut s = samples()[(i % 300) as usize].clone();
                s.t_ms = i as f64 * 1000.0 / 30.0;
                s
            })
            .collect();
        assert!(lean_line(&hour).len() <= MAX_LINE_POINTS);
        let runs = state_runs(&hour);
        // A debounced state changes at most once a second: 3600 runs an hour at worst.
        assert!(runs.len() < 5000, "{} runs", runs.len());
        assert!(
            runs.windows(2)
                .all(|w| w[0].2 != w[1].2 && (w[0].1 - w[1].0).abs() < 1e-9)
        );
        assert!(timeline_svg(&hour).len() < 1_000_000);
    }

    #[test]
    fn report_has_every_section_escapes_user_text_and_stays_offline() {
        let samples = samples();
        let mut b = SummaryBuilder::default();
        for s in &samples {
            b.push(s, None);
        }
        let summary = b.finish("clip <b>.mp4", "full", None);
        let input = ReportInput {
            session: SessionInfo {
                id: 7,
                started: "2026-11-25 17:40 UTC".into(),
                source: "clip <b>.mp4".into(),
                model: "full".into(),
                status: "complete".into(),
                notes: "<script>alert('x')</script> & more".into(),
            },
            samples: &samples,
            summary: &summary,
            keyframes: &[],
            history: &[HistoryPoint {
                id: 6,
                started: "yesterday".into(),
                aligned_fraction: 0.4,
            }],
        };
        let html = render(&input);
        for id in ["headline", "timeline", "distributions", "moments", "trend"] {
            assert!(
                html.contains(&format!(r#"<section id="{id}">"#)),
                "missing {id}"
            );
        }
        assert!(!html.contains("<script>"), "user text must be escaped");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(html.contains("clip &lt;b&gt;.mp4"));
        assert!(html.matches("<svg").count() >= 4, "charts are inline SVG");
        // Nothing is fetched: the only URLs are SVG's namespace name.
        for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(fetch), "external resource: {fetch}");
        }
        assert!((longest_run_s(&samples, PostureState::Misaligned) - 4.0).abs() < 2.0);
    }
}
