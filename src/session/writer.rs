//! The one session writer: every analysed frame into a session (its sample and landmarks, the
//! events it raised, the keyframes at the end), the same for `plumbline analyze` and for the
//! app's recording thread, so both record a video the same way.

use image::RgbImage;

use super::keyframes::KeyframePicker;
use super::store::{Recorder, SessionEnd, SessionId, StoreError};
use super::{EventKind, Sample};
use crate::geometry::alerts::Alert;
use crate::geometry::motion::MotionEvent;
use crate::geometry::state::PostureState;
use crate::pose::Pose;

/// What one analysed frame adds to a session.
#[derive(Debug, Clone, Copy)]
pub struct FrameRecord<'a> {
    /// Times and frame numbers are the source's; the writer places them on the session's clock.
    pub sample: &'a Sample,
    pub pose: Option<&'a Pose>,
    /// The picture, in case it becomes a keyframe (`None`: the frame cannot become one).
    pub image: Option<&'a RgbImage>,
    /// The motion rules' events on this frame.
    pub events: &'a [MotionEvent],
    /// The alert the policy fired on this frame, if any.
    pub alert: Option<&'a Alert>,
}

/// Writes analysed frames into one session.
#[derive(Debug)]
pub struct SessionWriter {
    recorder: Recorder,
    picker: KeyframePicker,
    last_state: Option<PostureState>,
    timeline: Timeline,
}

impl SessionWriter {
    pub fn new(recorder: Recorder) -> Self {
        Self {
            recorder,
            picker: KeyframePicker::default(),
            last_state: None,
            timeline: Timeline::default(),
        }
    }

    /// The session being written.
    pub fn session(&self) -> SessionId {
        self.recorder.session()
    }

    /// The session's time of the last frame written, in milliseconds.
    pub fn last_t_ms(&self) -> f64 {
        self.timeline.last.map_or(0.0, |(t, _)| t)
    }

    /// Records one analysed frame: the sample, a `state` event when the shown state changed,
    /// the motion events, a `posture_alert` event for a misaligned alert (move reminders are
    /// recorded as the motion rules' events), and the frame as a keyframe candidate.
    pub fn write(&mut self, frame: FrameRecord<'_>) -> Result<(), StoreError> {
        let mut sample = frame.sample.clone();
        (sample.t_ms, sample.frame) = self.timeline.place(sample.t_ms, sample.frame);
        let changed = self.last_state != Some(sample.state);
        self.last_state = Some(sample.state);
        // The events' times move onto the session's clock with the sample's (a restarted
        // source; otherwise they are the same clock).
        let shift_ms = sample.t_ms - frame.sample.t_ms;
        let shifted: Vec<MotionEvent>;
        let events = if shift_ms == 0.0 {
            frame.events
        } else {
            shifted = frame.events.iter().map(|e| e.shifted(shift_ms)).collect();
            &shifted
        };
        self.recorder
            .record_frame(&sample, frame.pose, events, changed)?;
        if let Some(alert) = frame.alert
            && let Some(kind) = EventKind::of_alert(alert)
        {
            let detail = serde_json::json!({ "message": alert.message });
            self.recorder.event(sample.t_ms, kind, detail)?;
        }
        if let Some(image) = frame.image {
            self.picker.consider(&sample, image, frame.pose);
        }
        Ok(())
    }

    /// Gives up on the session after a write failed: see [`Recorder::abandon`].
    pub fn abandon(self) {
        self.recorder.abandon();
    }

    /// Writes the keyframes and closes the session as `end` says.
    pub fn finish(mut self, end: SessionEnd) -> Result<SessionId, StoreError> {
        for k in self.picker.finish() {
            self.recorder
                .keyframe(k.t_ms, k.kind, k.jpeg, Some(&k.pose))?;
        }
        self.recorder.finish_as(end)
    }
}

/// One session's clock across sources: when the source restarts (the user opens another file
/// while recording), its times start again from zero; the session's must not run backwards, so
/// the new run continues one frame after the last.
#[derive(Debug, Default, Clone, Copy)]
struct Timeline {
    shift_ms: f64,
    shift_frames: u64,
    last: Option<(f64, u64)>,
}

impl Timeline {
    /// The session's time and frame number for a frame at `t_ms`, `frame` of its own run.
    fn place(&mut self, t_ms: f64, frame: u64) -> (f64, u64) {
        if let Some((last_t, last_frame)) = self.last
            && t_ms + self.shift_ms < last_t
        {
            self.shift_ms = last_t + 1000.0 / 30.0 - t_ms;
            self.shift_frames = (last_frame + 1).saturating_sub(frame);
        }
        let placed = (t_ms + self.shift_ms, frame + self.shift_frames);
        self.last = Some(placed);
        placed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restarted_source_continues_the_session_clock() {
        let mut t = Timeline::default();
        assert_eq!(t.place(0.0, 0), (0.0, 0));
        assert_eq!(t.place(33.0, 1), (33.0, 1));
        assert_eq!(t.place(5000.0, 150), (5000.0, 150));
        // Another file opened: its clock starts again at zero.
        let (ms, frame) = t.place(0.0, 0);
        assert!((ms - 5033.3).abs() < 0.1 && frame == 151, "{ms} {frame}");
        let (ms, frame) = t.place(33.0, 1);
        assert!((ms - 5066.3).abs() < 0.1 && frame == 152, "{ms} {frame}");
    }
}
