import assert from "node:assert/strict";
import { runSettings } from "./run_settings.ts";
import { startBackend, WORKERS_BELOW_WIDTH } from "./start_backend.ts";

Deno.test("`startBackend()` gives narrow networks a worker per core, wide ones one worker", async () => {
  const cores = navigator.hardwareConcurrency;
  const narrow = runSettings({ backend: "cpu", width: WORKERS_BELOW_WIDTH / 2 }, "pretrain");
  assert.equal((await startBackend(narrow.settings, 64)).workers, Math.min(cores, 64));
  assert.equal((await startBackend(narrow.settings, 1)).workers, 1); // an image per worker
  const wide = runSettings({ backend: "cpu", width: WORKERS_BELOW_WIDTH }, "pretrain");
  assert.equal((await startBackend(wide.settings, 64)).workers, 1);
  const chunked = runSettings({ backend: "cpu", width: 8, accumulate: 2 }, "pretrain");
  assert.equal((await startBackend(chunked.settings, 64)).workers, 1);
});
