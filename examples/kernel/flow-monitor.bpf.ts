// The TCP/UDP monitor in kernel TypeScript: for every IPv4 or IPv6 packet (optionally behind one
// VLAN tag), its addresses, ports, protocol and length go to user space through a ring buffer.
import {
  xdp,
  RingBuf,
  PerCpuArrayMap,
  EthHdr,
  VlanHdr,
  Ipv4Hdr,
  Ipv6Hdr,
  struct,
  bytes,
  viewAs,
  u8,
  u16,
  u32,
  u64,
  be16,
  XDP_PASS,
  ETH_P_IP,
  ETH_P_IPV6,
  ETH_P_8021Q,
  ETH_P_8021AD,
  IPPROTO_TCP,
  IPPROTO_UDP,
  AF_INET,
  AF_INET6,
} from "tsbpf/kernel";

/** One packet, as user space receives it. IPv4 addresses use the first 4 bytes of saddr/daddr. */
export class PacketInfo extends struct({
  family: u8, // AF_INET or AF_INET6
  protocol: u8, // IP protocol / IPv6 next header
  vlan: u16, // VLAN id, 0 when untagged
  sport: u16, // 0 unless TCP or UDP
  dport: u16,
  length: u32, // frame length in bytes
  saddr: bytes(16),
  daddr: bytes(16),
}) {}

/** An IPv4 header's addresses as bytes (they start 12 bytes in). */
export class Ipv4Addrs extends struct({ saddr: bytes(4), daddr: bytes(4) }) {}

/** The first four bytes of TCP and UDP headers. */
export class Ports extends struct({ sport: be16, dport: be16 }) {}

export const packets = new RingBuf({ size: 256 * 1024 });
/** Records the ring had no room for (index 0). */
export const drops = new PerCpuArrayMap({ value: u64, maxEntries: 1 });

export const monitor = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null) return XDP_PASS;
  let type = eth.etherType;
  let offset: u32 = 14;
  let vlan: u16 = 0;
  if (type === ETH_P_8021Q || type === ETH_P_8021AD) {
    const tag = ctx.load(VlanHdr, 14);
    if (tag === null) return XDP_PASS;
    vlan = tag.tci & 0xfff;
    type = tag.etherType;
    offset = 18;
  }
  if (type !== ETH_P_IP && type !== ETH_P_IPV6) return XDP_PASS;

  const info = packets.reserve(PacketInfo);
  if (info === null) {
    drops.increment(0);
    return XDP_PASS;
  }
  info.vlan = vlan;
  info.length = ctx.len;
  info.sport = 0;
  info.dport = 0;
  let protocol: u8;
  let l4: u32;
  if (type === ETH_P_IP) {
    const ip = ctx.load(Ipv4Hdr, offset);
    if (ip === null) {
      packets.discard(info);
      return XDP_PASS;
    }
    info.family = AF_INET;
    protocol = ip.protocol;
    info.saddr.fill(0);
    info.daddr.fill(0);
    // Addresses stay in network order: the bytes as they are on the wire.
    const addrs = viewAs(Ipv4Addrs, ip, 12);
    info.saddr.set(addrs.saddr);
    info.daddr.set(addrs.daddr);
    l4 = offset + (ip.versionIhl & 0xf) * 4;
  } else {
    const ip6 = ctx.load(Ipv6Hdr, offset);
    if (ip6 === null) {
      packets.discard(info);
      return XDP_PASS;
    }
    info.family = AF_INET6;
    protocol = ip6.nextHeader;
    info.saddr.set(ip6.saddr);
    info.daddr.set(ip6.daddr);
    l4 = offset + 40;
  }
  info.protocol = protocol;
  if (protocol === IPPROTO_TCP || protocol === IPPROTO_UDP) {
    const ports = ctx.load(Ports, l4);
    if (ports !== null) {
      info.sport = ports.sport;
      info.dport = ports.dport;
    }
  }
  packets.submit(info);
  return XDP_PASS;
});
