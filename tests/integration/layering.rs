//! The shape of the code, checked: no two source files depend on each other, the layers depend
//! only downward (source → pose → geometry → session/report → pipeline → ui/cli), and a file
//! over 500 lines says in its module doc why it is long.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::helpers::repo;

/// A module path from the crate root: `["geometry", "metrics"]`.
type ModPath = Vec<String>;

/// Every source file under `src/` (the library, not the binaries: `main.rs` and `bin/`) by
/// module path.
fn modules() -> BTreeMap<ModPath, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = repo().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .filter(|f| {
            f.file_name().is_some_and(|n| n != "main.rs") && !f.starts_with(src.join("bin"))
        })
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().with_extension("");
            let mut parts: ModPath = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            (parts, f)
        })
        .collect()
}

/// The code of a file without comments, strings and `#[cfg(test)]` items (tests may reach
/// anywhere).
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    // Drop `#[cfg(test)]` items: up to the end of their braces (or a `;`).
    while let Some(at) = out.find("#[cfg(test)]") {
        let rest = &out[at..];
        let end = match (rest.find('{'), rest.find(';')) {
            (Some(b), Some(s)) if s < b => at + s + 1,
            (Some(b), _) => {
                let mut depth = 0;
                let mut end = out.len();
                for (i, c) in rest[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = at + b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(s)) => at + s + 1,
            (None, None) => out.len(),
        };
        out.replace_range(at..end, "");
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |e| format!("{prefix}{e}")))
        .collect()
}

/// The paths a file names: its `use` trees, expanded, and every `crate::…`/`super::…` path in
/// its code.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    // `use` trees: from each `use ` (at a word boundary) to its `;`.
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let tail = &rest[at + 4..];
        let end = tail.find(';').unwrap_or(tail.len());
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            // `a as b` names `a`.
            let tree: String = tail[..end]
                .replace(" as ", "#")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            paths.extend(
                expand(&tree)
                    .into_iter()
                    .map(|p| p.split('#').next().unwrap_or_default().to_string()),
            );
        }
        rest = &tail[end.min(tail.len())..];
    }
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                paths.push(tail[..end].trim_end_matches(':').to_string());
            }
            rest = &tail[end.max(1)..];
        }
    }
    paths
}

/// The module a path names from `here` (a file's module path): its longest prefix that is a
/// source file.
fn resolve(
    path: &str,
    here: &ModPath,
    is_dir: bool,
    known: &BTreeMap<ModPath, PathBuf>,
) -> Option<ModPath> {
    let mut parts = path.split("::").filter(|p| !p.is_empty());
    let mut base: ModPath = match parts.next()? {
        "crate" => Vec::new(),
        "self" => here.clone(),
        "super" => {
            let mut b = here.clone();
            b.pop();
            b
        }
        child => {
            // A child module named directly (`analyze::run` in cli/mod.rs).
            let mut b = here.clone();
            if !is_dir {
                return None;
            }
            b.push(child.to_string());
            if !known.contains_key(&b) {
                return None;
            }
            b
        }
    };
    for p in parts {
        if p == "super" {
            base.pop();
            continue;
        }
        let mut next = base.clone();
        next.push(p.to_string());
        if known.contains_key(&next) {
            base = next;
        } else {
            break;
        }
    }
    Some(base)
}

/// Which file depends on which.
fn dependencies() -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let known = modules();
    let mut deps = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).unwrap();
        let is_dir = file
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
        let code = code(&text);
        let mut named: Vec<String> = named_paths(&code);
        // Children named directly, as `child::item`.
        if is_dir {
            for other in known.keys() {
                if other.len() == module.len() + 1 && other.starts_with(module) {
                    let child = other.last().unwrap();
                    if code.contains(&format!("{child}::")) {
                        named.push(child.clone());
                    }
                }
            }
        }
        let set: BTreeSet<ModPath> = named
            .iter()
            .filter_map(|p| resolve(p, module, is_dir, &known))
            .filter(|target| target != module && !target.is_empty())
            .collect();
        deps.insert(module.clone(), set);
    }
    deps
}

#[test]
fn no_two_source_files_depend_on_each_other() {
    let deps = dependencies();
    let mut mutual = Vec::new();
    for (a, targets) in &deps {
        for b in targets {
            if a < b && deps.get(b).is_some_and(|back| back.contains(a)) {
                mutual.push(format!("{} ↔ {}", a.join("::"), b.join("::")));
            }
        }
    }
    assert!(
        mutual.is_empty(),
        "files that import each other:\n{}",
        mutual.join("\n")
    );
    // The checker itself sees imports: the pipeline uses the geometry.
    assert!(
        deps[&vec!["pipeline".to_string(), "analyzer".to_string()]]
            .iter()
            .any(|d| d.first().is_some_and(|m| m == "geometry"))
    );
}

#[test]
fn layers_depend_only_downward() {
    // What each top-level module may use besides itself and the leaf helpers.
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("format", &[][..]),
        ("files", &[][..]),
        ("install", &[][..]),
        ("source", &[][..]),
        ("pose", &["install"][..]),
        ("geometry", &["pose", "format"][..]),
        ("session", &["geometry", "pose", "source", "files"][..]),
        (
            "report",
            &["session", "geometry", "pose", "format", "files"][..],
        ),
        (
            "settings",
            &["geometry", "pose", "session", "report", "files", "source"][..],
        ),
        (
            "pipeline",
            &["source", "pose", "geometry", "session", "settings"][..],
        ),
        (
            "ui",
            &[
                "pipeline", "source", "pose", "geometry", "session", "report", "settings",
                "format", "install", "files",
            ][..],
        ),
        (
            "cli",
            &[
                "ui", "pipeline", "source", "pose", "geometry", "session", "report", "settings",
                "format", "install", "files",
            ][..],
        ),
    ]);
    let mut wrong = Vec::new();
    for (module, targets) in dependencies() {
        let Some(layer) = module.first() else {
            continue;
        };
        let Some(may) = allowed.get(layer.as_str()) else {
            wrong.push(format!("{} is in no layer", module.join("::")));
            continue;
        };
        for t in targets {
            let top = t[0].as_str();
            if top != layer && !may.contains(&top) {
                wrong.push(format!("{} uses {}", module.join("::"), t.join("::")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_source_file_is_over_500_lines_outside_tests() {
    let mut long = Vec::new();
    for (module, file) in modules() {
        // A module of tests (`tests.rs`, or a folder of them) may be as long as its cases.
        if module.iter().any(|m| m == "tests") {
            continue;
        }
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        if lines > 500 {
            long.push(format!("{} ({lines} lines)", module.join("::")));
        }
    }
    assert!(
        long.is_empty(),
        "files over 500 lines: split them by responsibility\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checker_reads_use_trees_and_paths() {
    let paths = named_paths(&code(
        "use super::{a::B, c as d};\npub use crate::x::{y::{Z, w}};\n// use crate::commented;\n\
         fn f() { let s = \"crate::in_a_string\"; crate::format::clock(d); }\n\
         #[cfg(test)]\nmod tests { use crate::only_tests; }",
    ));
    for want in [
        "super::a::B",
        "super::c",
        "crate::x::y::Z",
        "crate::x::y::w",
        "crate::format::clock",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} in {paths:?}");
    }
    for not in [
        "crate::commented",
        "crate::in_a_string",
        "crate::only_tests",
    ] {
        assert!(!paths.iter().any(|p| p == not), "{not} in {paths:?}");
    }
}
