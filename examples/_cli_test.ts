import assert from "node:assert/strict";
import { isUserError, parseFlags, UsageError } from "./_cli.ts";

Deno.test("`isUserError()` knows the user's mistakes, and a bug's TypeError or RangeError is not one", () => {
  for (
    const name of [
      "CheckpointError",
      "STL10FormatError",
      "DownloadError",
      "BackendUnavailableError",
    ]
  ) {
    const error = new Error("the file is bad");
    error.name = name;
    assert.ok(isUserError(error), name);
  }
  assert.ok(isUserError(new UsageError("--epochs is 0: expected a number >= 1")));
  assert.ok(isUserError(new Deno.errors.NotFound("missing file x")));
  assert.ok(!isUserError(new TypeError("x.foo is not a function")));
  assert.ok(!isUserError(new RangeError("f(): n is -1: expected a positive integer")));
  assert.ok(!isUserError(new Error("something broke")));
});

Deno.test("`runMain()` prints a user's mistake in one line and keeps a bug's stack trace", async () => {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  const cli = new URL("./_cli.ts", import.meta.url).href;
  const run = async (thrown: string) => {
    await Deno.writeTextFile(
      script,
      `import { runMain, UsageError } from "${cli}";\nawait runMain(async () => { throw ${thrown}; });\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script],
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const user = await run(`new UsageError("--width is 0: expected a number >= 1")`);
  assert.equal(user.code, 2);
  assert.equal(user.stderr.trim(), "error: --width is 0: expected a number >= 1");
  const bug = await run(`new TypeError("undefined is not a function")`);
  assert.equal(bug.code, 1);
  assert.match(bug.stderr, /TypeError: undefined is not a function[\s\S]*\n\s+at runMain /);
  await Deno.remove(script);
});

Deno.test("`parseFlags()` fills defaults and names the flag and the value on a mistake", () => {
  const flags = [
    { name: "epochs", type: "integer", min: 1, help: "Epochs", default: 5 },
    { name: "stem", type: "string", choices: ["imagenet", "cifar"], help: "Stem" },
  ] as const;
  assert.deepEqual(parseFlags("x", "test", flags, []), { epochs: 5, stem: undefined });
  assert.deepEqual(parseFlags("x", "test", flags, ["--", "--epochs", "3"]).epochs, 3);
  assert.throws(() => parseFlags("x", "test", flags, ["--epochs", "1.5"]), {
    name: "UsageError",
    message: '--epochs is "1.5": expected an integer',
  });
  assert.throws(() => parseFlags("x", "test", flags, ["--stem", "tiny"]), {
    message: '--stem is "tiny": expected one of imagenet, cifar',
  });
});
