//! The live analysis with a real engine: paced sources stand in for a camera, real files for
//! a video; the same clip judged live and by `plumbline analyze` gives the same judgment.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plumbline::geometry::MetricId;
use plumbline::geometry::metric_id::Band;
use plumbline::geometry::preset::Measure;
use plumbline::pipeline::analyzer::AnalysisConfig;
use plumbline::pipeline::live::{LiveAnalysis, LiveEvent, LiveResult, MAX_REUSE, SourceSpec};
use plumbline::pipeline::record::LiveRecording;
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::session::store::{SessionMeta, Store};
use plumbline::settings::Settings;
use plumbline::source::{Frame, FrameSource, SourceError};

use crate::helpers::*;

/// Frames from the fixture sequence at a fixed pace, like a camera; optionally fails.
struct Paced {
    images: Vec<image::RgbImage>,
    next: u64,
    count: u64,
    /// How long the source takes to deliver a frame (real time)...
    every: Duration,
    /// ...and how far apart its frames' timestamps are (the camera's own clock).
    tick: Duration,
    fail_at: Option<u64>,
}

impl Paced {
    fn new(count: u64, every: Duration, fail_at: Option<u64>) -> Self {
        let images = (0..5)
            .map(|i| {
                image::open(fixture(&format!("sequence/frame_{i:03}.png")))
                    .unwrap()
                    .to_rgb8()
            })
            .collect();
        Self {
            images,
            next: 0,
            count,
            every,
            tick: Duration::from_secs(1) / 30,
            fail_at,
        }
    }

    /// The same source with its frames' timestamps `tick` apart.
    fn ticking(self, tick: Duration) -> Self {
        Self { tick, ..self }
    }

    fn spec(self) -> SourceSpec {
        SourceSpec::live("paced test source", Box::new(move || Ok(Box::new(self))))
    }
}

impl FrameSource for Paced {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.fail_at == Some(self.next) {
            return Err(SourceError::CameraLost {
                camera: "test camera".into(),
                frames: self.next,
                reason: "unplugged".into(),
            });
        }
        if self.next == self.count {
            return Ok(None);
        }
        std::thread::sleep(self.every);
        let i = self.next;
        self.next += 1;
        let image = self.images[(i % self.images.len() as u64) as usize].clone();
        Ok(Some(Frame {
            image,
            timestamp: self.tick * u32::try_from(i).expect("fewer than 2^32 frames"),
            index: i,
        }))
    }
    fn describe(&self) -> String {
        "paced test source".into()
    }
    fn len_hint(&self) -> Option<u64> {
        Some(self.count)
    }
}

fn start() -> LiveAnalysis {
    LiveAnalysis::start(
        AnalysisConfig::new(EngineConfig::video(ModelKind::Full)),
        None,
    )
}

/// Results (frame indices) and events until source `source` ends or fails.
fn run_source(analysis: &LiveAnalysis, source: u64) -> (Vec<LiveResult>, Vec<LiveEvent>) {
    let (mut results, mut events) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < deadline,
            "the source never ended: {events:?}"
        );
        let (result, new) = analysis.wait(Duration::from_millis(200));
        // The result first: an event that ends a source comes after its last result.
        if let Some(r) = result {
            results.push(*r);
        }
        for e in new {
            let ended = matches!(
                e,
                LiveEvent::SourceEnded { source: s } | LiveEvent::SourceFailed { source: s, .. }
                    if s == source
            );
            events.push(e);
            if ended {
                return (results, events);
            }
        }
    }
}

fn indices(results: &[LiveResult]) -> Vec<u64> {
    results.iter().map(|r| r.frame.index).collect()
}

#[test]
fn a_live_source_faster_than_the_model_drops_stale_frames_not_fresh_ones() {
    let analysis = start();
    // 1 ms per frame: far faster than the full model. The source's five pictures come round
    // again only after MAX_REUSE of its clock, so no frame is a still picture that the window
    // could skip: every frame the analysis takes is one it shows.
    let tick = MAX_REUSE / 4;
    analysis.open(
        Paced::new(120, Duration::from_millis(1), None)
            .ticking(tick)
            .spec(),
    );
    let (results, events) = run_source(&analysis, 1);
    assert!(matches!(
        events.last(),
        Some(LiveEvent::SourceEnded { source: 1 })
    ));
    let frames = indices(&results);
    assert!(
        frames.windows(2).all(|w| w[0] < w[1]),
        "results out of order: {frames:?}"
    );
    let last = results.last().unwrap();
    assert_eq!(last.captured, 120);
    assert!(last.dropped > 0, "nothing was dropped");
    assert!(frames.len() as u64 + last.dropped <= last.captured);
    assert_eq!(last.frame.index, 119, "the newest frame is always analysed");
    assert!(results.iter().all(|r| r.pose.is_some()), "person lost");
}

#[test]
fn a_file_hands_over_every_frame_and_waits_for_the_model() {
    let analysis = start();
    let clip = fixture("video/camera_turning.mp4");
    analysis.open(SourceSpec::every_frame(
        "clip",
        Box::new(move || plumbline::source::open(&clip)),
    ));
    // Record, which sees every analysed frame (the newest-result slot may skip some).
    let (tx, rx) = plumbline::pipeline::record::channel();
    analysis.record(Some(tx));
    let (_, events) = run_source(&analysis, 1);
    assert!(matches!(
        events.last(),
        Some(LiveEvent::SourceEnded { source: 1 })
    ));
    analysis.record(None);
    let items: Vec<_> = rx.try_iter().collect();
    let recorded: Vec<u64> = items.iter().map(|item| item.sample.frame).collect();
    // Nobody took the items meanwhile: the first few carry their pictures, the rest wait
    // without (a recording thread held up holds a bounded number of pictures).
    let pictures = items.iter().filter(|i| i.frame.is_some()).count();
    assert_eq!(pictures, plumbline::pipeline::record::MAX_QUEUED_PICTURES);
    assert!(items[..pictures].iter().all(|i| i.frame.is_some()));
    let frames = plumbline::source::video::probe(&fixture("video/camera_turning.mp4"))
        .unwrap()
        .frames
        .unwrap();
    assert_eq!(recorded, (0..frames).collect::<Vec<_>>(), "none skipped");
}

#[test]
fn a_camera_lost_mid_run_ends_the_source_with_a_clear_error_after_its_frames() {
    let analysis = start();
    analysis.open(Paced::new(100, Duration::from_millis(20), Some(15)).spec());
    let (results, events) = run_source(&analysis, 1);
    match events.last() {
        Some(LiveEvent::SourceFailed { error, .. }) => {
            assert!(error.to_string().contains("lost the camera"), "{error}")
        }
        other => panic!("expected a lost camera, got {other:?}"),
    }
    let frames = indices(&results);
    assert!(
        !frames.is_empty() && *frames.last().unwrap() <= 14,
        "{frames:?}"
    );
}

#[test]
fn a_camera_lost_while_the_model_works_still_delivers_that_frame_first() {
    // One frame, then the camera is gone at once: the failure arrives while the model is still
    // working on the frame (the first one also runs the detector). Its result must not be
    // overtaken by the news of the failure.
    let analysis = start();
    for source in 1..=5 {
        analysis.open(Paced::new(100, Duration::ZERO, Some(1)).spec());
        let (results, events) = run_source(&analysis, source);
        assert_eq!(
            indices(&results),
            [0],
            "the frame before the failure, then the failure"
        );
        assert!(
            matches!(events.last(), Some(LiveEvent::SourceFailed { .. })),
            "{events:?}"
        );
    }
}

#[test]
fn sources_are_swapped_under_one_loaded_engine() {
    let analysis = start();
    analysis.open(Paced::new(u64::MAX, Duration::from_millis(30), None).spec());
    let first = loop {
        if let (Some(r), _) = analysis.wait(Duration::from_secs(10)) {
            break r;
        }
    };
    assert_eq!(first.source, 1);
    // A missing file: the opening fails on its own thread and is reported; the engine stays.
    analysis.open(SourceSpec::every_frame(
        "missing",
        Box::new(|| plumbline::source::open(Path::new("/no/such/clip.mp4"))),
    ));
    let (_, events) = run_source(&analysis, 2);
    match events.last() {
        Some(LiveEvent::SourceFailed { error, .. }) => {
            assert!(error.to_string().contains("/no/such/clip.mp4"), "{error}")
        }
        other => panic!("expected the missing file, got {other:?}"),
    }
    analysis.open(Paced::new(10, Duration::from_millis(5), None).spec());
    let (results, events) = run_source(&analysis, 3);
    assert!(!results.is_empty() && results.iter().all(|r| r.source == 3));
    let loads = events
        .iter()
        .filter(|e| matches!(e, LiveEvent::EngineReady { .. }))
        .count();
    assert_eq!(
        loads, 0,
        "the models were loaded once, before the first source"
    );
}

#[test]
fn a_source_stuck_while_opening_holds_nothing_up() {
    let analysis = start();
    let released = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicBool::new(false));
    let stuck = {
        let (released, answered) = (Arc::clone(&released), Arc::clone(&answered));
        move || -> Result<Box<dyn FrameSource>, SourceError> {
            // A camera driver that does not answer until the test lets it go (or a minute has
            // passed, so that an `open` that waited for it fails below rather than hangs).
            let since = Instant::now();
            while !released.load(Ordering::Relaxed) && since.elapsed() < Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(5));
            }
            answered.store(true, Ordering::Relaxed);
            Err(SourceError::NoCamera {
                reason: "gave up".into(),
            })
        }
    };
    analysis.open(SourceSpec::live("stuck camera", Box::new(stuck)));
    assert!(
        !answered.load(Ordering::Relaxed),
        "open waited for the driver"
    );
    // Another source opens and plays while the first is still stuck.
    analysis.open(Paced::new(5, Duration::from_millis(5), None).spec());
    let (results, _) = run_source(&analysis, 2);
    assert_eq!(indices(&results).last(), Some(&4));
    assert!(
        !answered.load(Ordering::Relaxed),
        "the other source played while the driver was stuck"
    );
    released.store(true, Ordering::Relaxed);
    // Its news, when it comes, is about a source nobody plays any more (number 1).
    assert!(analysis.shutdown(Duration::from_secs(5)));
}

#[test]
fn a_changed_judge_configuration_applies_from_the_next_frame_and_keeps_the_source_playing() {
    let analysis = start();
    analysis.open(Paced::new(u64::MAX, Duration::from_millis(5), None).spec());
    let first = next_result(&analysis, |_| true);
    let lean = MetricId::TrunkLeanFrontal;
    let before = first
        .judgment
        .bands
        .band(lean)
        .expect("the lean has a band");
    // A measure judged now that the new preset leaves out.
    let other = MetricId::judged()
        .filter(|&id| Measure::of(id) != Measure::TrunkUpright)
        .find(|&id| first.judgment.judged.unwrap().get(id).is_some())
        .expect("a measure besides the trunk's is judged");
    // One command: wider bands and a preset judging only the trunk.
    let mut config = Settings::default().judge_config();
    config.thresholds.set_band(
        lean,
        Band {
            drifting: before.drifting * 3.0,
            misaligned: before.misaligned * 3.0,
        },
    );
    config.preset.measures = vec![Measure::TrunkUpright];
    analysis.configure(config);
    let after = next_result(&analysis, |r| {
        r.judgment.bands.band(lean).map(|b| b.drifting) == Some(before.drifting * 3.0)
    });
    let judged = after.judgment.judged.unwrap();
    assert!(
        judged.get(other).is_none(),
        "{other:?} is off in the preset"
    );
    assert_eq!(after.source, first.source, "the same source plays on");
    assert!(after.frame.index > first.frame.index);
    assert!(analysis.shutdown(Duration::from_secs(30)));
}

/// The first result that `wanted` accepts (a minute without one fails rather than hangs).
fn next_result(analysis: &LiveAnalysis, wanted: impl Fn(&LiveResult) -> bool) -> LiveResult {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "no such result came");
        if let (Some(r), _) = analysis.wait(Duration::from_millis(200))
            && wanted(&r)
        {
            return *r;
        }
    }
}

#[test]
fn stopping_the_analysis_ends_its_threads() {
    let analysis = start();
    analysis.open(Paced::new(u64::MAX, Duration::from_millis(5), None).spec());
    let deadline = Instant::now() + Duration::from_secs(20);
    while analysis.wait(Duration::from_millis(200)).0.is_none() {
        assert!(Instant::now() < deadline, "no result came");
    }
    // The analysis thread ends (rather than being let go) while its source still has frames
    // to give; how fast belongs in a benchmark.
    assert!(
        analysis.shutdown(Duration::from_secs(30)),
        "the thread ended"
    );
}

#[test]
fn a_clip_judged_live_and_by_analyze_gives_the_same_states_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let (live_data, cli_data) = (dir.path().join("live"), dir.path().join("cli"));
    // The same saved settings for both: alerts after a second, so the 5 s clip raises some.
    let mut settings = Settings::default();
    settings.alerts.rules.misaligned_after_s = 1.0;
    settings.alerts.rules.repeat_after_s = 2.0;
    settings.save(&live_data).unwrap();
    settings.save(&cli_data).unwrap();
    let clip = fixture("video/camera_turning.mp4");

    // Through `plumbline analyze`.
    let out = plumbline_in(&cli_data, ["analyze", clip.to_str().unwrap(), "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Through the live analysis: a non-paced source, every frame, recorded.
    let (settings, _) = Settings::load(&live_data);
    let analysis = LiveAnalysis::start(
        AnalysisConfig {
            engine: EngineConfig::video(ModelKind::Full),
            judge: settings.judge_config(),
        },
        None,
    );
    let recording = LiveRecording::start(&live_data, SessionMeta::default());
    analysis.record(recording.sender());
    let path = clip.clone();
    analysis.open(SourceSpec::every_frame(
        "clip",
        Box::new(move || plumbline::source::open(&path)),
    ));
    let (_, events) = run_source(&analysis, 1);
    assert!(matches!(events.last(), Some(LiveEvent::SourceEnded { .. })));
    let live_alerts = events
        .iter()
        .filter(|e| matches!(e, LiveEvent::Alert(_)))
        .count();
    analysis.record(None);
    assert!(analysis.shutdown(Duration::from_secs(5)));
    let live_id = recording
        .finish(Duration::from_secs(20))
        .expect("saved")
        .unwrap();

    let cli = Store::open(&cli_data).unwrap();
    let live = Store::open(&live_data).unwrap();
    let cli_id = cli.list().unwrap()[0].id;
    let states = |db: &Store, id| -> Vec<(u64, i64, String)> {
        db.samples(id)
            .unwrap()
            .into_iter()
            .map(|(s, _)| (s.frame, s.t_ms.round() as i64, s.state.name().to_string()))
            .collect()
    };
    let events = |db: &Store, id| -> Vec<(i64, String, String)> {
        db.events(id)
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.t_ms.round() as i64,
                    e.kind.as_str().to_string(),
                    e.detail.to_string(),
                )
            })
            .collect()
    };
    let (cli_states, live_states) = (states(&cli, cli_id), states(&live, live_id));
    assert!(cli_states.len() > 100, "{} frames", cli_states.len());
    assert_eq!(live_states, cli_states, "the same state on every frame");
    let (cli_events, live_events) = (events(&cli, cli_id), events(&live, live_id));
    assert_eq!(live_events, cli_events, "the same events");
    let alerts = cli_events.iter().filter(|e| e.1 == "posture_alert").count();
    assert!(
        alerts >= 2,
        "the leaning photographer raises alerts: {cli_events:?}"
    );
    assert_eq!(live_alerts, alerts, "the window hears each alert once");
}

/// Two seconds of one picture (a person holding still), then half a second of the person
/// moving: 2 px to the right each frame, so no moving picture is ever the same as one before.
fn still_then_moving() -> Paced {
    let paced = Paced::new(0, Duration::from_millis(33), None);
    let person = &paced.images[0];
    let mut images = vec![person.clone(); 60];
    images.extend((1..=15).map(|k| shifted(person, 2 * k)));
    Paced {
        count: images.len() as u64,
        images,
        ..paced
    }
}

/// `image` moved `px` pixels to the right, its first column repeated into the gap (as the
/// fixture sequence was made).
fn shifted(image: &image::RgbImage, px: u32) -> image::RgbImage {
    image::RgbImage::from_fn(image.width(), image.height(), |x, y| {
        *image.get_pixel(x.saturating_sub(px), y)
    })
}

#[test]
fn a_still_camera_spares_the_model_and_its_first_movement_reaches_it_at_once() {
    let data = tempfile::tempdir().unwrap();
    let analysis = start();
    let recording = LiveRecording::start(data.path(), SessionMeta::default());
    analysis.record(recording.sender());
    analysis.open(still_then_moving().spec());
    let (results, events) = run_source(&analysis, 1);
    assert!(matches!(events.last(), Some(LiveEvent::SourceEnded { .. })));
    analysis.record(None);
    let id = recording.finish(Duration::from_secs(20)).unwrap().unwrap();

    let still: Vec<&LiveResult> = results.iter().filter(|r| r.frame.index < 60).collect();
    let analysed: Vec<Duration> = still
        .iter()
        .filter(|r| !r.pose_reused)
        .map(|r| r.frame.timestamp)
        .collect();
    // The model looks at a still picture at least five times a second (a frame late when the
    // machine is busy), and not much more.
    assert!(
        analysed
            .windows(2)
            .all(|w| w[1] - w[0] <= MAX_REUSE + Duration::from_millis(100)),
        "{analysed:?}"
    );
    assert!((8..=14).contains(&analysed.len()), "{analysed:?}");
    // Every other still frame is judged with the pose the model found on that picture.
    let last = results.last().unwrap();
    assert!(
        last.reused >= 30,
        "{} of 60 still frames reused",
        last.reused
    );
    let mut model_pose = None;
    for r in &still {
        assert!(
            r.pose.is_some(),
            "frame {}: the person was lost",
            r.frame.index
        );
        if r.pose_reused {
            assert_eq!(r.pose, model_pose, "frame {}", r.frame.index);
            assert_eq!(r.timings.inference, Duration::ZERO);
        } else {
            model_pose = r.pose.clone();
        }
    }
    // ...and shown only when a fifth of a second has passed or the verdict changed.
    assert!(
        still.len() < 30,
        "{} repaints for 60 still frames",
        still.len()
    );
    // The first movement goes to the model at once (or the frame after, should the model still
    // be busy with the one before), and so does every moving frame.
    let moving: Vec<&LiveResult> = results.iter().filter(|r| r.frame.index >= 60).collect();
    assert!(moving.first().is_some_and(|r| r.frame.index <= 62));
    assert!(moving.iter().all(|r| !r.pose_reused && r.pose.is_some()));

    // The recording has every frame the analysis took, reused or not, at its own time: each
    // one the model did not see was a still picture's.
    let samples = Store::open(data.path()).unwrap().samples(id).unwrap();
    assert_eq!(samples.len() as u64, last.captured - last.dropped);
    let by_model = results.iter().filter(|r| !r.pose_reused).count() as u64;
    assert_eq!(last.reused, samples.len() as u64 - by_model);
    assert!(samples.windows(2).all(|w| w[0].0.t_ms < w[1].0.t_ms));
}

#[test]
fn a_still_file_is_judged_by_the_model_on_every_frame() {
    let analysis = start();
    let source = still_then_moving();
    analysis.open(SourceSpec::every_frame(
        "still file",
        Box::new(move || Ok(Box::new(source))),
    ));
    let (results, _) = run_source(&analysis, 1);
    // Every frame went to the model, none dropped and none reused. The window is handed the
    // newest result, so a test starved of the CPU may miss one it shows; the counts do not.
    let last = results.last().unwrap();
    assert_eq!(last.frame.index, 74);
    assert_eq!((last.captured, last.dropped, last.reused), (75, 0, 0));
    assert!(results.iter().all(|r| !r.pose_reused && r.reused == 0));
    assert!(indices(&results).windows(2).all(|w| w[0] < w[1]));
}
