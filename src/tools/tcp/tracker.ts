// TcpTracker: TCP connections and traffic per process, in process — the engine of `tsbpf tcp`,
// reusable by other tools (the live `tsbpf top`). One of three families of hooks counts (TCP_HOOKS,
// see tcp.bpf.ts): fentry/fexit or kprobe/kretprobe on the TCP functions, or tracepoints
// (sock:inet_sock_set_state, sock:sock_send_length, sock:sock_recv_length, tcp:tcp_retransmit_skb,
// tcp:tcp_destroy_sock, syscalls:sys_exit_accept4 / sys_exit_accept); by default the best the
// kernel loads and attaches. Counted in the kernel per process, so nothing crosses to user space
// per packet or per send; one ring buffer record per closed connection.
//
//   using tracker = TcpTracker.open();                 // or TcpTracker.open({ pid: 1234, hooks: "kprobe" })
//   tracker.hooks                                      // "fentry", "kprobe" or "tracepoint"
//   ... periodically:
//   const s = tracker.snapshot({ limit: 10 });
//   for (const p of s.processes) console.log(p.pid, p.comm, p.sent, p.received, p.sentPerSecond);
//   s.interval.connects, s.total.retransmits               // counters (interval / since open)
//   for (const c of tracker.drainClosed()) console.log(c.comm, c.daddr, c.dport, c.txBytes);
//   // or: for await (const c of tracker.closedConnections(signal)) …
//
// - open() needs CAP_BPF + CAP_PERFMON (root). It sees every network namespace.
// - snapshot() returns the processes with TCP activity since the previous snapshot (the first:
//   since open), busiest first (bytes sent + received in the interval, then in total), at most
//   `limit`; rates are per second over the measured interval. Counts are JavaScript numbers
//   (exact up to 2^53).
// - Bytes are what the processes sent and received through the socket calls (send/write/
//   sendfile… and recv/read…, their return values): TCP payload, no headers, retransmissions not
//   counted twice. A closed connection also carries the kernel's own counters (tcp_sock
//   bytes_acked / bytes_received: payload the peer acknowledged / that arrived in sequence).
// - close() / dispose detaches everything; a killed process leaves nothing attached (perf and
//   tracing links die with their file descriptors).
import { programIdentity } from "../../programs/net-common.js";
import type { Program } from "../../programs/program.js";
import { TracepointProgram } from "../../programs/tracepoint.js";
import { KprobeProgram } from "../../programs/kprobe.js";
import { FentryProgram } from "../../programs/fentry.js";
import type { Attachment } from "../../links/link.js";
import { RingBuffer } from "../../events/ringbuf.js";
import type { RingRecord } from "../../events/record.js";
import type { KernelObject } from "../../loader/kernel-object.js";
import type { LruHashMap } from "../../maps/index.js";
import { TsbpfError } from "../../errors.js";
import { NotSupportedError, PermissionError, SyscallError, TargetNotFoundError } from "../../sys/errors.js";
import { ipv4Text, ipv6Text } from "../common/addresses.js";
import { loadToolObject } from "../common/kernel-artifact.js";
import { ClosedRecord, DIRECTION_ACCEPT } from "./tcp.bpf.js";
import type * as Kernel from "./tcp.bpf.js";
import { detachSteps, releaseAfterFailure, releaseAll } from "../common/release.js";

export type TcpKernel = KernelObject<typeof Kernel>;

/** Attaches one hook: tracepoints by category and name, kprobes by function, trampolines as loaded. */
function attachHook(program: Program, hook: TcpHook): Attachment {
  if (program instanceof TracepointProgram) {
    const [category, name] = hook.target.split(":") as [string, string];
    return program.attach(category, name);
  }
  if (program instanceof KprobeProgram) return program.attach(hook.target);
  if (program instanceof FentryProgram) return program.attach();
  throw new TsbpfError(`tsbpf tcp: program ${program.name} is not a tracepoint, kprobe or trampoline program`);
}

export const TCP_STATES = [
  "",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "NEW_SYN_RECV",
] as const;

/** The tracepoints the tracepoint family attaches to: [program, category, name]. */
export const TCP_TRACEPOINTS = [
  ["stateChange", "sock", "inet_sock_set_state"],
  ["sendLength", "sock", "sock_send_length"],
  ["recvLength", "sock", "sock_recv_length"],
  ["retransmit", "tcp", "tcp_retransmit_skb"],
  ["destroy", "tcp", "tcp_destroy_sock"],
  ["accept4Exit", "syscalls", "sys_exit_accept4"],
  // The same program: sys_exit_accept's record is sys_exit_accept4's (ret at offset 16).
  ["accept4Exit", "syscalls", "sys_exit_accept"],
] as const;

/** The families of hooks the tracker counts with, best first (what `auto` tries in turn). */
export const TCP_HOOK_FAMILIES = ["fentry", "kprobe", "tracepoint"] as const;
export type TcpHookFamily = (typeof TCP_HOOK_FAMILIES)[number];
/** A family, or `auto`: the best one the running kernel loads and attaches. */
export type TcpHooks = TcpHookFamily | "auto";

type ProgramName = keyof typeof Kernel & string;

/** One attachment of a family: the program, its kind (section prefix) and where it goes. */
export interface TcpHook {
  readonly program: ProgramName;
  readonly kind: "tracepoint" | "fentry" | "fexit" | "kprobe" | "kretprobe";
  /** "category:name" for a tracepoint, else the kernel function. */
  readonly target: string;
}

const functionHooks = (
  entries: readonly (readonly [ProgramName, "fentry" | "fexit" | "kprobe" | "kretprobe", string])[],
): TcpHook[] => entries.map(([program, kind, target]) => ({ program, kind, target }));

/** What each family attaches (tcp.bpf.ts says what each hook counts). */
export const TCP_HOOKS: Readonly<Record<TcpHookFamily, readonly TcpHook[]>> = {
  tracepoint: TCP_TRACEPOINTS.map(([program, category, name]) => ({
    program,
    kind: "tracepoint" as const,
    target: `${category}:${name}`,
  })),
  fentry: functionHooks([
    ["fentryConnect4", "fexit", "tcp_v4_connect"],
    ["fentryConnect6", "fexit", "tcp_v6_connect"],
    ["fentryEstablished", "fentry", "tcp_finish_connect"],
    ["fentryAccept", "fexit", "inet_accept"],
    ["fentrySend", "fexit", "tcp_sendmsg"],
    ["fentryRecv", "fentry", "tcp_cleanup_rbuf"],
    ["fentryRetransmit", "fentry", "tcp_retransmit_skb"],
    ["fentryClose", "fentry", "tcp_close"],
  ]),
  kprobe: functionHooks([
    ["kprobeConnect4", "kprobe", "tcp_v4_connect"],
    ["kretprobeConnect4", "kretprobe", "tcp_v4_connect"],
    ["kprobeConnect6", "kprobe", "tcp_v6_connect"],
    ["kretprobeConnect6", "kretprobe", "tcp_v6_connect"],
    ["kprobeEstablished", "kprobe", "tcp_finish_connect"],
    ["kretprobeAccept", "kretprobe", "inet_csk_accept"],
    ["kprobeSend", "kprobe", "tcp_sendmsg"],
    ["kretprobeSend", "kretprobe", "tcp_sendmsg"],
    ["kprobeRecv", "kprobe", "tcp_cleanup_rbuf"],
    ["kprobeRetransmit", "kprobe", "tcp_retransmit_skb"],
    ["kprobeClose", "kprobe", "tcp_close"],
  ]),
};

/** "fexit:tcp_v4_connect", "sock:inet_sock_set_state", … */
export const hookText = (h: TcpHook): string => (h.kind === "tracepoint" ? h.target : `${h.kind}:${h.target}`);

/** A family the kernel refused (with `auto`: tried and passed over), and the kernel's reason. */
export interface RefusedHooks {
  readonly family: TcpHookFamily;
  /** What the kernel lacks ("kprobes", "fexit programs", …). */
  readonly missing: string;
  readonly reason: string;
}

/** The family of hooks asked for (or, with `auto`, every family) cannot be loaded or attached here. */
export class TcpHooksUnavailableError extends NotSupportedError {
  override name = "TcpHooksUnavailableError";
  constructor(readonly refused: readonly RefusedHooks[]) {
    super(
      refused.length === 1 ? `the ${refused[0]!.family} hooks of tsbpf tcp` : "any hooks of tsbpf tcp",
      refused.map((r) => (refused.length === 1 ? r.reason : `${r.family}: ${r.reason}`)).join("; "),
    );
  }
}

export interface TcpTrackerOptions {
  /**
   * Which kernel hooks count (default "auto": fentry/fexit, else kprobe/kretprobe, else
   * tracepoints — the first family this kernel loads and attaches). The families count the same
   * things; docs/tools/tcp.md says where they differ.
   */
  hooks?: TcpHooks;
  /** Only this process (tgid): rows, counters in snapshots and closed connections. */
  pid?: number;
  /** Only processes with this command name (exact, as /proc/PID/comm: at most 15 characters). */
  comm?: string;
  /**
   * Whether the kernel sends a record per closed connection (default true). Without them
   * drainClosed() and closedConnections() give nothing, and nothing is lost when nobody reads them.
   */
  closedConnections?: boolean;
}

/** TCP counters (all processes, or the filtered ones). */
export interface TcpCounters {
  /** connect() attempts (CLOSE→SYN_SENT). */
  connects: number;
  /** Connections accepted (SYN_RECV→ESTABLISHED). With a filter: accepts attributed to the processes. */
  accepts: number;
  /** Connect attempts that closed before ESTABLISHED (refused, timed out, reset, cancelled). */
  failures: number;
  /** Retransmitted segments (tcp:tcp_retransmit_skb), SYN retransmissions included. */
  retransmits: number;
  /** Payload bytes sent / received through socket calls. */
  sent: number;
  received: number;
}

/** One process in a snapshot. */
export interface TcpProcessRow {
  pid: number;
  /** Command name when the process was first seen. */
  comm: string;
  /** In the interval: */
  connects: number;
  accepts: number;
  /** connects + accepts */
  opened: number;
  failures: number;
  retransmits: number;
  sent: number;
  received: number;
  sentPerSecond: number;
  receivedPerSecond: number;
  /** Since the tracker opened (or the process was first seen). */
  total: TcpCounters;
}

export interface TcpSnapshot {
  time: Date;
  /** Length of the interval, seconds (measured). */
  seconds: number;
  /** Busiest first, at most `limit`; only processes with activity in the interval. */
  processes: TcpProcessRow[];
  /** Processes with activity in the interval (before `limit`). */
  activeProcesses: number;
  /** Counters in the interval / since open. Without a filter: exact kernel totals (never evicted). */
  interval: TcpCounters;
  total: TcpCounters;
  /** Per IP version since open (all processes, never filtered). */
  byFamily: { 4: TcpCounters & { closed: number }; 6: TcpCounters & { closed: number } };
}

/** A connection that reached CLOSE. */
export interface ClosedConnection {
  pid: number;
  comm: string;
  ipVersion: 4 | 6;
  /** "connect" (active open) or "accept" (passive open). */
  direction: "connect" | "accept";
  /** False for a connect that never got established (a failure). */
  established: boolean;
  saddr: string;
  sport: number;
  daddr: string;
  dport: number;
  /** Payload bytes the processes sent / received on it through socket calls (exact; no headers). */
  txBytes: number;
  rxBytes: number;
  /**
   * The kernel's own counters at close: tcp_sock.bytes_acked (sequence space the peer
   * acknowledged) and bytes_received (sequence space received in order). They count the SYN
   * (connector's bytes_acked) and FINs as one byte each: up to 2 more than the payload.
   */
  kernelBytesAcked: number;
  kernelBytesReceived: number;
  retransmits: number;
  /** When connect() was called or the connection was accepted, and when it closed. */
  start: Date;
  end: Date;
  durationMs: number;
  /** The state it closed from ("FIN_WAIT2", "LAST_ACK", "SYN_SENT", …). */
  closedFrom: string;
}

export interface SnapshotOptions {
  /** At most this many rows (default all). */
  limit?: number;
}

const ZERO: TcpCounters = { connects: 0, accepts: 0, failures: 0, retransmits: 0, sent: 0, received: 0 };

function sub(a: TcpCounters, b: TcpCounters | undefined): TcpCounters {
  if (!b) return { ...a };
  const d = (k: keyof TcpCounters): number => Math.max(0, a[k] - b[k]);
  return {
    connects: d("connects"),
    accepts: d("accepts"),
    failures: d("failures"),
    retransmits: d("retransmits"),
    sent: d("sent"),
    received: d("received"),
  };
}

function add(a: TcpCounters, b: TcpCounters): TcpCounters {
  return {
    connects: a.connects + b.connects,
    accepts: a.accepts + b.accepts,
    failures: a.failures + b.failures,
    retransmits: a.retransmits + b.retransmits,
    sent: a.sent + b.sent,
    received: a.received + b.received,
  };
}

function active(c: TcpCounters): boolean {
  return c.connects + c.accepts + c.failures + c.retransmits + c.sent + c.received > 0;
}

/** IPv4 dotted quad, or IPv6 in RFC 5952 form (IPv4-mapped as ::ffff:a.b.c.d). */
export function addressText(bytes: Uint8Array, ipVersion: 4 | 6): string {
  return ipVersion === 4 ? ipv4Text(bytes, 0) : ipv6Text(bytes, 0);
}

/** CLOCK_MONOTONIC (bpf_ktime_get_ns; Node's hrtime uses the same clock on Linux) to wall-clock ms. */
function wallMs(monotonicNs: bigint): number {
  return Date.now() - Number(process.hrtime.bigint() - monotonicNs) / 1e6;
}

export function decodeClosed(rec: RingRecord): ClosedConnection {
  const r = ClosedRecord.decode(rec.view, rec.offset);
  const ipVersion: 4 | 6 = r.family === 10 ? 6 : 4;
  const endMs = wallMs(r.end);
  const durationMs = Number(r.end - r.start) / 1e6;
  return {
    pid: r.pid,
    comm: r.comm,
    ipVersion,
    direction: r.direction === DIRECTION_ACCEPT ? "accept" : "connect",
    established: r.established !== 0,
    saddr: addressText(r.saddr, ipVersion),
    sport: r.sport,
    daddr: addressText(r.daddr, ipVersion),
    dport: r.dport,
    txBytes: Number(r.sent),
    rxBytes: Number(r.received),
    kernelBytesAcked: Number(r.bytesAcked),
    kernelBytesReceived: Number(r.bytesReceived),
    retransmits: r.retransmits,
    start: new Date(endMs - durationMs),
    end: new Date(endMs),
    durationMs,
    closedFrom: TCP_STATES[r.oldstate] ?? String(r.oldstate),
  };
}

interface ProcEntry {
  comm: string;
  counters: TcpCounters;
}

export class TcpTracker implements Disposable {
  readonly object: TcpKernel;
  /** Kernel ids of the programs (as `tsbpf prog list` shows them). */
  readonly programIds: Readonly<Record<string, number>>;
  /** The family of hooks counting, and what it attached. */
  readonly hooks: TcpHookFamily;
  readonly attached: readonly TcpHook[];
  /** With `auto`: the better families this kernel refused, and why. */
  readonly refused: readonly RefusedHooks[];
  readonly #links: Attachment[];
  readonly #ring: RingBuffer;
  readonly #filter: TcpTrackerOptions;
  #previous = new Map<number, TcpCounters>();
  #previousTotal: TcpCounters | undefined;
  #previousAt = performance.now();
  #closed = false;

  private constructor(
    object: TcpKernel,
    links: Attachment[],
    options: TcpTrackerOptions,
    family: TcpHookFamily,
    refused: readonly RefusedHooks[],
  ) {
    this.object = object;
    this.#links = links;
    this.#filter = options;
    this.#ring = new RingBuffer(object.maps.closed);
    this.hooks = family;
    this.attached = TCP_HOOKS[family];
    this.refused = refused;
    const ids: Record<string, number> = {};
    for (const h of this.attached) ids[h.program] = programIdentity(object.programs[h.program].fd).id;
    this.programIds = ids;
  }

  /**
   * Loads one family's programs and attaches them (`auto`: the first family the kernel takes,
   * best first); on failure releases what it made. A family the kernel refuses is a
   * TcpHooksUnavailableError naming it and the kernel's reason.
   */
  static open(options: TcpTrackerOptions = {}): TcpTracker {
    if (options.pid !== undefined && !(Number.isSafeInteger(options.pid) && options.pid > 0))
      throw new TsbpfError(`invalid pid ${options.pid}`);
    const hooks = options.hooks ?? "auto";
    if (hooks !== "auto" && !TCP_HOOK_FAMILIES.includes(hooks))
      throw new TsbpfError(`unknown hooks "${String(hooks)}" (auto, ${TCP_HOOK_FAMILIES.join(", ")})`);
    const refused: RefusedHooks[] = [];
    const families = hooks === "auto" ? TCP_HOOK_FAMILIES : [hooks];
    for (const [i, family] of families.entries()) {
      try {
        return TcpTracker.#openFamily(family, options, refused);
      } catch (err) {
        // The kernel lacks the hook (no kprobes, trampolines forbidden, a function missing).
        // With auto, a family this process may not load (EPERM: without root some kernels refuse
        // trampolines and kprobes that CAP_BPF + CAP_PERFMON would allow elsewhere) is skipped
        // too; only the last one's refusal is the user's missing privilege.
        const skippable =
          err instanceof NotSupportedError ||
          err instanceof TargetNotFoundError ||
          (err instanceof PermissionError && i < families.length - 1);
        if (!skippable) throw err;
        const missing =
          err instanceof NotSupportedError
            ? err.feature
            : err instanceof TargetNotFoundError
              ? `${err.kind} ${err.target}`
              : `${family} programs (permission)`;
        refused.push({ family, missing, reason: err.message });
      }
    }
    throw new TcpHooksUnavailableError(refused);
  }

  static #openFamily(family: TcpHookFamily, options: TcpTrackerOptions, refused: RefusedHooks[]): TcpTracker {
    const hooks = TCP_HOOKS[family];
    const object = loadToolObject<typeof Kernel>("tcp/tcp.bpf.json", {
      constants: { closedEvents: options.closedConnections === false ? 0 : 1 },
      programs: [...new Set(hooks.map((h) => h.program))],
    });
    const links: Attachment[] = [];
    try {
      for (const h of hooks) {
        try {
          links.push(attachHook(object.programs[h.program], h));
        } catch (err) {
          if (err instanceof TargetNotFoundError)
            throw new NotSupportedError(`the ${family} hook ${hookText(h)}`, `tsbpf tcp needs it (${err.message})`);
          throw err;
        }
      }
      return new TcpTracker(object, links, options, family, [...refused]);
    } catch (err) {
      releaseAfterFailure([...detachSteps(links), () => object.close()]);
      throw err;
    }
  }

  #matches(pid: number, comm: string): boolean {
    return (
      (this.#filter.pid === undefined || pid === this.#filter.pid) &&
      (this.#filter.comm === undefined || comm === this.#filter.comm)
    );
  }

  get filtered(): boolean {
    return this.#filter.pid !== undefined || this.#filter.comm !== undefined;
  }

  /** Every process seen since open (filtered), with its counters since then. */
  processTotals(): Map<number, ProcEntry> {
    type Stats = {
      comm: string;
      connects: bigint;
      accepts: bigint;
      failures: bigint;
      retransmits: bigint;
      sent: bigint;
      received: bigint;
    };
    // KernelObject types an LruHashMap declaration as a plain MapHandle, although it creates an LruHashMap.
    const map = this.object.maps.procs as unknown as LruHashMap<number, Stats>;
    let entries: [number, Stats][];
    try {
      entries = map.lookupBatch();
    } catch (err) {
      if (!(err instanceof NotSupportedError) && !(err instanceof SyscallError)) throw err;
      entries = [...map.entries()];
    }
    const out = new Map<number, ProcEntry>();
    for (const [pid, s] of entries) {
      if (!this.#matches(pid, s.comm)) continue;
      out.set(pid, {
        comm: s.comm,
        counters: {
          connects: Number(s.connects),
          accepts: Number(s.accepts),
          failures: Number(s.failures),
          retransmits: Number(s.retransmits),
          sent: Number(s.sent),
          received: Number(s.received),
        },
      });
    }
    return out;
  }

  /** Kernel totals since open per IP version (all processes; summed over CPUs). */
  familyTotals(): { 4: TcpCounters & { closed: number }; 6: TcpCounters & { closed: number } } {
    const read = (index: number): TcpCounters & { closed: number } => {
      const c = { ...ZERO, closed: 0 };
      for (const v of this.object.maps.totals.get(index) ?? []) {
        c.connects += Number(v.connects);
        c.accepts += Number(v.accepts);
        c.failures += Number(v.failures);
        c.retransmits += Number(v.retransmits);
        c.sent += Number(v.sent);
        c.received += Number(v.received);
        c.closed += Number(v.closed);
      }
      return c;
    };
    return { 4: read(0), 6: read(1) };
  }

  /** Counters since open: kernel totals, or (with a filter) the sum over the matching processes. */
  counters(procs?: Map<number, ProcEntry>): TcpCounters {
    if (this.filtered) {
      let sum = { ...ZERO };
      for (const e of (procs ?? this.processTotals()).values()) sum = add(sum, e.counters);
      return sum;
    }
    const f = this.familyTotals();
    const { closed: _a, ...v4 } = f[4];
    const { closed: _b, ...v6 } = f[6];
    return add(v4, v6);
  }

  /** Closed-connection records lost because the ring buffer was full. */
  drops(): number {
    let n = 0n;
    for (const v of this.object.maps.drops.get(0) ?? []) n += v;
    return Number(n);
  }

  /** The processes active since the previous snapshot, with rates; counters. */
  snapshot(options: SnapshotOptions = {}): TcpSnapshot {
    const now = performance.now();
    const seconds = (now - this.#previousAt) / 1000;
    this.#previousAt = now;
    const procs = this.processTotals();
    const byFamily = this.familyTotals();
    const total = this.counters(procs);
    const interval = sub(total, this.#previousTotal);
    this.#previousTotal = total;
    const rows: TcpProcessRow[] = [];
    const next = new Map<number, TcpCounters>();
    for (const [pid, e] of procs) {
      next.set(pid, e.counters);
      const d = sub(e.counters, this.#previous.get(pid));
      if (!active(d)) continue;
      rows.push({
        pid,
        comm: e.comm,
        ...d,
        opened: d.connects + d.accepts,
        sentPerSecond: seconds > 0 ? d.sent / seconds : 0,
        receivedPerSecond: seconds > 0 ? d.received / seconds : 0,
        total: e.counters,
      });
    }
    this.#previous = next;
    rows.sort(
      (a, b) =>
        b.sent + b.received - (a.sent + a.received) ||
        b.total.sent + b.total.received - (a.total.sent + a.total.received) ||
        b.opened - a.opened ||
        a.pid - b.pid,
    );
    return {
      time: new Date(),
      seconds,
      processes: options.limit === undefined ? rows : rows.slice(0, options.limit),
      activeProcesses: rows.length,
      interval,
      total,
      byFamily,
    };
  }

  /** The connections closed since the last call (filtered), oldest first. Never blocks. */
  drainClosed(limit = Infinity): ClosedConnection[] {
    const out: ClosedConnection[] = [];
    if (this.#closed) return out;
    this.#ring.consume((rec) => {
      const c = decodeClosed(rec);
      if (this.#matches(c.pid, c.comm)) out.push(c);
    }, limit);
    return out;
  }

  /** Waits until a closed connection may be ready; false when `signal` aborted or the tracker closed. */
  waitClosed(signal?: AbortSignal): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return this.#ring.wait(signal);
  }

  /** Closed connections as they come, until `signal` aborts or the tracker closes. */
  async *closedConnections(signal?: AbortSignal): AsyncGenerator<ClosedConnection, void, undefined> {
    while (!this.#closed && !signal?.aborted) {
      const batch = this.drainClosed(4096);
      for (const c of batch) yield c;
      if (batch.length > 0) continue;
      if (!(await this.waitClosed(signal))) return;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Detaches everything, then unloads the programs and frees the maps. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    releaseAll([() => this.#ring.close(), ...detachSteps(this.#links), () => this.object.close()]);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
