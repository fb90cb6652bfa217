//! `plumbline data erase`: forget everything plumbline keeps, after asking.

use std::io::BufRead as _;
use std::path::Path;

use super::args::{DataAction, DataArgs};
use super::outcome::Outcome;
use super::say::say;
use crate::session::erase::{self, Survey};
use crate::session::store::{self, StoreError};

pub fn run(args: &DataArgs) -> anyhow::Result<Outcome> {
    match args.action {
        DataAction::Erase { yes } => erase_all(args.data.get(), yes),
    }
}

/// "3 sessions with 12 pictures, the settings and 2 reports".
fn described(s: &Survey) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![format!(
        "{} with {}",
        plural(s.sessions, "session", "sessions"),
        plural(s.pictures, "picture", "pictures")
    )];
    if s.settings {
        parts.push("the settings".into());
    }
    if s.reports > 0 {
        parts.push(plural(s.reports, "report", "reports"));
    }
    match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn erase_all(dir: Option<&Path>, yes: bool) -> anyhow::Result<Outcome> {
    let dir = store::data_dir(dir)?;
    let survey = erase::survey(&dir)?;
    if survey.is_empty() {
        say(format_args!(
            "nothing of plumbline's to erase in {}",
            dir.display()
        ));
        return Ok(Outcome::Success);
    }
    // Refused before asking: a yes would be for nothing.
    if let Some((id, pid)) = survey.recording {
        return Err(StoreError::StillRecording {
            id,
            pid,
            path: dir.join(store::DB_FILE),
        }
        .into());
    }
    let what = described(&survey);
    if !yes {
        say(format_args!(
            "this erases {what} in {}, for good",
            dir.display()
        ));
        eprint!("type 'erase' to confirm: ");
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "erase" {
            say("nothing was erased");
            return Ok(Outcome::Success);
        }
    }
    let removed = erase::erase(&survey)?;
    say(format_args!("erased {what}"));
    if removed.contains(&dir) {
        say(format_args!("removed the data folder {}", dir.display()));
    } else if !survey.others.is_empty() {
        let names: Vec<String> = survey
            .others
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        say(format_args!(
            "kept what is not plumbline's: {}",
            names.join(", ")
        ));
    }
    Ok(Outcome::Success)
}
