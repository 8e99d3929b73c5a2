// Packets of one cgroup, in kernel TypeScript: cgroup_skb programs on the cgroup's way out
// (egress) and in (ingress) count IPv4 packets and bytes per IP protocol and ICMP echo messages,
// and, when `dropPings` is set before loading, drop the echo requests the cgroup sends.
import { cgroupSkb, HashMap, ArrayMap, Ipv4Hdr, IcmpHdr, struct, u8, u16, u32, u64, ETH_P_IP } from "tsbpf/kernel";

/** Set before loading: drop outgoing ICMP echo requests (ping fails with EPERM). */
export const dropPings: u32 = 0;

export class Traffic extends struct({ packets: u64, bytes: u64 }) {}

/** (direction << 8) | IP protocol → packets and bytes; direction 0 is sent, 1 received. */
export const traffic = new HashMap({ key: u16, value: Traffic, maxEntries: 512 });
/** [0] echo requests sent, [1] echo replies received, [2] echo requests dropped. */
export const pings = new ArrayMap({ value: u64, maxEntries: 3 });

const ICMP = 1;
const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;

function account(direction: u16, protocol: u8, len: u32): void {
  const key: u16 = (direction << 8) | protocol;
  const t = traffic.lookup(key);
  if (t !== null) {
    t.packets += 1;
    t.bytes += len;
  } else {
    traffic.update(key, { packets: 1, bytes: len });
  }
}

export const egress = cgroupSkb("egress", (ctx) => {
  if (ctx.protocol !== ETH_P_IP) return 1;
  const ip = ctx.load(Ipv4Hdr, 0); // cgroup_skb packets start at the IP header
  if (ip === null) return 1;
  account(0, ip.protocol, ctx.len);
  if (ip.protocol !== ICMP) return 1;
  const icmp = ctx.load(IcmpHdr, (ip.versionIhl & 0xf) * 4);
  if (icmp === null || icmp.type !== ECHO_REQUEST) return 1;
  if (dropPings !== 0) {
    pings.increment(2);
    return 0;
  }
  pings.increment(0);
  return 1;
});

export const ingress = cgroupSkb("ingress", (ctx) => {
  if (ctx.protocol !== ETH_P_IP) return 1;
  const ip = ctx.load(Ipv4Hdr, 0);
  if (ip === null) return 1;
  account(1, ip.protocol, ctx.len);
  if (ip.protocol !== ICMP) return 1;
  const icmp = ctx.load(IcmpHdr, (ip.versionIhl & 0xf) * 4);
  if (icmp !== null && icmp.type === ECHO_REPLY) pings.increment(1);
  return 1;
});
