import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { loadSafetensors, loadTorchCheckpoint } from "@simclr/models";

await tf.setBackend("cpu");
const script = new URL("./convert.ts", import.meta.url).pathname;
const fixture = new URL("../models/testdata/simclr_w3.ckpt", import.meta.url).pathname;

async function convert(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "--", ...args],
  })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("`deno task convert` writes the checkpoint's tensors and hyper-parameters to safetensors", async () => {
  const dir = await Deno.makeTempDir();
  const to = `${dir}/encoder.safetensors`;
  const run = await convert("--from", fixture, "--to", to, "--strip-prefix", "convnet.");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /wrote .*encoder\.safetensors: 124 tensors/);
  const { stateDict } = await loadTorchCheckpoint(fixture);
  const { tensors, metadata } = await loadSafetensors(to);
  assert.equal(JSON.parse(metadata.hyper_parameters).hidden_dim, 16);
  assert.deepStrictEqual([...tensors.keys()], [...stateDict.keys()].map((k) => k.slice(8)));
  for (const [k, t] of tensors) {
    assert.deepStrictEqual(await t.data(), await stateDict.get(`convnet.${k}`)!.data(), k);
  }
  tf.dispose([...tensors.values(), ...stateDict.values()]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`deno task convert` reports mistakes in one line with exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--to", "x.safetensors"], /error: --from is required/],
    [["--from", "missing.ckpt", "--to", "x"], /error: --from missing\.ckpt: no such file/],
    [["--bogus"], /error: Unknown option '--bogus'/],
    [
      ["--from", new URL("../models/testdata/malicious.pt", import.meta.url).pathname, "--to", "x"],
      /refusing to call or construct the global posix\.system/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await convert(...args);
    assert.equal(run.code, 2, args.join(" "));
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /); // no stack trace
  }
  const help = await convert("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--from STRING/);
});
