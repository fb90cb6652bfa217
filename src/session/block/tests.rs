use super::*;
use crate::geometry::advice::CUE_TEXTS;
use crate::geometry::metrics::Metrics;
use crate::geometry::view::View;

/// A small deterministic generator: the tests need varied numbers, not good randomness.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A second of practice: a person swaying slowly, `gap` samples without anyone, every kind of
/// value present somewhere (unmeasured metrics, cues, cadence, levels).
fn second(n: usize, seed: u64) -> Vec<BlockSample> {
    let mut rng = Lcg(seed);
    let mut pose = [Landmark::default(); NUM_LANDMARKS];
    for (i, lm) in pose.iter_mut().enumerate() {
        *lm = Landmark {
            x: 0.3 + 0.01 * i as f32,
            y: 0.1 + 0.02 * i as f32,
            z: -0.4 + 0.01 * i as f32,
            visibility: 0.9,
            presence: 0.95,
        };
    }
    (0..n)
        .map(|k| {
            let seen = k % 11 != 5;
            for lm in &mut pose {
                lm.x += (rng.next() - 0.5) * 0.002;
                lm.y += (rng.next() - 0.5) * 0.002;
                lm.z += (rng.next() - 0.5) * 0.01;
                lm.visibility = (lm.visibility + (rng.next() - 0.5) * 0.02).clamp(0.0, 1.0);
            }
            let mut metrics = Metrics::new(Some(View::Side));
            for (i, id) in MetricId::ALL.into_iter().enumerate() {
                if (i + k) % 4 != 0 {
                    metrics.set(id, Some(rng.next() * 40.0 - 20.0));
                }
            }
            let mut levels = MetricLevels::default();
            levels.set(MetricId::ALL[k % MetricId::COUNT], PostureState::Drifting);
            let sample = Sample {
                frame: 1000 + (k as u64) * if k % 7 == 3 { 2 } else { 1 },
                t_ms: 33_366.7 + k as f64 * 33.366_666_7 + f64::from(rng.next()),
                person: seen,
                metrics: seen.then_some(metrics),
                state: PostureState::ALL[k % 4],
                cadence_spm: (k % 3 == 0).then(|| 96.0 + rng.next()),
                levels: (k % 5 != 0).then_some(levels),
                cue: (k % 2 == 0).then(|| Cue {
                    metric: MetricId::ALL[k % MetricId::COUNT],
                    text: CUE_TEXTS[k % CUE_TEXTS.len()],
                }),
            };
            (sample, seen.then_some(pose))
        })
        .collect()
}

/// Frames strictly increase within a block, as the recorder writes them.
fn fix_frames(samples: &mut [BlockSample]) {
    let mut frame = 0;
    for (s, _) in samples {
        frame = frame.max(s.frame) + 1;
        s.frame = frame;
    }
}

#[test]
fn every_value_the_reports_use_comes_back_exactly_and_landmarks_within_their_step() {
    let mut samples = second(30, 7);
    fix_frames(&mut samples);
    let (judged, measured) = encode(&samples);
    let back = decode(&judged, &measured).unwrap();
    assert_eq!(back.len(), samples.len());
    for ((want, want_lm), (got, got_lm)) in samples.iter().zip(&back) {
        assert_eq!(got, want, "the sample itself, bit for bit");
        match (want_lm, got_lm) {
            (None, None) => {}
            (Some(w), Some(g)) => {
                for (w, g) in w.iter().zip(g) {
                    assert!((w.x - g.x).abs() <= 0.5 / XY_SCALE + 1e-7, "{w:?} {g:?}");
                    assert!((w.y - g.y).abs() <= 0.5 / XY_SCALE + 1e-7);
                    assert!((w.z - g.z).abs() <= 0.5 / Z_SCALE + 1e-7);
                    assert!((w.visibility - g.visibility).abs() <= 0.5 / 255.0 + 1e-6);
                    assert!((w.presence - g.presence).abs() <= 0.5 / 255.0 + 1e-6);
                }
            }
            other => panic!("landmarks kept or lost: {other:?}"),
        }
    }
    // The judged column alone gives the same samples without their metrics.
    let judged_only = decode_judged(&judged).unwrap();
    for ((want, _), got) in samples.iter().zip(&judged_only) {
        assert_eq!(
            got,
            &Sample {
                metrics: None,
                ..want.clone()
            }
        );
    }
}

#[test]
fn landmarks_anywhere_in_their_range_and_jumps_across_it_survive() {
    // A landmark far outside the picture, then across it and back: the changes wrap, the
    // values do not. Out-of-range values saturate as a sample row's did; NaN reads as 0.
    let cases: [(f32, f32); 6] = [
        (0.0, 0.0),
        (-3.2, 3.2),
        (3.2, -3.2),
        (0.5, 0.5),
        (9.0, f32::NAN),
        (-9.0, 0.25),
    ];
    let samples: Vec<BlockSample> = cases
        .iter()
        .enumerate()
        .map(|(i, &(x, z))| {
            let lm = Landmark {
                x,
                y: -x,
                z,
                visibility: if i % 2 == 0 { 1.0 } else { 0.0 },
                presence: 2.0,
            };
            let s = Sample {
                frame: i as u64,
                t_ms: i as f64,
                person: true,
                metrics: None,
                state: PostureState::Unknown,
                cadence_spm: None,
                levels: None,
                cue: None,
            };
            (s, Some([lm; NUM_LANDMARKS]))
        })
        .collect();
    let (j, m) = encode(&samples);
    let back = decode(&j, &m).unwrap();
    let first = |k: usize| back[k].1.unwrap()[0];
    assert_eq!(first(1).x, -3.2);
    assert_eq!(first(2).x, 3.2);
    assert!((first(1).z - 3.2).abs() < 1e-6);
    assert_eq!(first(4).x, 32_767.0 / XY_SCALE, "saturated");
    assert_eq!(first(4).z, 0.0, "NaN");
    assert_eq!(first(5).x, -32_768.0 / XY_SCALE);
    assert_eq!(first(3).visibility, 0.0);
    assert_eq!(first(4).visibility, 1.0);
    assert_eq!(first(0).presence, 1.0, "a probability over 1 saturates");
}

#[test]
fn an_empty_block_and_a_block_without_anyone_read_back() {
    let (j, m) = encode(&[]);
    assert!(decode(&j, &m).unwrap().is_empty());
    let nobody: Vec<BlockSample> = second(12, 3)
        .into_iter()
        .map(|(s, _)| {
            let s = Sample {
                person: false,
                metrics: None,
                ..s
            };
            (s, None)
        })
        .collect();
    let mut nobody = nobody;
    fix_frames(&mut nobody);
    let (j, m) = encode(&nobody);
    assert_eq!(decode(&j, &m).unwrap(), nobody);
}

#[test]
fn a_damaged_block_is_an_error_never_a_panic() {
    let mut samples = second(20, 11);
    fix_frames(&mut samples);
    let (j, m) = encode(&samples);
    for cut in 0..j.len() {
        let _ = decode(&j[..cut], &m);
    }
    for cut in 0..m.len() {
        let read = decode(&j, &m[..cut]);
        // The last bytes of a deflate stream may only close it; well before them, a cut block
        // cannot be read.
        assert!(cut > m.len() / 2 || read.is_err(), "cut at {cut}");
    }
    for at in 1..m.len() {
        let mut bad = m.clone();
        bad[at] ^= 0x5A;
        let _ = decode(&j, &bad);
    }
    assert_eq!(decode(&[9, 1, 2], &m), Err(BlockError::Format(9)));
    // The columns of two different blocks do not pass as one.
    let (other_j, _) = encode(&samples[..5]);
    assert!(decode(&other_j, &m).is_err());
}

#[test]
fn a_second_of_a_steady_pose_takes_a_fraction_of_a_row_a_sample() {
    // One row a sample took about 500 bytes: 331 of landmarks, 55 of metrics, the rest times,
    // state and the row. A block of a swaying person must take well under a third of that.
    let mut samples = second(30, 5);
    fix_frames(&mut samples);
    let (j, m) = encode(&samples);
    let per_sample = (j.len() + m.len()) as f64 / samples.len() as f64;
    assert!(per_sample < 160.0, "{per_sample:.0} bytes a sample");
}
