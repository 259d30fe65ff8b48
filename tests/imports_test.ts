// What importing a package (or one of its subpaths) loads, read from Deno's module graph: the
// subpath exports must keep heavy or global-state code out of the packages that do not need it.
import assert from "node:assert/strict";

/** The module specifiers (files and npm packages) that importing `entry` loads. */
async function graph(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout));
  return info.modules.map((m: { specifier: string }) =>
    m.specifier.replace(new URL("../", import.meta.url).href, "")
  );
}

const PLOTTING = /npm:\/(vega|@resvg|fast-png)/;

Deno.test("`@simclr/eval` loads the plotting code, `@simclr/eval/knn-classify` none of it", async () => {
  // The positive control: the detection sees vega and resvg where they are used.
  assert.ok((await graph("eval/mod.ts")).some((m) => PLOTTING.test(m)));
  const knn = await graph("eval/knn_classify.ts");
  assert.deepEqual(knn.filter((m) => PLOTTING.test(m)), []);
  assert.deepEqual(knn.filter((m) => m.startsWith("npm:")), ["npm:/@tensorflow/tfjs-core@4.22.0"]);
  // The online monitors that pretraining runs load neither the plotting code nor UMAP.
  const monitors = await graph("eval/online_monitors.ts");
  assert.ok(monitors.includes("eval/knn_classify.ts"));
  assert.deepEqual(monitors.filter((m) => PLOTTING.test(m) || /umap-js/.test(m)), []);
  assert.ok((await graph("eval/umap_2d.ts")).some((m) => /umap-js/.test(m)));
});

Deno.test("`@simclr/train` loads no kernels and no backend", async () => {
  assert.ok((await graph("backends/mod.ts")).some((m) => m.includes("conv_gradients")));
  const train = await graph("train/mod.ts");
  assert.deepEqual(train.filter((m) => m.startsWith("backends/") || /tfjs-backend/.test(m)), []);
});

Deno.test("`@simclr/losses` loads tfjs-core and the argument checks, nothing else", async () => {
  const losses = await graph("losses/mod.ts");
  const foreign = losses.filter((m) =>
    !m.startsWith("losses/") && m !== "internal/checks.ts" &&
    m !== "npm:/@tensorflow/tfjs-core@4.22.0"
  );
  assert.deepEqual(foreign, []);
});

Deno.test("`@simclr/models` loads no training, backend, dataset or evaluation code", async () => {
  const models = await graph("models/mod.ts");
  const foreign = models.filter((m) => /^(train|backends|datasets|eval|augment)\//.test(m));
  assert.deepEqual(foreign, []);
});
