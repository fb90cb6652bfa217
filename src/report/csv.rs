//! Per-frame CSV: `frame, t_ms, person, view`, every metric, `state`, then the cue (`cue_metric`,
//! `cue`). One row per sample, so a spreadsheet or pandas can read an analysis directly. Columns
//! are only ever added at the end.

use crate::geometry::MetricId;
use crate::geometry::metrics::Metrics;
use crate::session::Sample;

/// The header row: `frame, t_ms, person, view`, a column per metric in table order
/// ([`MetricId::key`]), `state`, then what the user was told: `cue_metric` (the key of the
/// metric furthest out of its band) and `cue` (the words).
pub fn header() -> Vec<&'static str> {
    let mut h = vec!["frame", "t_ms", "person", "view"];
    h.extend(MetricId::ALL.map(MetricId::key));
    h.extend(["state", "cue_metric", "cue"]);
    h
}

fn num(v: Option<f32>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

fn metric_cells(m: Option<&Metrics>) -> Vec<String> {
    let Some(m) = m else {
        return vec![String::new(); 1 + MetricId::COUNT];
    };
    let view = m.view.map(|v| v.as_str().to_owned()).unwrap_or_default();
    std::iter::once(view)
        .chain(m.iter().map(|(_, v)| num(v)))
        .collect()
}

/// One sample as CSV cells, matching [`header`]. Missing values are empty cells.
pub fn row(s: &Sample) -> Vec<String> {
    let mut r = vec![
        s.frame.to_string(),
        format!("{:.1}", s.t_ms),
        (s.person as u8).to_string(),
    ];
    r.extend(metric_cells(s.metrics.as_ref()));
    r.push(s.state.name().to_string());
    r.push(
        s.cue
            .map(|c| c.metric.key())
            .unwrap_or_default()
            .to_string(),
    );
    r.push(s.cue.map(|c| c.text).unwrap_or_default().to_string());
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::advice::Cue;
    use crate::geometry::state::PostureState;
    use crate::geometry::view::View;

    #[test]
    fn rows_line_up_with_the_header() {
        let with = Sample {
            frame: 3,
            t_ms: 100.0,
            person: true,
            metrics: Some(Metrics::new(Some(View::Side)).with(MetricId::TrunkLeanFrontal, -4.25)),
            state: PostureState::Drifting,
            cadence_spm: None,
            levels: None,
            cue: Some(Cue {
                metric: MetricId::ShoulderHipOffset,
                text: "bring your shoulders back over your hips",
            }),
        };
        let without = Sample {
            frame: 4,
            t_ms: 133.3,
            person: false,
            metrics: None,
            state: PostureState::Unknown,
            cadence_spm: None,
            levels: None,
            cue: None,
        };
        for s in [&with, &without] {
            assert_eq!(row(s).len(), header().len());
        }
        let r = row(&with);
        assert_eq!(r[0], "3");
        assert_eq!(r[2], "1");
        assert_eq!(r[3], "side");
        assert_eq!(r[4], "-4.2500");
        assert_eq!(r[5], "", "unmeasured metrics are empty cells");
        assert_eq!(r[r.len() - 3], "drifting");
        assert_eq!(r[r.len() - 2], "shoulder_hip_offset");
        assert_eq!(r[r.len() - 1], "bring your shoulders back over your hips");
        assert_eq!(row(&without)[2], "0");
        assert_eq!(row(&without)[r.len() - 1], "", "no cue, an empty cell");
        // The columns people script against, in their documented order.
        assert_eq!(
            header().join(","),
            "frame,t_ms,person,view,trunk_lean_frontal_deg,trunk_lean_sagittal_deg,\
             shoulder_hip_offset,shoulder_hip_offset_cm,shoulder_tilt_deg,hip_tilt_deg,\
             head_forward_deg,plumb_ear,plumb_shoulder,plumb_hip,plumb_knee,state,cue_metric,cue"
        );
    }
}
