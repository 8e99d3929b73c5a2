// User side of the compiled TCP lifecycle tracer: state changes with process, addresses and ports,
// and at close the bytes acked and received (tcplife-like). `node dist/examples/kernel/tcp-lifecycle.js`
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { artifactFor, KernelObject } from "tsbpf/compiler";
import { RingBuffer, type RingRecord, type Attachment } from "tsbpf";
import { TcpEvent } from "./tcp-lifecycle.bpf.js";
import type * as Kernel from "./tcp-lifecycle.bpf.js";

export const SOURCE = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "..",
  "..",
  "..",
  "examples",
  "kernel",
  "tcp-lifecycle.bpf.ts",
);

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

export type TcpRecord =
  | {
      kind: "state";
      pid: number;
      comm: string;
      family: 4 | 6;
      saddr: string;
      daddr: string;
      sport: number;
      dport: number;
      oldstate: string;
      newstate: string;
      sock: bigint;
    }
  | {
      kind: "close";
      pid: number;
      comm: string;
      sport: number;
      dport: number;
      bytesAcked: bigint;
      bytesReceived: bigint;
      sock: bigint;
    };

function address(bytes: Uint8Array, family: 4 | 6): string {
  if (family === 4) return [...bytes.subarray(0, 4)].join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

export function decodeTcp(rec: RingRecord): TcpRecord {
  const e = TcpEvent.decode(rec.view, rec.offset);
  if (e.kind === 1) {
    return {
      kind: "close",
      pid: e.pid,
      comm: e.comm,
      sport: e.sport,
      dport: e.dport,
      bytesAcked: e.bytesAcked,
      bytesReceived: e.bytesReceived,
      sock: e.skaddr,
    };
  }
  const family = e.family === 10 ? 6 : 4;
  return {
    kind: "state",
    pid: e.pid,
    comm: e.comm,
    family,
    saddr: address(e.saddr, family),
    daddr: address(e.daddr, family),
    sport: e.sport,
    dport: e.dport,
    oldstate: TCP_STATES[e.oldstate] ?? String(e.oldstate),
    newstate: TCP_STATES[e.newstate] ?? String(e.newstate),
    sock: e.skaddr,
  };
}

export class CompiledTcpLifecycle implements Disposable {
  readonly ring: RingBuffer;
  private constructor(
    readonly object: KernelObject<typeof Kernel>,
    private readonly links: Attachment[],
  ) {
    this.ring = new RingBuffer(object.maps.events);
  }

  static async start(): Promise<CompiledTcpLifecycle> {
    const object = KernelObject.load<typeof Kernel>(await artifactFor(SOURCE));
    const links: Attachment[] = [];
    try {
      links.push(object.programs.stateChange.attach("sock", "inet_sock_set_state"));
      links.push(object.programs.closeStats.attach());
      return new CompiledTcpLifecycle(object, links);
    } catch (err) {
      for (const l of links) l.detach();
      object.close();
      throw err;
    }
  }

  drain(): TcpRecord[] {
    const out: TcpRecord[] = [];
    this.ring.consume((rec) => {
      out.push(decodeTcp(rec));
    });
    return out;
  }

  poll(onRecord: (r: TcpRecord) => void, signal?: AbortSignal): Promise<number> {
    return this.ring.poll((rec) => onRecord(decodeTcp(rec)), { signal });
  }

  [Symbol.dispose](): void {
    this.ring.close();
    for (const l of this.links) l.detach();
    this.object.close();
  }
}

async function main(): Promise<void> {
  using tracer = await CompiledTcpLifecycle.start();
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  await tracer.poll((r) => {
    if (r.kind === "state")
      console.log(
        `${String(r.pid).padEnd(7)} ${r.comm.padEnd(16)} ${r.saddr}:${r.sport} → ${r.daddr}:${r.dport} ${r.oldstate} → ${r.newstate}`,
      );
    else
      console.log(
        `${String(r.pid).padEnd(7)} ${r.comm.padEnd(16)} closed :${r.sport} → :${r.dport} acked ${r.bytesAcked} B, received ${r.bytesReceived} B`,
      );
  }, stop.signal);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
