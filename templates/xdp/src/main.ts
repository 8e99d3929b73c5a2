// `npm start -- [IFACE]`: counts packets per IP protocol on IFACE (default: the interface of the
// default route) and prints the totals every second until Ctrl-C. Needs root (or CAP_BPF +
// CAP_NET_ADMIN).
import { setTimeout as sleep } from "node:timers/promises";
import { defaultInterface } from "tsbpf";
import { ProtocolCounter } from "./counter.js";

const iface = process.argv[2] ?? defaultInterface();
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

using counter = new ProtocolCounter().attach(iface);
console.log(`counting packets per IP protocol on ${iface} (Ctrl-C to stop)`);
while (!stop.signal.aborted) {
  await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
  const rows = counter.counts().map((r) => `${r.name} ${r.packets} pkts ${r.bytes} B`);
  console.log(`${new Date().toISOString().slice(11, 19)}  ${rows.join(" | ") || "no IP packets yet"}`);
}
