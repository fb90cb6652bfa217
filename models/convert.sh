#!/usr/bin/env bash
# Regenerate the ONNX models: bash models/convert.sh [--heavy] [--bench] [--out DIR]
# Creates/updates the venv .venv-convert (git-ignored), installs the pinned
# requirements and runs models/convert.py from the repository root.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-convert"
PY="${PYTHON:-python3}"
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PY" -m venv "$VENV"
fi
REQ="$ROOT/models/requirements-convert.txt"
STAMP="$VENV/.requirements-convert.sha256"
if [[ ! -f "$STAMP" ]] || ! sha256sum --status -c "$STAMP" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r "$REQ"
    sha256sum "$REQ" > "$STAMP"
fi
command -v npm >/dev/null || { echo "convert.sh: npm is required (npm pack)" >&2; exit 1; }
exec "$VENV/bin/python" "$ROOT/models/convert.py" "$@"
