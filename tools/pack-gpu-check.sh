#!/usr/bin/env bash
# Prepares what tools/gpu-check.sh needs on the offline GPU machine, in ignored folders of this
# checkout that the device tool carries (`carry: [".gpu", ".gl"]`, 64 MiB in all):
#
#   .gpu/deno.xz      the deno binary, compressed (31 MB of 96)
#   .gpu/npm.tar.xz   node_modules without what the check never loads (7 MB)
#   .gl/*.deb         Vulkan's and EGL's loaders from Debian (the GPU machine has the NVIDIA
#                     driver but no loader), unpacked there by gpu-check.sh
#
#   tools/pack-gpu-check.sh          # then, on the device: bash tools/gpu-check.sh
#
# Run it where `deno` is on PATH and the project's npm packages are installed.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
deno_bin=$(command -v deno) || { echo "pack-gpu-check: deno is not on PATH" >&2; exit 1; }
mkdir -p .gpu .gl

# The npm packages (node_modules, which Deno reads offline), without what the check never
# loads: source maps, minified and ES2017 bundles, the plotting packages.
deno cache examples/bench.ts tools/gpu_check_step.ts >/dev/null
echo "pack-gpu-check: compressing deno and node_modules ..." >&2
xz -T0 -6 -c "$(readlink -f "$deno_bin")" >.gpu/deno.xz.tmp && mv .gpu/deno.xz.tmp .gpu/deno.xz
rc=0
tar -cf - --exclude='*.map' --exclude='*.min.js' --exclude='*.es2017.js' --exclude='*.fesm.js' \
  --exclude='miniprogram' --exclude='node_modules/.deno/vega*' --exclude='node_modules/.deno/d3*' \
  --exclude='node_modules/.deno/@resvg*' --exclude='node_modules/.deno/core-js*' \
  --exclude='node_modules/.deno/@types+node*' --warning=no-file-changed node_modules \
  | xz -T0 -6 >.gpu/npm.tar.xz.tmp || rc=$?
[ "$rc" -le 1 ] || { echo "pack-gpu-check: tar failed ($rc)" >&2; exit 1; }
mv .gpu/npm.tar.xz.tmp .gpu/npm.tar.xz

# Vulkan and EGL loaders for amd64, as Debian ships them (see the device tool's README).
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d)
  mkdir -p "$lists/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  apt-get "${o[@]}" update -qq
  (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -ch .gpu .gl | tail -1 >&2
