//! Synthetic people with exactly known geometry, for the geometry tests.

use crate::pose::roi::ImageSize;
use crate::pose::{Landmark, LandmarkId, Pose, Vec3};

use LandmarkId as L;

/// A pose built in pixels, turned into a [`Pose`] for an image of `size`.
#[derive(Debug, Clone)]
pub struct Body {
    pub size: ImageSize,
    pub px: [(f32, f32); 33],
    pub visibility: [f32; 33],
    pub world: [Vec3; 33],
}

impl Body {
    /// A person facing the camera, standing straight, in a 640×480 frame: shoulders 80 px
    /// apart at y 200, hips 50 px apart at y 380 (torso 180 px); the world pose is upright
    /// with shoulders 0.5 m above the hips and the nose 0.1 m nearer the camera than the ears.
    pub fn frontal() -> Self {
        let mut b = Body {
            size: ImageSize {
                width: 640,
                height: 480,
            },
            px: [(320.0, 300.0); 33],
            visibility: [1.0; 33],
            world: [Vec3::default(); 33],
        };
        // Facing the camera, the person's right side is at the image's left.
        let pairs: [(L, f32, f32, f32, f32, f32); 8] = [
            // (left id, half width px, y px, world half width m, world y m, world z m)
            (L::LeftEar, 15.0, 130.0, 0.08, -0.65, 0.0),
            (L::LeftShoulder, 40.0, 200.0, 0.2, -0.5, 0.0),
            (L::LeftElbow, 50.0, 290.0, 0.25, -0.25, 0.0),
            (L::LeftWrist, 50.0, 370.0, 0.25, 0.0, 0.0),
            (L::LeftHip, 25.0, 380.0, 0.12, 0.0, 0.0),
            (L::LeftKnee, 25.0, 430.0, 0.12, 0.4, 0.0),
            (L::LeftAnkle, 25.0, 470.0, 0.12, 0.8, 0.0),
            (L::LeftHeel, 25.0, 475.0, 0.12, 0.82, 0.05),
        ];
        for (left, hw, y, whw, wy, wz) in pairs {
            b.px[left.index()] = (320.0 + hw, y);
            b.px[left.mirrored().index()] = (320.0 - hw, y);
            b.world[left.index()] = Vec3::new(whw, wy, wz);
            b.world[left.mirrored().index()] = Vec3::new(-whw, wy, wz);
        }
        b.px[L::Nose.index()] = (320.0, 135.0);
        b.world[L::Nose.index()] = Vec3::new(0.0, -0.62, -0.1);
        b
    }

    /// A person in profile facing the image's right, in a 640×480 frame, perfectly stacked:
    /// ear, shoulder, hip, knee and ankle on one vertical at x 320.
    pub fn side_facing_right() -> Self {
        let mut b = Body::frontal();
        let chain: [(L, f32, f32); 6] = [
            (L::LeftEar, 130.0, -0.65),
            (L::LeftShoulder, 200.0, -0.5),
            (L::LeftHip, 380.0, 0.0),
            (L::LeftKnee, 430.0, 0.4),
            (L::LeftAnkle, 470.0, 0.8),
            (L::LeftHeel, 475.0, 0.82),
        ];
        // Facing +x in the image: the person's right side is toward the camera (−z).
        for (left, y, wy) in chain {
            let right = left.mirrored();
            b.px[right.index()] = (320.0, y);
            b.px[left.index()] = (321.0, y);
            b.visibility[left.index()] = 0.2; // the far side is hidden
            b.world[right.index()] = Vec3::new(0.0, wy, -0.12);
            b.world[left.index()] = Vec3::new(0.0, wy, 0.12);
        }
        b.px[L::Nose.index()] = (340.0, 135.0);
        b.world[L::Nose.index()] = Vec3::new(0.1, -0.62, 0.0);
        b
    }

    pub fn set(&mut self, id: L, x: f32, y: f32) -> &mut Self {
        self.px[id.index()] = (x, y);
        self
    }

    pub fn shift(&mut self, id: L, dx: f32, dy: f32) -> &mut Self {
        let p = &mut self.px[id.index()];
        *p = (p.0 + dx, p.1 + dy);
        self
    }

    pub fn shift_world(&mut self, id: L, d: Vec3) -> &mut Self {
        let w = &mut self.world[id.index()];
        *w = Vec3::new(w.x + d.x, w.y + d.y, w.z + d.z);
        self
    }

    /// Rotates every image point by `deg` counter-clockwise as seen on screen about `(cx, cy)`.
    pub fn rotate_ccw(&mut self, deg: f32, cx: f32, cy: f32) -> &mut Self {
        let (s, c) = deg.to_radians().sin_cos();
        for p in &mut self.px {
            let (dx, dy) = (p.0 - cx, p.1 - cy);
            // Screen y points down, so counter-clockwise is (c, s; −s, c) here.
            *p = (cx + c * dx + s * dy, cy - s * dx + c * dy);
        }
        self
    }

    /// Mirrors the image left-right (the person's sides keep their names, as in a mirror).
    pub fn mirror(&mut self) -> &mut Self {
        let w = self.size.w();
        for p in &mut self.px {
            p.0 = w - p.0;
        }
        for v in &mut self.world {
            v.x = -v.x;
        }
        self
    }

    /// Scales the picture and the frame by `k`.
    pub fn scale(&mut self, k: f32) -> &mut Self {
        for p in &mut self.px {
            *p = (p.0 * k, p.1 * k);
        }
        self.size = ImageSize {
            width: (self.size.w() * k) as u32,
            height: (self.size.h() * k) as u32,
        };
        self
    }

    pub fn pose(&self) -> Pose {
        let mut landmarks = [Landmark::default(); 33];
        for (i, l) in landmarks.iter_mut().enumerate() {
            *l = Landmark {
                x: self.px[i].0 / self.size.w(),
                y: self.px[i].1 / self.size.h(),
                z: 0.0,
                visibility: self.visibility[i],
                presence: 1.0,
            };
        }
        Pose {
            landmarks,
            world: self.world,
            score: 1.0,
        }
    }
}
