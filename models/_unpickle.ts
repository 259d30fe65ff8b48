// A restricted pickle reader (protocols 0-5) for PyTorch checkpoints. It builds plain values
// and never runs code: callables come from an allow-list, every other global is an inert
// placeholder that may be referenced (e.g. as a dict key) but not called or constructed.
import { CheckpointError } from "./checkpoint_error.ts";

/** A Python global that is only referenced (never called). */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  /** `module.name`. */
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A PyTorch storage, named by its key inside the checkpoint archive. */
export interface StorageRef {
  kind: "storage";
  /** The storage class name, e.g. `FloatStorage`. */
  type: string;
  key: string;
  location: string;
  numel: number;
}

/** A (lazy) tensor: a strided view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** Python tuples: arrays marked so that they stay distinguishable from lists. */
export class PyTuple extends Array<unknown> {}

function tuple(items: unknown[]): PyTuple {
  const t = new PyTuple();
  t.push(...items);
  return t;
}

type Callable = (args: unknown[]) => unknown;

const asNumbers = (v: unknown, what: string): number[] => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number")) {
    throw new CheckpointError(`unpickle: ${what} must be a tuple of ints, got ${String(v)}`);
  }
  return v as number[];
};

function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(typeof storage === "object" && storage !== null && "kind" in storage)) {
    throw new CheckpointError("unpickle: _rebuild_tensor_v2 expects a storage as first argument");
  }
  if (typeof offset !== "number") {
    throw new CheckpointError("unpickle: storage offset must be an int");
  }
  return new TensorRef(
    storage as StorageRef,
    offset,
    [...asNumbers(size, "size")],
    [...asNumbers(stride, "stride")],
  );
}

function toMap(args: unknown[]): Map<unknown, unknown> {
  const src = args[0];
  if (src === undefined) return new Map();
  if (src instanceof Map) return new Map(src);
  if (Array.isArray(src)) {
    return new Map(src.map((kv) => {
      const [k, v] = kv as unknown[];
      return [k, v];
    }));
  }
  throw new CheckpointError(`unpickle: cannot build a dict from ${String(src)}`);
}

const DICT_LIKE: Callable = (args) => toMap(args);

/** Callable globals: the only code a checkpoint may "run". */
const ALLOWED: Record<string, Callable> = {
  "torch._utils._rebuild_tensor": rebuildTensor,
  "torch._utils._rebuild_tensor_v2": rebuildTensor,
  "torch._utils._rebuild_parameter": (args) => args[0],
  "torch._utils._rebuild_parameter_with_state": (args) => args[0],
  "torch._tensor._rebuild_from_type_v2": (args) => {
    const [fn, , inner] = args;
    return call(fn, inner as unknown[]);
  },
  "collections.OrderedDict": DICT_LIKE,
  "collections.Counter": DICT_LIKE,
  "collections.defaultdict": () => new Map(),
  "builtins.dict": DICT_LIKE,
  "__builtin__.dict": DICT_LIKE,
  "builtins.set": (args) => new Set((args[0] as unknown[] | undefined) ?? []),
  "__builtin__.set": (args) => new Set((args[0] as unknown[] | undefined) ?? []),
  "builtins.frozenset": (args) => new Set((args[0] as unknown[] | undefined) ?? []),
  "__builtin__.frozenset": (args) => new Set((args[0] as unknown[] | undefined) ?? []),
  "builtins.list": (args) => [...((args[0] as unknown[] | undefined) ?? [])],
  "builtins.tuple": (args) => tuple([...((args[0] as unknown[] | undefined) ?? [])]),
  "_codecs.encode": (args) => {
    const [text] = args;
    if (typeof text !== "string") {
      throw new CheckpointError("unpickle: _codecs.encode expects a str");
    }
    return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff); // latin-1
  },
  "pytorch_lightning.utilities.parsing.AttributeDict": DICT_LIKE,
  "lightning.pytorch.utilities.parsing.AttributeDict": DICT_LIKE,
  "lightning.fabric.utilities.data.AttributeDict": DICT_LIKE,
  "lightning_fabric.utilities.data.AttributeDict": DICT_LIKE,
};

const STORAGE_TYPES = new Set([
  "FloatStorage",
  "HalfStorage",
  "BFloat16Storage",
  "DoubleStorage",
  "LongStorage",
  "IntStorage",
  "ShortStorage",
  "CharStorage",
  "ByteStorage",
  "BoolStorage",
]);

function call(fn: unknown, args: unknown[]): unknown {
  if (fn instanceof PyGlobal) {
    const impl = ALLOWED[fn.toString()];
    if (impl) return impl(args);
    throw new CheckpointError(
      `unpickle: refusing to call or construct the global ${fn} (not on the allow-list of ` +
        `tensor rebuilders, storages and containers); the file may run arbitrary code`,
    );
  }
  throw new CheckpointError(`unpickle: cannot call ${String(fn)}`);
}

/** Reads one pickle from `data`; `persistentLoad` resolves persistent ids (storages). */
export function unpickle(data: Uint8Array, persistentLoad: (pid: unknown) => unknown): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const decoder = new TextDecoder("utf-8");
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number) => {
    if (pos + n > data.length) throw new CheckpointError("unpickle: truncated pickle data");
  };
  const u8 = () => {
    need(1);
    return data[pos++];
  };
  const u16 = () => {
    need(2);
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = () => {
    need(4);
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const u64 = () => {
    need(8);
    pos += 8;
    const v = view.getBigUint64(pos - 8, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CheckpointError("unpickle: length too large");
    }
    return Number(v);
  };
  const bytes = (n: number) => {
    need(n);
    pos += n;
    return data.subarray(pos - n, pos);
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new CheckpointError("unpickle: truncated pickle data");
    const s = new TextDecoder("latin1").decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  // The argument is evaluated before the body reads `stack` (popMark() may replace it).
  const push = (v: unknown) => {
    stack.push(v);
  };
  const pop = () => {
    if (stack.length === 0) throw new CheckpointError("unpickle: stack underflow");
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw new CheckpointError("unpickle: stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) throw new CheckpointError("unpickle: MARK missing");
    stack = prev;
    return items;
  };
  const littleInt = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw new CheckpointError("unpickle: SETITEM(S) on a non-dict");
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (target instanceof Set) { for (const x of items) target.add(x); }
    else if (Array.isArray(target)) target.push(...items);
    else throw new CheckpointError("unpickle: APPEND(S) on a non-list");
  };
  const global = (module: string, name: string): PyGlobal => new PyGlobal(module, name);

  while (true) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x49: { // INT (text)
        const s = line();
        push(s === "01" ? true : s === "00" ? false : Number.parseInt(s, 10));
        break;
      }
      case 0x4c: { // LONG (text)
        const s = line().replace(/L$/, "");
        const v = BigInt(s);
        push(
          v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(v)
            : v,
        );
        break;
      }
      case 0x4a: // BININT
        need(4);
        pos += 4;
        push(view.getInt32(pos - 4, true));
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: // LONG1
        push(littleInt(bytes(u8())));
        break;
      case 0x8b: // LONG4
        push(littleInt(bytes(u32())));
        break;
      case 0x46: // FLOAT (text)
        push(Number.parseFloat(line()));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        pos += 8;
        push(view.getFloat64(pos - 8, false));
        break;
      case 0x53: { // STRING (text, quoted)
        const s = line();
        push(s.slice(1, -1));
        break;
      }
      case 0x54: // BINSTRING
        push(new TextDecoder("latin1").decode(bytes(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        push(new TextDecoder("latin1").decode(bytes(u8())));
        break;
      case 0x56: // UNICODE (raw-unicode-escape; plain text in practice)
        push(line());
        break;
      case 0x58: // BINUNICODE
        push(decoder.decode(bytes(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(decoder.decode(bytes(u8())));
        break;
      case 0x8d: // BINUNICODE8
        push(decoder.decode(bytes(u64())));
        break;
      case 0x42: // BINBYTES
        push(bytes(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(bytes(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(bytes(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        push(tuple([]));
        break;
      case 0x74: // TUPLE
        push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(tuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        const a = pop();
        push(tuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        push(tuple([a, b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: { // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x64: { // DICT
        const items = popMark();
        const d = new Map();
        setItems(d, items);
        push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        push(new Set());
        break;
      case 0x90: { // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x91: // FROZENSET
        push(new Set(popMark()));
        break;
      case 0x67: // GET
        push(memoGet(Number.parseInt(line(), 10)));
        break;
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      case 0x70: // PUT
        memo.set(Number.parseInt(line(), 10), top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x63: { // GLOBAL
        const module = line();
        const name = line();
        push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw new CheckpointError("unpickle: STACK_GLOBAL expects two strings");
        }
        push(global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        push(call(fn, args as unknown[]));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        push(call(cls, args as unknown[]));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        pop(); // kwargs
        const args = pop();
        const cls = pop();
        push(call(cls, args as unknown[]));
        break;
      }
      case 0x69: { // INST
        const module = line();
        const name = line();
        push(call(global(module, name), popMark()));
        break;
      }
      case 0x6f: { // OBJ
        const items = popMark();
        const cls = items.shift();
        push(call(cls, items));
        break;
      }
      case 0x62: { // BUILD: set state on an object built by an allowed callable; ignored
        pop();
        const target = top();
        if (target instanceof PyGlobal) call(target, []);
        break;
      }
      case 0x50: // PERSID
        push(persistentLoad(line()));
        break;
      case 0x51: // BINPERSID
        push(persistentLoad(pop()));
        break;
      case 0x82:
      case 0x83:
      case 0x84:
        throw new CheckpointError("unpickle: the extension registry (EXT1/2/4) is not supported");
      case 0x97:
      case 0x98:
        throw new CheckpointError("unpickle: out-of-band buffers are not supported");
      default:
        throw new CheckpointError(
          `unpickle: unknown opcode 0x${op.toString(16)} at byte ${pos - 1}; not a pickle?`,
        );
    }
  }

  function memoGet(i: number): unknown {
    if (!memo.has(i)) throw new CheckpointError(`unpickle: memo key ${i} missing`);
    return memo.get(i);
  }
}

/** Resolves torch's `("storage", type, key, location, numel)` persistent ids. */
export function torchPersistentLoad(pid: unknown): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== "storage") {
    throw new CheckpointError(`unpickle: unsupported persistent id ${String(pid)}`);
  }
  const [, type, key, location, numel] = pid;
  if (!(type instanceof PyGlobal) || type.module !== "torch" || !STORAGE_TYPES.has(type.name)) {
    throw new CheckpointError(`unpickle: unsupported storage type ${String(type)}`);
  }
  return {
    kind: "storage",
    type: type.name,
    key: String(key),
    location: String(location),
    numel: Number(numel),
  };
}
