//! A message for the user with how serious it is: what the window, the session browser and
//! the recordings tell the user, written one way.

use eframe::egui::{self, Color32};

/// Something to tell the user: news, or a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Error(String),
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self::Info(text.into())
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self::Error(text.into())
    }

    pub fn text(&self) -> &str {
        match self {
            Self::Info(t) | Self::Error(t) => t,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Self::Error(_))
    }

    /// The colour it is written in: orange for a problem, light grey for news.
    pub fn colour(&self) -> Color32 {
        if self.is_error() {
            Color32::from_rgb(230, 110, 60)
        } else {
            Color32::from_gray(200)
        }
    }

    /// The text, wrapped in the width there is, in its colour.
    pub fn label(&self, ui: &mut egui::Ui) -> egui::Response {
        let colour = self.colour();
        ui.add(egui::Label::new(egui::RichText::new(self.text()).color(colour)).wrap())
    }
}
