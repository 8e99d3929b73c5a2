// User side of the kprobe TCP monitor (tcp-monitor.bpf.ts): attaches its kprobes and kretprobes and
// prints per process the connects, accepts, bytes sent and received and connections closed, every
// two seconds until Ctrl-C. `node dist/examples/kernel/tcp-monitor.js` (as root; the kernel program
// was compiled by `npm run build` into tcp-monitor.bpf.json beside this file).
import { fileURLToPath } from "node:url";
import { KernelObject } from "tsbpf/compiler";
import { NotSupportedError, TsbpfError, type Attachment, type KprobeProgram } from "tsbpf";
import type * as Kernel from "./tcp-monitor.bpf.js";

export interface ProcessTcp {
  pid: number;
  connects4: number;
  connects6: number;
  accepts: number;
  sent: number;
  received: number;
  closed: number;
}

/** Each program and the kernel function it probes (kprobe or kretprobe, as its section says). */
const PROBES: readonly (readonly [keyof typeof Kernel & string, string])[] = [
  ["connect4", "tcp_v4_connect"],
  ["connect4Return", "tcp_v4_connect"],
  ["connect6", "tcp_v6_connect"],
  ["connect6Return", "tcp_v6_connect"],
  ["acceptReturn", "inet_csk_accept"],
  ["sendReturn", "tcp_sendmsg"],
  ["received", "tcp_cleanup_rbuf"],
  ["close", "tcp_close"],
];

export class TcpMonitor implements Disposable {
  private constructor(
    readonly object: KernelObject<typeof Kernel>,
    private readonly links: Attachment[],
  ) {}

  /** Loads and attaches every probe; a kernel without kprobes is a NotSupportedError, and nothing stays behind. */
  static open(): TcpMonitor {
    const artifact = KernelObject.readArtifact(fileURLToPath(new URL("tcp-monitor.bpf.json", import.meta.url)));
    const object = KernelObject.load<typeof Kernel>(artifact);
    const links: Attachment[] = [];
    try {
      for (const [program, fn] of PROBES) links.push((object.programs[program] as KprobeProgram).attach(fn));
      return new TcpMonitor(object, links);
    } catch (err) {
      for (const l of links) l.detach();
      object.close();
      throw err;
    }
  }

  /** Every process seen so far, busiest first. */
  processes(): ProcessTcp[] {
    return [...this.object.maps.stats.entries()]
      .map(([pid, s]) => ({
        pid,
        connects4: Number(s.connects4),
        connects6: Number(s.connects6),
        accepts: Number(s.accepts),
        sent: Number(s.sent),
        received: Number(s.received),
        closed: Number(s.closed),
      }))
      .sort((a, b) => b.sent + b.received - (a.sent + a.received) || a.pid - b.pid);
  }

  close(): void {
    for (const l of this.links.splice(0)) l.detach();
    this.object.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The table main() prints. */
export function table(rows: readonly ProcessTcp[]): string {
  const head = ["PID", "CONNECT4", "CONNECT6", "ACCEPTS", "SENT", "RECEIVED", "CLOSED"];
  const cells = rows.map((r) => [r.pid, r.connects4, r.connects6, r.accepts, r.sent, r.received, r.closed].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [head, ...cells].map((c) => c.map((x, i) => x.padStart(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  let monitor: TcpMonitor;
  try {
    monitor = TcpMonitor.open();
  } catch (err) {
    if (!(err instanceof TsbpfError)) throw err;
    const hint =
      err instanceof NotSupportedError ? " (tsbpf tcp --hooks tracepoint counts the same with tracepoints)" : "";
    process.stderr.write(`tcp-monitor: ${err.message}${hint}\n`);
    process.exitCode = 1;
    return;
  }
  using _ = monitor;
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  while (!stop.signal.aborted) {
    await new Promise((r) => {
      const timer = setTimeout(r, 2000);
      stop.signal.addEventListener("abort", () => (clearTimeout(timer), r(null)), { once: true });
    });
    process.stdout.write(`${table(monitor.processes())}\n\n`);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
