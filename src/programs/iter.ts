// BPF iterators (BPF_PROG_TYPE_TRACING, expected attach type TRACE_ITER): the program runs once
// per kernel object (task, TCP socket, map…) and writes text with bpf_seq_printf / bpf_seq_write.
// Attaching gives a link; each BPF_ITER_CREATE on it gives a fresh fd whose read() walks the
// objects once — read here as an async iterable of chunks or lines.
import { read as fsRead, readSync } from "node:fs";
import { AttachType, ProgType } from "../uapi.js";
import { closeFd, iterCreate, linkCreate } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { TsbpfError } from "../errors.js";
import { Link } from "../links/link.js";
import { loadRaw, Program, type LoadOptions } from "./program.js";
import { vmlinuxBtfId, type KindSpec, type ProgramRef } from "./tracing-common.js";

/** Iterator targets of Linux 6.x; the kernel's BTF has a `bpf_iter_<target>` FUNC for each. */
export type IterTarget =
  | "task"
  | "task_file"
  | "task_vma"
  | "tcp"
  | "udp"
  | "unix"
  | "netlink"
  | "ipv6_route"
  | "bpf_map"
  | "bpf_map_elem"
  | "bpf_prog"
  | "bpf_link"
  | "bpf_sk_storage_map"
  | "sockmap"
  | "cgroup"
  | "ksym"
  | (string & {});

export interface IterSpec extends KindSpec {
  /** What to iterate over. Or give attachBtfId (of the bpf_iter_<target> FUNC) yourself. */
  target?: IterTarget;
}

/** Order of a cgroup iterator (enum bpf_cgroup_iter_order). */
export const CgroupIterOrder = {
  UNSPEC: 0,
  SELF_ONLY: 1,
  DESCENDANTS_PRE: 2,
  DESCENDANTS_POST: 3,
  ANCESTORS_UP: 4,
} as const;

export interface IterAttachOptions {
  /** The map whose elements to walk (bpf_map_elem, bpf_sk_storage_map, sockmap). */
  map?: number | { readonly fd: number };
  /** Restrict task iterators to one thread, one process, or the process behind a pidfd. */
  task?: { tid?: number; pid?: number; pidFd?: number };
  /** Which cgroups a cgroup iterator visits. */
  cgroup?: { fd?: number; id?: bigint; order?: number };
}

/** attach_btf_id for an iterator target: the id of FUNC bpf_iter_<target>. */
export function iterTargetBtfId(target: string): number {
  return vmlinuxBtfId(
    "func",
    `bpf_iter_${target}`,
    "iterator target",
    target,
    `the kernel's BTF has no bpf_iter_${target} FUNC: no such iterator on this kernel (e.g. "task", "tcp", "bpf_map")`,
  );
}

export class IterProgram extends Program {
  #target: string | undefined;

  get target(): string | undefined {
    return this.#target;
  }

  static override load(spec: IterSpec, options: LoadOptions = {}): IterProgram {
    const { target, ...rest } = spec;
    if (target === undefined && spec.attachBtfId === undefined) {
      throw new TsbpfError(
        `iterator program "${spec.name ?? ""}": name the target (spec.target, e.g. "task") or give attachBtfId`,
      );
    }
    const attachBtfId = target === undefined ? spec.attachBtfId : iterTargetBtfId(target);
    const { fd, log } = loadRaw(
      { ...rest, type: ProgType.TRACING, expectedAttachType: AttachType.TRACE_ITER, attachBtfId },
      options,
    );
    const program = new IterProgram(fd, ProgType.TRACING, spec.name ?? "", log, spec.maps ?? []);
    program.#target = target;
    return program;
  }

  attach(options: IterAttachOptions = {}): IterLink {
    return attachIter(this, options, this.#target);
  }
}

/** LINK_CREATE for an iterator, with the target's parameters (map, task, cgroup) when given. */
export function attachIter(program: ProgramRef, options: IterAttachOptions = {}, target?: string): IterLink {
  const given = [options.map !== undefined, options.task !== undefined, options.cgroup !== undefined].filter(
    Boolean,
  ).length;
  if (given > 1) throw new TsbpfError("iterator attach: give at most one of map, task and cgroup");
  // union bpf_iter_link_info: map {u32 map_fd} | cgroup {u32 order, u32 cgroup_fd, u64 cgroup_id} | task {u32 tid, pid, pid_fd}
  const info = given ? new NativeMemory(16) : null;
  if (info) {
    info.bytes.fill(0);
    if (options.map !== undefined)
      info.view.setUint32(0, typeof options.map === "number" ? options.map : options.map.fd, true);
    if (options.task) {
      info.view.setUint32(0, options.task.tid ?? 0, true);
      info.view.setUint32(4, options.task.pid ?? 0, true);
      info.view.setUint32(8, options.task.pidFd ?? 0, true);
    }
    if (options.cgroup) {
      info.view.setUint32(0, options.cgroup.order ?? 0, true);
      info.view.setUint32(4, options.cgroup.fd ?? 0, true);
      info.view.setBigUint64(8, options.cgroup.id ?? 0n, true);
    }
  }
  const description = `iter ${target ?? "(by btf id)"}`;
  try {
    const fd = linkCreate(
      program.fd,
      0,
      AttachType.TRACE_ITER,
      0,
      { kind: "iter", iterInfo: info, iterInfoLen: info ? info.size : 0 },
      description,
    );
    return new IterLink(fd, description);
  } finally {
    info?.free();
  }
}

/** An attached iterator. Every open() (or text()/lines()) walks the kernel objects anew. */
export class IterLink extends Link {
  /** BPF_ITER_CREATE: a new reader positioned at the first object. */
  open(): IterReader {
    return new IterReader(iterCreate(this.fd), this.description);
  }

  /** One whole pass as text. */
  async text(): Promise<string> {
    using reader = this.open();
    return await reader.text(); // await: the reader must outlive the read
  }

  /** One whole pass as text, read synchronously (blocks until the kernel is done). */
  textSync(): string {
    using reader = this.open();
    return reader.textSync();
  }

  /** One pass, line by line. */
  async *lines(): AsyncGenerator<string> {
    using reader = this.open();
    yield* reader.lines();
  }
}

const CHUNK = 64 * 1024;

/** The fd of one iteration: read() until it returns nothing. */
export class IterReader implements AsyncIterable<Buffer>, Disposable {
  #fd: number;
  constructor(
    fd: number,
    readonly description: string,
  ) {
    this.#fd = fd;
  }

  get fd(): number {
    if (this.#fd < 0) throw new TsbpfError(`${this.description}: reader is closed`);
    return this.#fd;
  }

  /** The next chunk of output, or null at the end. Reads on libuv's thread pool. */
  read(size = CHUNK): Promise<Buffer | null> {
    const fd = this.fd;
    const buffer = Buffer.allocUnsafe(size);
    return new Promise((resolve, reject) => {
      fsRead(fd, buffer, 0, size, null, (err, n) => {
        if (err) reject(new TsbpfError(`${this.description}: read failed: ${err.message}`));
        else resolve(n === 0 ? null : buffer.subarray(0, n));
      });
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (let chunk = await this.read(); chunk !== null; chunk = await this.read()) yield chunk;
  }

  /** Output split into lines (without the newline); a last line without one is yielded too. */
  async *lines(): AsyncGenerator<string> {
    let rest = "";
    for await (const chunk of this) {
      const text = rest + chunk.toString("utf8");
      const parts = text.split("\n");
      rest = parts.pop()!;
      yield* parts;
    }
    if (rest !== "") yield rest;
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  }

  textSync(): string {
    const chunks: Buffer[] = [];
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const n = readSync(this.fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      chunks.push(buffer.subarray(0, n));
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  close(): void {
    if (this.#fd >= 0) {
      closeFd(this.#fd);
      this.#fd = -1;
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
