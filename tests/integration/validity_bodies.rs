//! Validity on bodies and rooms the suite was not tuned on: the bodies-and-rooms set of the
//! validity fixtures (`truth_bodies.json`, `make_validity.py --set bodies`): four new bodies from
//! 25 to 80 years old and a BMI of 17.6 to 37, in a flared skirt, a long coat, a baggy sweater
//! and sportswear, with the two original ones, in a furnished living room by day (a window
//! behind), by an evening lamp and dim. The same table as `validity.rs`, over the one-person
//! standing stills, beside MediaPipe's on the same images, each cell held to its own bound
//! ([`BODY_BOUNDS`]). The table goes to stdout and to `target/validity-bodies.md`.

use crate::helpers::*;
use crate::validity::{
    Bounds, Readings, errors, mediapipe_metrics, past_bounds, plumbline_metrics, stills, table,
    wrong_signs,
};

/// Largest errors allowed on the bodies-and-rooms set, per metric and view: `(metric key,
/// view, worst absolute error, worst change-from-neutral error)`, in the metric's unit.
/// Each is plumbline's worst error measured here (the comment: absolute / change, in degrees
/// or % of torso) × 1.25 + 0.5° (or + 0.5 % of torso), rounded up to 0.5, as in `validity.rs`,
/// for every view where plumbline reports the metric; where it does not (the sagittal lean and
/// head-forward from the front, the tilts and most of the sagittal measures half-turned) the
/// table prints the errors and nothing is asserted. The change is from the same body, view and
/// camera's neutral still, which may be in another room's light.
#[rustfmt::skip] // one row per line, as a table
const BODY_BOUNDS: &Bounds = &[
    ("trunk_lean_frontal_deg", "frontal", Some(4.0), Some(5.5)), // measured 2.78 / 3.98
    ("trunk_lean_frontal_deg", "oblique45", Some(12.5), Some(8.0)), // measured 9.46 / 5.69
    ("trunk_lean_sagittal_deg", "side_right", Some(11.5), Some(5.5)), // measured 8.66 / 3.62
    ("shoulder_hip_offset", "frontal", Some(0.065), Some(0.095)), // measured 4.78 / 6.87
    ("shoulder_hip_offset", "side_right", Some(0.185), Some(0.09)), // measured 14.38 / 6.45
    ("shoulder_hip_offset", "oblique45", Some(0.185), Some(0.15)), // measured 14.08 / 11.30
    ("shoulder_tilt_deg", "frontal", Some(5.5), Some(5.0)), // measured 3.74 / 3.31
    ("hip_tilt_deg", "frontal", Some(11.5), Some(9.0)), // measured 8.77 / 6.60
    ("head_forward_deg", "side_right", Some(8.0), Some(10.5)), // measured 5.80 / 7.84
    ("plumb_ear", "side_right", Some(0.165), Some(0.15)), // measured 12.77 / 11.50
    ("plumb_shoulder", "side_right", Some(0.135), Some(0.125)), // measured 10.37 / 9.54
    ("plumb_hip", "side_right", Some(0.19), Some(0.115)), // measured 14.45 / 8.75
    ("plumb_knee", "side_right", Some(0.19), Some(0.165)), // measured 14.74 / 12.79
];

#[test]
fn metrics_hold_on_every_body_and_room() {
    let truth = read_json(&fixture("validity/truth_bodies.json"));
    let mp = read_json(&fixture("validity/mediapipe_bodies.json"));
    // One person, standing: the two-person stills are for who is judged, the sitting ones for
    // the desk.
    let stills = stills(&truth, |r| {
        r["people"] == 1 && !r["posture"].as_str().unwrap_or_default().starts_with("sit")
    });
    assert!(stills.len() >= 60, "{} stills", stills.len());
    let bodies: std::collections::BTreeSet<&str> = stills.iter().map(|s| s.body.as_str()).collect();
    assert!(bodies.len() >= 6, "{bodies:?}");

    let ours = plumbline_metrics(&stills);
    let theirs = mediapipe_metrics(&stills, &mp);
    let found = |r: &[Option<Readings>]| r.iter().filter(|m| m.is_some()).count();
    let (ours_e, theirs_e) = (errors(&stills, &ours), errors(&stills, &theirs));
    let md = table(
        "6 bodies, 3 rooms",
        &ours_e,
        &theirs_e,
        (stills.len(), found(&ours), found(&theirs)),
    );
    println!("{md}");
    let out = repo().join("target/validity-bodies.md");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, &md).unwrap();

    for (s, (o, t)) in stills.iter().zip(ours.iter().zip(&theirs)) {
        assert!(o.is_some() || t.is_none(), "{}: no person found", s.name);
    }
    // Clear changes read with the right sign (9 in 10) where plumbline reports the metric, and
    // every bounded cell within its bound.
    let reported =
        |cell: &(&'static str, String)| ours_e.reported.get(cell).is_some_and(|&n| n > 0);
    let mut failures = wrong_signs(&ours_e, reported);
    failures.extend(past_bounds(&ours_e, BODY_BOUNDS));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
