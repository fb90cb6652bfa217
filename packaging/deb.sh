#!/usr/bin/env bash
# Builds the Debian package into target/debian/: the release binary, then the manual pages and
# shell completions generated from it, then `cargo deb` with the assets Cargo.toml lists.
# Needs `bash .ci/setup.sh` (ONNX Runtime in .ort/), cargo-deb (`cargo install cargo-deb`) and
# dpkg-dev (for the library dependencies). Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked
out=target/package
rm -rf "$out"
mkdir -p "$out/completions"
target/release/plumbline man "$out/man"
for shell in bash zsh fish; do
  target/release/plumbline completions "$shell" > "$out/completions/$shell"
done
mv "$out/completions/bash" "$out/completions/plumbline.bash"
mv "$out/completions/zsh" "$out/completions/_plumbline"
mv "$out/completions/fish" "$out/completions/plumbline.fish"
# The manual pages gzipped, as Debian keeps them.
gzip -9n "$out"/man/*.1
cargo deb --no-build --strip --locked 2>&1 | tail -n 1
