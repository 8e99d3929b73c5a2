// The XDP packet counter in kernel TypeScript: packets and bytes per EtherType and per IP
// protocol, in per-CPU hash maps (user space sums the CPUs). Compiled by tsbpf, not by clang.
import {
  xdp,
  PerCpuHashMap,
  EthHdr,
  Ipv4Hdr,
  Ipv6Hdr,
  struct,
  u8,
  u16,
  u32,
  u64,
  XDP_PASS,
  ETH_P_IP,
  ETH_P_IPV6,
} from "tsbpf/kernel";

/** What one CPU saw of one key. */
export class Counter extends struct({ packets: u64, bytes: u64 }) {}

/** EtherType (host order) → traffic. */
export const etherTypes = new PerCpuHashMap({ key: u16, value: Counter, maxEntries: 256 });
/** IP protocol (IPv4 protocol / IPv6 next header) → traffic. */
export const ipProtocols = new PerCpuHashMap({ key: u8, value: Counter, maxEntries: 256 });

export const count = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null) return XDP_PASS;
  const len: u32 = ctx.len;
  const type = eth.etherType;

  const perType = etherTypes.lookup(type);
  if (perType !== null) {
    perType.packets += 1;
    perType.bytes += len;
  } else {
    etherTypes.update(type, { packets: 1, bytes: len });
  }

  let protocol: u8;
  if (type === ETH_P_IP) {
    const ip = ctx.load(Ipv4Hdr, 14);
    if (ip === null) return XDP_PASS;
    protocol = ip.protocol;
  } else if (type === ETH_P_IPV6) {
    const ip6 = ctx.load(Ipv6Hdr, 14);
    if (ip6 === null) return XDP_PASS;
    protocol = ip6.nextHeader;
  } else {
    return XDP_PASS;
  }

  const perProtocol = ipProtocols.lookup(protocol);
  if (perProtocol !== null) {
    perProtocol.packets += 1;
    perProtocol.bytes += len;
  } else {
    ipProtocols.update(protocol, { packets: 1, bytes: len });
  }
  return XDP_PASS;
});
