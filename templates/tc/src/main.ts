// `npm start -- PORT [IFACE] [egress|ingress]`: drops TCP and UDP packets to PORT that IFACE
// (default: the interface of the default route) sends (default) or receives, and prints what
// passed and what was dropped every second until Ctrl-C. Needs root (or CAP_BPF + CAP_NET_ADMIN).
import { setTimeout as sleep } from "node:timers/promises";
import { defaultInterface, type TcDirection } from "tsbpf";
import { PortFilter } from "./filter.js";

const [portText, ifaceArgument, directionArgument = "egress"] = process.argv.slice(2);
if (
  portText === undefined ||
  !/^\d+$/.test(portText) ||
  (directionArgument !== "egress" && directionArgument !== "ingress")
) {
  console.error("usage: npm start -- PORT [IFACE] [egress|ingress]");
  process.exit(2);
}
const iface = ifaceArgument ?? defaultInterface();
const direction: TcDirection = directionArgument;
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

using filter = new PortFilter(Number(portText)).attach(iface, direction);
console.log(`dropping TCP/UDP to port ${filter.port} on ${iface} ${direction} (Ctrl-C to stop)`);
while (!stop.signal.aborted) {
  await sleep(1000, undefined, { signal: stop.signal }).catch(() => undefined);
  const passed = filter.passed(),
    dropped = filter.dropped();
  console.log(
    `${new Date().toISOString().slice(11, 19)}  passed ${passed.packets} pkts ${passed.bytes} B | dropped ${dropped.packets} pkts ${dropped.bytes} B`,
  );
}
