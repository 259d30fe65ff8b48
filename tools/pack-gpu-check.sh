#!/usr/bin/env bash
# Packs everything tools/gpu-check.sh needs on an offline Linux machine with an NVIDIA GPU:
# the deno binary (xz), the repository with its node_modules (xz), and gpu-check.sh itself.
#
#   tools/pack-gpu-check.sh [OUT.tar]        # default: ./gpu-check.tar
#   scp gpu-check.tar gpu-host: && ssh gpu-host 'tar xf gpu-check.tar gpu-check.sh && bash gpu-check.sh gpu-check.tar'
#
# Run it where `deno` is on PATH and the repository's npm packages are installed (node_modules).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-gpu-check.tar}")
deno_bin=$(command -v deno) || { echo "pack-gpu-check: deno is not on PATH" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Fill node_modules with every npm package the check and the benchmark import.
(cd "$repo" && deno cache examples/bench.ts backends/cpu_conv_kernels.ts train/mod.ts \
  npm:@tensorflow/tfjs@4.22.0 npm:@tensorflow/tfjs-backend-webgpu@4.22.0 \
  npm:@tensorflow/tfjs-backend-wasm@4.22.0 >"$tmp/cache.log" 2>&1) || {
  cat "$tmp/cache.log" >&2
  exit 1
}
for pkg in tfjs tfjs-core tfjs-backend-cpu tfjs-backend-wasm tfjs-backend-webgpu; do
  [ -e "$repo/node_modules/@tensorflow/$pkg/package.json" ] || {
    echo "pack-gpu-check: node_modules/@tensorflow/$pkg is missing" >&2
    exit 1
  }
done

echo "pack-gpu-check: compressing deno ($(du -hL "$deno_bin" | cut -f1)) ..." >&2
xz -T0 -6 -c "$deno_bin" >"$tmp/deno.xz"
echo "pack-gpu-check: compressing the repository and node_modules ..." >&2
# GNU tar exits 1 when a file changed while it was read (another process touching the tree):
# the archive is still complete, so only a status above 1 is an error.
rc=0
tar -C "$repo" --exclude=./.git --exclude=./runs --exclude=./.cache --exclude='*.tmp' \
  --exclude=./gpu-check.tar --warning=no-file-changed -cf "$tmp/repo.tar" . || rc=$?
[ "$rc" -le 1 ] || { echo "pack-gpu-check: tar failed ($rc)" >&2; exit 1; }
xz -T0 -6 "$tmp/repo.tar"
cp "$repo/tools/gpu-check.sh" "$tmp/gpu-check.sh"
tar -C "$tmp" -cf "$out.tmp" gpu-check.sh deno.xz repo.tar.xz
mv "$out.tmp" "$out"
echo "pack-gpu-check: wrote $out ($(du -h "$out" | cut -f1))" >&2
