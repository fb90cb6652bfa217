//! Playing a recorded source as if it were live: at its own pace ([`RealTime`]), and over and
//! over as one stream ([`Looping`], the app's demo).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::SourceError;
use super::frame::{Frame, FrameSource};
use super::images::DEFAULT_FPS;
use super::open::open;

/// Plays a recorded source at its own pace, each frame at its timestamp after the first, as
/// a camera would deliver it (for showing a file live in the app).
#[derive(Debug)]
pub struct RealTime {
    inner: Box<dyn FrameSource>,
    started: Option<std::time::Instant>,
    waited: Duration,
}

impl RealTime {
    pub fn new(inner: Box<dyn FrameSource>) -> Self {
        Self {
            inner,
            started: None,
            waited: Duration::ZERO,
        }
    }
}

impl FrameSource for RealTime {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let frame = self.inner.next_frame()?;
        if let Some(f) = &frame {
            let started = *self.started.get_or_insert_with(std::time::Instant::now);
            let due = started + f.timestamp;
            let now = std::time::Instant::now();
            self.waited = due.saturating_duration_since(now);
            if !self.waited.is_zero() {
                std::thread::sleep(self.waited);
            }
        }
        Ok(frame)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn len_hint(&self) -> Option<u64> {
        self.inner.len_hint()
    }

    fn waited(&self) -> Duration {
        self.waited
    }
}

/// Plays a file over and over as one endless stream: each pass continues the timestamps and
/// indices of the last, so the engine's tracking, smoothing and state timers run on undisturbed
/// (the app's demo), and the engine is not reloaded every pass.
#[derive(Debug)]
pub struct Looping {
    path: PathBuf,
    inner: Box<dyn FrameSource>,
    /// Added to this pass's timestamps and indices.
    offset: Duration,
    first_index: u64,
    /// The last frame handed out, and whether this pass produced any.
    last: Option<(Duration, u64)>,
    pass_had_frames: bool,
}

impl Looping {
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        Ok(Self {
            path: path.to_path_buf(),
            inner: open(path)?,
            offset: Duration::ZERO,
            first_index: 0,
            last: None,
            pass_had_frames: false,
        })
    }
}

impl FrameSource for Looping {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            match self.inner.next_frame()? {
                Some(mut f) => {
                    f.timestamp += self.offset;
                    f.index += self.first_index;
                    self.last = Some((f.timestamp, f.index));
                    self.pass_had_frames = true;
                    return Ok(Some(f));
                }
                // A pass with no frame at all would loop forever: end instead.
                None if !self.pass_had_frames => return Ok(None),
                None => {
                    let (t, i) = self.last.unwrap_or_default();
                    // The next pass starts one frame (at the images' default rate) later.
                    self.offset = t + Duration::from_secs_f64(1.0 / DEFAULT_FPS);
                    self.first_index = i + 1;
                    self.pass_had_frames = false;
                    self.inner = open(&self.path)?;
                }
            }
        }
    }

    fn describe(&self) -> String {
        format!("{}, looped", self.inner.describe())
    }

    fn len_hint(&self) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paced_source_says_how_long_it_slept_until_each_frame_was_due() {
        let dir = std::env::temp_dir().join(format!("plumbline-paced-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..3 {
            image::RgbImage::new(8, 8)
                .save(dir.join(format!("{i}.png")))
                .unwrap();
        }
        let mut s = RealTime::new(open(&dir).unwrap());
        s.next_frame().unwrap().unwrap();
        assert_eq!(s.waited(), Duration::ZERO, "the first frame is due at once");
        let t = std::time::Instant::now();
        s.next_frame().unwrap().unwrap();
        let interval = Duration::from_secs_f64(1.0 / DEFAULT_FPS);
        assert!(s.waited() > interval / 2, "{:?}", s.waited());
        assert!(
            s.waited() <= t.elapsed(),
            "{:?} in {:?}",
            s.waited(),
            t.elapsed()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_looped_source_runs_on_with_increasing_times_and_indices() {
        let dir = std::env::temp_dir().join(format!("plumbline-loop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..3 {
            image::RgbImage::new(8, 8)
                .save(dir.join(format!("{i}.png")))
                .unwrap();
        }
        let mut s = Looping::open(&dir).unwrap();
        let frames: Vec<Frame> = (0..7).map(|_| s.next_frame().unwrap().unwrap()).collect();
        let indices: Vec<u64> = frames.iter().map(|f| f.index).collect();
        assert_eq!(indices, [0, 1, 2, 3, 4, 5, 6]);
        for w in frames.windows(2) {
            let step = w[1].timestamp - w[0].timestamp;
            assert!(
                (step.as_secs_f64() - 1.0 / DEFAULT_FPS).abs() < 1e-6,
                "{step:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_empty_looped_source_ends_instead_of_spinning() {
        let dir = std::env::temp_dir().join(format!("plumbline-loop-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0.png"), b"not a png").unwrap();
        match Looping::open(&dir) {
            Err(_) => {}
            Ok(mut s) => {
                let mut n = 0;
                while !matches!(s.next_frame(), Ok(None)) {
                    n += 1;
                    assert!(n < 10, "a source without a good frame must end");
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
