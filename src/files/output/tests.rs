use super::*;

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_file_is_replaced_only_when_committed_and_a_dropped_output_leaves_nothing() {
    let d = dir();
    let target = d.path().join("frames.csv");
    fs::write(&target, b"old").unwrap();
    let t = Target::new(&target).unwrap();
    let mut dropped = t.open().unwrap();
    dropped.write_all(b"half").unwrap();
    assert_eq!(
        names(d.path()).len(),
        2,
        "the temporary file sits beside the target"
    );
    drop(dropped);
    assert_eq!(fs::read(&target).unwrap(), b"old");
    assert_eq!(names(d.path()), ["frames.csv"], "and goes when dropped");
    let mut done = t.open().unwrap();
    done.write_all(b"new").unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"old", "until committed");
    done.commit().unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"new");
    assert_eq!(names(d.path()), ["frames.csv"]);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed_and_stays_a_link() {
    use std::os::unix::fs::symlink;
    let d = dir();
    let other = d.path().join("elsewhere");
    fs::create_dir(&other).unwrap();
    let cases = [
        ("same folder", d.path().join("real.csv"), "real.csv".into()),
        ("other folder", other.join("far.csv"), other.join("far.csv")),
    ];
    for (what, real, link_to) in cases {
        fs::write(&real, b"old").unwrap();
        let link = d
            .path()
            .join(format!("link-{}.csv", what.replace(' ', "-")));
        symlink(&link_to, &link).unwrap();
        Target::new(&link).unwrap().write_all(b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{what}"
        );
        assert_eq!(fs::read(&real).unwrap(), b"new", "{what}");
    }
    // A dangling link: its target is made.
    let link = d.path().join("dangling.csv");
    symlink(other.join("new.csv"), &link).unwrap();
    Target::new(&link).unwrap().write_all(b"made").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(other.join("new.csv")).unwrap(), b"made");
    assert!(!names(&other).iter().any(|n| n.ends_with(".part")));
    // A loop is refused by name.
    let a = d.path().join("a");
    symlink(d.path().join("b"), &a).unwrap();
    symlink(&a, d.path().join("b")).unwrap();
    assert!(matches!(Target::new(&a), Err(OutputError::LinkLoop { .. })));
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_in_place_and_stays_a_fifo() {
    use std::os::unix::fs::FileTypeExt as _;
    let d = dir();
    let fifo = d.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no mkfifo here");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(&fifo).unwrap())
    };
    Target::new(&fifo).unwrap().write_all(b"through").unwrap();
    assert_eq!(reader.join().unwrap(), b"through");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names(d.path()), ["pipe"]);
}

#[test]
fn what_cannot_be_written_is_refused_before_anything_is_made() {
    let d = dir();
    let read_only = d.path().join("kept.csv");
    fs::write(&read_only, b"mine").unwrap();
    let mut p = fs::metadata(&read_only).unwrap().permissions();
    p.set_readonly(true);
    fs::set_permissions(&read_only, p).unwrap();
    type Expected = fn(&OutputError) -> bool;
    let cases: [(&str, PathBuf, Expected); 3] = [
        ("a folder", d.path().to_path_buf(), |e| {
            matches!(e, OutputError::IsFolder { .. })
        }),
        ("a missing folder", d.path().join("no/such.csv"), |e| {
            matches!(e, OutputError::NoFolder { .. })
        }),
        ("a read-only file", read_only.clone(), |e| {
            matches!(e, OutputError::ReadOnly { .. })
        }),
    ];
    for (what, path, expected) in cases {
        let e = Target::new(&path).unwrap_err();
        assert!(expected(&e), "{what}: {e}");
        assert!(
            e.to_string().ends_with(&path.display().to_string()),
            "{what}: {e}"
        );
    }
    assert_eq!(fs::read(&read_only).unwrap(), b"mine");
    assert_eq!(names(d.path()), ["kept.csv"]);
}

#[test]
fn a_temporary_file_left_by_a_killed_run_goes_and_one_being_written_stays() {
    let d = dir();
    let target = d.path().join("o.csv");
    // As a `kill -9` leaves it: named as ours, nobody holding its lock.
    let abandoned = d.path().join(".o.csv.Ab3dE9.part");
    fs::write(&abandoned, b"half").unwrap();
    // Not ours by name: kept.
    let lookalike = d.path().join(".o.csv.notours.part");
    fs::write(&lookalike, b"x").unwrap();
    // Another run writing the same name right now: kept.
    let busy = Target::new(&target).unwrap().open().unwrap();
    let before = names(d.path());
    assert!(
        !before.contains(&".o.csv.Ab3dE9.part".to_string()),
        "{before:?}"
    );
    assert!(before.contains(&".o.csv.notours.part".to_string()));
    Target::new(&target).unwrap().write_all(b"done").unwrap();
    let after = names(d.path());
    assert_eq!(
        after.len(),
        3,
        "target, look-alike and the busy file: {after:?}"
    );
    drop(busy);
    assert_eq!(names(d.path()), [".o.csv.notours.part", "o.csv"]);
}

#[test]
fn two_names_for_one_place_are_the_same_place() {
    let d = dir();
    fs::create_dir(d.path().join("sub")).unwrap();
    let a = Target::new(&d.path().join("x.csv")).unwrap();
    let b = Target::new(&d.path().join("sub/../x.csv")).unwrap();
    let c = Target::new(&d.path().join("y.csv")).unwrap();
    assert!(a.same_place(&b));
    assert!(!a.same_place(&c));
    let out = Target::new(Path::new("-")).unwrap();
    assert!(out.is_stdout() && out.same_place(&Target::new(Path::new("-")).unwrap()));
    assert!(!out.same_place(&a));
}

#[test]
fn an_input_or_a_protected_file_is_refused_however_named() {
    let d = dir();
    let data = d.path();
    fs::write(data.join("plumbline.sqlite"), b"db").unwrap();
    fs::write(data.join("clip.mp4"), b"video").unwrap();
    fs::create_dir(data.join("sub")).unwrap();
    let guard = Guard {
        inputs: vec![data.join("clip.mp4")],
        protected: vec![
            ("database", data.join("plumbline.sqlite")),
            ("database's journal", data.join("plumbline.sqlite-wal")),
        ],
    };
    let refused = |p: PathBuf| Target::new(&p).unwrap().check(&guard).is_err();
    assert!(refused(data.join("clip.mp4")));
    assert!(refused(data.join("sub/../plumbline.sqlite")), "a detour");
    assert!(
        refused(data.join("plumbline.sqlite-wal")),
        "before it exists"
    );
    fs::hard_link(data.join("plumbline.sqlite"), data.join("sub/alias")).unwrap();
    assert!(refused(data.join("sub/alias")), "a hard link");
    assert!(!refused(data.join("report.html")));
    assert!(
        !refused(data.join("sub/plumbline.sqlite")),
        "same name elsewhere"
    );
}

#[cfg(unix)]
#[test]
fn owner_only_files_are_0600_whatever_was_there() {
    use std::os::unix::fs::PermissionsExt as _;
    let d = dir();
    let path = d.path().join("settings.json");
    fs::write(&path, b"{}").unwrap();
    fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
    Target::new(&path)
        .unwrap()
        .owner_only()
        .write_all(b"{ }")
        .unwrap();
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A user's file keeps its own.
    let csv = d.path().join("f.csv");
    fs::write(&csv, b"").unwrap();
    fs::set_permissions(&csv, Permissions::from_mode(0o640)).unwrap();
    Target::new(&csv).unwrap().write_all(b"a").unwrap();
    assert_eq!(
        fs::metadata(&csv).unwrap().permissions().mode() & 0o777,
        0o640
    );
}
