//! The HTML report: one self-contained page (inline SVG charts, embedded keyframes, no network)
//! that a person would rather look at than read. Pure: data in, a string out.

use std::fmt::Write as _;

use base64::Engine as _;
use plotters::style::RGBColor;

use super::charts::{histogram_svg, state_colour, timeline_svg, trend_svg};
use super::summary::Summary;
use crate::format::plain_seconds;
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

/// The goal after the session's length, " · 10 min goal · reached", or nothing without one.
fn goal_text(s: &Summary) -> String {
    let Some(goal_s) = s.goal_s else {
        return String::new();
    };
    let outcome = if s.goal_reached == Some(true) {
        "reached"
    } else {
        "not reached"
    };
    format!(" · {} goal · {outcome}", plain_seconds(goal_s))
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
        r#"<header><h1>Posture session {id}</h1><p class="meta">{started} · {duration}{goal} · {source} · model {model} · {status}</p>{notes}</header>"#,
        id = info.id,
        started = escape(&info.started),
        duration = plain_seconds(s.duration_s),
        goal = goal_text(s),
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
    // The trunk lean the views measured: frontal (from the front or half turned), else
    // sagittal (side-on).
    let (lean_label, lean) = match stat("trunk_lean_frontal_deg") {
        Some(m) => ("Trunk lean sideways, mean / p95", Some(m)),
        None => (
            "Trunk lean forward, mean / p95",
            stat("trunk_lean_sagittal_deg"),
        ),
    };
    let tiles = [
        ("Time aligned", format!("{aligned:.0}%")),
        (
            lean_label,
            format!(
                "{} / {}",
                number(lean.map(|m| m.mean), "°", 1),
                number(lean.map(|m| m.p95_abs), "°", 1)
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
            plain_seconds(longest_run_s(input.samples, PostureState::Misaligned)),
        ),
        ("Sudden movements", s.motion.sudden_movements.to_string()),
        ("Reminders to move", s.motion.move_reminders.to_string()),
        ("Posture alerts", s.posture_alerts.to_string()),
        (
            "Walking cadence",
            number(s.motion.cadence_spm, " steps/min", 0),
        ),
    ];
    html.push_str(r#"<section id="headline"><h2>At a glance</h2>"#);
    let judged = s.preset.as_ref().map_or_else(
        || "not recorded (a session from before plumbline kept it)".to_string(),
        |p| p.describe(),
    );
    let _ = write!(
        html,
        r#"<p class="preset">Judged: {}</p><div class="tiles">"#,
        escape(&judged)
    );
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
        r#"<section id="timeline"><h2>Timeline</h2><p>Trunk lean over the session (sideways from the front or half turned, forward side-on); the band below shows the posture state (green aligned, amber drifting, red misaligned, grey unknown).</p>{}</section>"#,
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
            {
                let fractions: Vec<f64> = input
                    .history
                    .iter()
                    .map(|h| h.aligned_fraction)
                    .chain(std::iter::once(s.time_in_state.aligned_fraction))
                    .collect();
                trend_svg(&fractions)
            }
        }
    );
    html.push_str(r#"<footer>Made by plumbline on this computer; nothing in it was sent anywhere.</footer></body></html>"#);
    html
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
    use crate::report::charts::tests::samples;
    use crate::report::summary::SummaryBuilder;

    /// The summary of `samples` from `source`, with a goal of `goal_s` seconds.
    fn summary(samples: &[Sample], source: &str, goal_s: Option<f64>) -> Summary {
        let mut b = SummaryBuilder::default();
        for s in samples {
            b.push(s);
        }
        b.set_goal(goal_s);
        b.finish(source, "full", None)
    }

    /// Session 7 from `source`, complete, with `notes`.
    fn session(source: &str, notes: &str) -> SessionInfo {
        SessionInfo {
            id: 7,
            started: "2026-11-25 17:40 UTC".into(),
            source: source.into(),
            model: "full".into(),
            status: "complete".into(),
            notes: notes.into(),
        }
    }

    #[test]
    fn report_has_every_section_escapes_user_text_and_stays_offline() {
        let samples = samples();
        let summary = summary(&samples, "clip <b>.mp4", None);
        let input = ReportInput {
            session: session("clip <b>.mp4", "<script>alert('x')</script> & more"),
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
        assert!(
            html.contains("UTC · 30 s · clip"),
            "the length in plain words, as everywhere else"
        );
        assert!(html.matches("<svg").count() >= 4, "charts are inline SVG");
        // Nothing is fetched: the only URLs are SVG's namespace name.
        for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(fetch), "external resource: {fetch}");
        }
        assert!((longest_run_s(&samples, PostureState::Misaligned) - 4.0).abs() < 2.0);
        assert!(!html.contains("goal"), "no goal, no word of one");
    }

    #[test]
    fn the_header_says_the_goal_and_whether_it_was_reached() {
        let samples = samples();
        let header = |goal_s: Option<f64>| {
            let summary = summary(&samples, "clip.mp4", goal_s);
            let input = ReportInput {
                session: session("clip.mp4", ""),
                samples: &samples,
                summary: &summary,
                keyframes: &[],
                history: &[],
            };
            let html = render(&input);
            let start = html.find(r#"<p class="meta">"#).unwrap_or(0);
            let end = html[start..].find("</p>").map_or(html.len(), |e| start + e);
            html[start..end].to_string()
        };
        // The samples span 30 s.
        assert!(
            header(Some(20.0)).contains("UTC · 30 s · 20 s goal · reached · clip.mp4"),
            "{}",
            header(Some(20.0))
        );
        assert!(
            header(Some(600.0)).contains("UTC · 30 s · 10 min goal · not reached · clip.mp4"),
            "{}",
            header(Some(600.0))
        );
        assert!(header(None).contains("UTC · 30 s · clip.mp4"));
    }
}
