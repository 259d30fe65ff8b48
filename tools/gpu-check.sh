#!/usr/bin/env bash
# GPU check for an offline Linux machine with an NVIDIA GPU (no network needed).
#
#   bash gpu-check.sh [gpu-check.tar]          # the tarball made by tools/pack-gpu-check.sh
#   bash tools/gpu-check.sh --repo . [--deno deno]   # from a checkout with node_modules
#
# It unpacks deno and the repository, then:
#   1. prints the GPU (nvidia-smi) and the WebGPU adapter Deno sees;
#   2. checks one SimCLR training step (ResNet-18, 2 x 4 images of 32 px) on WebGPU against the
#      same step on the cpu backend: same weights, same batch, loss and every gradient compared;
#   3. measures pretraining images/s at 96 px with batch 2 x 256 (the tutorial's batch size) on
#      WebGPU, beside PyTorch on the same GPU when python3 with CUDA torch is present.
# Environment: BATCH (default 256), SIZE (96), STEPS (5), PYTHON (python3), WORK (temp dir),
# CHECK_BATCH (4), CHECK_SIZE (32). Exit status is non-zero when the step check fails.
set -euo pipefail

BATCH=${BATCH:-256}
SIZE=${SIZE:-96}
STEPS=${STEPS:-5}
PYTHON=${PYTHON:-python3}
CHECK_BATCH=${CHECK_BATCH:-4}
CHECK_SIZE=${CHECK_SIZE:-32}

repo=""
deno=""
tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
  --repo) repo=$(realpath "$2"); shift 2 ;;
  --deno) deno=$2; shift 2 ;;
  -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
  *) tarball=$1; shift ;;
  esac
done

if [ -z "$repo" ]; then
  tarball=$(realpath "${tarball:-$(dirname "$0")/gpu-check.tar}")
  [ -f "$tarball" ] || { echo "gpu-check: no tarball at $tarball (make it with tools/pack-gpu-check.sh)" >&2; exit 2; }
  work=${WORK:-$(mktemp -d)}
  mkdir -p "$work/repo"
  echo "gpu-check: unpacking $tarball into $work" >&2
  tar -C "$work" -xf "$tarball" deno.xz repo.tar.xz
  xz -dc "$work/deno.xz" >"$work/deno"
  chmod +x "$work/deno"
  xz -dc "$work/repo.tar.xz" | tar -C "$work/repo" -xf -
  rm -f "$work/deno.xz" "$work/repo.tar.xz"
  repo="$work/repo"
  deno="$work/deno"
fi
deno=${deno:-$(command -v deno)}
cd "$repo"

# Deno's WebGPU (wgpu over Vulkan) needs a runtime dir; nothing may be fetched from the network.
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
export DENO_NO_UPDATE_CHECK=1
export DENO_DIR=${DENO_DIR:-$repo/.cache/deno}
run=("$deno" run -A --cached-only)

echo "== GPU"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi not found (no NVIDIA driver?)"
fi
"$deno" --version | head -1

mkdir -p .cache
cat >.cache/gpu_check_step.ts <<'TS'
// Written by tools/gpu-check.sh: one training step on webgpu vs cpu from the same start.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { simclrNet } from "../models/simclr_net.ts";
import { registerFastCpuKernels } from "../backends/cpu_conv_kernels.ts";
import { computeGradients } from "../train/train_step.ts";
import { contrastiveLoss } from "../train/contrastive_loss.ts";

const [batch, size] = Deno.args.map(Number);
const gpu = navigator.gpu;
if (!gpu) throw new Error("navigator.gpu is missing: this Deno has no WebGPU");
const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
if (!adapter) throw new Error("no WebGPU adapter: is the NVIDIA Vulkan driver (libnvidia-gl / nvidia_icd.json) installed?");
const i = adapter.info;
console.log(`adapter: ${i.vendor} ${i.architecture} ${i.device} ${i.description}`.replace(/\s+/g, " "));
const software = /llvmpipe|lavapipe|swiftshader|software/i.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`);
if (software) console.log("WARNING: this adapter is software rendering, not the GPU");

registerFastCpuKernels();
async function step(backend: string) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) {
    throw new Error(`could not activate the ${backend} backend (active: ${tf.getBackend()})`);
  }
  const net = simclrNet({ hiddenDim: 128, seed: 7 });
  const x = tf.randomUniform([2 * batch, size, size, 3], 0, 1, "float32", 11) as tf.Tensor4D;
  const { loss: value, metrics, grads } = computeGradients(net, () => contrastiveLoss(net, x));
  const out = new Map<string, Float32Array>();
  for (const [name, g] of grads) out.set(name, (await g.data()) as Float32Array);
  const loss = (await value.data())[0];
  tf.dispose([value, x, ...Object.values(metrics), ...grads.values()]);
  net.dispose();
  return { loss, grads: out };
}
const cpu = await step("cpu");
const web = await step("webgpu");
let worst = 0, worstName = "";
for (const [name, g] of cpu.grads) {
  const h = web.grads.get(name)!;
  let scale = 1e-3, diff = 0;
  for (let k = 0; k < g.length; k++) {
    scale = Math.max(scale, Math.abs(g[k]));
    diff = Math.max(diff, Math.abs(g[k] - h[k]));
  }
  if (diff / scale > worst) [worst, worstName] = [diff / scale, name];
}
const lossErr = Math.abs(cpu.loss - web.loss);
console.log(`step check: loss cpu ${cpu.loss.toFixed(6)} webgpu ${web.loss.toFixed(6)} (|diff| ${lossErr.toExponential(2)}); ` +
  `worst gradient relative error ${worst.toExponential(2)} (${worstName})`);
const ok = lossErr < 1e-3 && worst < 1e-2;
console.log(ok ? "step check: PASS" : "step check: FAIL");
Deno.exit(ok ? 0 : 1);
TS

echo "== WebGPU adapter and training-step check (batch 2 x $CHECK_BATCH, $CHECK_SIZE px)"
status=0
"${run[@]}" .cache/gpu_check_step.ts "$CHECK_BATCH" "$CHECK_SIZE" || status=$?

echo "== Pretraining throughput at $SIZE px, batch 2 x $BATCH"
torch_flags=(--no-torch)
if "$PYTHON" -c 'import torch, torchvision, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  torch_flags=(--python "$(command -v "$PYTHON")" --torch-device cuda)
else
  echo "(no python3 with CUDA-enabled torch and torchvision: WebGPU only)"
fi
"${run[@]}" examples/bench.ts --backends webgpu --sizes "$SIZE" --batch "$BATCH" \
  --steps "$STEPS" --warmup 2 --budget 600 "${torch_flags[@]}" \
  --json-out .cache/gpu_check_bench.json || status=$?
echo "== JSON: $repo/.cache/gpu_check_bench.json"
cat .cache/gpu_check_bench.json || true
exit "$status"
