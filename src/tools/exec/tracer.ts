// ExecTracer: the exec tracer in process. Loads exec.bpf.ts (prebuilt artifact: no TypeScript
// compiler at run time), attaches its five tracepoint programs with perf links (gone with the
// process, even after SIGKILL), and turns the ring buffer's records back into one ExecEvent per
// exec: the path and arguments sent at the syscall's entry joined, by thread id, with the result
// sent at its exit.
//
//   using tracer = ExecTracer.open({ uid: 1000 });
//   for await (const e of tracer) console.log(e.pid, e.ret, e.args.join(" "));
//
// `tsbpf exec` (run.ts) and the live monitor (`tsbpf top`, "recent execs") both use it.
import { isAscii } from "node:buffer";
import { RingBuffer } from "../../events/ringbuf.js";
import { wakeThenGather } from "../../events/reader.js";
import type { RingRecord } from "../../events/record.js";
import type { Attachment } from "../../links/link.js";
import { objInfo } from "../../sys/bpf.js";
import { NativeMemory } from "../../sys/libc.js";
import { KernelObject } from "../../loader/kernel-object.js";
import { toolArtifact } from "../common/kernel-artifact.js";
import type * as ExecModule from "./exec.bpf.js";
import { detachSteps, releaseAfterFailure, releaseAll } from "../common/release.js";
import { BATCH_MS } from "../common/stream.js";
import { withResolvedCore } from "../common/core-cache.js";

/** The loaded exec.bpf.ts: its maps and programs (not attached); close() releases them. */
export type ExecKernel = KernelObject<typeof ExecModule>;

export { MAX_ARGS, MAX_ARG_BYTES, EXEC_ERRNO_NAMES, errnoName } from "./limits.js";

/** One exec, as seen at the syscall's exit. */
export interface ExecEvent {
  /** Wall-clock time of the syscall's exit. */
  time: Date;
  /** CLOCK_MONOTONIC at the syscall's exit, ns (process.hrtime.bigint()'s clock). */
  timestampNs: bigint;
  /** Process id (thread group id); after a successful exec, the new program's. */
  pid: number;
  /** Thread that called execve (differs from pid when a non-leader thread exec'd; then it is the old id). */
  tid: number;
  /** Parent's pid. */
  ppid: number;
  /** Real uid. */
  uid: number;
  /** The task's name after the call: the new program's on success, the caller's on failure. */
  comm: string;
  /** 0 on success, or -errno (-2: ENOENT). */
  ret: number;
  /** The path given to execve (execveat: relative to its directory fd). */
  filename: string;
  /** argv as read; a cut argument holds its first MAX_ARG_BYTES bytes (see truncatedArgs). */
  args: string[];
  /** Indexes into args of arguments longer than MAX_ARG_BYTES, cut. */
  truncatedArgs: number[];
  /** Whether argv had more than MAX_ARGS arguments (the rest are not in args). */
  moreArgs: boolean;
  /** The path was longer than MAX_ARG_BYTES and is cut. */
  filenameTruncated: boolean;
  /** Whether the entry's records were never seen (lost in a full ring, or the exec began before the tracer). */
  incomplete: boolean;
}

export interface ExecTracerOptions {
  /** Only execs by this real uid (filtered in the kernel). */
  uid?: number;
  /**
   * Only execs of processes in the network namespace with this inode (as `stat -L
   * /proc/PID/ns/net` shows it; filtered in the kernel): one tracer per container or namespace.
   */
  netnsInode?: number;
  /** Execs whose entry is pending at most (a task killed between entry and exit never completes); default 4096. */
  maxPending?: number;
}

// Record layouts (exec.bpf.ts; test/kernel/tool-exec.test.ts checks these offsets against the structs,
// test/unit/record-layouts.test.ts the kinds and flags against the kernel side's constants).
export const KIND_PATH = 1,
  KIND_ARG = 2,
  KIND_ARGS_END = 3,
  KIND_RENAME = 4,
  KIND_RESULT = 5;
export const FLAG_CUT = 1,
  FLAG_UNREADABLE = 2,
  FLAG_MORE_ARGS = 4;
export const RECORD_OFFSETS = {
  string: { kind: 0, tid: 4, index: 8, flags: 12, data: 16 },
  rename: { kind: 0, tid: 4, oldTid: 8 },
  result: { kind: 0, tid: 4, pid: 8, ppid: 12, uid: 16, ret: 24, timestamp: 32, comm: 40 },
} as const;

/** Program → tracepoint (exitExec serves both exits: their records are the same). */
const ATTACHMENTS = [
  ["enterExecve", "syscalls", "sys_enter_execve"],
  ["enterExecveat", "syscalls", "sys_enter_execveat"],
  ["execRename", "sched", "sched_process_exec"],
  ["exitExec", "syscalls", "sys_exit_execve"],
  ["exitExec", "syscalls", "sys_exit_execveat"],
] as const;
const PROGRAM_NAMES = ["enterExecve", "enterExecveat", "execRename", "exitExec"] as const;

/** One attachment: a program on a tracepoint. */
export interface ExecAttachment {
  program: string;
  programId: number;
  tracepoint: string;
}

interface Pending {
  filename: string;
  filenameTruncated: boolean;
  args: string[];
  truncatedArgs: number[];
  moreArgs: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
/** Strings up to this long are checked for ASCII by a loop; longer ones by isAscii (native, but it needs a view). */
const SHORT_STRING = 64;

function isAsciiRange(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start > SHORT_STRING) return isAscii(bytes.subarray(start, end));
  let seen = 0;
  for (let i = start; i < end; i++) seen |= bytes[i]!;
  return seen < 0x80;
}

/**
 * Loads the exec programs and maps (the prebuilt artifact, exec.bpf.ts compiled by `npm run
 * build`) without attaching them. The exit program reads the parent's pid by field name, a CO-RE
 * relocation: resolved through the per-boot cache (common/core-cache.ts), so that only the first
 * start after a boot reads the kernel's BTF.
 */
export function loadExecObject(options: { uid?: number; netnsInode?: number } = {}): ExecKernel {
  const constants = {
    ...(options.uid === undefined ? {} : { filterUid: 1, uid: options.uid >>> 0 }),
    ...(options.netnsInode === undefined ? {} : { filterNetns: 1, netnsInode: options.netnsInode >>> 0 }),
  };
  return KernelObject.load<typeof ExecModule>(withResolvedCore(toolArtifact("exec/exec.bpf.json")), {
    constants,
  });
}

/** The kernel's id of a loaded program (bpf_prog_info.id). */
function programId(fd: number): number {
  const info = new NativeMemory(80); // type, id … name[16] at offset 64
  try {
    info.bytes.fill(0);
    objInfo(fd, info);
    return info.view.getUint32(4, true);
  } finally {
    info.free();
  }
}

export class ExecTracer implements Disposable, AsyncIterable<ExecEvent> {
  readonly object: ExecKernel;
  readonly ring: RingBuffer;
  /** Kernel ids of the four programs (as `bpftool prog` shows them), by program name. */
  readonly programIds: Readonly<Record<string, number>>;
  /** What is attached where: five tracepoints (one program serves both exits). */
  readonly attachments: readonly ExecAttachment[];
  readonly #links: Attachment[];
  readonly #pending = new Map<number, Pending>();
  readonly #maxPending: number;
  /** Wall clock minus CLOCK_MONOTONIC, ns. */
  readonly #clockOffsetNs: bigint;
  /** The ring's memory (records' `bytes`) and a Buffer over it, for latin1 decoding. */
  #stringSource: Uint8Array | undefined;
  #stringBytes: Buffer | undefined;
  #closed = false;

  private constructor(object: ExecKernel, links: Attachment[], maxPending: number) {
    this.object = object;
    this.#links = links;
    this.#maxPending = maxPending;
    const ids: Record<string, number> = Object.fromEntries(
      PROGRAM_NAMES.map((name) => [name, programId(object.programs[name].fd)]),
    );
    this.programIds = ids;
    this.attachments = ATTACHMENTS.map(([program, category, event]) => ({
      program,
      programId: ids[program]!,
      tracepoint: `${category}:${event}`,
    }));
    this.ring = new RingBuffer(object.maps.events, { dropCounter: { map: object.maps.drops } });
    this.#clockOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  }

  /** Loads the programs and attaches them to their tracepoints; on failure releases what it made. */
  static open(options: ExecTracerOptions = {}): ExecTracer {
    const object = loadExecObject({ uid: options.uid, netnsInode: options.netnsInode });
    const links: Attachment[] = [];
    try {
      // Results before entries, so an exec that starts after the entry programs are attached
      // always finds its exit program attached too.
      for (const [name, category, event] of [...ATTACHMENTS].reverse())
        links.push(object.programs[name].attach(category, event));
      return new ExecTracer(object, links, options.maxPending ?? 4096);
    } catch (err) {
      releaseAfterFailure([...detachSteps(links), () => object.close()]);
      throw err;
    }
  }

  #pendingFor(tid: number): Pending {
    let p = this.#pending.get(tid);
    if (p === undefined) {
      if (this.#pending.size >= this.#maxPending) {
        const oldest = this.#pending.keys().next().value;
        if (oldest !== undefined) this.#pending.delete(oldest);
      }
      p = { filename: "", filenameTruncated: false, args: [], truncatedArgs: [], moreArgs: false };
      this.#pending.set(tid, p);
    }
    return p;
  }

  /**
   * The NUL-terminated string at `at` (at most `max` bytes), decoded as UTF-8 (invalid sequences
   * as U+FFFD). Paths, arguments and names are nearly always ASCII: those are read as latin1, the
   * same text without the UTF-8 decoder's cost (a third of decoding an exec).
   */
  #string(rec: RingRecord, at: number, max: number): string {
    const bytes = rec.bytes;
    const start = rec.offset + at;
    const end = Math.min(start + max, rec.offset + rec.length);
    let nul = bytes.indexOf(0, start);
    if (nul < 0 || nul > end) nul = end;
    if (!isAsciiRange(bytes, start, nul)) return utf8.decode(bytes.subarray(start, nul));
    if (this.#stringSource !== bytes) {
      this.#stringSource = bytes;
      this.#stringBytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.#stringBytes!.toString("latin1", start, nul);
  }

  /** Decodes one ring record; returns the exec it completes, if any. */
  #decode(rec: RingRecord): ExecEvent | undefined {
    const kind = rec.u32(0);
    const tid = rec.u32(4);
    switch (kind) {
      case KIND_PATH: {
        // A new exec by this thread: anything left from an earlier one is stale.
        this.#pending.delete(tid);
        const p = this.#pendingFor(tid);
        const flags = rec.u32(12);
        p.filename = flags & FLAG_UNREADABLE ? "?" : this.#string(rec, 16, rec.length - 16);
        p.filenameTruncated = (flags & FLAG_CUT) !== 0;
        return undefined;
      }
      case KIND_ARG: {
        const p = this.#pendingFor(tid);
        const flags = rec.u32(12);
        const index = rec.u32(8);
        if (index !== p.args.length) return undefined; // a lost record: keep what lines up
        p.args.push(flags & FLAG_UNREADABLE ? "?" : this.#string(rec, 16, rec.length - 16));
        if (flags & FLAG_CUT) p.truncatedArgs.push(index);
        return undefined;
      }
      case KIND_ARGS_END: {
        const p = this.#pendingFor(tid);
        p.moreArgs = (rec.u32(12) & FLAG_MORE_ARGS) !== 0;
        return undefined;
      }
      case KIND_RENAME: {
        const oldTid = rec.u32(8);
        const p = this.#pending.get(oldTid);
        if (p !== undefined) {
          this.#pending.delete(oldTid);
          this.#pending.set(tid, p);
        }
        return undefined;
      }
      case KIND_RESULT: {
        const p = this.#pending.get(tid);
        this.#pending.delete(tid);
        const timestampNs = rec.u64(32);
        return {
          time: new Date(Number((timestampNs + this.#clockOffsetNs) / 1_000_000n)),
          timestampNs,
          pid: rec.u32(8),
          tid,
          ppid: rec.u32(12),
          uid: rec.u32(16),
          comm: this.#string(rec, 40, 16),
          ret: Number(rec.i64(24)),
          filename: p?.filename ?? "",
          args: p?.args ?? [],
          truncatedArgs: p?.truncatedArgs ?? [],
          moreArgs: p?.moreArgs ?? false,
          filenameTruncated: p?.filenameTruncated ?? false,
          incomplete: p === undefined,
        };
      }
      default:
        return undefined;
    }
  }

  /**
   * Delivers every exec completed by the records available now, synchronously; returns how many.
   * `callback` may return false to stop (the rest stays in the ring).
   */
  consume(callback: (event: ExecEvent) => void | boolean, limit = Infinity): number {
    let delivered = 0;
    this.ring.consume((rec) => {
      const event = this.#decode(rec);
      if (event === undefined) return true;
      delivered++;
      return callback(event) !== false && delivered < limit;
    });
    return delivered;
  }

  /** The execs completed by the records available now. */
  read(): ExecEvent[] {
    const out: ExecEvent[] = [];
    this.consume((e) => {
      out.push(e);
    });
    return out;
  }

  /** Resolves true when records may be available, false when `signal` aborts or the tracer is closed (sleeps in epoll). */
  wait(signal?: AbortSignal): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return this.ring.wait(signal);
  }

  /** Exec events until `signal` aborts or the tracer is closed. */
  async *events(options: { signal?: AbortSignal } = {}): AsyncGenerator<ExecEvent, void, undefined> {
    const { signal } = options;
    while (!this.#closed && !signal?.aborted) {
      const batch = this.read();
      for (const e of batch) {
        yield e;
        if (this.#closed || signal?.aborted) return;
      }
      // Sleep until the kernel wakes us, then let the rest of that exec (and any others) gather.
      if (!(await wakeThenGather(this, { signal, gatherMs: BATCH_MS }))) return;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<ExecEvent, void, undefined> {
    return this.events();
  }

  /** Records the ring buffer had no room for (an exec may then be incomplete or missing). */
  drops(): number {
    return this.#closed ? 0 : this.ring.drops();
  }

  /** Execs whose entry was seen and whose result has not come yet. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Detaches the programs, then unloads them and frees the maps; a pending wait or iteration ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stringSource = undefined; // the ring is unmapped below
    this.#stringBytes = undefined;
    releaseAll([() => this.ring.close(), ...detachSteps(this.#links), () => this.object.close()]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
