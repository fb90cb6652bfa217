//! Windows' devices, which an output writes into in place, as `/dev/null` on Linux.

use std::path::Path;

/// Whether `path` names one of Windows' devices, written in place: a reserved name (`NUL`,
/// `CON`, `PRN`, `AUX`, `COM1`–`COM9`, `LPT1`–`LPT9`, in any case, with any extension, in any
/// folder) or a name in the device namespace (`\\.\…`).
pub(super) fn is_windows_device(path: &Path) -> bool {
    let text = path.to_string_lossy();
    if text.starts_with(r"\\.\") || text.starts_with("//./") {
        return true;
    }
    // Either separator: the test runs on every platform. `C:\out\nul.csv` is the null
    // device too; the name before the first dot counts.
    let name = text.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_ascii_uppercase();
    match stem.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        s => s
            .strip_prefix("COM")
            .or_else(|| s.strip_prefix("LPT"))
            .is_some_and(|n| matches!(n.as_bytes(), [b'1'..=b'9'])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn windows_devices_are_known_by_name_in_any_folder_case_and_extension() {
        for device in [
            "NUL",
            "nul",
            "C:\\out\\nul.csv",
            "out/Con.txt",
            "AUX",
            "prn",
            "COM1",
            "lpt9.json",
            "NUL ",
            r"\\.\COM3",
            r"\\.\pipe\frames",
        ] {
            assert!(is_windows_device(Path::new(device)), "{device}");
        }
        for file in [
            "null.csv",
            "nulls",
            "console.txt",
            "COM0",
            "COM10",
            "LPT",
            "my nul.csv",
            "report.pdf",
            "",
        ] {
            assert!(!is_windows_device(Path::new(file)), "{file}");
        }
    }
}
