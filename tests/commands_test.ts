// The command-line scripts end to end: tiny runs on a tiny demo data set, and user mistakes.
import assert from "node:assert/strict";
import { generateDemoData } from "@simclr/datasets";
import { records, tinyPretrainFlags, writeTinyData } from "./_tiny_run.ts";
import { baseline } from "@simclr/pipeline";
import { baselineConfig } from "../examples/baseline.ts";
import { pretrain } from "@simclr/pipeline";
import { pretrainConfig } from "../examples/pretrain.ts";
import { probe } from "@simclr/pipeline";
import { probeConfig } from "../examples/probe.ts";

const data = await Deno.makeTempDir({ prefix: "simclr-cmd-" });
await generateDemoData(data, { trainPerClass: 2, testPerClass: 2, unlabeled: 12, imageSize: 32 });
const tiny = ["--data", data, "--backend", "cpu", "--image-size", "16", "--width", "2"];

async function run(script: string, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `examples/${script}.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("`pretrain()` writes config, metrics, checkpoints, and a resumed run continues", async () => {
  const out = await Deno.makeTempDir();
  const config = pretrainConfig([...tiny, "--out", out, "--epochs", "2", "--batch-size", "8"]);
  assert.equal(config.lr, 2e-3); // the demo preset's
  const result = await pretrain(config);
  assert.equal(result.epochs, 2);
  const saved = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
  assert.equal(saved.width, 2);
  assert.equal(saved.backendInUse, "cpu");
  assert.equal(saved.versions.tfjs, "4.22.0");
  const records = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n")
    .map((line) => JSON.parse(line));
  const epochs = records.filter((r) => r.kind === "epoch");
  assert.equal(epochs.length, 2);
  for (const key of ["train_loss", "train_acc_top5", "val_loss", "val_acc_top5", "lr"]) {
    assert.ok(epochs.every((e) => Number.isFinite(e[key])), `${key} in every epoch record`);
  }
  // The online monitors, unprefixed: kNN of the 20 test images against the 20 labelled ones.
  for (const e of epochs) {
    assert.ok(Number.isInteger(Math.round(e.knn_top1 * 20 * 1e6) / 1e6), `${e.knn_top1}`);
    assert.ok(e.embedding_std > 0 && e.embedding_std < 1, `${e.embedding_std}`);
  }
  // The last epoch's knn_top1 is the probe's kNN accuracy of the last weights.
  const probed = await probe(probeConfig([
    "--data",
    data,
    "--backend",
    "cpu",
    "--weights",
    `${out}/checkpoints/last.safetensors`,
    "--sizes",
    "2",
    "--epochs",
    "2",
    "--out",
    `${out}/probe`,
    "--cache",
    `${out}/cache`,
  ]));
  assert.equal(probed.knn, epochs[1].knn_top1);
  // Cosine annealing per epoch: lr(1) = eta_min + (lr - eta_min)(1 + cos(pi / 2)) / 2.
  assert.ok(Math.abs(epochs[1].lr - (4e-5 + (2e-3 - 4e-5) / 2)) < 1e-12);
  for (const file of ["last.safetensors", "last.json", "best.safetensors", "best.json"]) {
    await Deno.stat(`${out}/checkpoints/${file}`);
  }
  for (const file of ["curves.svg", "curves.png", "report.html"]) await Deno.stat(`${out}/${file}`);
  assert.match(await Deno.readTextFile(`${out}/curves.svg`), /<svg/);
  // Resuming for another length is refused (it would change the cosine schedule)...
  await assert.rejects(
    () =>
      pretrain(
        pretrainConfig([...tiny, "--out", out, "--epochs", "3", "--batch-size", "8", "--resume"]),
      ),
    { name: "CheckpointError", message: /is a run of 2 epochs, and resuming it for 3 would/ },
  );
  // ...unless asked for: 3 epochs with --resume --extend trains only the third.
  const resumed = await pretrain(
    pretrainConfig([
      ...tiny,
      "--out",
      out,
      "--epochs",
      "3",
      "--batch-size",
      "8",
      "--resume",
      "--monitor-images",
      "5",
      "--extend",
    ]),
  );
  assert.equal(resumed.history.length, 1);
  assert.equal(resumed.history[0].epoch, 2);
  // --monitor-images 5: the kNN monitor classifies 5 test images.
  const knn = resumed.history[0].knn_top1;
  assert.ok([0, 0.2, 0.4, 0.6, 0.8, 1].includes(knn), `${knn}`);
  // Resuming with another network is a clear error, not a half-loaded model.
  await assert.rejects(
    () =>
      pretrain(
        pretrainConfig([...tiny, "--out", out, "--batch-size", "8", "--width", "3", "--resume"]),
      ),
    { name: "CheckpointError", message: /last\.safetensors does not fit the model .*--width/ },
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("`deno task pretrain` killed with SIGKILL mid-epoch resumes without doubled records", async () => {
  // 64 unlabeled images in batches of 4: 16 steps per epoch, a step record every 10 steps.
  const dir = await Deno.makeTempDir({ prefix: "simclr-kill-" });
  await writeTinyData(`${dir}/data`);
  const args = (out: string, epochs = 3) => [
    "run",
    "-A",
    "examples/pretrain.ts",
    ...tinyPretrainFlags(`${dir}/data`, out, [], epochs),
  ];
  const env = { NO_COLOR: "1" };
  const whole = `${dir}/whole`;
  const done = await new Deno.Command(Deno.execPath(), { args: args(whole), env, stderr: "piped" })
    .output();
  assert.equal(done.code, 0);
  // The first line names the preset, which applies by default to the user's data.
  assert.match(
    new TextDecoder().decode(done.stderr).split("\n")[0],
    /^pretrain: demo preset \(the default\) on .*data: epochs 3, batch size 4, image size 16, width 2, stem cifar, lr 0\.002, .*; the demo preset is tuned for the demo data/,
  );

  // Kill a run in its second epoch, once it has logged a step past its first checkpoint.
  const out = `${dir}/killed`;
  const child = new Deno.Command(Deno.execPath(), {
    args: args(out),
    env,
    stdout: "null",
    stderr: "null",
  }).spawn();
  const pastCheckpoint = async () => {
    const text = await Deno.readTextFile(`${out}/metrics.jsonl`).catch(() => "");
    return text.includes('"globalStep":20');
  };
  while (!await pastCheckpoint()) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGKILL");
  assert.equal((await child.status).signal, "SIGKILL");
  const state = JSON.parse(await Deno.readTextFile(`${out}/checkpoints/last.json`));
  const logged = (await records(out)).filter((r) => r.kind === "step").map((r) => r.globalStep);
  assert.ok(
    logged.some((g) => (g as number) > state.globalStep),
    `killed too late to test: checkpoint at globalStep ${state.globalStep}, logged ${logged}`,
  );

  const resumed = await new Deno.Command(Deno.execPath(), {
    args: [...args(out), "--resume"],
    env,
    stderr: "piped",
  }).output();
  assert.equal(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
  // Every step and epoch once, with the values of the uninterrupted run.
  assert.deepEqual(await records(out), await records(whole));

  // Resuming for another length is refused in one line that says how to extend on purpose.
  const refused = await new Deno.Command(Deno.execPath(), {
    args: [...args(out, 5), "--resume"],
    env,
    stderr: "piped",
  }).output();
  assert.equal(refused.code, 2);
  const message = new TextDecoder().decode(refused.stderr).trim().split("\n").at(-1)!;
  assert.match(message, /^error: .*last is a run of 3 epochs, and resuming it for 5 .*--extend/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`pretrain()` runs on data-parallel workers and in chunks, and records how", async () => {
  for (
    const [flags, workers] of [[["--workers", "2", "--threads", "1"], 2], [
      ["--accumulate", "2"],
      1,
    ]] as const
  ) {
    const out = await Deno.makeTempDir();
    const config = pretrainConfig([
      ...tiny,
      "--backend",
      "wasm",
      "--out",
      out,
      "--epochs",
      "2",
      "--batch-size",
      "8",
      ...flags,
    ]);
    const result = await pretrain(config);
    assert.equal(result.history.length, 2);
    assert.ok(result.history.every((e) => Number.isFinite(e.train_loss)), flags.join(" "));
    const saved = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
    assert.equal(saved.workersInUse, workers);
    assert.equal(saved.accumulate, (flags as readonly string[]).includes("--accumulate") ? 2 : 1);
    await Deno.remove(out, { recursive: true });
  }
  await assert.rejects(
    () => pretrain(pretrainConfig([...tiny, "--workers", "2", "--accumulate", "2"])),
    {
      name: "UsageError",
      message: "--workers is 2 and --accumulate is 2: expected one of them to be 1",
    },
  );
});

Deno.test("`deno task pretrain` says in one line why it skips knn_top1 on data without test labels", async () => {
  const unlabelled = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    for await (const entry of Deno.readDir(data)) {
      if (!entry.name.startsWith("test_")) {
        await Deno.copyFile(`${data}/${entry.name}`, `${unlabelled}/${entry.name}`);
      }
    }
    const args = ["--data", unlabelled, "--out", out, "--epochs", "1", "--batch-size", "8"];
    const { code, stderr } = await run("pretrain", [...tiny.slice(2), ...args]);
    assert.equal(code, 0, stderr);
    const skipped = stderr.split("\n").filter((line) => line.startsWith("knn_top1: skipped"));
    assert.deepEqual(skipped, [
      `knn_top1: skipped: ${unlabelled} has no labelled test images (test_X.bin, test_y.bin)`,
    ]);
    const epoch = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n")
      .map((line) => JSON.parse(line)).find((r) => r.kind === "epoch");
    assert.ok(!("knn_top1" in epoch));
    assert.ok(epoch.embedding_std > 0);
  } finally {
    await Deno.remove(unlabelled, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("`baseline()` trains a classifier and reports train and test accuracy", async () => {
  const out = await Deno.makeTempDir();
  const result = await baseline(
    baselineConfig([...tiny, "--out", out, "--epochs", "2", "--batch-size", "8"]),
  );
  for (const acc of [result.train, result.test]) assert.ok(acc >= 0 && acc <= 1);
  assert.equal(result.tutorial, 0.7331);
  const saved = JSON.parse(await Deno.readTextFile(`${out}/baseline.json`));
  assert.deepEqual(saved, result);
  assert.match(await Deno.readTextFile(`${out}/report.html`), /73\.31%/); // beside the tutorial's
  await Deno.remove(out, { recursive: true });
});

Deno.test("`deno task pretrain` and `deno task baseline` explain bad flags and inputs in one line, without a stack trace", async () => {
  const cases: [string, string[], RegExp][] = [
    ["pretrain", ["--epochs", "abc"], /--epochs is "abc": expected an integer/],
    ["pretrain", ["--epochs", "0"], /--epochs is 0: expected a number >= 1/],
    [
      "pretrain",
      ["--backend", "tpu"],
      /--backend is "tpu": expected one of auto, tensorflow, webgpu, native, wasm, cpu/,
    ],
    ["pretrain", ["--frobnicate"], /Unknown option '--frobnicate'/],
    ["pretrain", ["--data", "/nonexistent/stl10", "--backend", "cpu"], /\/nonexistent\/stl10/],
    ["pretrain", ["--backend", "tensorflow"], /backend "tensorflow" is not available/],
    ["baseline", ["--batch-size", "1"], /--batch-size is 1: expected a number >= 2/],
  ];
  for (const [script, args, message] of cases) {
    const { code, stderr } = await run(script, args);
    assert.equal(code, 2, `${script} ${args.join(" ")}: exit code ${code}\n${stderr}`);
    assert.match(stderr, message);
    assert.doesNotMatch(stderr, /\n\s+at /, `${script} ${args.join(" ")} printed a stack trace`);
  }
});

Deno.test("`deno task pretrain --help` lists every flag with its default", async () => {
  const { code, stdout } = await run("pretrain", ["--help"]);
  assert.equal(code, 0);
  for (const flag of ["--data", "--out", "--preset", "--epochs", "--batch-size", "--image-size"]) {
    assert.ok(stdout.includes(flag), `--help mentions ${flag}`);
  }
  assert.match(stdout, /--seed INTEGER\s+.*\(default: 42\)/);
});

Deno.test("`deno task probe` and `deno task baseline` on data without labels say so in one line", async () => {
  // Only unlabeled_X.bin (at STL10's 96 px, which a folder without labelled files implies).
  const unlabelled = await Deno.makeTempDir();
  try {
    await generateDemoData(unlabelled, { trainPerClass: 1, testPerClass: 1, unlabeled: 2 });
    for await (const entry of Deno.readDir(unlabelled)) {
      if (!entry.name.startsWith("unlabeled_")) await Deno.remove(`${unlabelled}/${entry.name}`);
    }
    const expected = `error: --data ${unlabelled}: no labelled train images: expected ` +
      "train_X.bin and train_y.bin (this needs labels)";
    for (const [script, args] of [["probe", ["--random-init"]], ["baseline", []]] as const) {
      const { code, stderr } = await run(script, [...tiny.slice(2), "--data", unlabelled, ...args]);
      assert.equal(code, 2, stderr);
      assert.equal(stderr.trim().split("\n").at(-1), expected);
      assert.doesNotMatch(stderr, /\n\s+at /);
    }
  } finally {
    await Deno.remove(unlabelled, { recursive: true });
  }
});
