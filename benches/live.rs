//! The live loop's latency with a camera-like source: the demo's frames (640×480) delivered
//! at 30 fps, each at its due instant as a camera exposes it, handed to the analysis newest
//! first, as the app does with a camera.
//!
//! - `capture_to_result`: from a frame's due instant to its result being ready for the window
//!   (the analysis wakes the caller as it wakes the app).
//! - `analysis`: of that, the time the analysis itself took (crop, inference, geometry,
//!   judgment); the rest is waiting (a frame arriving while the model is busy waits for it).
//!
//! The bound: capture to result within one frame interval plus the analysis time.
//!
//! `live_still/{model}`: the CPU time of the whole process per captured frame while one
//! picture (a person holding still) comes in at 30 fps, handed over as a camera's (`camera`:
//! a picture the model has seen is judged with its pose, at least five model runs a second)
//! and as a file's (`file`: every frame to the model). × 1800 is CPU seconds per minute.
//!
//! `cargo bench --bench live`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use plumbline::pipeline::analyzer::AnalysisConfig;
use plumbline::pipeline::cpu::process_cpu_time;
use plumbline::pipeline::live::{LiveAnalysis, LiveEvent, LiveResult, Opener, SourceSpec};
use plumbline::pose::{EngineConfig, ModelKind};
use plumbline::source::SourceError;
use plumbline::source::frame::{Frame, FrameSource};

/// A camera's frame interval at 30 fps.
const INTERVAL: Duration = Duration::from_nanos(33_333_333);

/// Frames played over and over, each returned at its due instant (start + index × interval),
/// which it records: the moment a camera would have captured it.
struct Paced {
    frames: Vec<Frame>,
    next: u64,
    start: Option<Instant>,
    due: Arc<Mutex<HashMap<u64, Instant>>>,
    waited: Duration,
}

impl FrameSource for Paced {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let start = *self.start.get_or_insert_with(Instant::now);
        let due = start + INTERVAL * u32::try_from(self.next).unwrap_or(u32::MAX);
        self.waited = due.saturating_duration_since(Instant::now());
        std::thread::sleep(self.waited);
        let mut frame = self.frames[(self.next % self.frames.len() as u64) as usize].clone();
        frame.index = self.next;
        frame.timestamp = due - start;
        self.due.lock().expect("the due map").insert(self.next, due);
        self.next += 1;
        Ok(Some(frame))
    }

    fn describe(&self) -> String {
        "the demo, paced at 30 fps".into()
    }

    fn len_hint(&self) -> Option<u64> {
        None
    }

    fn waited(&self) -> Duration {
        self.waited
    }
}

/// The demo's first `n` frames, decoded.
fn demo_frames(n: usize) -> Vec<Frame> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo-practice.mp4");
    let mut source = plumbline::source::open(&path).expect("the demo opens");
    let mut frames = Vec::with_capacity(n);
    while frames.len() < n {
        match source.next_frame().expect("the demo decodes") {
            Some(f) => frames.push(f),
            None => break,
        }
    }
    frames
}

/// How a source hands its frames over: as a camera's ([`SourceSpec::live`]) or a file's.
type HandOver = fn(&'static str, Opener) -> SourceSpec;

/// The live analysis on a paced source, and what each result needs to be timed.
struct Live {
    analysis: LiveAnalysis,
    woken: mpsc::Receiver<()>,
    due: Arc<Mutex<HashMap<u64, Instant>>>,
}

impl Live {
    fn start(model: ModelKind, frames: Vec<Frame>) -> Self {
        Self::start_as(model, frames, SourceSpec::live)
    }

    /// With the frames handed over as `spec` makes a source hand them over.
    fn start_as(model: ModelKind, frames: Vec<Frame>, spec: HandOver) -> Self {
        let (wake, woken) = mpsc::sync_channel(1);
        let analysis = LiveAnalysis::start(
            AnalysisConfig::new(EngineConfig::video(model)),
            Some(Arc::new(move || {
                let _ = wake.try_send(());
            })),
        );
        let due = Arc::new(Mutex::new(HashMap::new()));
        let source = Paced {
            frames,
            next: 0,
            start: None,
            due: Arc::clone(&due),
            waited: Duration::ZERO,
        };
        analysis.open(spec(
            "paced demo",
            Box::new(move || Ok(Box::new(source) as Box<dyn FrameSource>)),
        ));
        let live = Self {
            analysis,
            woken,
            due,
        };
        // Until the engine has loaded and the tracker has found the person.
        while live.next().captured < 60 {}
        live
    }

    /// Waits for the next result: (capture to result, the analysis's own time).
    fn next_result(&self) -> (Duration, Duration) {
        let r = self.next();
        let now = Instant::now();
        let due = self.due.lock().expect("the due map")[&r.frame.index];
        let t = r.timings;
        (now - due, t.preprocess + t.inference + t.geometry)
    }

    /// The process's CPU time while `frames` more frames are captured.
    fn cpu_over(&self, frames: u64) -> Duration {
        let cpu = || process_cpu_time().expect("the process's CPU time");
        let (start, started) = (self.next().captured, cpu());
        while self.next().captured < start + frames {}
        cpu() - started
    }

    fn next(&self) -> Box<LiveResult> {
        loop {
            let _ = self.woken.recv_timeout(Duration::from_millis(100));
            let (result, events) = self.analysis.poll();
            for e in events {
                if let LiveEvent::EngineFailed { error, .. } = e {
                    panic!("the engine failed: {error}");
                }
            }
            if let Some(r) = result {
                return r;
            }
        }
    }
}

fn live_latency(c: &mut Criterion) {
    let frames = demo_frames(150);
    for model in [ModelKind::Lite, ModelKind::Full] {
        let live = Live::start(model, frames.clone());
        let mut group = c.benchmark_group(format!("live/{}", model.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(8));
        group.bench_function("capture_to_result", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| live.next_result().0).sum())
        });
        group.bench_function("analysis", |b| {
            b.iter_custom(|iters| (0..iters).map(|_| live.next_result().1).sum())
        });
        group.finish();
        live.analysis.shutdown(Duration::from_secs(5));
    }
}

fn live_still(c: &mut Criterion) {
    let still = demo_frames(1);
    for model in [ModelKind::Lite, ModelKind::Full] {
        let mut group = c.benchmark_group(format!("live_still/{}", model.name()));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(2))
            .measurement_time(Duration::from_secs(20));
        let handed_over: [(&str, HandOver); 2] = [
            ("camera", SourceSpec::live),
            ("file", SourceSpec::every_frame),
        ];
        for (name, spec) in handed_over {
            let live = Live::start_as(model, still.clone(), spec);
            group.bench_function(name, |b| b.iter_custom(|frames| live.cpu_over(frames)));
            live.analysis.shutdown(Duration::from_secs(5));
        }
        group.finish();
    }
}

criterion_group!(benches, live_latency, live_still);
criterion_main!(benches);
