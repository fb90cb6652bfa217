//! What can go wrong in the engine, and the commands that fix it, named in the messages.

use std::path::PathBuf;

/// Environment variable naming the ONNX Runtime shared library (ort's own convention).
pub const ORT_DYLIB_ENV: &str = "ORT_DYLIB_PATH";
/// The command that installs the runtime library and build dependencies on a fresh machine.
pub const SETUP_COMMAND: &str = "bash .ci/setup.sh";
/// The command that regenerates the committed ONNX models.
pub const CONVERT_COMMAND: &str = "bash models/convert.sh";
/// The command that creates the heavy landmark model, which is not committed.
pub const CONVERT_HEAVY_COMMAND: &str = "bash models/convert.sh --heavy";

/// What can go wrong in the engine. Messages name the file and what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PoseError {
    #[error(
        "the ONNX Runtime library was not found; {fix}, or set {env} to a libonnxruntime.so (looked in: {searched})",
        env = ORT_DYLIB_ENV
    )]
    RuntimeMissing { searched: String, fix: String },
    #[error("could not load the ONNX Runtime library ({message}); {fix}: {path}")]
    RuntimeLoad {
        path: PathBuf,
        message: String,
        fix: String,
    },
    #[error("model file not found; {hint}: {path}")]
    ModelMissing { path: PathBuf, hint: String },
    #[error("not a {role}: {problem}: {path}")]
    ModelMismatch {
        path: PathBuf,
        role: &'static str,
        problem: String,
    },
    #[error("could not load the model ({message}): {path}")]
    ModelLoad { path: PathBuf, message: String },
    /// The file differs from the checksum listed for it: damaged on the disk or in a copy.
    #[error("the model does not match its checksum in MODELS.sha256: it is damaged; {fix}: {path}")]
    ModelDamaged { path: PathBuf, fix: String },
    #[error("cannot read the checksums of the models ({message}); {fix}: {path}")]
    ChecksumsUnreadable {
        path: PathBuf,
        message: String,
        fix: String,
    },
    #[error("inference failed in the {stage}: {message}")]
    Inference {
        stage: &'static str,
        message: String,
    },
}
