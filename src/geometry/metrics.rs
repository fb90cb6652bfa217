//! Per-frame posture metrics: the one function that computes every metric of
//! [`MetricId`]'s table from a pose, and the [`Metrics`] value it fills.
//! Image metrics work in pixels (so a wide frame does not skew angles); sagittal ones use the
//! 3-D world landmarks, except in a side view, where the picture shows the sagittal plane
//! itself. A metric is `None` when the landmarks it needs are not visible enough, or when it
//! cannot be measured from the person's view ([`MetricId::measurable_in`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::metric_id::MetricId;
use super::per_metric::PerMetric;
use super::view::{Facing, View, facing, infer_view};
use crate::pose::roi::ImageSize;
use crate::pose::{LandmarkId, Pose, Vec3};

use LandmarkId as L;

/// Settings for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricsConfig {
    /// A landmark counts as seen from this visibility on (MediaPipe's own examples use 0.5).
    pub min_visibility: f32,
}

/// The visibility thresholds that make sense: a probability. The command line and the saved
/// settings accept the same range.
pub const MIN_VISIBILITY_RANGE: std::ops::RangeInclusive<f32> = 0.0..=1.0;

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            min_visibility: 0.5,
        }
    }
}

/// Posture metrics for one frame: the view, and a value per [`MetricId`] (signs, units and
/// meanings in the table). A metric is `None` when it could not be measured.
///
/// As JSON (a pose's `metrics`, a session's samples) it keeps the layout users script against:
/// `view`, then each metric under its key, the plumb-line points grouped in a
/// `plumb_deviation` object (`null` outside a side view), every metric present, `null` when
/// unmeasured.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Frontal, side or oblique view; decides which metrics are valid.
    pub view: Option<View>,
    values: PerMetric<f32>,
}

impl Metrics {
    /// Nothing measured yet, in `view`.
    pub fn new(view: Option<View>) -> Self {
        Self {
            view,
            values: PerMetric::default(),
        }
    }

    /// The value of `id`, if measured.
    pub fn get(&self, id: MetricId) -> Option<f32> {
        self.values.get(id)
    }

    pub fn set(&mut self, id: MetricId, value: Option<f32>) {
        self.values.set(id, value);
    }

    /// These metrics with `id` measured as `value` (for building examples and tests).
    pub fn with(mut self, id: MetricId, value: f32) -> Self {
        self.set(id, Some(value));
        self
    }

    /// These metrics without `ids`.
    fn with_none(mut self, ids: &[MetricId]) -> Self {
        for &id in ids {
            self.set(id, None);
        }
        self
    }

    /// Every metric with its value, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (MetricId, Option<f32>)> + '_ {
        self.values.iter()
    }

    /// The measured metrics, with their values.
    pub fn measured(&self) -> impl Iterator<Item = (MetricId, f32)> + '_ {
        self.values.present()
    }

    /// The same view with every value mapped by `f` (`None` stays `None` unless `f` says).
    pub fn map(&self, mut f: impl FnMut(MetricId, Option<f32>) -> Option<f32>) -> Metrics {
        Metrics {
            view: self.view,
            values: PerMetric::from_fn(|id| f(id, self.get(id))),
        }
    }
}

impl Serialize for Metrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("view", &self.view)?;
        let mut groups_done: Vec<&str> = Vec::new();
        for id in MetricId::ALL {
            match id.spec().json_group {
                None => map.serialize_entry(id.key(), &self.get(id))?,
                Some((group, _)) if !groups_done.contains(&group) => {
                    groups_done.push(group);
                    map.serialize_entry(
                        group,
                        &Group {
                            metrics: self,
                            group,
                        },
                    )?;
                }
                Some(_) => {}
            }
        }
        map.end()
    }
}

/// A group of metrics as one JSON object, or `null` when none of them was measured.
struct Group<'a> {
    metrics: &'a Metrics,
    group: &'static str,
}

impl Group<'_> {
    fn members(&self) -> impl Iterator<Item = (&'static str, MetricId)> + '_ {
        MetricId::ALL
            .into_iter()
            .filter_map(|id| match id.spec().json_group {
                Some((g, field)) if g == self.group => Some((field, id)),
                _ => None,
            })
    }
}

impl Serialize for Group<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.members().all(|(_, id)| self.metrics.get(id).is_none()) {
            return s.serialize_none();
        }
        let mut map = s.serialize_map(None)?;
        for (field, id) in self.members() {
            map.serialize_entry(field, &self.metrics.get(id))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Metrics;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("posture metrics")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Metrics, A::Error> {
                let mut m = Metrics::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "view" {
                        m.view = map.next_value()?;
                        continue;
                    }
                    if let Some(id) = MetricId::from_key(&key)
                        && id.spec().json_group.is_none()
                    {
                        m.set(id, map.next_value()?);
                        continue;
                    }
                    let is_group = MetricId::ALL
                        .iter()
                        .any(|id| id.spec().json_group.is_some_and(|(g, _)| g == key));
                    if !is_group {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    }
                    let fields: Option<BTreeMap<String, Option<f32>>> = map.next_value()?;
                    for (field, v) in fields.unwrap_or_default() {
                        let id = MetricId::ALL.into_iter().find(|id| {
                            id.spec()
                                .json_group
                                .is_some_and(|(g, f)| g == key && f == field)
                        });
                        if let Some(id) = id {
                            m.set(id, v);
                        }
                    }
                }
                Ok(m)
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A point in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Px {
    x: f32,
    y: f32,
}

impl Px {
    fn mid(a: Px, b: Px) -> Px {
        Px {
            x: (a.x + b.x) / 2.0,
            y: (a.y + b.y) / 2.0,
        }
    }
    fn dist(a: Px, b: Px) -> f32 {
        (a.x - b.x).hypot(a.y - b.y)
    }
}

/// Reads the landmarks of one pose in pixels, respecting visibility.
struct Seen<'a> {
    pose: &'a Pose,
    size: ImageSize,
    min_visibility: f32,
    view: Option<View>,
}

impl Seen<'_> {
    fn visibility(&self, id: L) -> f32 {
        self.pose.landmark(id).visibility
    }

    fn px(&self, id: L) -> Option<Px> {
        let l = self.pose.landmark(id);
        (l.visibility >= self.min_visibility).then(|| Px {
            x: l.x * self.size.w(),
            y: l.y * self.size.h(),
        })
    }

    /// Midpoint of a left/right pair. In a side view the two overlap in the image, so the one
    /// visible landmark stands for the midpoint.
    fn mid(&self, left: L, right: L) -> Option<Px> {
        match (self.px(left), self.px(right)) {
            (Some(a), Some(b)) => Some(Px::mid(a, b)),
            (Some(a), None) | (None, Some(a)) if self.view == Some(View::Side) => Some(a),
            _ => None,
        }
    }

    /// World midpoint of a pair, if at least one of them is seen in the image.
    fn world_mid(&self, left: L, right: L) -> Option<Vec3> {
        if self.px(left).is_none() && self.px(right).is_none() {
            return None;
        }
        let (a, b) = (self.pose.world(left), self.pose.world(right));
        Some(Vec3::new(
            (a.x + b.x) / 2.0,
            (a.y + b.y) / 2.0,
            (a.z + b.z) / 2.0,
        ))
    }
}

/// Angle of a pixel vector against the image's upward vertical, positive toward image right.
fn angle_from_vertical_deg(dx: f32, dy_down: f32) -> f32 {
    dx.atan2(-dy_down).to_degrees()
}

/// Angle of the line through two points against the horizontal, positive when the
/// image-right end is higher. Independent of the order of the points.
fn tilt_deg(a: Px, b: Px) -> Option<f32> {
    let (left_end, right_end) = if a.x <= b.x { (a, b) } else { (b, a) };
    let dx = right_end.x - left_end.x;
    let dy_up = left_end.y - right_end.y;
    (dx.hypot(dy_up) > 1e-3).then(|| dy_up.atan2(dx).to_degrees())
}

fn dot(a: Vec3, b: Vec3) -> f32 {
    a.x * b.x + a.y * b.y + a.z * b.z
}

fn sub(a: Vec3, b: Vec3) -> Vec3 {
    Vec3::new(a.x - b.x, a.y - b.y, a.z - b.z)
}

/// World "up" (MediaPipe's world y points down).
const UP: Vec3 = Vec3 {
    x: 0.0,
    y: -1.0,
    z: 0.0,
};

/// The horizontal direction the body faces, in world coordinates: perpendicular to the
/// right-minus-left shoulder and hip lines. BlazePose sometimes swaps left and right; the nose
/// (ahead of the ears, and unaffected by a swap) settles the sign.
fn forward_direction(pose: &Pose) -> Option<Vec3> {
    let s = sub(pose.world(L::RightShoulder), pose.world(L::LeftShoulder));
    let h = sub(pose.world(L::RightHip), pose.world(L::LeftHip));
    let (lx, lz) = (s.x + h.x, s.z + h.z);
    // up × lateral, with up = (0, −1, 0): (−lz, 0, lx).
    let mut f = Vec3::new(-lz, 0.0, lx);
    let norm = f.x.hypot(f.z);
    if norm < 1e-6 {
        return None;
    }
    f = Vec3::new(f.x / norm, 0.0, f.z / norm);
    let ears = pose.world(L::LeftEar);
    let ears = Vec3::new(
        (ears.x + pose.world(L::RightEar).x) / 2.0,
        0.0,
        (ears.z + pose.world(L::RightEar).z) / 2.0,
    );
    let nose = pose.world(L::Nose);
    let ahead = Vec3::new(nose.x - ears.x, 0.0, nose.z - ears.z);
    if dot(ahead, f) < 0.0 {
        f = Vec3::new(-f.x, 0.0, -f.z);
    }
    Some(f)
}

/// Inclination of `v` from the vertical in the plane of `forward` and up; positive forward.
fn sagittal_angle_deg(v: Vec3, forward: Vec3) -> Option<f32> {
    let (f, u) = (dot(v, forward), dot(v, UP));
    (f.hypot(u) > 1e-6).then(|| f.atan2(u).to_degrees())
}

/// Computes the metrics of one pose in an image of `size` pixels that its view lets be
/// measured; the others are `None`. In a side view the sagittal lean is read from the picture,
/// where it is the trunk's own angle, signed by the way the person faces.
pub fn compute(pose: &Pose, size: ImageSize, config: &MetricsConfig) -> Metrics {
    let all = compute_all(pose, size, config);
    let Some(view) = all.view else {
        return Metrics::new(None);
    };
    let mut m = all.map(|id, v| v.filter(|_| id.measurable_in(view)));
    if view == View::Side {
        // Forward is the picture's right or left, as the person faces.
        let forward = match facing(pose, Some(view), config.min_visibility) {
            Some(Facing::Left) => -1.0,
            Some(_) => 1.0,
            None => {
                return m.with_none(&[MetricId::TrunkLeanSagittal, MetricId::ShoulderHipOffset]);
            }
        };
        let lean = image_lean_deg(pose, size, config.min_visibility, Some(view))
            .map(|picture| forward * picture + SIDE_LEAN_BIAS_DEG);
        m.set(MetricId::TrunkLeanSagittal, lean);
        // The offset is the same geometry: the sine of the same corrected lean, so the two
        // keep one verdict.
        if m.get(MetricId::ShoulderHipOffset).is_some() {
            m.set(
                MetricId::ShoulderHipOffset,
                lean.map(|l| forward * l.to_radians().sin()),
            );
        }
    }
    m
}

/// What BlazePose's landmarks miss of the trunk's forward lean in a side view: its shoulder
/// points sit above and behind the shoulder joints and its hip points below the hip joints, so
/// the picture's trunk reads further back than the anatomical one. Measured on rendered ground
/// truth (the validity suite: 56 side-view stills, two bodies, facing either way) as 3.75°
/// (±1.3°, the same for both bodies and both directions); added back so an absolute reading
/// means what the literature's bands mean. A calibrated stance cancels it anyway.
pub const SIDE_LEAN_BIAS_DEG: f32 = 3.75;

/// The trunk's angle from the picture's vertical, positive toward the picture's right.
fn image_lean_deg(
    pose: &Pose,
    size: ImageSize,
    min_visibility: f32,
    view: Option<View>,
) -> Option<f32> {
    let seen = Seen {
        pose,
        size,
        min_visibility,
        view,
    };
    let s = seen.mid(L::LeftShoulder, L::RightShoulder)?;
    let h = seen.mid(L::LeftHip, L::RightHip)?;
    (Px::dist(s, h) > 1.0).then(|| angle_from_vertical_deg(s.x - h.x, s.y - h.y))
}

/// Every metric by its one estimator, whatever the view (image angles and offsets, world
/// sagittal angles), for measuring how well each does in each view (the validity suite).
/// What is judged comes from [`compute`].
pub fn compute_all(pose: &Pose, size: ImageSize, config: &MetricsConfig) -> Metrics {
    let view = infer_view(pose);
    let seen = Seen {
        pose,
        size,
        min_visibility: config.min_visibility,
        view,
    };
    let shoulders = seen.mid(L::LeftShoulder, L::RightShoulder);
    let hips = seen.mid(L::LeftHip, L::RightHip);
    let torso_px = shoulders
        .zip(hips)
        .map(|(s, h)| Px::dist(s, h))
        .filter(|&d| d > 1.0);

    let mut m = Metrics::new(view);
    use MetricId as M;
    if let (Some(s), Some(h), Some(torso)) = (shoulders, hips, torso_px) {
        m.set(
            M::TrunkLeanFrontal,
            Some(angle_from_vertical_deg(s.x - h.x, s.y - h.y)),
        );
        m.set(M::ShoulderHipOffset, Some((s.x - h.x) / torso));
    }
    let world_shoulders = seen.world_mid(L::LeftShoulder, L::RightShoulder);
    let world_hips = seen.world_mid(L::LeftHip, L::RightHip);
    if let (Some(s), Some(h)) = (world_shoulders, world_hips) {
        m.set(M::ShoulderHipOffsetCm, Some((s.x - h.x) * 100.0));
    }
    let forward = forward_direction(pose);
    if let (Some(s), Some(h), Some(f)) = (world_shoulders, world_hips, forward) {
        m.set(M::TrunkLeanSagittal, sagittal_angle_deg(sub(s, h), f));
    }
    if let (Some(s), Some(e), Some(f)) = (
        world_shoulders,
        seen.world_mid(L::LeftEar, L::RightEar),
        forward,
    ) {
        m.set(M::HeadForward, sagittal_angle_deg(sub(e, s), f));
    }
    let pair = |a, b| seen.px(a).zip(seen.px(b)).and_then(|(a, b)| tilt_deg(a, b));
    m.set(M::ShoulderTilt, pair(L::LeftShoulder, L::RightShoulder));
    m.set(M::HipTilt, pair(L::LeftHip, L::RightHip));
    if view == Some(View::Side)
        && let Some(plumb) = torso_px.and_then(|t| plumb_deviation(&seen, forward, t))
    {
        for (id, v) in plumb {
            m.set(id, v);
        }
    }
    m
}

/// Horizontal distances of ear, shoulder, hip and knee from the vertical through the ankle of
/// the side facing the camera, in torso lengths, positive toward where the person faces
/// (anterior). Ideal standing alignment (Kendall) puts them close to this line, slightly
/// anterior.
fn plumb_deviation(
    seen: &Seen<'_>,
    forward: Option<Vec3>,
    torso_px: f32,
) -> Option<[(MetricId, Option<f32>); 4]> {
    let chain = |left: bool| {
        let pick = |l: L| if left { l } else { l.mirrored() };
        [
            pick(L::LeftEar),
            pick(L::LeftShoulder),
            pick(L::LeftHip),
            pick(L::LeftKnee),
            pick(L::LeftAnkle),
        ]
    };
    let score = |ids: &[L; 5]| ids.iter().map(|&id| seen.visibility(id)).sum::<f32>();
    let (left, right) = (chain(true), chain(false));
    let near = if score(&left) >= score(&right) {
        left
    } else {
        right
    };
    let ankle = seen.px(near[4])?;
    // Which way is "forward" in the image: the nose ahead of the ear, else the world facing.
    let sign = match (seen.px(L::Nose), seen.px(near[0])) {
        (Some(n), Some(e)) if (n.x - e.x).abs() > 1e-3 => (n.x - e.x).signum(),
        _ => forward.map(|f| if f.x >= 0.0 { 1.0 } else { -1.0 })?,
    };
    let dev = |id: L| seen.px(id).map(|p| (p.x - ankle.x) * sign / torso_px);
    Some([
        (MetricId::PlumbEar, dev(near[0])),
        (MetricId::PlumbShoulder, dev(near[1])),
        (MetricId::PlumbHip, dev(near[2])),
        (MetricId::PlumbKnee, dev(near[3])),
    ])
}

#[cfg(test)]
mod tests;
