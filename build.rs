//! On Windows, the executables carry plumbline's icon and version information (Explorer's
//! Properties, the taskbar, the installer's shortcuts): a resource script written here from
//! the package's metadata, compiled by MinGW's `windres` and linked into every binary.
//! Elsewhere this does nothing.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=packaging/windows/plumbline.ico");
    println!("cargo:rerun-if-env-changed=WINDRES");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets it");
    let numbers: Vec<u16> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let (major, minor, patch) = (numbers[0], numbers[1], numbers[2]);
    let icon = manifest.join("packaging/windows/plumbline.ico");
    // windres reads the path as a C string: forward slashes and escaped backslashes both work.
    let icon = icon.display().to_string().replace('\\', "/");
    let script = format!(
        r#"#pragma code_page(65001)
1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "plumbline"
      VALUE "FileDescription", "plumbline: live posture feedback from a webcam"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "plumbline"
      VALUE "LegalCopyright", "Apache-2.0"
      VALUE "OriginalFilename", "plumbline.exe"
      VALUE "ProductName", "plumbline"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
    );
    let rc = out.join("plumbline.rc");
    std::fs::write(&rc, script).expect("the resource script is written to OUT_DIR");
    let object = out.join("plumbline-resource.o");
    // Cross-building from Linux, MinGW's windres has the target's prefix; on Windows (MSYS2)
    // it is plain `windres`. WINDRES overrides both.
    let windres = std::env::var("WINDRES").unwrap_or_else(|_| {
        if cfg!(windows) {
            "windres".to_owned()
        } else {
            "x86_64-w64-mingw32-windres".to_owned()
        }
    });
    let status = Command::new(&windres)
        .arg(&rc)
        .args(["-O", "coff", "-o"])
        .arg(&object)
        .status()
        .unwrap_or_else(|e| {
            panic!("`{windres}` cannot be run ({e}): install MinGW-w64 (Debian: mingw-w64)")
        });
    assert!(status.success(), "`{windres}` failed on {}", rc.display());
    // An object on the command line is always linked, unlike a library's members.
    println!("cargo:rustc-link-arg-bins={}", object.display());
}
