// The interface a monitor should watch by default: the one carrying the default route.
import { readFileSync } from "node:fs";

/** The default route's interface (IPv4, then IPv6), or "lo" when there is none. */
export function defaultInterface(): string {
  try {
    for (const line of readFileSync("/proc/net/route", "utf8").split("\n").slice(1)) {
      const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
      if (iface && destination === "00000000" && mask === "00000000") return iface;
    }
    for (const line of readFileSync("/proc/net/ipv6_route", "utf8").split("\n")) {
      const fields = line.trim().split(/\s+/);
      if (fields[0] === "0".repeat(32) && fields[1] === "00" && fields[9] && fields[9] !== "lo") return fields[9];
    }
  } catch {
    /* no procfs routes: fall through */
  }
  return "lo";
}
