//! `plumbline completions SHELL` and `plumbline man DIR`: the shell completions and manual
//! pages, generated from the definitions that parse the arguments, so they never disagree with
//! them. The Debian package ships both; from a checkout, `plumbline man ~/.local/share/man/man1`
//! and `plumbline completions bash > ~/.local/share/bash-completion/completions/plumbline`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use super::args::Args;
use super::outcome::Outcome;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Args::command(), "plumbline", &mut out);
    out.flush()?;
    Ok(Outcome::Success)
}

pub fn man(dir: &Path) -> anyhow::Result<Outcome> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    clap_mangen::generate_to(Args::command(), dir)
        .with_context(|| format!("cannot write the manual pages into {}", dir.display()))?;
    let mut pages: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("plumbline") && n.ends_with(".1"))
        .collect();
    pages.sort();
    eprintln!(
        "plumbline: wrote {} into {}",
        pages.join(", "),
        dir.display()
    );
    Ok(Outcome::Success)
}
