// Copyright 2026 the simclr authors. MIT license.
// Internal: oneDNN 2.x (libdnnl.so.2, Debian's libdnnl2) through Deno's FFI, with no compiled
// code of ours. Structs are laid out by hand from oneDNN 2.6's dnnl_types.h (checked against a
// C program's sizeof/offsetof on x86-64): dnnl_memory_desc_t is 696 bytes, the largest op
// descriptor (convolution) 5,976; dnnl_exec_arg_t is { int arg; dnnl_memory_t memory; } (16).
// Data stays where tfjs-wasm put it: a primitive's user-side memory objects are bound to views of
// the wasm heap (dnnl_memory_set_data_handle) just before each run, and oneDNN reads and writes
// the heap in place. Where a primitive prefers a blocked layout (weights), a reorder to and from
// an oneDNN-owned buffer runs around it.

/** Memory descriptor bytes (dnnl_memory_desc_t, oneDNN 2.x). */
const MD_BYTES = 696;
/** Room for any op descriptor (the convolution's, 5,976 bytes, is the largest we build). */
const OP_DESC_BYTES = 8192;
/** DNNL_MAX_NDIMS: dims arrays are this many int64. */
const MAX_NDIMS = 12;

/** oneDNN enum values (dnnl_types.h, 2.6). */
export const DNNL = {
  f32: 3,
  u8: 6,
  tag: { any: 1, a: 2, ab: 3, abc: 4, abcd: 5, nhwc: 20, hwio: 30, ba: 22, acb: 17 },
  prop: { forwardTraining: 64, forwardInference: 96, backward: 128, backwardData: 160 },
  alg: {
    convolutionDirect: 1,
    poolingMax: 511,
    eltwiseRelu: 31,
    eltwiseReluUseDstForBwd: 256,
    eltwiseSquare: 79,
    eltwiseSqrt: 111,
    binaryAdd: 131056,
    binaryMul: 131057,
    binarySub: 131061,
    binaryDiv: 131060,
    binaryGt: 131063,
    binaryEq: 131066,
  },
  flags: { useGlobalStats: 1, fuseNormRelu: 4, useScale: 8, useShift: 16 },
  arg: {
    src: 1,
    src1: 2,
    dst: 17,
    weights: 33,
    mean: 49,
    variance: 50,
    scale: 51,
    shift: 52,
    workspace: 64,
    diffSrc: 129,
    diffDst: 145,
    diffWeights: 161,
    diffScale: 255,
    diffShift: 256,
  },
  query: { execArgMd: 255 },
} as const;

/** An FFI signature of a function returning a `dnnl_status_t`. */
function status<const P extends readonly Deno.NativeType[]>(
  ...parameters: P
): { parameters: P; result: "i32" } {
  return { parameters, result: "i32" };
}

/** `N` of `T`, as a tuple type. */
type Repeat<T, N extends number, A extends T[] = []> = A["length"] extends N ? A
  : Repeat<T, N, [...A, T]>;

/** `n` FFI arguments of type `type` in a row (descriptors, dims arrays, handles). */
function many<T extends Deno.NativeType, N extends number>(type: T, n: N): Repeat<T, N> {
  return new Array(n).fill(type) as Repeat<T, N>;
}

/** A convolution descriptor's (src, weights, bias, dst, strides, padding_l, padding_r). */
const CONV = [...many("buffer", 2), "pointer", ...many("buffer", 4)] as const;

const SYMBOLS = {
  dnnl_engine_create: status("buffer", "i32", "usize"),
  dnnl_stream_create: status("buffer", "pointer", "u32"),
  dnnl_memory_desc_init_by_tag: status("buffer", "i32", "buffer", "i32", "i32"),
  dnnl_memory_desc_init_by_strides: status("buffer", "i32", "buffer", "i32", "buffer"),
  dnnl_memory_desc_equal: status("pointer", "pointer"),
  dnnl_memory_desc_get_size: { parameters: ["buffer"], result: "usize" },
  dnnl_convolution_forward_desc_init: status("buffer", "i32", "i32", ...CONV),
  // (desc, alg, diff_src, weights, diff_dst, strides, padding_l, padding_r): no bias
  dnnl_convolution_backward_data_desc_init: status("buffer", "i32", ...many("buffer", 6)),
  dnnl_convolution_backward_weights_desc_init: status("buffer", "i32", ...CONV),
  // (desc, [prop,] alg, src, dst, strides, kernel, dilation, padding_l, padding_r)
  dnnl_pooling_v2_forward_desc_init: status("buffer", "i32", "i32", ...many("buffer", 7)),
  dnnl_pooling_v2_backward_desc_init: status("buffer", "i32", ...many("buffer", 7)),
  dnnl_batch_normalization_forward_desc_init: status("buffer", "i32", "buffer", "f32", "u32"),
  dnnl_batch_normalization_backward_desc_init: status(
    "buffer",
    "i32",
    ...many("buffer", 2),
    "f32",
    "u32",
  ),
  dnnl_matmul_desc_init: status("buffer", "buffer", "buffer", "pointer", "buffer"),
  dnnl_eltwise_forward_desc_init: status("buffer", "i32", "i32", "buffer", "f32", "f32"),
  dnnl_eltwise_backward_desc_init: status("buffer", "i32", "buffer", "buffer", "f32", "f32"),
  dnnl_binary_desc_init: status("buffer", "i32", "buffer", "buffer", "buffer"),
  dnnl_primitive_desc_create: status("buffer", "buffer", "pointer", "pointer", "pointer"),
  dnnl_primitive_desc_destroy: status("pointer"),
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_create: status("buffer", "pointer"),
  dnnl_primitive_execute: status("pointer", "pointer", "i32", "buffer"),
  dnnl_memory_create: status("buffer", "pointer", "pointer", "pointer"),
  dnnl_memory_set_data_handle: status("pointer", "buffer"),
  dnnl_reorder_primitive_desc_create: status("buffer", ...many("pointer", 5)),
  dnnl_stream_wait: status("pointer"),
  dnnl_version: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
type Ptr = Deno.PointerValue;

/** Where libdnnl is looked for, in order, after `$SIMCLR_DNNL`. */
export const DNNL_NAMES: readonly string[] = [
  "libdnnl.so.2",
  "/usr/lib/x86_64-linux-gnu/libdnnl.so.2",
  "/usr/lib/aarch64-linux-gnu/libdnnl.so.2",
  "/usr/local/lib/libdnnl.so.2",
  "/opt/intel/oneapi/dnnl/latest/lib/libdnnl.so.2",
  "libdnnl.so",
  "libdnnl.2.dylib",
  "libdnnl.dylib",
];

/** What to install when the library is not found (the backend line and the error say it). */
export const DNNL_INSTALL_HINT =
  "apt-get install libdnnl2 on Debian and Ubuntu; elsewhere oneDNN's own packages " +
  "(https://github.com/oneapi-src/oneDNN/releases), or SIMCLR_DNNL=/path/to/libdnnl.so.2";

/** A user-side memory: a plain layout whose buffer is a view of the caller's memory. */
interface Bound {
  arg: number;
  mem: Ptr;
}

/** One primitive with its arguments, reorders and oneDNN-owned buffers, ready to run. */
export interface Plan {
  /** Runs the primitive on these views (one per user argument, in the plan's order). */
  run(views: ArrayBufferView[]): void;
}

/** A plan's argument: its DNNL_ARG, its plain layout, and whether it is read or written. */
export interface PlanArg {
  arg: number;
  md: Uint8Array;
  output: boolean;
}

/** The opened library: an engine, a stream and helpers to build primitives. */
export class Dnnl {
  readonly #lib: Lib;
  readonly #engine: Ptr;
  readonly #stream: Ptr;
  readonly version: string;
  readonly path: string;
  /** OpenMP threads of the primitives that are worth more than one (`openDnnl(threads)`). */
  maxThreads = 1;
  #threads = 0;
  readonly #keep: unknown[] = []; // buffers whose addresses oneDNN holds

  constructor(lib: Lib, path: string) {
    this.#lib = lib;
    this.path = path;
    const out = new BigUint64Array(1);
    check(lib.dnnl_engine_create(new Uint8Array(out.buffer), 1, /* cpu */ 0n), "engine_create");
    this.#engine = Deno.UnsafePointer.create(out[0]);
    check(lib.dnnl_stream_create(new Uint8Array(out.buffer), this.#engine, 1), "stream_create");
    this.#stream = Deno.UnsafePointer.create(out[0]);
    const v = new Deno.UnsafePointerView(lib.dnnl_version()!);
    this.version = `${v.getInt32(0)}.${v.getInt32(4)}.${v.getInt32(8)}`;
  }

  /**
   * Sets OpenMP's thread count of the calling thread (a primitive must be created and run with
   * the same count: oneDNN sizes its work split and scratchpads when it is created).
   */
  useThreads(threads: number): void {
    if (threads === this.#threads) return;
    setOmpThreads(threads);
    this.#threads = threads;
  }

  /** A memory descriptor for `dims` (logical order) in layout `tag` (or `any`), float32 or `dataType`. */
  md(dims: readonly number[], tag: number, dataType: number = DNNL.f32): Uint8Array {
    const md = new Uint8Array(MD_BYTES);
    check(
      this.#lib.dnnl_memory_desc_init_by_tag(md, dims.length, int64s(dims), dataType, tag),
      `memory_desc_init_by_tag([${dims}], ${tag})`,
    );
    return md;
  }

  /** A memory descriptor for `dims` with explicit element strides. */
  stridedMd(dims: readonly number[], strides: readonly number[]): Uint8Array {
    const md = new Uint8Array(MD_BYTES);
    check(
      this.#lib.dnnl_memory_desc_init_by_strides(
        md,
        dims.length,
        int64s(dims),
        DNNL.f32,
        int64s(strides),
      ),
      `memory_desc_init_by_strides([${dims}], [${strides}])`,
    );
    return md;
  }

  /** The library's functions, for op-descriptor initialisers. */
  get lib(): Lib {
    return this.#lib;
  }

  /** A fresh op-descriptor buffer. */
  opDesc(): Uint8Array {
    return new Uint8Array(OP_DESC_BYTES);
  }

  /** dims as the int64[12] a descriptor initialiser takes. */
  dims(values: readonly number[]): Uint8Array {
    return int64s(values);
  }

  /** A primitive descriptor for an initialised op descriptor (with a forward hint or not). */
  primitiveDesc(opDesc: Uint8Array, hint: Ptr = null): Ptr {
    const out = new BigUint64Array(1);
    check(
      this.#lib.dnnl_primitive_desc_create(
        new Uint8Array(out.buffer),
        opDesc,
        null,
        this.#engine,
        hint,
      ),
      "primitive_desc_create",
    );
    return Deno.UnsafePointer.create(out[0]);
  }

  /**
   * The primitive of `pd` with its arguments bound: user arguments in plain layouts (bound to
   * views at each run), reorders where the primitive chose another layout, and oneDNN-owned
   * buffers for `internal` arguments (such as a pooling workspace, shared between plans).
   */
  plan(pd: Ptr, args: readonly PlanArg[], internal: { arg: number; mem: Ptr }[] = []): Plan {
    const lib = this.#lib;
    const prim = this.#primitive(pd);
    const user: Bound[] = [];
    const before: { prim: Ptr; args: Uint8Array }[] = [];
    const after: { prim: Ptr; args: Uint8Array }[] = [];
    const exec: { arg: number; mem: Ptr }[] = [...internal];
    for (const a of args) {
      const mdPtr = Deno.UnsafePointer.of(a.md);
      this.#keep.push(a.md);
      const userMem = this.#memory(mdPtr, null);
      user.push({ arg: a.arg, mem: userMem });
      const chosen = this.#chosenMd(pd, a.arg);
      if (lib.dnnl_memory_desc_equal(chosen, mdPtr) === 1) {
        exec.push({ arg: a.arg, mem: userMem });
        continue;
      }
      const inner = this.#memory(chosen, Deno.UnsafePointer.create(0xffffffffffffffffn));
      const [src, dst] = a.output ? [chosen, mdPtr] : [mdPtr, chosen];
      const [srcMem, dstMem] = a.output ? [inner, userMem] : [userMem, inner];
      const out = new BigUint64Array(1);
      check(
        lib.dnnl_reorder_primitive_desc_create(
          new Uint8Array(out.buffer),
          src,
          this.#engine,
          dst,
          this.#engine,
          null,
        ),
        "reorder_primitive_desc_create",
      );
      const reorder = this.#primitive(Deno.UnsafePointer.create(out[0]));
      const step = {
        prim: reorder,
        args: execArgs([{ arg: 1, mem: srcMem }, { arg: 17, mem: dstMem }]),
      };
      (a.output ? after : before).push(step);
      exec.push({ arg: a.arg, mem: inner });
    }
    const execBuffer = execArgs(exec);
    const stream = this.#stream;
    return {
      run(views: ArrayBufferView[]): void {
        for (let i = 0; i < user.length; i++) {
          check(lib.dnnl_memory_set_data_handle(user[i].mem, views[i]), "set_data_handle");
        }
        for (const s of before) {
          check(lib.dnnl_primitive_execute(s.prim, stream, 2, s.args), "execute (reorder)");
        }
        check(lib.dnnl_primitive_execute(prim, stream, exec.length, execBuffer), "execute");
        for (const s of after) {
          check(lib.dnnl_primitive_execute(s.prim, stream, 2, s.args), "execute (reorder)");
        }
        check(lib.dnnl_stream_wait(stream), "stream_wait");
      },
    };
  }

  /** A copy of the layout that `pd` chose for argument `arg` (e.g. a workspace's). */
  queryMd(pd: Ptr, arg: number): Uint8Array {
    const md = new Uint8Array(MD_BYTES);
    new Deno.UnsafePointerView(this.#chosenMd(pd, arg)).copyInto(md);
    return md;
  }

  /** Frees a primitive descriptor that no plan took (one made only to be queried). */
  destroyPrimitiveDesc(pd: Ptr): void {
    check(this.#lib.dnnl_primitive_desc_destroy(pd), "primitive_desc_destroy");
  }

  /** The bytes a memory descriptor's data takes. */
  mdBytes(md: Uint8Array): number {
    return Number(this.#lib.dnnl_memory_desc_get_size(md));
  }

  /** An oneDNN-owned buffer for argument `arg` of `pd` (e.g. a pooling workspace). */
  ownedMemory(pd: Ptr, arg: number): Ptr {
    return this.#memory(this.#chosenMd(pd, arg), Deno.UnsafePointer.create(0xffffffffffffffffn));
  }

  /** The layout that `pd` chose for argument `arg` (oneDNN's, valid while `pd` lives). */
  #chosenMd(pd: Ptr, arg: number): Deno.PointerObject {
    const chosen = this.#lib.dnnl_primitive_desc_query_md(pd, DNNL.query.execArgMd, arg);
    if (chosen === null) throw new Error(`oneDNN: no memory descriptor for argument ${arg}`);
    return chosen;
  }

  #primitive(pd: Ptr): Ptr {
    const out = new BigUint64Array(1);
    check(this.#lib.dnnl_primitive_create(new Uint8Array(out.buffer), pd), "primitive_create");
    return Deno.UnsafePointer.create(out[0]);
  }

  #memory(md: Ptr, handle: Ptr): Ptr {
    const out = new BigUint64Array(1);
    check(
      this.#lib.dnnl_memory_create(new Uint8Array(out.buffer), md, this.#engine, handle),
      "memory_create",
    );
    return Deno.UnsafePointer.create(out[0]);
  }
}

function execArgs(args: readonly { arg: number; mem: Ptr }[]): Uint8Array {
  const bytes = new Uint8Array(16 * args.length);
  const view = new DataView(bytes.buffer);
  args.forEach(({ arg, mem }, i) => {
    view.setInt32(16 * i, arg, true);
    view.setBigUint64(16 * i + 8, BigInt(Deno.UnsafePointer.value(mem)), true);
  });
  return bytes;
}

function int64s(values: readonly number[]): Uint8Array {
  const out = new BigInt64Array(MAX_NDIMS);
  values.forEach((v, i) => (out[i] = BigInt(v)));
  return new Uint8Array(out.buffer);
}

const STATUS = [
  "success",
  "out_of_memory",
  "invalid_arguments",
  "unimplemented",
  "iterator_ends",
  "runtime_error",
  "not_required",
];

/** Throws on a non-zero dnnl_status_t. */
export function check(status: number, what: string): void {
  if (status !== 0) throw new Error(`oneDNN ${what}: ${STATUS[status] ?? `status ${status}`}`);
}

let opened: { dnnl: Dnnl } | { reason: string } | undefined;

/**
 * Opens oneDNN once per process: `$SIMCLR_DNNL` if set, else the usual names and paths. Sets
 * the threads of the primitives built from now on that are worth more than one.
 */
export function openDnnl(threads: number): { dnnl: Dnnl } | { reason: string } {
  if (opened === undefined) opened = load();
  if ("dnnl" in opened) opened.dnnl.maxThreads = threads;
  return opened;
}

/** Whether oneDNN opens in this process (opened once; sets no threads). */
export function dnnlOpens(): boolean {
  if (opened === undefined) opened = load();
  return "dnnl" in opened;
}

function load(): { dnnl: Dnnl } | { reason: string } {
  let env: string | undefined;
  try {
    env = Deno.env.get("SIMCLR_DNNL");
  } catch {
    env = undefined; // no env permission: the usual places only
  }
  const candidates = env ? [env] : DNNL_NAMES;
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      const lib = Deno.dlopen(path, SYMBOLS);
      return { dnnl: new Dnnl(lib.symbols, path) };
    } catch (error) {
      failures.push(
        `${path}: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
      );
    }
  }
  const what = env
    ? `SIMCLR_DNNL=${env} did not open (${failures[0]})`
    : "oneDNN (libdnnl.so.2) is not installed";
  return { reason: `${what}: ${DNNL_INSTALL_HINT}` };
}

let omp: { omp_set_num_threads(n: number): void } | null | undefined;

function setOmpThreads(threads: number): void {
  if (omp === undefined) {
    omp = null;
    for (const name of ["libgomp.so.1", "libiomp5.so", "libomp.so"]) {
      try {
        omp = Deno.dlopen(name, {
          omp_set_num_threads: { parameters: ["i32"], result: "void" },
        }).symbols;
        break;
      } catch {
        // try the next runtime
      }
    }
  }
  omp?.omp_set_num_threads(threads);
}
