//! One value per posture metric: the storage behind metrics, baselines, bands and levels,
//! serialised as an object keyed by each metric's key.

use serde::{Deserialize, Serialize};

use super::metric_id::MetricId;

/// One value per metric, in table order: the storage behind [`Metrics`](super::metrics::Metrics),
/// the baseline, the bands and the levels. Serialised as an object keyed by
/// [`MetricId::key`], every metric present (`null` when it has no value); reading tolerates
/// missing and unknown keys.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerMetric<T>([Option<T>; MetricId::COUNT]);

impl<T: Copy> Default for PerMetric<T> {
    fn default() -> Self {
        Self([None; MetricId::COUNT])
    }
}

impl<T: Copy> PerMetric<T> {
    pub fn get(&self, id: MetricId) -> Option<T> {
        self.0[id.index()]
    }

    pub fn set(&mut self, id: MetricId, value: Option<T>) {
        self.0[id.index()] = value;
    }

    /// Every metric with its value, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (MetricId, Option<T>)> + '_ {
        MetricId::ALL.into_iter().map(|id| (id, self.get(id)))
    }

    /// The metrics that have a value, with it.
    pub fn present(&self) -> impl Iterator<Item = (MetricId, T)> + '_ {
        MetricId::ALL
            .into_iter()
            .filter_map(|id| Some((id, self.get(id)?)))
    }

    /// A value for every metric from `f`.
    pub fn from_fn(mut f: impl FnMut(MetricId) -> Option<T>) -> Self {
        let mut out = Self::default();
        for id in MetricId::ALL {
            out.set(id, f(id));
        }
        out
    }
}

impl<T: Copy + Serialize> Serialize for PerMetric<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(MetricId::COUNT))?;
        for (id, v) in self.iter() {
            map.serialize_entry(id.key(), &v)?;
        }
        map.end()
    }
}

impl<'de, T: Copy + Deserialize<'de>> Deserialize<'de> for PerMetric<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Copy + Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = PerMetric<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object keyed by metric names")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = PerMetric::default();
                while let Some(key) = map.next_key::<String>()? {
                    match MetricId::from_key(&key) {
                        Some(id) => out.set(id, map.next_value::<Option<T>>()?),
                        // Written by a newer plumbline, or another field beside a flattened map.
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_metric_values_round_trip_by_key_and_ignore_strangers() {
        let mut v = PerMetric::<f32>::default();
        v.set(MetricId::HipTilt, Some(2.5));
        let json = serde_json::to_value(v).unwrap();
        assert_eq!(json["hip_tilt_deg"], 2.5);
        assert!(json["trunk_lean_frontal_deg"].is_null(), "present, as null");
        let back: PerMetric<f32> =
            serde_json::from_str(r#"{"hip_tilt_deg": 2.5, "from_the_future": [1, 2]}"#).unwrap();
        assert_eq!(back, v);
        assert_eq!(
            back.present().collect::<Vec<_>>(),
            [(MetricId::HipTilt, 2.5)]
        );
    }
}
