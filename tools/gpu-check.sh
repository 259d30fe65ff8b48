#!/usr/bin/env bash
# The GPU check, run on an offline Linux machine with an NVIDIA GPU as one command, in a copy
# of this checkout that carries .gpu/ and .gl/ (made by tools/pack-gpu-check.sh):
#
#   bash tools/gpu-check.sh            # through the device tool: carry [".gpu", ".gl"]
#
# 1. Unpacks Deno and the npm packages, and Vulkan's loader when the machine has none (the
#    NVIDIA driver's ICD file is found where the device tool's README says).
# 2. Checks one SimCLR training step on webgpu against cpu (tools/gpu_check_step.ts).
# 3. Measures pretraining images/s at 96 px, batch 2 x 256 (the tutorial's) on webgpu with
#    `deno task bench`, in chunks (--accumulate) when the whole batch does not fit, beside
#    PyTorch on CUDA on the same GPU.
# 4. Prints one JSON line (and writes it to $OUT/gpu_check.json when OUT is set).
# Environment: BATCH (256), SIZE (96), STEPS (5), PYTHON (python3), BUDGET (seconds, 120).
set -uo pipefail
BATCH=${BATCH:-256}
SIZE=${SIZE:-96}
STEPS=${STEPS:-5}
PYTHON=${PYTHON:-python3}
BUDGET=${BUDGET:-120}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
log() { echo "gpu-check: $*" >&2; }
started=$SECONDS

# 1. Tools: Deno, the npm packages, Vulkan's loader.
work=$(mktemp -d)
if [ -f .gpu/deno.xz ]; then
  xz -dc .gpu/deno.xz >"$work/deno" && chmod +x "$work/deno"
  deno="$work/deno"
else
  deno=$(command -v deno) || { log "no .gpu/deno.xz and no deno on PATH (run tools/pack-gpu-check.sh)"; exit 2; }
fi
[ -f .gpu/npm.tar.xz ] && [ ! -d node_modules/@tensorflow ] && xz -dc .gpu/npm.tar.xz | tar -xf -
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for f in .gl/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
  ldconfig 2>/dev/null || true
fi
for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
  /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$icd}; break; fi
done
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-$egl}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)} DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
export DENO_DIR="$work/deno-dir"
run=("$deno" run -A --cached-only)
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
log "GPU: ${gpu:-none found by nvidia-smi}; $("$deno" --version | head -1)"

# 2. One training step on webgpu against cpu.
step=$("${run[@]}" tools/gpu_check_step.ts 16 64 2>"$work/step.err" | tail -1)
[ -n "$step" ] || { log "step check failed: $(tail -3 "$work/step.err")"; step='{"step_check":"error"}'; }

# 3. Pretraining throughput: PyTorch on CUDA once, then webgpu with the whole batch, else in
#    chunks.
torch='{}'
if "$PYTHON" -c 'import torch, torchvision, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  torch=$("$PYTHON" tools/bench_torch_step.py --sizes "$SIZE" --batch "$BATCH" --steps "$STEPS" \
    --warmup 2 --budget "$BUDGET" --device cuda 2>"$work/torch.err" | tail -1)
  [ -n "$torch" ] || { log "PyTorch failed: $(tail -2 "$work/torch.err" | tr '\n' ' ')"; torch='{}'; }
else
  log "no python3 with CUDA-enabled torch and torchvision: webgpu alone"
fi
bench='{}'
for accumulate in 1 4 16; do
  if "${run[@]}" examples/bench.ts --backends webgpu --sizes "$SIZE" --batch "$BATCH" --steps "$STEPS" \
    --warmup 1 --budget "$BUDGET" --accumulate "$accumulate" --no-torch --json-out "$work/bench.json" \
    >"$work/bench.out" 2>"$work/bench.err" && grep -q "webgpu_${SIZE}_img_per_s" "$work/bench.json"; then
    bench=$(cat "$work/bench.json")
    break
  fi
  log "webgpu with --accumulate $accumulate failed: $(grep -o '"webgpu[^"]*error":"[^"]*' "$work/bench.json" 2>/dev/null | tail -1)"
done

# 4. One JSON line.
line=$("$deno" eval --ext=ts "
  const [step, torch, bench] = Deno.args.slice(0, 3).map((a) => JSON.parse(a));
  const [webgpu, cuda] = [bench['webgpu_$SIZE'+'_img_per_s'], torch['torch_$SIZE'+'_img_per_s']];
  const ratio = typeof webgpu === 'number' && typeof cuda === 'number' ? { ['ratio_webgpu_$SIZE']: webgpu / cuda } : {};
  console.log(JSON.stringify({ gpu: Deno.args[3], seconds: Number(Deno.args[4]), ...step, ...torch, ...bench, ...ratio }));
" "$step" "$torch" "$bench" "${gpu:-}" "$((SECONDS - started))")
echo "$line"
[ -n "${OUT:-}" ] && echo "$line" >"$OUT/gpu_check.json"
case "$step" in *'"step_check":"pass"'*) exit 0 ;; *) exit 1 ;; esac
