//! ONNX Runtime at the edge of the engine: finding the shared library, loading model files
//! into sessions, and checking that each file is the model it claims to be.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;

use super::error::{CONVERT_COMMAND, ORT_DYLIB_ENV, PoseError, SETUP_COMMAND};
use crate::install;

/// Environment variable naming the folder that holds the ONNX models.
pub const MODELS_DIR_ENV: &str = "PLUMBLINE_MODELS_DIR";
/// The file beside the shipped models listing their SHA-256 (`sha256sum`'s format).
pub const CHECKSUMS_FILE: &str = "MODELS.sha256";

/// Where to look for the library, in order: `ORT_DYLIB_PATH` alone when it is set, else the
/// installed layout's `lib/plumbline/`, then `.ort/` in the checkout.
fn library_candidates() -> Vec<PathBuf> {
    install::candidates(install::ORT_LIBRARY, Some(ORT_DYLIB_ENV))
}

/// Whether this executable is an installed copy, whose missing files come back by reinstalling.
fn installed() -> bool {
    install::installed_prefix().is_some()
}

/// How to get the runtime library back.
fn runtime_fix(what: &str) -> String {
    if installed() {
        format!("reinstall plumbline, whose package ships it, to {what} it")
    } else {
        format!("run `{SETUP_COMMAND}` to {what} it")
    }
}

/// How to get a shipped model back, and every folder models are looked for in.
pub(super) fn shipped_model_hint() -> String {
    let looked = install::list(&install::candidates(install::MODELS, Some(MODELS_DIR_ENV)));
    let fix = shipped_fix();
    format!("{fix}, or set {MODELS_DIR_ENV} to a folder holding them (looked in: {looked})")
}

/// How to get a missing or damaged shipped model back.
fn shipped_fix() -> String {
    if installed() {
        "reinstall plumbline, whose package ships the models".to_string()
    } else {
        format!("run `{CONVERT_COMMAND}` to regenerate the models")
    }
}

/// The checksums listed in `dir`'s [`CHECKSUMS_FILE`], as (file name, SHA-256 in hex); empty
/// when the folder has none (a folder of one's own models).
pub fn listed_checksums(dir: &Path) -> Result<Vec<(String, String)>, PoseError> {
    let path = dir.join(CHECKSUMS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(PoseError::ChecksumsUnreadable {
                path,
                message: e.to_string(),
                fix: shipped_fix(),
            });
        }
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.split_once("  ") {
            Some((sum, file)) => Ok((file.trim().to_string(), sum.trim().to_string())),
            None => Err(PoseError::ChecksumsUnreadable {
                path: path.clone(),
                message: format!("a line is not `SHA256  FILE`: {line}"),
                fix: shipped_fix(),
            }),
        })
        .collect()
}

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The model file at `path`, read once and checked against the checksum its folder lists for
/// it: a damaged model is refused, never run. A file its folder does not list (the heavy
/// model, made locally; a folder of one's own models without checksums) is used as it is.
/// Hashing costs about 20 ms for the detector and the full model together.
pub fn read_checked(path: &Path) -> Result<Vec<u8>, PoseError> {
    let bytes = std::fs::read(path).map_err(|e| PoseError::ModelLoad {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let dir = path.parent().unwrap_or(Path::new("."));
    let listed = listed_checksums(dir)?;
    match listed.iter().find(|(file, _)| Some(file) == name.as_ref()) {
        Some((_, want)) if !sha256_hex(&bytes).eq_ignore_ascii_case(want) => {
            Err(PoseError::ModelDamaged {
                path: path.to_path_buf(),
                fix: shipped_fix(),
            })
        }
        Some(_) => Ok(bytes),
        None => {
            tracing::debug!("{} has no listed checksum; used as it is", path.display());
            Ok(bytes)
        }
    }
}

/// ONNX Runtime as loaded: its environment and the library file it came from.
struct Loaded {
    environment: Environment,
    path: PathBuf,
}

static ENVIRONMENT: OnceLock<Result<Loaded, PoseError>> = OnceLock::new();

/// Loads ONNX Runtime once per process and returns its environment.
pub fn environment() -> Result<&'static Environment, PoseError> {
    loaded().map(|l| &l.environment)
}

/// The library file ONNX Runtime was loaded from (loading it first if need be).
pub fn library_path() -> Result<&'static Path, PoseError> {
    loaded().map(|l| l.path.as_path())
}

fn loaded() -> Result<&'static Loaded, PoseError> {
    ENVIRONMENT
        .get_or_init(load_environment)
        .as_ref()
        .map_err(Clone::clone)
}

fn load_environment() -> Result<Loaded, PoseError> {
    // An explicit ORT_DYLIB_PATH is the only candidate: obeyed, never silently replaced.
    let searched = library_candidates();
    let Some(path) = searched.iter().find(|p| p.is_file()).cloned() else {
        return Err(PoseError::RuntimeMissing {
            searched: install::list(&searched),
            fix: runtime_fix("install"),
        });
    };
    tracing::debug!(path = %path.display(), "loading ONNX Runtime");
    let load_error = |e: &dyn std::fmt::Display| PoseError::RuntimeLoad {
        path: path.clone(),
        message: e.to_string(),
        fix: runtime_fix("reinstall"),
    };
    let builder = ort::init_from(&path).map_err(|e| load_error(&e))?;
    let environment = builder
        .with_name("plumbline")
        .build()
        .map_err(|e| load_error(&e))?;
    Ok(Loaded { environment, path })
}

/// The oldest ONNX Runtime this build runs on: ort refuses to load an older library.
pub const OLDEST_RUNTIME: &str = "1.31";

/// The version recorded beside the library at `path` (`VERSION`, which `.ci/setup.sh` writes
/// from the wheel it unpacks and the package ships), if any. The crate forbids `unsafe`, so the
/// library's own `GetVersionString` is not called; that it loaded at all means it is at least
/// [`OLDEST_RUNTIME`].
pub fn recorded_version(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path.with_file_name("VERSION")).ok()?;
    let v = text.trim();
    (!v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.')).then(|| v.to_string())
}

/// The folder holding the ONNX models: `PLUMBLINE_MODELS_DIR`, else the installed layout's
/// `share/plumbline/models`, else `models/` in the checkout.
pub fn models_dir() -> PathBuf {
    install::first(
        &install::candidates(install::MODELS, Some(MODELS_DIR_ENV)),
        |d| d.join("pose_detection.onnx").is_file(),
    )
}

/// A tensor a model must have: name and fixed shape.
#[derive(Debug, Clone, Copy)]
pub struct TensorSig {
    pub name: &'static str,
    pub shape: &'static [i64],
}

/// The interface a model file must offer to play a role in the engine.
#[derive(Debug, Clone, Copy)]
pub struct ModelSig {
    /// What the model is, for error messages ("BlazePose person detector").
    pub role: &'static str,
    pub input: TensorSig,
    pub outputs: &'static [TensorSig],
}

/// How ONNX Runtime runs a model. [`RuntimeOptions::new`] is what the engine uses;
/// `benches/runtime.rs` measures the alternatives (README, "ONNX Runtime settings").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuntimeOptions {
    /// Intra-op threads.
    pub threads: usize,
    /// Whether idle intra-op threads spin waiting for work. Spinning saves a wake-up per
    /// operator (about 2 ms per inference here) but keeps the cores busy between frames: paced
    /// at 30 fps the full model took 41 ms of CPU per frame spinning and 14 ms without.
    pub spinning: bool,
    /// Denormal floats read as zero.
    pub flush_to_zero: bool,
    pub optimization: GraphOptimizationLevel,
}

impl RuntimeOptions {
    /// What the engine runs with, on `threads` intra-op threads.
    pub fn new(threads: usize) -> Self {
        Self {
            threads,
            spinning: false,
            flush_to_zero: false,
            optimization: GraphOptimizationLevel::All,
        }
    }
}

/// Loads `path` into a session run as `options` says and checks its interface.
pub fn load_session(
    path: &Path,
    options: RuntimeOptions,
    sig: &ModelSig,
    missing_hint: &str,
) -> Result<Session, PoseError> {
    if !path.is_file() {
        return Err(PoseError::ModelMissing {
            path: path.to_path_buf(),
            hint: missing_hint.to_string(),
        });
    }
    let env = environment()?;
    let bytes = read_checked(path)?;
    let load_err = |e: &dyn std::fmt::Display| PoseError::ModelLoad {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let flag = |on: bool| if on { "1" } else { "0" };
    let session = Session::builder(env)
        .and_then(|b| Ok(b.with_optimization_level(options.optimization)?))
        .and_then(|b| Ok(b.with_intra_threads(options.threads.max(1))?))
        .and_then(|b| Ok(b.with_inter_threads(1)?))
        .and_then(|b| {
            Ok(b.with_config_entry("session.intra_op.allow_spinning", flag(options.spinning))?)
        })
        .and_then(|b| {
            Ok(b.with_config_entry("session.set_denormal_as_zero", flag(options.flush_to_zero))?)
        })
        .map_err(|e| load_err(&e))?
        .commit_from_memory(&bytes)
        .map_err(|e| load_err(&e))?;
    check_signature(&session, sig).map_err(|problem| PoseError::ModelMismatch {
        path: path.to_path_buf(),
        role: sig.role,
        problem,
    })?;
    Ok(session)
}

fn describe(name: &str, shape: &[i64]) -> String {
    let dims = shape
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join("×");
    format!("`{name}` [{dims}]")
}

fn check_signature(session: &Session, sig: &ModelSig) -> Result<(), String> {
    let found = |outlets: &[ort::value::Outlet]| {
        outlets
            .iter()
            .map(|o| {
                describe(
                    o.name(),
                    o.dtype().tensor_shape().map(|s| &s[..]).unwrap_or(&[]),
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let inputs = session.inputs();
    let input_ok = inputs.len() == 1
        && inputs[0].name() == sig.input.name
        && inputs[0].dtype().tensor_shape().map(|s| &s[..]) == Some(sig.input.shape);
    if !input_ok {
        return Err(format!(
            "expected one input {}, found {}",
            describe(sig.input.name, sig.input.shape),
            found(inputs)
        ));
    }
    for want in sig.outputs {
        let ok = session.outputs().iter().any(|o| {
            o.name() == want.name && o.dtype().tensor_shape().map(|s| &s[..]) == Some(want.shape)
        });
        if !ok {
            return Err(format!(
                "expected output {}, found {}",
                describe(want.name, want.shape),
                found(session.outputs())
            ));
        }
    }
    Ok(())
}
