// TCP traffic per process from your own program, with the engine of `tsbpf tcp` (tracepoints,
// counted in the kernel): which processes sent and received how many bytes, every second.
import { TcpTracker } from "tsbpf/tools";

export interface ProcessTotals {
  pid: number;
  comm: string;
  sent: number;
  received: number;
}

/** Prints the busiest processes of each second, `rounds` times; returns every process's totals. */
export async function watchTcp(rounds: number, print: (line: string) => void = console.log): Promise<ProcessTotals[]> {
  using tracker = TcpTracker.open({ closedConnections: false });
  const seen = new Map<number, ProcessTotals>();
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of tracker.snapshot({ limit: 5 }).processes) {
      seen.set(p.pid, { pid: p.pid, comm: p.comm, sent: p.total.sent, received: p.total.received });
      print(`${p.pid} ${p.comm}: sent ${p.sent} B, received ${p.received} B (${p.opened} connections opened)`);
    }
  }
  return [...seen.values()];
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await watchTcp(Number(process.argv[2] ?? 10));
