//! `plumbline completions SHELL` and `plumbline man DIR`: the shell completions and manual
//! pages, generated from the definitions that parse the arguments, so they never disagree with
//! them. The Debian package ships both; from a checkout, `plumbline man ~/.local/share/man/man1`
//! and `plumbline completions bash > ~/.local/share/bash-completion/completions/plumbline`.
//! Both are made in memory first and written through [`crate::files::output`]: a closed pipe or
//! a full device is an error like any other, and a page that cannot be written is found before
//! any is.

use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use super::args::Args;
use super::outcome::Outcome;
use super::say::say;
use crate::files::Target;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Args::command(), "plumbline", &mut script);
    Target::new(Path::new("-"))?.write_all(&script)?;
    Ok(Outcome::Success)
}

/// Every manual page: `plumbline.1` and one per command (`plumbline-analyze.1`), as
/// `clap_mangen::generate_to` names them, with their text.
fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            walk(sub, out)?;
        }
        let man = clap_mangen::Man::new(cmd);
        let mut text = Vec::new();
        man.render(&mut text)?;
        out.push((man.get_filename(), text));
        Ok(())
    }
    let mut cmd = Args::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    walk(cmd, &mut pages)?;
    pages.sort();
    Ok(pages)
}

pub fn man(dir: &Path) -> anyhow::Result<Outcome> {
    let pages = pages().context("cannot make the manual pages")?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    // Every page's place is checked before one is written: all of them, or none.
    let targets = pages
        .iter()
        .map(|(name, _)| Target::named(&dir.join(name)))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("nothing was written into {}", dir.display()))?;
    for (target, (_, text)) in targets.iter().zip(&pages) {
        target.write_all(text)?;
    }
    let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
    say(format_args!(
        "wrote {} into {}",
        names.join(", "),
        dir.display()
    ));
    Ok(Outcome::Success)
}
