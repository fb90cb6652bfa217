//! Landmark smoothing across frames, after MediaPipe's `pose_landmark_filtering.pbtxt`:
//! a one-euro filter on coordinates (scaled by the body's size in pixels) and a low-pass
//! filter on visibility. Time comes in as timestamps; nothing here reads a clock.

use std::time::Duration;

use super::landmarks::{Landmark, Vec3};
use super::roi::ImageSize;

/// Exponential smoothing with a given weight for the newest value.
#[derive(Debug, Clone, Default)]
pub struct LowPassFilter {
    last_raw: Option<f32>,
    stored: f32,
}

impl LowPassFilter {
    pub fn apply_with_alpha(&mut self, value: f32, alpha: f32) -> f32 {
        let result = match self.last_raw {
            Some(_) => alpha * value + (1.0 - alpha) * self.stored,
            None => value,
        };
        self.last_raw = Some(value);
        self.stored = result;
        result
    }

    pub fn last_raw(&self) -> Option<f32> {
        self.last_raw
    }
}

/// Parameters of a one-euro filter (Casiez et al., CHI 2012).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneEuroParams {
    /// Cutoff frequency (Hz) when the value is still: lower means smoother.
    pub min_cutoff: f32,
    /// How fast the cutoff rises with speed: higher means less lag when moving.
    pub beta: f32,
    /// Cutoff (Hz) for the speed estimate.
    pub derivative_cutoff: f32,
}

/// MediaPipe's main pose landmark filter (`pose_landmark_filtering.pbtxt` as shipped in
/// mediapipe 0.10.14): min_cutoff 0.05 (≈0.01 EMA weight when still), beta 80 (≈0.94 when
/// moving fast), derivative cutoff 1.0.
pub const POSE_LANDMARKS: OneEuroParams = OneEuroParams {
    min_cutoff: 0.05,
    beta: 80.0,
    derivative_cutoff: 1.0,
};
/// MediaPipe's filter for the two auxiliary (ROI) landmarks: smoothed harder when still so the
/// crop is steady, yet responsive to fast moves (min_cutoff 0.01, beta 10). An older graph used
/// beta 1, which makes the crop lag a turning body by seconds.
pub const AUXILIARY_LANDMARKS: OneEuroParams = OneEuroParams {
    min_cutoff: 0.01,
    beta: 10.0,
    derivative_cutoff: 1.0,
};
/// MediaPipe's world-landmark filter (metres, no size scaling): min_cutoff 0.1, beta 40.
pub const WORLD_LANDMARKS: OneEuroParams = OneEuroParams {
    min_cutoff: 0.1,
    beta: 40.0,
    derivative_cutoff: 1.0,
};
/// MediaPipe's visibility low-pass weight.
pub const VISIBILITY_ALPHA: f32 = 0.1;

/// A one-euro filter on one scalar, with MediaPipe's handling of time and value scale.
#[derive(Debug, Clone)]
pub struct OneEuroFilter {
    params: OneEuroParams,
    /// Sampling frequency in Hz; 30 until two timestamps have been seen.
    frequency: f32,
    last_time: Option<Duration>,
    x: LowPassFilter,
    dx: LowPassFilter,
}

impl OneEuroFilter {
    pub fn new(params: OneEuroParams) -> Self {
        Self {
            params,
            frequency: 30.0,
            last_time: None,
            x: LowPassFilter::default(),
            dx: LowPassFilter::default(),
        }
    }

    fn alpha(&self, cutoff: f32) -> f32 {
        let te = 1.0 / self.frequency;
        let tau = 1.0 / (2.0 * std::f32::consts::PI * cutoff);
        1.0 / (1.0 + tau / te)
    }

    /// Filters `value` observed at `t`. `value_scale` converts the speed into a size-free
    /// unit (1 / object size), so the same parameters suit near and far people.
    pub fn apply(&mut self, t: Duration, value_scale: f32, value: f32) -> f32 {
        if let Some(last) = self.last_time {
            if t <= last {
                // Out-of-order or repeated timestamp: pass through, as MediaPipe does.
                return value;
            }
            self.frequency = 1.0 / (t - last).as_secs_f32();
        }
        self.last_time = Some(t);
        let dvalue = match self.x.last_raw() {
            Some(last) => (value - last) * value_scale * self.frequency,
            None => 0.0,
        };
        let edvalue = self
            .dx
            .apply_with_alpha(dvalue, self.alpha(self.params.derivative_cutoff));
        let cutoff = self.params.min_cutoff + self.params.beta * edvalue.abs();
        self.x.apply_with_alpha(value, self.alpha(cutoff))
    }
}

/// Smooths a fixed-size set of image landmarks over time.
#[derive(Debug, Clone)]
pub struct LandmarkSmoother {
    params: OneEuroParams,
    filters: Vec<[OneEuroFilter; 3]>,
    visibility: Vec<LowPassFilter>,
}

impl LandmarkSmoother {
    pub fn new(params: OneEuroParams) -> Self {
        Self {
            params,
            filters: Vec::new(),
            visibility: Vec::new(),
        }
    }

    /// Forgets history (the person was lost).
    pub fn reset(&mut self) {
        self.filters.clear();
        self.visibility.clear();
    }

    /// Smooths `landmarks` (normalised to an image of `size`) in place.
    pub fn apply(&mut self, landmarks: &mut [Landmark], size: ImageSize, t: Duration) {
        if self.filters.len() != landmarks.len() {
            let f = OneEuroFilter::new(self.params);
            self.filters = vec![[f.clone(), f.clone(), f]; landmarks.len()];
            self.visibility = vec![LowPassFilter::default(); landmarks.len()];
        }
        // Speeds are measured in body sizes per second: scale by 1 / object size in pixels,
        // the mean of the landmarks' bounding-box width and height.
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for l in landmarks.iter() {
            min_x = min_x.min(l.x);
            max_x = max_x.max(l.x);
            min_y = min_y.min(l.y);
            max_y = max_y.max(l.y);
        }
        let object_scale = ((max_x - min_x) * size.w() + (max_y - min_y) * size.h()) / 2.0;
        if object_scale.is_nan() || object_scale < 1e-6 {
            return;
        }
        let value_scale = 1.0 / object_scale;
        for ((l, f), vis) in landmarks
            .iter_mut()
            .zip(&mut self.filters)
            .zip(&mut self.visibility)
        {
            l.visibility = vis.apply_with_alpha(l.visibility, VISIBILITY_ALPHA);
            l.x = f[0].apply(t, value_scale, l.x * size.w()) / size.w();
            l.y = f[1].apply(t, value_scale, l.y * size.h()) / size.h();
            // MediaPipe scales z like x.
            l.z = f[2].apply(t, value_scale, l.z * size.w()) / size.w();
        }
    }
}

/// Smooths world landmarks (metres), without size scaling, as MediaPipe does.
#[derive(Debug, Clone)]
pub struct WorldSmoother {
    filters: Vec<[OneEuroFilter; 3]>,
}

impl Default for WorldSmoother {
    fn default() -> Self {
        Self::new()
    }
}

impl WorldSmoother {
    pub fn new() -> Self {
        Self {
            filters: Vec::new(),
        }
    }

    pub fn reset(&mut self) {
        self.filters.clear();
    }

    pub fn apply(&mut self, points: &mut [Vec3], t: Duration) {
        if self.filters.len() != points.len() {
            let f = OneEuroFilter::new(WORLD_LANDMARKS);
            self.filters = vec![[f.clone(), f.clone(), f]; points.len()];
        }
        for (p, f) in points.iter_mut().zip(&mut self.filters) {
            p.x = f[0].apply(t, 1.0, p.x);
            p.y = f[1].apply(t, 1.0, p.y);
            p.z = f[2].apply(t, 1.0, p.z);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn first_value_passes_through() {
        let mut f = OneEuroFilter::new(POSE_LANDMARKS);
        assert_eq!(f.apply(ms(0), 1.0, 5.0), 5.0);
    }

    #[test]
    fn still_signal_is_smoothed_hard_and_fast_motion_followed() {
        // A jittery but still landmark moves much less than its raw jitter.
        let mut f = OneEuroFilter::new(POSE_LANDMARKS);
        let mut out = Vec::new();
        for i in 0..60u64 {
            let jitter = if i % 2 == 0 { 1.0 } else { -1.0 };
            out.push(f.apply(ms(i * 33), 1.0 / 200.0, 100.0 + jitter));
        }
        let spread = out[30..].iter().cloned().fold(f32::MIN, f32::max)
            - out[30..].iter().cloned().fold(f32::MAX, f32::min);
        assert!(spread < 0.5, "still jitter spread {spread}");

        // A fast, steady motion (half a body size per second) is tracked with little lag.
        let mut f = OneEuroFilter::new(POSE_LANDMARKS);
        let mut last = 0.0;
        for i in 0..30u64 {
            let v = i as f32 * 3.3;
            last = f.apply(ms(i * 33), 1.0 / 200.0, v);
        }
        assert!(
            (29.0 * 3.3 - last).abs() < 10.0,
            "lag {}",
            29.0 * 3.3 - last
        );
    }

    #[test]
    fn repeated_timestamp_passes_value_through() {
        let mut f = OneEuroFilter::new(POSE_LANDMARKS);
        f.apply(ms(10), 1.0, 1.0);
        assert_eq!(f.apply(ms(10), 1.0, 7.0), 7.0);
    }

    #[test]
    fn visibility_is_low_passed() {
        let mut s = LandmarkSmoother::new(POSE_LANDMARKS);
        let size = ImageSize {
            width: 100,
            height: 100,
        };
        let mk = |v: f32| {
            vec![
                Landmark {
                    x: 0.2,
                    y: 0.2,
                    z: 0.0,
                    visibility: v,
                    presence: 1.0,
                },
                Landmark {
                    x: 0.8,
                    y: 0.8,
                    z: 0.0,
                    visibility: v,
                    presence: 1.0,
                },
            ]
        };
        let mut a = mk(1.0);
        s.apply(&mut a, size, ms(0));
        let mut b = mk(0.0);
        s.apply(&mut b, size, ms(33));
        assert!((b[0].visibility - 0.9).abs() < 1e-6);
    }
}
