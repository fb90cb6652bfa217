//! `plumblinew.exe`, the Windows Start menu's plumbline: it starts `plumbline.exe app`, beside
//! it, with no console window, passes its arguments on and returns its exit code (as
//! `pythonw.exe` is to `python.exe`). `plumbline.exe` stays a console program, so that
//! `plumbline.exe analyze …` in a terminal prints there and the terminal waits for its exit
//! code. A launcher rather than a second build of the program: a few hundred kilobytes
//! instead of thirty megabytes. Built by `packaging/windows.sh` (`--features
//! windows-launcher`).

#![windows_subsystem = "windows"]

use std::process::ExitCode;

#[cfg(windows)]
fn main() -> ExitCode {
    use std::os::windows::process::CommandExt;
    /// `CREATE_NO_WINDOW`: a console program started without a console window.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    let Some(program) = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("plumbline.exe")))
    else {
        return ExitCode::FAILURE;
    };
    let status = std::process::Command::new(program)
        .arg("app")
        .args(std::env::args_os().skip(1))
        .creation_flags(CREATE_NO_WINDOW)
        .status();
    match status.ok().and_then(|s| s.code()) {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

#[cfg(not(windows))]
fn main() -> ExitCode {
    eprintln!("plumblinew is the Windows launcher; run `plumbline app` here");
    ExitCode::FAILURE
}
