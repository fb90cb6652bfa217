use super::*;
use crate::geometry::testing::Body;

/// Every estimator's value, whatever the view (what [`compute`] then keeps or replaces by view
/// is tested on its own below).
fn metrics(b: &Body) -> Metrics {
    compute_all(&b.pose(), b.size, &MetricsConfig::default())
}

/// Ear, shoulder, hip and knee from the plumb line.
fn plumb(m: &Metrics) -> [Option<f32>; 4] {
    [
        MetricId::PlumbEar,
        MetricId::PlumbShoulder,
        MetricId::PlumbHip,
        MetricId::PlumbKnee,
    ]
    .map(|id| m.get(id))
}

fn close(got: Option<f32>, want: f32, tol: f32) -> bool {
    got.is_some_and(|g| (g - want).abs() <= tol)
}

#[test]
fn known_skeletons_give_exact_metrics() {
    struct Case {
        what: &'static str,
        body: Body,
        lean_frontal_deg: f32,
        offset: f32,
        shoulder_tilt_deg: f32,
        hip_tilt_deg: f32,
        lean_sagittal_deg: f32,
        head_forward_deg: f32,
    }
    let upright = Body::frontal();
    let mut shifted = Body::frontal();
    // Shoulders 30 px to the image right of the hips, torso 180 px high.
    shifted
        .shift(L::LeftShoulder, 30.0, 0.0)
        .shift(L::RightShoulder, 30.0, 0.0);
    let mut raised = Body::frontal();
    // The person's left shoulder (image right) 10 px higher over an 80 px span.
    raised.shift(L::LeftShoulder, 0.0, -10.0);
    let mut hip_dropped = Body::frontal();
    // The person's left hip (image right) 5 px lower over 50 px.
    hip_dropped.shift(L::LeftHip, 0.0, 5.0);
    let mut stooped = Body::frontal();
    // Shoulders 0.1 m nearer the camera (forward, the person faces the camera), 0.5 m above the hips.
    let fwd = Vec3::new(0.0, 0.0, -0.1);
    stooped
        .shift_world(L::LeftShoulder, fwd)
        .shift_world(L::RightShoulder, fwd);
    let mut poked = Body::frontal();
    // Ears 0.05 m forward of the shoulders, 0.15 m above them.
    let ear_fwd = Vec3::new(0.0, 0.0, -0.05);
    poked
        .shift_world(L::LeftEar, ear_fwd)
        .shift_world(L::RightEar, ear_fwd);
    let cases = [
        Case {
            what: "upright",
            body: upright,
            lean_frontal_deg: 0.0,
            offset: 0.0,
            shoulder_tilt_deg: 0.0,
            hip_tilt_deg: 0.0,
            lean_sagittal_deg: 0.0,
            head_forward_deg: 0.0,
        },
        Case {
            what: "shoulders right of hips",
            body: shifted,
            lean_frontal_deg: 30f32.atan2(180.0).to_degrees(),
            offset: 30.0 / 30f32.hypot(180.0),
            shoulder_tilt_deg: 0.0,
            hip_tilt_deg: 0.0,
            lean_sagittal_deg: 0.0,
            head_forward_deg: 0.0,
        },
        Case {
            what: "left shoulder raised",
            body: raised,
            lean_frontal_deg: 0.0, // the shoulder midpoint only rises
            offset: 0.0,
            shoulder_tilt_deg: 10f32.atan2(80.0).to_degrees(),
            hip_tilt_deg: 0.0,
            lean_sagittal_deg: 0.0,
            head_forward_deg: 0.0,
        },
        Case {
            what: "left hip dropped",
            body: hip_dropped,
            lean_frontal_deg: 0.0,
            offset: 0.0,
            shoulder_tilt_deg: 0.0,
            hip_tilt_deg: -(5f32.atan2(50.0).to_degrees()),
            lean_sagittal_deg: 0.0,
            head_forward_deg: 0.0,
        },
        Case {
            what: "stooped forward",
            body: stooped,
            lean_frontal_deg: 0.0,
            offset: 0.0,
            shoulder_tilt_deg: 0.0,
            hip_tilt_deg: 0.0,
            lean_sagittal_deg: 0.1f32.atan2(0.5).to_degrees(),
            head_forward_deg: -(0.1f32.atan2(0.15).to_degrees()),
        },
        Case {
            what: "head forward",
            body: poked,
            lean_frontal_deg: 0.0,
            offset: 0.0,
            shoulder_tilt_deg: 0.0,
            hip_tilt_deg: 0.0,
            lean_sagittal_deg: 0.0,
            head_forward_deg: 0.05f32.atan2(0.15).to_degrees(),
        },
    ];
    for c in cases {
        let m = metrics(&c.body);
        assert_eq!(m.view, Some(View::Frontal), "{}", c.what);
        assert!(
            close(m.get(MetricId::TrunkLeanFrontal), c.lean_frontal_deg, 0.1),
            "{}: frontal lean {:?}",
            c.what,
            m.get(MetricId::TrunkLeanFrontal)
        );
        assert!(
            close(m.get(MetricId::ShoulderHipOffset), c.offset, 0.001),
            "{}: offset {:?}",
            c.what,
            m.get(MetricId::ShoulderHipOffset)
        );
        assert!(
            close(m.get(MetricId::ShoulderTilt), c.shoulder_tilt_deg, 0.1),
            "{}: shoulder tilt {:?}",
            c.what,
            m.get(MetricId::ShoulderTilt)
        );
        assert!(
            close(m.get(MetricId::HipTilt), c.hip_tilt_deg, 0.1),
            "{}: hip tilt {:?}",
            c.what,
            m.get(MetricId::HipTilt)
        );
        assert!(
            close(m.get(MetricId::TrunkLeanSagittal), c.lean_sagittal_deg, 0.1),
            "{}: sagittal {:?}",
            c.what,
            m.get(MetricId::TrunkLeanSagittal)
        );
        assert!(
            close(m.get(MetricId::HeadForward), c.head_forward_deg, 0.1),
            "{}: head {:?} vs {}",
            c.what,
            m.get(MetricId::HeadForward),
            c.head_forward_deg
        );
        assert_eq!(
            plumb(&m),
            [None; 4],
            "{}: no plumb line in a frontal view",
            c.what
        );
    }
}

#[test]
fn world_offset_is_in_centimetres_toward_image_right() {
    let mut b = Body::frontal();
    let right = Vec3::new(0.04, 0.0, 0.0);
    b.shift_world(L::LeftShoulder, right)
        .shift_world(L::RightShoulder, right);
    assert!(close(
        metrics(&b).get(MetricId::ShoulderHipOffsetCm),
        4.0,
        0.001
    ));
}

#[test]
fn rotating_the_picture_turns_the_frontal_lean_and_keeps_tilt_differences() {
    let mut base = Body::frontal();
    base.shift(L::LeftShoulder, 12.0, -6.0)
        .shift(L::RightHip, 0.0, 4.0);
    let m0 = metrics(&base);
    for (deg, cx, cy) in [
        (10.0, 320.0, 240.0),
        (-25.0, 0.0, 0.0),
        (40.0, 500.0, 100.0),
    ] {
        let mut b = base.clone();
        b.rotate_ccw(deg, cx, cy);
        let m = metrics(&b);
        // Turning the picture counter-clockwise carries the shoulders to the left of the hips.
        let want = m0.get(MetricId::TrunkLeanFrontal).unwrap() - deg;
        assert!(
            close(m.get(MetricId::TrunkLeanFrontal), want, 0.1),
            "{deg}°: {:?} vs {want}",
            m.get(MetricId::TrunkLeanFrontal)
        );
        // Both lines turn by the same angle: their difference is unchanged.
        let diff0 = m0.get(MetricId::ShoulderTilt).unwrap() - m0.get(MetricId::HipTilt).unwrap();
        let diff = m.get(MetricId::ShoulderTilt).unwrap() - m.get(MetricId::HipTilt).unwrap();
        assert!(
            (diff - diff0).abs() < 0.1,
            "{deg}°: tilt difference {diff} vs {diff0}"
        );
        assert!(close(
            m.get(MetricId::ShoulderTilt),
            m0.get(MetricId::ShoulderTilt).unwrap() + deg,
            0.1
        ));
    }
}

#[test]
fn mirroring_flips_signs_and_scaling_changes_nothing() {
    let mut base = Body::frontal();
    base.shift(L::LeftShoulder, 12.0, -6.0)
        .shift(L::RightShoulder, 12.0, 0.0)
        .shift(L::RightHip, 0.0, 4.0);
    base.shift_world(L::LeftShoulder, Vec3::new(0.03, 0.0, -0.05));
    let m0 = metrics(&base);
    let mut mirrored = base.clone();
    mirrored.mirror();
    let m = metrics(&mirrored);
    for (a, b, what) in [
        (
            m0.get(MetricId::TrunkLeanFrontal),
            m.get(MetricId::TrunkLeanFrontal),
            "frontal lean",
        ),
        (
            m0.get(MetricId::ShoulderHipOffset),
            m.get(MetricId::ShoulderHipOffset),
            "offset",
        ),
        (
            m0.get(MetricId::ShoulderHipOffsetCm),
            m.get(MetricId::ShoulderHipOffsetCm),
            "offset cm",
        ),
        (
            m0.get(MetricId::ShoulderTilt),
            m.get(MetricId::ShoulderTilt),
            "shoulder tilt",
        ),
        (
            m0.get(MetricId::HipTilt),
            m.get(MetricId::HipTilt),
            "hip tilt",
        ),
    ] {
        assert!(
            close(b, -a.unwrap(), 1e-3),
            "{what}: {a:?} mirrored to {b:?}"
        );
    }
    // Leaning forward is forward on either side of a mirror.
    assert!(close(
        m.get(MetricId::TrunkLeanSagittal),
        m0.get(MetricId::TrunkLeanSagittal).unwrap(),
        1e-3
    ));

    for k in [0.5, 3.0] {
        let mut scaled = base.clone();
        scaled.scale(k);
        let m = metrics(&scaled);
        assert!(close(
            m.get(MetricId::TrunkLeanFrontal),
            m0.get(MetricId::TrunkLeanFrontal).unwrap(),
            1e-3
        ));
        assert!(close(
            m.get(MetricId::ShoulderHipOffset),
            m0.get(MetricId::ShoulderHipOffset).unwrap(),
            1e-4
        ));
        assert!(close(
            m.get(MetricId::ShoulderTilt),
            m0.get(MetricId::ShoulderTilt).unwrap(),
            1e-3
        ));
    }
}

#[test]
fn unseen_landmarks_give_none_not_numbers() {
    let mut b = Body::frontal();
    b.visibility[L::LeftHip.index()] = 0.3;
    let m = metrics(&b);
    assert_eq!(
        m.get(MetricId::TrunkLeanFrontal),
        None,
        "a hip missing in a frontal view"
    );
    assert_eq!(m.get(MetricId::ShoulderHipOffset), None);
    assert_eq!(m.get(MetricId::HipTilt), None);
    assert!(
        m.get(MetricId::ShoulderTilt).is_some(),
        "the shoulders are still seen"
    );
    // Coincident shoulders have no line.
    let mut c = Body::frontal();
    c.set(L::LeftShoulder, 320.0, 200.0)
        .set(L::RightShoulder, 320.0, 200.0);
    assert_eq!(metrics(&c).get(MetricId::ShoulderTilt), None);
    // A stricter visibility threshold hides more.
    let mut d = Body::frontal();
    d.visibility[L::Nose.index()] = 0.7;
    d.visibility[L::LeftShoulder.index()] = 0.7;
    let strict = compute_all(
        &d.pose(),
        d.size,
        &MetricsConfig {
            min_visibility: 0.8,
        },
    );
    assert_eq!(strict.get(MetricId::ShoulderTilt), None);
}

#[test]
fn side_view_plumb_line_measures_forward_deviation() {
    let straight = Body::side_facing_right();
    let m = metrics(&straight);
    assert_eq!(m.view, Some(View::Side));
    assert_eq!(
        compute(&straight.pose(), straight.size, &MetricsConfig::default())
            .get(MetricId::ShoulderTilt),
        None,
        "no shoulder line in profile"
    );
    let p = plumb(&m);
    for d in p {
        assert!(close(d, 0.0, 1e-4), "plumb line in a side view: {p:?}");
    }
    // Head 18 px forward (toward image right, where the person faces) = 0.1 torso.
    let mut poked = Body::side_facing_right();
    poked.shift(L::RightEar, 18.0, 0.0);
    let p = metrics(&poked);
    assert!(close(p.get(MetricId::PlumbEar), 0.1, 1e-4), "{p:?}");
    // The same person facing left: forward is now image left, and the sign follows.
    let mut left = Body::side_facing_right();
    left.shift(L::RightEar, 18.0, 0.0).mirror();
    let p = metrics(&left);
    assert!(
        close(p.get(MetricId::PlumbEar), 0.1, 1e-4),
        "mirrored: {p:?}"
    );
    // Hips pushed back (behind the ankle) are negative.
    let mut sway = Body::side_facing_right();
    sway.shift(L::RightHip, -9.0, 0.0);
    assert!(close(metrics(&sway).get(MetricId::PlumbHip), -0.05, 1e-4));
}

#[test]
fn left_right_swap_does_not_flip_sagittal_signs() {
    let mut stooped = Body::frontal();
    let fwd = Vec3::new(0.0, 0.0, -0.1);
    stooped
        .shift_world(L::LeftShoulder, fwd)
        .shift_world(L::RightShoulder, fwd);
    let m0 = metrics(&stooped);
    // BlazePose swaps every left/right label for a frame.
    let mut swapped = stooped.clone();
    for id in LandmarkId::ALL {
        swapped.px[id.index()] = stooped.px[id.mirrored().index()];
        swapped.world[id.index()] = stooped.world[id.mirrored().index()];
    }
    let m = metrics(&swapped);
    assert!(close(
        m.get(MetricId::TrunkLeanSagittal),
        m0.get(MetricId::TrunkLeanSagittal).unwrap(),
        1e-3
    ));
    assert!(m0.get(MetricId::TrunkLeanSagittal).unwrap() > 10.0);
}

/// What each view lets be measured, and the side view's sagittal lean read from the picture,
/// forward positive whichever way the person faces.
#[test]
fn each_view_measures_only_what_it_can() {
    let cfg = MetricsConfig::default();
    let frontal = Body::frontal();
    let m = compute(&frontal.pose(), frontal.size, &cfg);
    assert_eq!(m.view, Some(View::Frontal));
    for id in MetricId::ALL {
        assert_eq!(
            m.get(id).is_some(),
            id.measurable_in(View::Frontal) && id.spec().json_group.is_none(),
            "{id:?} from the front"
        );
    }
    assert_eq!(m.get(MetricId::HeadForward), None, "depth from the front");
    assert_eq!(m.get(MetricId::TrunkLeanSagittal), None);

    // 20 px of 180 forward at the shoulders, facing right, then the same mirrored (facing
    // left): 6.3° forward both ways; the frontal lean of the picture is not measured.
    let mut stooped = Body::side_facing_right();
    stooped
        .shift(L::LeftShoulder, 20.0, 0.0)
        .shift(L::RightShoulder, 20.0, 0.0);
    let mut mirrored = stooped.clone();
    mirrored.mirror();
    for (what, body) in [("facing right", &stooped), ("facing left", &mirrored)] {
        let m = compute(&body.pose(), body.size, &cfg);
        assert_eq!(m.view, Some(View::Side), "{what}");
        let lean = m.get(MetricId::TrunkLeanSagittal);
        let want = (20.0f32 / 180.0).atan().to_degrees() + SIDE_LEAN_BIAS_DEG;
        assert!(close(lean, want, 0.05), "{what}: {lean:?}");
        let offset = m.get(MetricId::ShoulderHipOffset).unwrap();
        let forward = if what == "facing left" { -1.0 } else { 1.0 };
        assert!(
            (offset - forward * want.to_radians().sin()).abs() < 1e-4,
            "{what}: the offset is the same corrected lean: {offset}"
        );
        assert_eq!(m.get(MetricId::TrunkLeanFrontal), None, "{what}");
        assert!(m.get(MetricId::HeadForward).is_some(), "{what}");
    }
}
