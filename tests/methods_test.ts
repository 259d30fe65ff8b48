// `deno task pretrain --method supcon|barlow|byol` end to end on a tiny demo data set: each
// method trains, records its hyperparameters, is reproducible and resumes exactly; the
// data-parallel and chunked steps run them too.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { generateDemoData } from "@simclr/datasets";
import { loadEncoder, loadSafetensors } from "@simclr/models";
import { PRESETS } from "@simclr/pipeline";
import { pretrain } from "@simclr/pipeline";
import { pretrainConfig } from "../examples/pretrain.ts";

const data = await Deno.makeTempDir({ prefix: "simclr-methods-" });
await generateDemoData(data, { trainPerClass: 2, testPerClass: 2, unlabeled: 12, imageSize: 32 });
const tiny = ["--data", data, "--image-size", "16", "--width", "2", "--batch-size", "8"];

/** Every tensor of a checkpoint, as bytes by key. */
async function weights(path: string): Promise<Map<string, Uint8Array>> {
  const { tensors } = await loadSafetensors(path);
  const out = new Map<string, Uint8Array>();
  for (const [key, t] of tensors) {
    const v = await t.data();
    out.set(key, new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice());
  }
  tf.dispose([...tensors.values()]);
  return out;
}

const EXPECTED = {
  // SupCon's base temperature defaults to the temperature (the preset's).
  supcon: { config: { baseTemperature: PRESETS.demo.temperature }, metrics: [], stepsPerEpoch: 2 },
  barlow: {
    config: { lambda: 0.05, projectorDim: 32 }, // the demo preset's: 16 x --width
    metrics: ["train_on_diagonal", "train_off_diagonal", "val_on_diagonal", "val_off_diagonal"],
    stepsPerEpoch: 1,
  },
  byol: {
    config: { tauBase: 0.996, projectorDim: 128, hiddenDim: 8 },
    metrics: [],
    stepsPerEpoch: 1,
  },
} as const;

for (const [method, expected] of Object.entries(EXPECTED)) {
  Deno.test(`\`pretrain()\` with --method ${method} trains, records its settings, and resumes exactly`, async () => {
    const [whole, split] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
    const args = [...tiny, "--backend", "cpu", "--workers", "1", "--method", method];
    const result = await pretrain(pretrainConfig([...args, "--out", whole, "--epochs", "2"]));
    // SupCon trains on the labelled split (20 images), the others on the unlabeled one (12).
    assert.equal(result.globalStep, 2 * expected.stepsPerEpoch);
    const saved = JSON.parse(await Deno.readTextFile(`${whole}/config.json`));
    assert.equal(saved.method, method);
    for (const [key, value] of Object.entries(expected.config)) {
      assert.equal(saved[key], value, key);
    }
    const epochs = (await Deno.readTextFile(`${whole}/metrics.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line)).filter((r) => r.kind === "epoch");
    for (
      const key of ["train_loss", "val_loss", "knn_top1", "embedding_std", ...expected.metrics]
    ) {
      assert.ok(epochs.every((e) => Number.isFinite(e[key])), `${key} in every epoch record`);
    }
    assert.ok(!("val_acc_top5" in epochs[0]), "SimCLR's validation is SimCLR's");
    await Deno.stat(`${whole}/checkpoints/best.safetensors`); // picked by val_loss
    // One epoch, then --resume --extend to two (the cosine starts at the base rate either
    // way): the same weights, buffers (BYOL's target) and all.
    await pretrain(pretrainConfig([...args, "--out", split, "--epochs", "1"]));
    await pretrain(
      pretrainConfig([...args, "--out", split, "--epochs", "2", "--resume", "--extend"]),
    );
    const [a, b] = [
      await weights(`${whole}/checkpoints/last.safetensors`),
      await weights(`${split}/checkpoints/last.safetensors`),
    ];
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [key, bytes] of a) assert.deepEqual(b.get(key), bytes, `${method}: ${key}`);
    if (method === "byol") {
      assert.ok(a.has("target.conv1.weight") && a.has("target_updates"));
      assert.deepEqual([...new Int32Array(a.get("target_updates")!.buffer)], [2]);
    }
    // The probe reads the encoder of any method's checkpoint.
    const { encoder, config } = await loadEncoder(`${whole}/checkpoints/last.safetensors`);
    assert.deepEqual([config.width, config.stem, config.imageSize], [2, "cifar", 16]);
    encoder.dispose();
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(split, { recursive: true });
  });
}

Deno.test("`pretrain()` runs BYOL and Barlow Twins on data-parallel workers and in chunks", async () => {
  for (const method of ["byol", "barlow"]) {
    for (const flags of [["--workers", "2", "--threads", "1"], ["--accumulate", "2"]]) {
      const out = await Deno.makeTempDir();
      const result = await pretrain(
        pretrainConfig([
          ...tiny,
          "--backend",
          "wasm",
          "--method",
          method,
          "--out",
          out,
          "--epochs",
          "2",
          ...flags,
        ]),
      );
      assert.ok(result.history.every((e) => Number.isFinite(e.train_loss)), `${method} ${flags}`);
      await Deno.remove(out, { recursive: true });
    }
  }
});

Deno.test("`pretrain()` keeps SimCLR the default and refuses --n-views 3 for Barlow Twins and BYOL", async () => {
  const config = pretrainConfig(tiny);
  assert.equal(config.method, "simclr");
  for (const key of ["baseTemperature", "lambda", "projectorDim", "tauBase"]) {
    assert.ok(!(key in config), `${key} belongs to another method`);
  }
  assert.equal(pretrainConfig([...tiny, "--method", "byol"]).hiddenDim, 8); // 4 x --width
  assert.equal(
    pretrainConfig([...tiny, "--method", "barlow", "--projector-dim", "32"]).projectorDim,
    32,
  );
  for (const method of ["barlow", "byol"]) {
    await assert.rejects(
      () => pretrain(pretrainConfig([...tiny, "--method", method, "--n-views", "3"])),
      {
        name: "UsageError",
        message: `--n-views is 3: expected 2 with --method ${method} (its loss pairs two views)`,
      },
    );
  }
  assert.throws(() => pretrainConfig(["--lambda", "0.1"]), {
    name: "UsageError",
    message: "--lambda is 0.1: expected only with --method barlow (the method is simclr)",
  });
  assert.throws(() => pretrainConfig(["--method", "supcon", "--projector-dim", "8"]), {
    name: "UsageError",
    message:
      "--projector-dim is 8: expected only with --method barlow or byol (the method is supcon)",
  });
  assert.throws(() => pretrainConfig(["--method", "moco"]), {
    name: "UsageError",
    message: '--method is "moco": expected one of simclr, supcon, barlow, byol',
  });
});

Deno.test("`pretrainConfig()` takes each method's departures from the preset, and flags win", () => {
  // The demo preset: SupCon as many steps as the others, Barlow Twins' projector 16 x --width
  // with lambda 0.05.
  assert.equal(pretrainConfig(["--method", "supcon"]).epochs, 50);
  assert.equal(pretrainConfig(["--method", "supcon", "--epochs", "3"]).epochs, 3);
  assert.equal(pretrainConfig(["--method", "simclr"]).epochs, PRESETS.demo.epochs);
  assert.equal(pretrainConfig(["--method", "barlow"]).projectorDim, 16 * PRESETS.demo.width);
  assert.equal(pretrainConfig(["--method", "barlow"]).lambda, 0.05);
  assert.equal(pretrainConfig(["--method", "barlow", "--lambda", "0.0051"]).lambda, 0.0051);
  assert.equal(pretrainConfig(["--method", "byol"]).projectorDim, 64 * PRESETS.demo.width);
  // Every method blurs the demo's small views as the preset says, unless told otherwise.
  assert.equal(pretrainConfig(["--method", "byol"]).maxBlurSigma, PRESETS.demo.maxBlurSigma);
  assert.equal(pretrainConfig(["--method", "byol", "--max-blur-sigma", "1.5"]).maxBlurSigma, 1.5);
  assert.equal(pretrainConfig(["--preset", "tutorial"]).maxBlurSigma, 2);
  // The tutorial preset keeps the papers' values.
  const tutorial = ["--preset", "tutorial", "--method"];
  assert.equal(pretrainConfig([...tutorial, "supcon"]).epochs, PRESETS.tutorial.epochs);
  assert.equal(pretrainConfig([...tutorial, "barlow"]).projectorDim, 128 * 64);
  assert.equal(pretrainConfig([...tutorial, "barlow"]).lambda, 0.0051);
});

Deno.test("`deno task pretrain --help` lists each method's flags with their defaults", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/pretrain.ts", "--help"],
    stdout: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const help = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0);
  assert.match(help, /--method simclr\|supcon\|barlow\|byol\s+.*\(default: simclr\)/);
  assert.match(help, /--lambda NUMBER\s+barlow: .*0\.0051/);
  assert.match(help, /--projector-dim INTEGER\s+barlow: .*8192 at width 64.*byol: .*4096/);
  assert.match(help, /--tau-base NUMBER\s+byol: .*0\.996/);
  assert.match(help, /--base-temperature NUMBER\s+supcon: /);
});
