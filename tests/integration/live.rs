//! The live loop with a real engine: a paced source stands in for a camera.

use std::time::{Duration, Instant};

use plumbline::pipeline::live::{LiveMessage, LivePipeline};
use plumbline::pipeline::offline::AnalysisConfig;
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::source::{Frame, FrameSource, SourceError};

use crate::helpers::*;

/// Frames from the fixture sequence at a fixed pace, like a camera; optionally fails.
struct Paced {
    images: Vec<image::RgbImage>,
    next: u64,
    count: u64,
    every: Duration,
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
            fail_at,
        }
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
            timestamp: Duration::from_secs_f64(i as f64 / 30.0),
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

fn config() -> AnalysisConfig {
    AnalysisConfig::new(EngineConfig::video(ModelKind::Full))
}

fn collect(pipeline: &LivePipeline) -> (Vec<u64>, LiveMessage) {
    let mut frames = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the pipeline never ended");
        match pipeline.next(Duration::from_millis(200)) {
            Some(LiveMessage::Result(r)) => {
                assert!(
                    r.latency < Duration::from_secs(1),
                    "stale result: {:?}",
                    r.latency
                );
                assert!(r.pose.is_some(), "frame {}: person lost", r.frame.index);
                frames.push(r.frame.index);
            }
            Some(end) => return (frames, end),
            None => {}
        }
    }
}

#[test]
fn a_source_faster_than_the_model_drops_stale_frames_not_fresh_ones() {
    // 1 ms per frame: far faster than the full model.
    let pipeline = LivePipeline::start(
        Box::new(Paced::new(120, Duration::from_millis(1), None)),
        &config(),
    )
    .unwrap();
    let (frames, end) = collect(&pipeline);
    assert!(matches!(end, LiveMessage::Ended), "{end:?}");
    assert!(
        frames.windows(2).all(|w| w[0] < w[1]),
        "results out of order: {frames:?}"
    );
    let (captured, dropped) = pipeline.frame_counts();
    assert_eq!(captured, 120);
    assert!(dropped > 0, "nothing was dropped");
    assert!(frames.len() as u64 + dropped <= captured);
    assert_eq!(
        *frames.last().unwrap(),
        119,
        "the newest frame is always analysed"
    );
    pipeline.stop();
}

#[test]
fn a_camera_lost_mid_run_ends_the_run_with_a_clear_error_after_its_frames() {
    let pipeline = LivePipeline::start(
        Box::new(Paced::new(100, Duration::from_millis(20), Some(15))),
        &config(),
    )
    .unwrap();
    let (frames, end) = collect(&pipeline);
    match end {
        LiveMessage::SourceFailed(e) => assert!(e.to_string().contains("lost the camera"), "{e}"),
        other => panic!("expected a lost camera, got {other:?}"),
    }
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
    for _ in 0..5 {
        let pipeline = LivePipeline::start(
            Box::new(Paced::new(100, Duration::ZERO, Some(1))),
            &config(),
        )
        .unwrap();
        let (frames, end) = collect(&pipeline);
        assert_eq!(
            frames,
            [0],
            "the frame before the failure, then the failure"
        );
        assert!(matches!(end, LiveMessage::SourceFailed(_)), "{end:?}");
    }
}

#[test]
fn dropping_the_pipeline_stops_its_threads_promptly() {
    let pipeline = LivePipeline::start(
        Box::new(Paced::new(u64::MAX, Duration::from_millis(5), None)),
        &config(),
    )
    .unwrap();
    assert!(matches!(
        pipeline.next(Duration::from_secs(10)),
        Some(LiveMessage::Result(_))
    ));
    let started = Instant::now();
    drop(pipeline);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "shutdown took {:?}",
        started.elapsed()
    );
}
