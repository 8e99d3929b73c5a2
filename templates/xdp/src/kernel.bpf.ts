// The kernel side: counts the packets and bytes an interface receives per IP protocol (TCP, UDP,
// ICMP …), in a per-CPU array indexed by the protocol number. XDP runs it on each frame before the
// kernel allocates anything for it; every packet goes on (XDP_PASS).
import {
  xdp,
  PerCpuArrayMap,
  EthHdr,
  Ipv4Hdr,
  Ipv6Hdr,
  struct,
  u8,
  u64,
  XDP_PASS,
  ETH_P_IP,
  ETH_P_IPV6,
} from "tsbpf/kernel";

export class Traffic extends struct({ packets: u64, bytes: u64 }) {}

/** IP protocol number (IPv4 protocol / IPv6 next header) → what this CPU saw. */
export const protocols = new PerCpuArrayMap({ value: Traffic, maxEntries: 256 });

export const countProtocols = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null) return XDP_PASS;
  let protocol: u8;
  if (eth.etherType === ETH_P_IP) {
    const ip = ctx.load(Ipv4Hdr, 14);
    if (ip === null) return XDP_PASS;
    protocol = ip.protocol;
  } else if (eth.etherType === ETH_P_IPV6) {
    const ip6 = ctx.load(Ipv6Hdr, 14);
    if (ip6 === null) return XDP_PASS;
    protocol = ip6.nextHeader;
  } else {
    return XDP_PASS;
  }
  const traffic = protocols.lookup(protocol);
  if (traffic !== null) {
    traffic.packets += 1;
    traffic.bytes += ctx.len;
  }
  return XDP_PASS;
});
