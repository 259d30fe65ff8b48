import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { BackendUnavailableError, selectBackend } from "./select_backend.ts";
import { openDnnl } from "./_dnnl.ts";

Deno.test("`selectBackend()` activates each backend asked for by name", async () => {
  for (const name of ["cpu", "wasm", "webgpu", ...(dnnl ? ["native" as const] : [])] as const) {
    const lines: string[] = [];
    const selected = await selectBackend(name, { log: (line) => lines.push(line) });
    assert.equal(selected.name, name);
    assert.equal(tf.getBackend(), name);
    assert.deepEqual(lines, [selected.line]);
    assert.match(selected.line, new RegExp(`^backend: ${name} \\(.+\\)$`));
    // The backend computes: a tiny matmul.
    const product = tf.matMul([[1, 2]], [[3], [4]]);
    assert.deepEqual(Array.from(await product.data()), [11]); // async: webgpu has no dataSync
    product.dispose();
  }
  await selectBackend("cpu", { log: null });
});

const dnnl = "dnnl" in openDnnl(1);

Deno.test("`selectBackend('auto')` picks native (or wasm, without oneDNN) on a CPU-only machine and says why", async () => {
  const selected = await selectBackend("auto", { log: null });
  // This suite runs without libtensorflow and with at most a software WebGPU adapter.
  assert.equal(selected.name, dnnl ? "native" : "wasm");
  assert.deepEqual(
    selected.skipped.map((s) => s.name),
    dnnl ? ["tensorflow", "webgpu"] : ["tensorflow", "webgpu", "native"],
  );
  if (!dnnl) assert.match(selected.line, /native: .*apt-get install libdnnl2/);
  assert.match(selected.line, /skipped tensorflow: neither @tensorflow\/tfjs-node-gpu/);
  assert.match(selected.line, /webgpu: /);
  assert.match(selected.device, /SIMD/);
  await selectBackend("cpu", { log: null });
});

Deno.test("`selectBackend()` refuses a named backend it cannot load, never falling back", async () => {
  const before = tf.getBackend();
  await assert.rejects(
    () => selectBackend("tensorflow", { log: null }),
    (error: unknown) =>
      error instanceof BackendUnavailableError && error.backend === "tensorflow" &&
      /not available: neither @tensorflow\/tfjs-node-gpu/.test(error.message),
  );
  assert.equal(tf.getBackend(), before);
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => selectBackend("tpu" as any),
    {
      name: "RangeError",
      message:
        'selectBackend(): request is "tpu": expected one of "auto", "tensorflow", "webgpu", "native", "wasm", "cpu"',
    },
  );
});

Deno.test("`selectBackend('wasm', { threads })` runs real threads that give one thread's results", async () => {
  const run = async (threads: number) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./testdata/threaded_step.ts", import.meta.url).pathname,
        String(threads),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    return JSON.parse(new TextDecoder().decode(output.stdout));
  };
  const [one, two] = [await run(1), await run(2)];
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2); // the backend's own count, lifted above cores / 2
  assert.equal(two.reported, 2);
  assert.match(two.device, /SIMD, 2 threads/);
  // The same step: equal up to float reassociation across the threads' partitions.
  assert.ok(Math.abs(one.loss - two.loss) <= 1e-5 * one.loss, `${one.loss} vs ${two.loss}`);
  assert.ok(
    Math.abs(one.gradNorm - two.gradNorm) <= 1e-4 * one.gradNorm,
    `${one.gradNorm} vs ${two.gradNorm}`,
  );
});

Deno.test("`selectBackend('native')` without oneDNN fails by name, saying what to install", async () => {
  // A child process, since a process opens the library once: SIMCLR_DNNL at a missing file.
  const code = `import { selectBackend } from ${
    JSON.stringify(new URL("./mod.ts", import.meta.url).href)
  };
    try { await selectBackend("native", { log: null }); console.log("opened"); }
    catch (e) { console.log(e.name + ": " + e.message); }
    const auto = await selectBackend("auto", { log: null }); console.log(auto.line);`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { SIMCLR_DNNL: "/nonexistent/libdnnl.so.2" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [error, line] = new TextDecoder().decode(out.stdout).trim().split("\n");
  assert.match(error, /^BackendUnavailableError: backend "native" is not available: SIMCLR_DNNL=/);
  assert.match(error, /apt-get install libdnnl2 on Debian and Ubuntu/);
  assert.match(
    line,
    /^backend: wasm .*; native: SIMCLR_DNNL=\/nonexistent.*apt-get install libdnnl2/,
  );
});
