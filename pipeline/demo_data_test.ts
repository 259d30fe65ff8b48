// Copyright 2026 the simclr authors. MIT license.
import assert from "node:assert/strict";
import { ensureDemoData } from "./demo_data.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** The names in `dir`, sorted. */
async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("`ensureDemoData()` generates a whole set once and keeps it on the next call", async () => {
  const parent = await Deno.makeTempDir({ prefix: "simclr-demo-data-" });
  try {
    const dir = `${parent}/demo`;
    assert.equal(await ensureDemoData(dir), dir);
    const first = await Deno.stat(`${dir}/test_y.bin`);
    assert.ok(first.size > 0);
    await ensureDemoData(dir);
    assert.equal((await Deno.stat(`${dir}/test_y.bin`)).mtime?.getTime(), first.mtime?.getTime());
    assert.deepEqual(await names(parent), ["demo"]); // no temporary folder left
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("`ensureDemoData()` replaces a folder that is not a whole set", async () => {
  const parent = await Deno.makeTempDir({ prefix: "simclr-demo-data-" });
  try {
    const dir = `${parent}/demo`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/train_X.bin`, "cut short");
    await ensureDemoData(dir);
    assert.ok((await Deno.stat(`${dir}/train_X.bin`)).size > 1000);
    assert.ok((await Deno.stat(`${dir}/test_y.bin`)).size > 0);
    assert.deepEqual(await names(parent), ["demo"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("`ensureDemoData()` keeps a set another process put in place while it generated", async () => {
  const parent = await Deno.makeTempDir({ prefix: "simclr-demo-data-" });
  try {
    const dir = `${parent}/demo`;
    await ensureDemoData(`${parent}/ready`);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { ensureDemoData } from ${JSON.stringify(import.meta.resolve("./demo_data.ts"))};
        await ensureDemoData(${JSON.stringify(dir)});`,
      ],
      cwd: ROOT,
      stderr: "null",
    }).spawn();
    // Once the child is generating (its temporary folder exists), another set lands in place,
    // as a parallel test file's would, and is being read.
    while (!(await names(parent)).some((name) => name.startsWith(".demo-data-"))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Deno.rename(`${parent}/ready`, dir);
    const reading = await Deno.stat(`${dir}/train_X.bin`);
    assert.equal((await child.status).code, 0);
    assert.equal((await Deno.stat(`${dir}/train_X.bin`)).ino, reading.ino, "the set was replaced");
    assert.deepEqual(await names(parent), ["demo"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
