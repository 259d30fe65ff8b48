// `deno doc --lint` over every package, with one class of finding waived: a public signature
// that references a type of @tensorflow/tfjs-core (Tensor2D, Scalar, Variable, ...). Those are
// the tensors of the API contract; they are documented by tfjs, and re-exporting them only moves
// the finding to their own private parts (Tensor, Rank). Every other finding fails the check.
//
//   deno run -A tools/doc_lint.ts [mod.ts ...]

const TFJS_TYPES = new Set([
  "Tensor",
  "Scalar",
  "Tensor1D",
  "Tensor2D",
  "Tensor3D",
  "Tensor4D",
  "Tensor5D",
  "Variable",
  "Rank",
  "DataType",
  "TensorLike",
  "NamedTensorMap",
  "KernelConfig",
  "NamedAttrMap",
]);

/** Every file a workspace member exports (its subpaths included), and the root mod.ts. */
function exportedFiles(): string[] {
  const root = JSON.parse(Deno.readTextFileSync("deno.json"));
  const files = ["mod.ts"];
  for (const member of root.workspace as string[]) {
    const config = JSON.parse(Deno.readTextFileSync(`${member}/deno.json`));
    for (const path of Object.values(config.exports as Record<string, string>)) {
      files.push(`${member}/${path}`.replace("/./", "/"));
    }
  }
  return files;
}

const files = Deno.args.length > 0 ? Deno.args : exportedFiles();
const output = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...files],
  env: { NO_COLOR: "1" },
  stdout: "piped",
  stderr: "piped",
}).output();
const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
const findings = text.split(/\n(?=error\[)/).filter((block) => block.startsWith("error["));
const waived = findings.filter((block) => {
  const match = block.match(
    /^error\[private-type-ref\]: public type '.*' references private type '(\w+)'/,
  );
  return match !== null && TFJS_TYPES.has(match[1]);
});
const failing = findings.filter((block) => !waived.includes(block));
for (const block of failing) console.error(block.trimEnd() + "\n");
console.error(
  `doc lint: ${failing.length} finding(s); ${waived.length} waived (tfjs-core types in signatures)`,
);
if (failing.length > 0 || (!output.success && findings.length === 0)) {
  if (findings.length === 0) console.error(text);
  Deno.exit(1);
}
