//! Walking as the user reads it, on the bundled demo (standing 0–7 s, walking at a rendered
//! 100 steps/min 7–15 s): the steps counted one by one, their timing from one camera (within
//! ±4 steps/min), the step-time measures a walk this short cannot support left `null` with the
//! reason, and the same in `analyze --json`, the stored session and its report.

use plumbline::session::EventKind;
use plumbline::session::store::Store;
use serde_json::Value;

use crate::helpers::*;

#[test]
fn the_demo_walk_is_counted_step_by_step_and_says_why_its_step_timing_is_missing() {
    let data = data_dir();
    let demo = repo().join("assets/demo-practice.mp4");
    let out = plumbline_in(
        data.path(),
        ["analyze", demo.to_str().unwrap(), "--quiet", "--json", "-"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &summary["motion"];

    // Eight seconds at 100 steps/min: about 13 steps, none while standing.
    let counted = m["steps_counted"].as_u64().expect("steps counted");
    assert!((11..=15).contains(&counted), "{m}");
    let step_time_s = m["step_time_s"].as_f64().expect("a step time");
    assert!(
        (60.0 / 104.0..=60.0 / 96.0).contains(&step_time_s),
        "100 steps/min is 0.6 s a step: {m}"
    );
    let timed = m["steps_timed"].as_u64().unwrap();
    assert!(timed < 14 && timed + 2 >= counted, "{m}");
    // Too few for asymmetry (about 14) and variability (about 26): null, with the reason.
    for (value, note, needs) in [
        (
            "step_time_asymmetry_pct",
            "step_time_asymmetry_note",
            "about 14",
        ),
        ("step_time_cv_pct", "step_time_cv_note", "about 26"),
    ] {
        let obj = m.as_object().unwrap();
        assert!(
            obj.contains_key(value) && m[value].is_null(),
            "{value}: {m}"
        );
        let note = m[note].as_str().unwrap_or_default();
        assert!(
            note.starts_with(&format!("{timed} steps of the {counted} seen"))
                && note.contains(needs),
            "{note}"
        );
    }
    assert!(m["step_time_note"].is_null(), "{m}");
    // The estimate from the cadence is still there, meaning what it meant.
    assert!(m["steps"].as_u64().unwrap() > 0);

    // Each step is stored at its own time, all of them in the walk.
    let db = Store::open(data.path()).unwrap();
    let steps: Vec<f64> = db
        .events(1)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Step)
        .map(|e| e.t_ms / 1000.0)
        .collect();
    assert_eq!(steps.len() as u64, counted);
    assert!(steps.iter().all(|&t| (6.5..15.0).contains(&t)), "{steps:?}");
    // `sessions show` says what `--json` said.
    let shown = plumbline_in(data.path(), ["sessions", "show", "1"]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["summary"]["motion"], *m);

    // The report has its walking section, with the cadence over time.
    let report = data.path().join("report.html");
    let out = plumbline_in(
        data.path(),
        [
            "report",
            "1",
            "--format",
            "html",
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&report).unwrap();
    let walking = &html[html.find(r#"id="walking""#).expect("a walking section")..];
    assert!(walking.contains("cadence (steps/min)"), "the cadence chart");
    assert!(walking.contains("step-time asymmetry needs about 14 to mean anything"));
    assert!(walking.contains("need a known scale"));
}
