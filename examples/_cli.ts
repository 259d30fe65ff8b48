// Copyright 2026 the simclr authors. MIT license.
// Shared command-line handling of the commands: flags (the pipeline functions' config fields)
// parsed with types, defaults and help, and user mistakes reported as one clear line (a bug
// keeps its stack trace).
import { parseArgs } from "node:util";
import { type CommandSpec, type Flag, flagOptions, type Flags } from "../pipeline/flag.ts";
import { UsageError } from "../pipeline/usage_error.ts";

export { type Flag, type Flags, UsageError };

/** Parses `args` against `flags`; prints help and exits on `--help`. */
export function parseFlags(
  command: string,
  description: string,
  flags: readonly Flag[],
  args: string[] = Deno.args,
): Flags {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const flag of flags) {
    options[flag.name] = { type: flag.type === "boolean" ? "boolean" : "string" };
  }
  // `deno task NAME -- --flag` hands the script the `--` too.
  if (args[0] === "--") args = args.slice(1);
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional.*$/, "");
    throw new UsageError(`${message} (see: deno task ${command} --help)`);
  }
  if (parsed.help) {
    console.log(helpText(command, description, flags));
    Deno.exit(0);
  }
  const out: Flags = {};
  for (const flag of flags) {
    const raw = parsed[flag.name];
    if (raw === undefined) {
      out[flag.name] = flag.default;
      continue;
    }
    out[flag.name] = convert(flag, raw);
  }
  return out;
}

/**
 * Parses `args` against a pipeline function's command: its config fields (camelCase), those
 * absent from the command line left out (the function fills them in).
 */
export function parseCommand(
  spec: CommandSpec,
  args: string[] = Deno.args,
): Record<string, string | number | boolean> {
  return flagOptions(parseFlags(spec.name, spec.description, spec.flags, args));
}

function convert(flag: Flag, raw: string | boolean): string | number | boolean {
  if (flag.type === "boolean") return raw as boolean;
  const text = raw as string;
  if (flag.type === "string") {
    if (flag.choices && !flag.choices.includes(text)) {
      throw new UsageError(
        `--${flag.name} is "${text}": expected one of ${flag.choices.join(", ")}`,
      );
    }
    return text;
  }
  if (flag.auto && text === "auto") return text;
  const value = Number(text);
  const integer = flag.type === "integer";
  if (text.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UsageError(
      `--${flag.name} is "${text}": expected ${integer ? "an integer" : "a number"}`,
    );
  }
  if (flag.min !== undefined && value < flag.min) {
    throw new UsageError(`--${flag.name} is ${value}: expected a number >= ${flag.min}`);
  }
  return value;
}

function helpText(command: string, description: string, flags: readonly Flag[]): string {
  const rows = flags.map((flag) => {
    const value = flag.type === "boolean"
      ? ""
      : ` ${flag.choices ? flag.choices.join("|") : flag.type.toUpperCase()}${
        flag.auto ? "|auto" : ""
      }`;
    const shown = flag.default === undefined ? "" : ` (default: ${flag.default})`;
    return [`  --${flag.name}${value}`, `${flag.help}${shown}`];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    `Usage: deno task ${command} [-- FLAGS]`,
    "",
    description,
    "",
    "Flags:",
    ...rows.map(([left, right]) => left.padEnd(width) + right),
    "  --help".padEnd(width) + "Show this help",
  ].join("\n");
}

/**
 * The errors that report a user's mistake or environment rather than a bug: a bad flag, a file
 * that is missing, unreadable or not in the expected format, a backend that cannot start, a
 * training that diverged, a download that broke off. Their messages name the flag or file and
 * what was expected. Every other error (a `TypeError` or `RangeError` from a library call, say)
 * is a bug, and keeps its stack trace.
 */
const USER_ERRORS = new Set([
  "UsageError",
  "BackendUnavailableError",
  "CheckpointError",
  "DownloadError",
  "ImageDecodeError",
  "ImageFolderError",
  "NonFiniteLossError",
  "STL10FormatError",
  "WriteError", // a full or read-only disk
  "LockError", // --out held by a live run
  "TrainingInterruptedError", // SIGINT/SIGTERM: exits 130/143 (its exitCode)
]);

/** Whether `error` reports a user's mistake (see {@linkcode USER_ERRORS}). */
export function isUserError(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied ||
    error instanceof Error && USER_ERRORS.has(error.name);
}

/**
 * Runs a command's main function: a user's mistake prints one line and exits with code 2 (or
 * the error's own `exitCode`: 130 after SIGINT, 143 after SIGTERM); anything else is a bug and
 * keeps its stack trace.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (isUserError(error)) {
      // An interruption (its own exit code) is no error: its message says where it stopped.
      const code = (error as { exitCode?: unknown }).exitCode;
      const interrupted = typeof code === "number";
      console.error(`${interrupted ? "" : "error: "}${(error as Error).message}`);
      Deno.exit(interrupted ? code : 2);
    }
    throw error;
  }
}
