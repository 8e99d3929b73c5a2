// The kernel side: a traffic-control classifier that drops TCP and UDP packets to one destination
// port (IPv4 and IPv6) and counts what it passes and drops. User space picks the port before
// loading (`blockedPort`, a read-only constant the verifier sees) and the direction when attaching.
import {
  tc,
  PerCpuArrayMap,
  EthHdr,
  Ipv4Hdr,
  Ipv6Hdr,
  struct,
  be16,
  u8,
  u16,
  u32,
  u64,
  TC_ACT_OK,
  TC_ACT_SHOT,
  ETH_P_IP,
  ETH_P_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type TcContext,
} from "tsbpf/kernel";

/** Destination port whose TCP and UDP packets are dropped; 0 drops nothing. */
export const blockedPort: u16 = 0;

export const PASSED = 0;
export const DROPPED = 1;

export class Traffic extends struct({ packets: u64, bytes: u64 }) {}
/** Index PASSED / DROPPED → what this CPU let through or dropped. */
export const verdicts = new PerCpuArrayMap({ value: Traffic, maxEntries: 2 });

/** The first four bytes of TCP and UDP headers. */
export class Ports extends struct({ sport: be16, dport: be16 }) {}

export const dropPort = tc((ctx) => {
  const verdict = blockedPort !== 0 && destinationPort(ctx) === blockedPort ? DROPPED : PASSED;
  const traffic = verdicts.lookup(verdict);
  if (traffic !== null) {
    traffic.packets += 1;
    traffic.bytes += ctx.len;
  }
  return verdict === DROPPED ? TC_ACT_SHOT : TC_ACT_OK;
});

/** The TCP or UDP destination port of the packet, 0 for anything else. */
function destinationPort(ctx: TcContext): u16 {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null) return 0;
  let protocol: u8;
  let l4: u32;
  if (eth.etherType === ETH_P_IP) {
    const ip = ctx.load(Ipv4Hdr, 14);
    if (ip === null) return 0;
    protocol = ip.protocol;
    l4 = 14 + (ip.versionIhl & 0xf) * 4;
  } else if (eth.etherType === ETH_P_IPV6) {
    const ip6 = ctx.load(Ipv6Hdr, 14);
    if (ip6 === null) return 0;
    protocol = ip6.nextHeader;
    l4 = 14 + 40;
  } else {
    return 0;
  }
  if (protocol !== IPPROTO_TCP && protocol !== IPPROTO_UDP) return 0;
  const ports = ctx.load(Ports, l4);
  return ports === null ? 0 : ports.dport;
}
