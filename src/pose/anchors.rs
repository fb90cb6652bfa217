//! SSD anchors for the BlazePose detector, after MediaPipe's `SsdAnchorsCalculator` with the
//! options in `pose_detection_cpu.pbtxt`. Computed once when the detector loads.

/// An anchor centre, normalised to the detector input. BlazePose uses fixed-size anchors
/// (`fixed_anchor_size: true`), so width and height are always 1 and omitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x_center: f32,
    pub y_center: f32,
}

/// Options of `SsdAnchorsCalculator` that matter when anchors have a fixed size.
#[derive(Debug, Clone)]
pub struct AnchorOptions {
    pub input_width: u32,
    pub input_height: u32,
    pub strides: Vec<u32>,
    /// Anchors per location in one layer: one per aspect ratio, plus the interpolated-scale
    /// anchor MediaPipe adds when `interpolated_scale_aspect_ratio` is 1.0 (the default).
    pub anchors_per_layer: u32,
    pub offset: f32,
}

impl AnchorOptions {
    /// `pose_detection_cpu.pbtxt`: 224×224, strides 8, 16, 32, 32, 32, aspect ratio 1.0
    /// (+1 interpolated), offset 0.5: 28²·2 + 14²·2 + 7²·6 = 2254 anchors.
    pub fn blazepose() -> Self {
        Self {
            input_width: 224,
            input_height: 224,
            strides: vec![8, 16, 32, 32, 32],
            anchors_per_layer: 2,
            offset: 0.5,
        }
    }
}

/// Generates the anchors in the order the model emits its boxes. Consecutive layers with the
/// same stride share one feature map, their anchors interleaved per location.
pub fn generate(options: &AnchorOptions) -> Vec<Anchor> {
    let mut anchors = Vec::new();
    let mut layer = 0;
    while layer < options.strides.len() {
        let stride = options.strides[layer];
        let mut same = 0;
        while layer + same < options.strides.len() && options.strides[layer + same] == stride {
            same += 1;
        }
        let per_location = same as u32 * options.anchors_per_layer;
        let fm_h = options.input_height.div_ceil(stride);
        let fm_w = options.input_width.div_ceil(stride);
        for y in 0..fm_h {
            for x in 0..fm_w {
                let anchor = Anchor {
                    x_center: (x as f32 + options.offset) / fm_w as f32,
                    y_center: (y as f32 + options.offset) / fm_h as f32,
                };
                anchors.extend(std::iter::repeat_n(anchor, per_location as usize));
            }
        }
        layer += same;
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blazepose_has_2254_anchors_in_model_order() {
        let anchors = generate(&AnchorOptions::blazepose());
        assert_eq!(anchors.len(), 2254);
        // First: top-left cell of the 28×28 map, twice.
        assert_eq!(
            anchors[0],
            Anchor {
                x_center: 0.5 / 28.0,
                y_center: 0.5 / 28.0
            }
        );
        assert_eq!(anchors[1], anchors[0]);
        assert_eq!(anchors[2].x_center, 1.5 / 28.0);
        // The 14×14 map starts after 28·28·2 anchors.
        assert_eq!(
            anchors[1568],
            Anchor {
                x_center: 0.5 / 14.0,
                y_center: 0.5 / 14.0
            }
        );
        // The last map is 7×7 with 6 anchors per cell; the last anchor is its bottom-right.
        assert_eq!(
            anchors[1568 + 392],
            Anchor {
                x_center: 0.5 / 7.0,
                y_center: 0.5 / 7.0
            }
        );
        assert_eq!(
            anchors[2253],
            Anchor {
                x_center: 6.5 / 7.0,
                y_center: 6.5 / 7.0
            }
        );
        assert_eq!(anchors[2248], anchors[2253]);
    }
}
